"""The receipt PDF prints the citizen's answers as typed: reportlab's markup in an answer is
drawn as text and a stray `<` stops nothing."""

from __future__ import annotations

import pytest

from verka.accounts.services import create_user
from verka.eservices import receipts
from verka.eservices import services as eservices

from .. import pdftext

pytestmark = pytest.mark.django_db

PROPERTY = "<font size=40>Exempel</font> 1:23 <b>"
DESCRIPTION = "Garage < 30 m² & <unbalanced"


def test_the_receipt_prints_markup_in_answers_as_text(permit_eservice):
    anna = create_user("anna", None, kind="citizen", display_name="<b>Anna</b>")
    draft = eservices.draft_for(permit_eservice, anna, "")
    eservices.save_draft(draft, {"property": PROPERTY, "area": 30, "description": DESCRIPTION})
    submission = eservices.submit(draft, str(draft.submit_token))

    pdf = receipts.receipt_pdf(submission)

    lines = pdftext.lines(pdf)
    assert PROPERTY in lines
    assert DESCRIPTION in lines
    assert max(pdftext.font_sizes(pdf)) < 40


def test_the_review_page_shows_markup_in_answers_as_text(client, permit_eservice):
    anna = create_user("anna", None, kind="citizen", display_name="Anna")
    client.force_login(anna)
    draft = eservices.draft_for(permit_eservice, anna, "")
    eservices.save_draft(draft, {"property": PROPERTY, "area": 30, "description": DESCRIPTION})

    html = client.get("/e-tjanster/bygglov/ansok/granska/").content.decode()

    assert "&lt;font size=40&gt;Exempel&lt;/font&gt; 1:23 &lt;b&gt;" in html
    assert "<font" not in html and "<unbalanced" not in html
