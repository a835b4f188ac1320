"""A value someone typed, shown through a form's templated text (`{{contact.name}}` in a staff
form, `{{missingInformation}}` in a citizen's task), is text: no image is fetched, no link or
markup comes alive, while the text the form's author wrote keeps its markdown."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from verka.eservices.models import EService, Submission
from verka.processes import services as processes

from ..workspace.conftest import (  # noqa: F401 - fixtures
    APPLICATION,
    PASSWORD,
    deploy_demo,
    open_task,
    people,
    run_job,
)
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Bait:
    """An HTTP server standing for the attacker's: it counts the requests that reach it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        bait = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                bait.paths.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bait() -> Iterator[Bait]:
    server = Bait()
    yield server
    server.close()


def start_case(applicant: Any, contact_name: str, property_designation: str) -> Submission:
    """A submitted building permit whose applicant typed the given name and property."""
    deploy_demo()
    eservice = EService.objects.create(
        slug="bygglov",
        title_sv="Ansök om bygglov",
        title_en="Apply for a building permit",
        summary_sv="Bygga nytt.",
        handling_time_sv="10 veckor",
        bpmn_process_id="buildingPermit",
        start_form_id="building-permit-application",
        case_prefix="BYG",
        published=True,
    )
    case_number = "BYG-2026-000001"
    data = {**APPLICATION, "propertyDesignation": property_designation}
    variables = {
        **data,
        "caseNumber": case_number,
        "applicant": applicant.username,
        "applicantName": str(applicant),
        "contact": {"name": contact_name, "email": applicant.email},
    }
    instance = processes.start_instance("buildingPermit", variables, business_key=case_number)
    return Submission.objects.create(
        eservice=eservice,
        applicant=applicant,
        case_number=case_number,
        data=data,
        submit_token=uuid.uuid4(),
        submitted_at=timezone.now(),
        process_instance_key=instance.key,
        email=applicant.email,
    )


def log_in(page: Any, base_url: str, username: str, *, staff: bool) -> None:
    page.goto(base_url + ("/konto/logga-in/personal/" if staff else "/konto/logga-in/"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_load_state()


def record_requests(page: Any, prefix: str) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda request: seen.append(request.url) if request.url.startswith(prefix) else None,
    )
    return seen


def assert_shown_as_text(text_view: Any) -> None:
    """No live element came from a value: only what the author's markdown makes."""
    live = text_view.evaluate(
        "el => Array.from(el.querySelectorAll('*')).map(e => e.tagName.toLowerCase())"
    )
    assert set(live) <= {"h3", "h2", "p", "br", "strong", "em"}, live


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_citizens_answer_in_a_staff_form_is_shown_as_text(
    live_server,
    browser,
    people,  # noqa: F811
    bait,
    width,
):
    name = f"<img src={bait.url}/x onerror=alert(1)>Bertil"
    designation = (
        f"<a href=javascript:alert(1)>Klicka</a> [länk]({bait.url}/y) {bait.url}/z **fet**"
    )
    case = start_case(people["applicant"], name, designation)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        seen = record_requests(page, bait.url)
        log_in(page, live_server.url, "olle", staff=True)
        task = open_task(case, "checkCompleteness")
        page.goto(f"{live_server.url}/handlaggning/uppgifter/{task.key}/")
        text_view = page.locator("#form-container .fjs-form-field-text").first
        text_view.wait_for()
        page.wait_for_timeout(500)  # time for an image request to go out

        shown = text_view.inner_text()
        assert name in shown
        assert designation in shown
        assert_shown_as_text(text_view)
        assert text_view.locator("h3").inner_text() == "Ansökan"  # the author's markdown
        assert text_view.locator("img, a").count() == 0
        assert seen == [] and bait.paths == [] and dialogs == []
        assert_accessible(page)
    finally:
        context.close()


def test_an_officers_text_in_a_citizens_task_is_shown_as_text(
    live_server,
    page,
    people,  # noqa: F811
    bait,
):
    case = start_case(people["applicant"], "Bertil Bengtsson", "Exempelby 1:23")
    missing = f"Fasadritning saknas.\n\n## Rubrik\n<img src={bait.url}/x> [här]({bait.url}/y)"
    check = open_task(case, "checkCompleteness")
    processes.complete_user_task(
        check.key,
        {
            "completeness": "incomplete",
            "missingInformation": missing,
            "completionDueDate": (date.today() + timedelta(days=14)).isoformat(),
        },
        user="olle",
    )
    run_job("verka-email")
    supplement = open_task(case, "supplementApplication")
    seen = record_requests(page, bait.url)
    log_in(page, live_server.url, "bertil", staff=False)
    page.goto(f"{live_server.url}/mina-sidor/uppgift/{supplement.key}/")
    text_view = page.locator("#form-container .fjs-form-field-text").first
    text_view.wait_for()
    page.wait_for_timeout(500)

    shown = text_view.inner_text()
    assert "## Rubrik" in shown
    assert f"<img src={bait.url}/x>" in shown
    assert text_view.locator("h2").inner_text() == "Komplettera din ansökan"
    assert_shown_as_text(text_view)
    assert text_view.locator("img, a").count() == 0
    assert seen == [] and bait.paths == []
    assert_accessible(page)
