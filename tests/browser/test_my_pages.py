"""A citizen follows a case on My pages in the browser: reads it, answers a completion request
through the form-js viewer (with a file), writes to the case officer and downloads the decision —
with axe-core finding no WCAG 2.1 AA violation on any page on the way."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from verka.accounts.services import create_user
from verka.cases.models import CaseDocument, CaseMessage
from verka.processes.models import UserTask, Variable

from ..cases.conftest import (  # noqa: F401 - fixtures
    PDF,
    eservice,
    media_root,
    officer_requests_completion,
    run_jobs,
    submit,
)
from .conftest import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media_root"),
]


def log_in(page, base_url: str, user) -> None:  # type: ignore[no-untyped-def]
    """A session for the user, handed to the browser (the login page has its own tests)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def test_citizen_follows_a_case_on_my_pages(live_server, page, eservice, tmp_path):  # noqa: F811
    anna = create_user(
        "anna", None, kind="citizen", display_name="Anna Andersson", email="a@example.se"
    )
    submission = submit(eservice, anna)
    officer_requests_completion(submission)
    log_in(page, live_server.url, anna)

    page.goto(live_server.url + "/mina-sidor/")
    assert page.get_by_role("heading", name="Uppgifter till dig").is_visible()
    row = page.get_by_role("row").filter(has_text=submission.case_number)
    assert "Väntar på dig" in row.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=submission.case_number).click()
    page.wait_for_selector("#case-number")
    assert "Exempel 1:23" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Komplettera ansökan").first.click()
    page.wait_for_selector(".fjs-form")
    assert "Fasadritning saknas." in page.content()  # the request, shown from the variables
    assert_accessible(page)
    page.get_by_role("button", name="Skicka svar").click()  # required answer empty: stays
    assert "/uppgift/" in page.url
    drawing = tmp_path / "fasad.pdf"
    drawing.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(drawing))
    # After the file: form-js debounces typing, and a file picked meanwhile would reset it.
    page.get_by_label("Ditt svar").fill("Fasadritningen bifogas.")
    page.get_by_role("button", name="Skicka svar").click()

    page.wait_for_selector("text=Tack! Ditt svar är skickat.")
    assert "Du svarade: Komplettera ansökan" in page.content()
    assert_accessible(page)
    task = UserTask.objects.get(element_id="supplement")
    assert task.state == "COMPLETED"
    answer = Variable.objects.get(
        name="supplementDocuments", scope_key=submission.process_instance_key
    )
    assert "fasad.pdf" in answer.value

    page.get_by_label("Meddelande", exact=True).fill("När kommer beslutet?")
    page.get_by_label("Bifoga filer (frivilligt)").set_input_files(str(drawing))
    page.get_by_role("button", name="Skicka meddelande").click()
    page.wait_for_selector("text=Ditt meddelande är skickat.")
    assert CaseMessage.objects.get().documents.count() == 1
    assert_accessible(page)

    run_jobs("verka-document")
    page.reload()
    assert "Beslutat" in page.locator("#case-status").inner_text()
    decision = CaseDocument.objects.get(kind="decision")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Beslut om bygglov").first.click()
    download = download_info.value
    assert download.suggested_filename == decision.original_name
    target = tmp_path / "beslut.pdf"
    download.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")
    assert_accessible(page)

    page.goto(live_server.url + "/en/mina-sidor/")
    assert "Decided" in page.get_by_role("row").filter(has_text=submission.case_number).inner_text()
    assert_accessible(page)


def test_my_pages_on_a_phone(live_server, phone_page, eservice):  # noqa: F811
    anna = create_user("anna", None, kind="citizen", display_name="Anna Andersson")
    submission = submit(eservice, anna)
    officer_requests_completion(submission)
    log_in(phone_page, live_server.url, anna)
    for path in [
        "/mina-sidor/",
        f"/mina-sidor/arende/{submission.case_number}/",
        "/mina-sidor/utkast/",
    ]:
        phone_page.goto(live_server.url + path)
        assert_accessible(phone_page)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a phone ({width}px)"
