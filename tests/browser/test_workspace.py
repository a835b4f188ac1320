"""An officer handles the demo building permit case in the browser, from the inbox to the
decision, with a completion request and a message; an officer of another group cannot open it.
axe-core finds no WCAG 2.1 AA violation on any page on the way."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.accounts.helpers import log_in_staff_in_browser
from verka.cases.models import CaseAccess, CaseMessage
from verka.processes import services as processes
from verka.processes.models import ProcessInstance, UserTask

from ..workspace.conftest import (  # noqa: F401 - fixtures
    MODELS,
    PASSWORD,
    open_task,
    people,
    permit_case,
    run_job,
)
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base_url: str, username: str) -> None:
    # Staff who must (the digitalisation team) give a second factor after the password.
    log_in_staff_in_browser(page, base_url + "/konto/logga-in/personal/", username, PASSWORD)


def option_label(form: str, key: str, value: str) -> str:
    """The label the demo form gives an option (the demo's texts may still change)."""
    schema = json.loads((MODELS / f"{form}.form").read_text())
    field = next(c for c in schema["components"] if c.get("key") == key)
    return next(o["label"] for o in field["values"] if o["value"] == value)


def field_label(form: str, key: str) -> str:
    schema = json.loads((MODELS / f"{form}.form").read_text())
    return next(c["label"] for c in schema["components"] if c.get("key") == key)


def open_from_inbox(page: Any, base_url: str, case_number: str) -> None:
    page.goto(base_url + "/handlaggning/")
    page.locator("#inbox-table tr", has_text=case_number).get_by_role("link").first.click()
    page.wait_for_selector(".fjs-form")


def test_an_officer_handles_a_building_permit_from_inbox_to_decision(
    live_server,
    page,
    browser,
    people,  # noqa: F811
    permit_case,  # noqa: F811
):
    base = live_server.url
    case_number = permit_case.case_number
    log_in(page, base, "olle")

    # The inbox: the new case, its due date in words, filters.
    page.goto(base + "/handlaggning/")
    assert case_number in page.locator("#inbox-table").inner_text()
    assert_accessible(page)
    page.get_by_label("Sök ärendenummer eller sökande").fill("Bengtsson")
    page.get_by_role("button", name="Visa uppgifter").click()
    assert case_number in page.locator("#inbox-table").inner_text()

    # The completeness check: claim, write to the applicant, ask for completion.
    open_from_inbox(page, base, case_number)
    assert_accessible(page)
    page.get_by_role("button", name="Ta uppgiften").click()
    assert page.locator("#assignee").inner_text() == "Du"
    page.get_by_label("Meddelande", exact=True).fill("Hej! Vi har börjat handlägga din ansökan.")
    page.get_by_role("button", name="Skicka meddelandet").click()
    page.wait_for_selector("text=Meddelandet är skickat till sökanden.")
    assert_accessible(page)
    due = (date.today() + timedelta(days=14)).isoformat()
    page.get_by_label("Vad behöver sökanden komplettera?").fill("Fasadritning mot norr saknas.")
    page.get_by_label("Komplettera senast").fill(due)
    page.get_by_role("button", name="Skicka begäran om komplettering").click()
    page.wait_for_selector("text=Begäran om komplettering är skickad till sökanden.")
    assert_accessible(page)

    # The process sends the request; the applicant completes the application on My pages.
    run_job("verka-email")
    supplement = open_task(permit_case, "supplementApplication")
    processes.complete_user_task(
        supplement.key, {"supplementComment": "Fasadritningen är bifogad."}, user="bertil"
    )

    # The second check: complete this time.
    open_from_inbox(page, base, case_number)
    complete = option_label("building-permit-completeness", "completeness", "complete")
    page.locator("#form-container").get_by_label(complete, exact=True).check()
    page.get_by_role("button", name="Slutför uppgiften").click()
    page.wait_for_selector("#inbox-table, #no-tasks")

    # The decision: the browser stops an empty form; then a granted permit.
    open_from_inbox(page, base, case_number)
    decide = open_task(permit_case, "decide")
    assert_accessible(page)
    page.get_by_role("button", name="Slutför uppgiften").click()
    assert UserTask.objects.get(key=decide.key).state == "CREATED"
    form = "building-permit-decision"
    granted = option_label(form, "decision", "granted")
    page.locator("#form-container").get_by_label(granted, exact=True).check()
    motivation = field_label(form, "decisionMotivation")
    page.locator("#form-container").get_by_label(motivation).fill("Åtgärden följer detaljplanen.")
    page.get_by_role("button", name="Slutför uppgiften").click()
    page.wait_for_selector(".messages")
    assert UserTask.objects.get(key=decide.key).state == "COMPLETED"
    run_job("verka-document", {"document": {"documentId": "beslut-1"}})
    assert ProcessInstance.objects.get(key=permit_case.process_instance_key).status == "COMPLETED"

    # The case: the diagram with the path taken, its text alternative, history, messages.
    page.goto(f"{base}/handlaggning/arenden/{permit_case.process_instance_key}/")
    page.wait_for_selector("#diagram.is-ready svg")
    assert page.locator("#diagram .verka-taken").count() > 3
    assert page.locator("#diagram .verka-done").count() > 3
    steps = page.locator("#steps").inner_text()
    assert steps.count("klar") >= 6
    history = page.locator("#timeline").inner_text()
    assert "begärde komplettering" in history
    assert "skickade ett meddelande till sökanden" in history
    assert "Hej! Vi har börjat handlägga din ansökan." in page.locator("#messages").inner_text()
    assert_accessible(page)
    assert CaseMessage.objects.filter(submission=permit_case, from_staff=True).count() == 1
    assert CaseAccess.objects.filter(user=people["officer"], action="read").exists()

    # An officer of another group: no task, no case — as if they did not exist.
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        petra = other.new_page()
        log_in(petra, base, "petra")
        assert petra.goto(f"{base}/handlaggning/uppgifter/{decide.key}/").status == 404
        case_url = f"{base}/handlaggning/arenden/{permit_case.process_instance_key}/"
        assert petra.goto(case_url).status == 404
        petra.goto(base + "/handlaggning/")
        assert petra.locator("#no-tasks").is_visible()
        assert_accessible(petra)
    finally:
        other.close()
    assert not CaseAccess.objects.filter(user=people["outsider"]).exists()


def test_operations_pages_are_accessible(live_server, page, people, permit_case):  # noqa: F811
    log_in(page, live_server.url, "dora")
    for path in ("drift/", "drift/instanser/", "drift/incidenter/", "drift/vantande/"):
        page.goto(f"{live_server.url}/handlaggning/{path}")
        assert_accessible(page)
    key = permit_case.process_instance_key
    page.goto(f"{live_server.url}/handlaggning/drift/instanser/{key}/variabel/?name=grossArea")
    assert page.get_by_label("Värde (JSON)").input_value() == "145"
    page.get_by_label("Värde (JSON)").fill("{oops")
    page.get_by_role("button", name="Spara variabeln").click()
    page.wait_for_selector("#error-summary")
    assert_accessible(page)
    page.get_by_label("Värde (JSON)").fill("150")
    page.get_by_role("button", name="Spara variabeln").click()
    page.wait_for_selector("#variables")
    assert_accessible(page)


def test_the_inbox_and_a_task_work_on_a_phone(live_server, phone_page, people, permit_case):  # noqa: F811
    log_in(phone_page, live_server.url, "olle")
    phone_page.goto(live_server.url + "/handlaggning/")
    assert_accessible(phone_page)
    open_from_inbox(phone_page, live_server.url, permit_case.case_number)
    assert_accessible(phone_page)
