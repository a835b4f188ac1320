"""The demo guardian applies for a preschool place in the browser, through the demo
municipality's real models and forms, with axe-core clean on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from verka.demo import load_demo
from verka.eservices.models import Submission
from verka.processes.models import ProcessInstance, UserTask

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/konto/logga-in/")
    page.get_by_role("textbox", name="Användarnamn").fill(username)
    page.get_by_label("Lösenord", exact=True).fill(password)
    page.get_by_role("button", name="Logga in").click()


def field(page, label: str):  # type: ignore[no-untyped-def]
    """A form-js input by its label (required fields add an asterisk to the name)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """form-js draws its own drop-down: open it by its label, then pick the option."""
    page.locator(".fjs-form-field-select", has_text=label).locator(".fjs-input-group").click()
    page.locator(".fjs-dropdownlist-item", has_text=option).first.click()


def test_guardian_applies_for_a_preschool_place(live_server, page):
    load_demo()
    log_in(page, live_server.url, "anna", "demo-anna")
    page.goto(live_server.url + "/e-tjanster/")
    page.get_by_role("link", name="Ansök om förskoleplats").click()
    page.get_by_role("link", name="Starta e-tjänsten").click()

    page.wait_for_selector(".fjs-form")
    assert_accessible(page)
    field(page, "Namn").fill("Anna Andersson")
    field(page, "Personnummer").fill("19850101-1234")
    field(page, "E-post").fill("anna@example.se")
    page.get_by_role("button", name="Nästa").click()

    page.wait_for_selector("text=Barnets namn")
    field(page, "Barnets namn").fill("Alva Andersson")
    field(page, "Barnets personnummer").fill("20240301-2345")
    start = (date.today() + timedelta(days=150)).strftime("%m/%d/%Y")
    field(page, "Önskat startdatum").fill(start)
    page.keyboard.press("Escape")
    choose(page, "Förstahandsval", "Solrosen")
    assert_accessible(page)
    page.get_by_role("button", name="Granska").click()

    page.wait_for_url("**/granska/")
    assert "Alva Andersson" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Skicka in ansökan").click()
    page.wait_for_selector("#case-number")
    case_number = page.locator("#case-number").inner_text()
    assert case_number.startswith("FSK-")
    assert_accessible(page)

    submission = Submission.objects.get(case_number=case_number)
    instance = ProcessInstance.objects.get(key=submission.process_instance_key)
    assert instance.bpmn_process_id == "preschoolPlacement"
    offer = UserTask.objects.get(process_instance=instance, state="CREATED")
    assert offer.element_id == "offerPlace"
