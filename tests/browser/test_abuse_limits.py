"""What a citizen sees at the limits: an upload over the draft's cap is refused with a reason in
the form, and too many new drafts from one address get an accessible 429 page."""

from __future__ import annotations

import pytest

from verka.eservices.models import Attachment

from ..eservices.conftest import PDF, permit_eservice  # noqa: F401 - the fixture
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anonymous(permit_eservice, settings, tmp_path):  # type: ignore[no-untyped-def]  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    permit_eservice.allow_anonymous = True
    permit_eservice.save()
    return permit_eservice


def test_an_upload_over_the_drafts_cap_is_refused_with_its_reason(
    live_server, page, anonymous, settings, tmp_path
):
    settings.VERKA_DRAFT_MAX_FILES = 1
    page.goto(live_server.url + "/e-tjanster/bygglov/ansok/")
    page.wait_for_selector(".fjs-form")
    page.get_by_label("Fastighetsbeteckning").fill("Exempel 1:23")
    page.get_by_role("button", name="Nästa").click()
    page.wait_for_selector("text=Ritningar")
    files = []
    for name in ("plan.pdf", "fasad.pdf"):
        files.append(tmp_path / name)
        files[-1].write_bytes(PDF)
    page.locator("input[type=file]").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Granska").click()
    # Shown where it is seen and announced at once (role=alert), the answers kept.
    warning = page.locator("#save-warning[role=alert]")
    warning.filter(has_text="1 filer").wait_for()
    assert "Ansökan har redan 1 filer" in warning.inner_text()
    assert Attachment.objects.count() == 1
    assert_accessible(page)


def test_too_many_new_drafts_get_an_accessible_429_page(live_server, browser, anonymous, settings):
    settings.VERKA_RATE_LIMITS = {**settings.VERKA_RATE_LIMITS, "drafts": "1/h"}
    for viewport in ({"width": 1280, "height": 800}, {"width": 375, "height": 740}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(live_server.url + "/e-tjanster/bygglov/ansok/")  # a new session each time
        context.close()
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        answer = page.goto(live_server.url + "/en/e-tjanster/bygglov/ansok/")
        assert answer is not None and answer.status == 429
        assert page.get_by_role("heading", name="Too many attempts").is_visible()
        assert_accessible(page)
        context.close()
