"""A citizen applies through the browser: the form-js viewer, steps, upload, review, receipt —
and axe-core finds no WCAG 2.1 AA violation on any page on the way."""

from __future__ import annotations

import pytest

from verka.accounts.services import create_user
from verka.eservices.models import Submission
from verka.processes.models import ProcessInstance

from ..eservices.conftest import PDF, permit_eservice  # noqa: F401 - the fixture
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/konto/logga-in/")
    page.get_by_role("textbox", name="Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("button", name="Logga in").click()


def test_citizen_applies_for_a_building_permit(live_server, page, permit_eservice, tmp_path):  # noqa: F811
    create_user("anna", "pw-anna-123", kind="citizen", display_name="Anna Andersson")
    log_in(page, live_server.url, "anna", "pw-anna-123")

    page.goto(live_server.url + "/e-tjanster/")
    assert_accessible(page)
    page.get_by_role("link", name="Ansök om bygglov").click()
    assert_accessible(page)
    page.get_by_role("link", name="Starta e-tjänsten").click()

    page.wait_for_selector(".fjs-form")
    assert_accessible(page)
    page.get_by_role("button", name="Nästa").click()  # required field empty: stays
    assert page.locator("[name=step]").input_value() == "0"
    page.get_by_label("Fastighetsbeteckning").fill("Exempel 1:23")
    page.get_by_label("Yta (m²)").fill("120")
    page.get_by_role("button", name="Nästa").click()

    page.wait_for_selector("text=Ritningar")
    drawing = tmp_path / "plan.pdf"
    drawing.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(drawing))
    page.get_by_label("Beskrivning").fill("Tillbyggnad av garage")
    assert_accessible(page)
    page.get_by_role("button", name="Granska").click()

    page.wait_for_url("**/granska/")
    assert "Exempel 1:23" in page.content()
    assert "plan.pdf" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Skicka in ansökan").click()

    page.wait_for_selector("#case-number")
    case_number = page.locator("#case-number").inner_text()
    assert_accessible(page)
    submission = Submission.objects.get(case_number=case_number)
    assert ProcessInstance.objects.get(key=submission.process_instance_key).status == "ACTIVE"
    assert submission.attachments.count() == 1
