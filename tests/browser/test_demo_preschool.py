"""The demo citizens in the browser, through the demo municipality's real models and forms:
the guardian applies for a preschool place, sees the case on My pages, accepts the offered
place and sees the decision; the builder applies for a building permit, answers a completion
request and sees the decision. axe-core finds nothing on any page they visit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from verka.cases.models import CaseDocument
from verka.demo import load_demo
from verka.eservices.models import Submission
from verka.processes import services
from verka.processes.models import ProcessInstance, UserTask
from verka.processes.worker import poll_jobs

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

    # The placement officer offers a place (the staff workspace has its own browser test).
    offered = (date.today() + timedelta(days=150)).isoformat()
    services.complete_user_task(
        offer.key,
        {"offeredPreschool": "solrosen", "offeredStartDate": offered, "offerMessage": "Välkommen!"},
        user="petra",
    )
    poll_jobs("test-worker")

    page.goto(live_server.url + "/mina-sidor/")
    row = page.get_by_role("row").filter(has_text=case_number)
    assert "Väntar på dig" in row.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=case_number).click()
    page.wait_for_selector("#case-number")
    assert_accessible(page)
    page.get_by_role("link", name="Svara på erbjudandet").first.click()
    page.wait_for_selector(".fjs-form")
    assert_accessible(page)
    page.get_by_label("Jag tackar ja till platsen").check()
    page.get_by_role("button", name="Skicka svar").click()
    page.wait_for_selector("text=Tack! Ditt svar är skickat.")

    poll_jobs("test-worker")  # the placement decision is written by the worker
    assert ProcessInstance.objects.get(key=instance.key).status == "COMPLETED"
    page.reload()
    assert "Beslutat" in page.locator("#case-status").inner_text()
    decision = CaseDocument.objects.get(submission=submission, kind="decision")
    assert page.get_by_role("link", name=decision.title).first.is_visible()
    assert_accessible(page)


def test_builder_answers_a_completion_request_and_gets_a_decision(live_server, page, tmp_path):
    load_demo()
    log_in(page, live_server.url, "bertil", "demo-bertil")
    page.goto(live_server.url + "/e-tjanster/bygglov/")
    page.get_by_role("link", name="Starta e-tjänsten").click()
    page.wait_for_selector(".fjs-form")
    field(page, "Namn").fill("Bertil Bengtsson")
    field(page, "Person- eller organisationsnummer").fill("19700202-3456")
    field(page, "E-post").fill("bertil@example.se")
    page.get_by_role("button", name="Nästa").click()

    page.wait_for_selector("text=Fastighetsbeteckning")
    field(page, "Fastighetsbeteckning").fill("Exempel 1:23")
    choose(page, "Åtgärd", "Tillbyggnad")
    field(page, "Beskriv åtgärden").fill("Tillbyggnad av garage, 25 m².")
    drawing = tmp_path / "plan.pdf"
    drawing.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label("Jag intygar att uppgifterna är riktiga").check()
    page.wait_for_timeout(400)  # form-js applies changes debounced; let it settle first
    page.locator("input[type=file]").set_input_files(str(drawing))
    page.get_by_role("button", name="Granska").click()
    page.wait_for_url("**/granska/")
    assert_accessible(page)
    page.get_by_role("button", name="Skicka in ansökan").click()
    page.wait_for_selector("#case-number")
    case_number = page.locator("#case-number").inner_text()
    submission = Submission.objects.get(case_number=case_number)
    key = submission.process_instance_key

    def staff_completes(element_id: str, variables: dict) -> None:
        task = UserTask.objects.get(process_instance_id=key, element_id=element_id, state="CREATED")
        services.complete_user_task(task.key, variables, user="olle")
        poll_jobs("test-worker")

    staff_completes(
        "checkCompleteness",
        {
            "completeness": "incomplete",
            "missingInformation": "Fasadritning saknas.",
            "completionDueDate": (date.today() + timedelta(days=14)).isoformat(),
        },
    )
    page.goto(live_server.url + "/mina-sidor/")
    assert "Väntar på dig" in page.get_by_role("row").filter(has_text=case_number).inner_text()
    page.get_by_role("link", name=case_number).click()
    page.wait_for_selector("#case-number")
    task_link = page.locator("a[href*='/uppgift/']").first
    task_link.click()
    page.wait_for_selector(".fjs-form")
    assert "Fasadritning saknas." in page.content()
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(str(drawing))
    field(page, "Kommentar").fill("Fasadritningen bifogas.")
    page.get_by_role("button", name="Skicka svar").click()
    page.wait_for_selector("text=Tack! Ditt svar är skickat.")

    staff_completes("checkCompleteness", {"completeness": "complete"})
    staff_completes(
        "decide",
        {"decision": "granted", "decisionMotivation": "Åtgärden följer detaljplanen."},
    )
    poll_jobs("test-worker")
    page.reload()
    assert "Beslutat" in page.locator("#case-status").inner_text()
    assert CaseDocument.objects.filter(submission=submission, kind="decision").exists()
    assert_accessible(page)


def test_anonymous_fault_report_is_forwarded_and_followed_to_fixed(live_server, page, settings):
    load_demo()
    # The demo's stand-in maintenance system, reached over HTTP as the real one would be.
    settings.VERKA_DEMO_SERVICES = True
    settings.VERKA_HTTP_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    import os

    os.environ["VERKA_SECRET_MAINTENANCE_API_URL"] = live_server.url + "/demo-drift/api/v1"
    try:
        page.goto(live_server.url + "/e-tjanster/")
        page.get_by_role("link", name="Felanmälan gata och belysning").click()
        assert_accessible(page)
        page.get_by_role("link", name="Starta e-tjänsten").click()
        page.wait_for_selector(".fjs-form")
        choose(page, "Vad gäller felet?", "Gatubelysning")
        field(page, "Plats").fill("Storgatan 1")
        # One page: the optional coordinates group is marked as no step of its own.
        page.wait_for_selector("text=Latitud")
        field(page, "Beskriv felet").fill("Lampan är släckt.")
        assert_accessible(page)
        page.get_by_role("button", name="Granska").click()
        page.wait_for_url("**/granska/")
        page.get_by_role("button", name="Skicka in ansökan").click()
        page.wait_for_selector("#case-number")
        case_number = page.locator("#case-number").inner_text()
        assert case_number.startswith("FEL-")
        assert_accessible(page)

        poll_jobs("test-worker")  # verka-http forwards the report to the stand-in
        from verka.demoservices.models import DemoFault

        assert DemoFault.objects.get().fault_id == case_number
        for status in ("inProgress", "fixed"):
            services.publish_message("fault-status", case_number, {"faultStatus": status})
        poll_jobs("test-worker")
        page.reload()
        assert page.locator("#case-status").inner_text() in {"Beslutat", "Avslutat"}
        submission = Submission.objects.get(case_number=case_number)
        instance = ProcessInstance.objects.get(key=submission.process_instance_key)
        assert instance.status == "COMPLETED"
    finally:
        os.environ.pop("VERKA_SECRET_MAINTENANCE_API_URL", None)
