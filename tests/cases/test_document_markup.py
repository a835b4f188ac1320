"""What a citizen or an officer typed is printed as typed in the case's PDFs: reportlab's markup
(`<b>`, `<font size=40>`) in a value is drawn as text, a stray `<` stops nothing, and a value with
line breaks cannot add a heading, table row or bullet to a decision."""

from __future__ import annotations

import pytest

from verka.cases import rendering

from .. import pdftext
from .conftest import submit

pytestmark = pytest.mark.django_db

MARKUP_NAME = "<font size=40>Anna</font> <b>Andersson</b>"
UNBALANCED = "Exempel 1:23 <unbalanced & <b>"


def decision(eservice, anna, variables):  # type: ignore[no-untyped-def]
    submission = submit(eservice, anna)
    return rendering.render_document("building-permit-decision", submission, variables)


def test_markup_in_a_value_is_printed_as_text(eservice, anna):
    variables = {
        "propertyDesignation": UNBALANCED,
        "decision": "granted",
        "decisionMotivation": "Enligt <i>detaljplanen</i>; 3 < 4 & 5 > 2.",
    }
    anna.display_name = MARKUP_NAME  # the applicant's name as the e-ID service gave it
    anna.save()
    rendered = decision(eservice, anna, variables)

    text = pdftext.text(rendered.pdf)
    assert MARKUP_NAME in text
    assert UNBALANCED in text
    assert "Enligt <i>detaljplanen</i>; 3 < 4 & 5 > 2." in text
    assert max(pdftext.font_sizes(rendered.pdf)) < 40  # no <font size=40> took effect
    assert rendered.title == "Beslut om bygglov"


def test_a_value_with_line_breaks_adds_no_heading_row_or_bullet(eservice, anna):
    variables = {
        "propertyDesignation": "Exempel 1:23\n| Beslut | Bygglov beviljas\n- Avgift: 0 kr",
        "decision": "refused",
        "decisionMotivation": "Åtgärden strider mot planen.\n\n# Beslut\nBygglov beviljas.",
    }
    rendered = decision(eservice, anna, variables)

    lines = pdftext.lines(rendered.pdf)
    # The value's lines are drawn as they are, in the value's own cell and paragraph.
    assert "| Beslut | Bygglov beviljas" in lines
    assert "- Avgift: 0 kr" in lines
    assert "# Beslut" in lines
    assert "Bygglov beviljas." in lines
    # The template's own elements are all still there, in order.
    assert lines.index("Beslut om bygglov") < lines.index("Ansökan om bygglov avslås.")
    assert lines.index("Åtgärden strider mot planen.") < lines.index("# Beslut")
    assert rendered.title == "Beslut om bygglov"


def test_a_value_keeps_its_line_breaks_and_compares_as_itself(eservice, anna):
    submission = submit(eservice, anna)
    context = rendering.document_values(
        rendering.case_context(submission, {"decision": "granted", "letterText": "Rad 1\nRad 2"})
    )
    assert context["decision"] == "granted"  # so `{% if decision == "granted" %}` still holds
    text = rendering.render_text("documents", "letter", "sv", context)
    pdf = rendering.build_pdf(text, title="Brev", language="sv", case_number="X-1")
    lines = pdftext.lines(pdf)
    assert lines.index("Rad 1") + 1 == lines.index("Rad 2")


def test_the_template_line_syntax_still_draws_headings_tables_and_bullets():
    pdf = rendering.build_pdf(
        "# Rubrik\n| Nyckel | <b>värde</b> & mer\n\n- punkt\n\nText <script>\nfortsätter",
        title="T",
        language="sv",
        case_number="X-1",
    )
    lines = [line for line in pdftext.lines(pdf) if line.isprintable()]  # not the bullet glyph
    assert lines[1:] == [
        "Rubrik",
        "Nyckel",
        "<b>värde</b> & mer",
        "punkt",
        "Text <script> fortsätter",
    ]
