"""Management opens the goal dashboard, drills down from a number to the cases behind it, and
axe-core finds no WCAG 2.1 AA violation on the way."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from verka.accounts.services import create_user
from verka.eservices.models import EService, Submission
from verka.goals import services
from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.models import Goal, Initiative, ITSystem, Mission

from .conftest import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.goals.urls"),
]


def dashboard_data() -> None:
    now = timezone.now()
    cases = []
    for month in range(6):
        for index, days in enumerate((12, 30, 45)):
            decided = now - timedelta(days=30 * month, hours=1)
            started = decided - timedelta(days=days + month)
            key = 7000 + month * 10 + index
            cases.append(
                SyntheticCase(key, started, decided, [Step("decide", started, decided)],
                              process_id="buildingPermit")
            )  # fmt: skip
    insert_cases(cases)
    eservice = EService.objects.create(
        slug="bygglov", title_sv="Ansök om bygglov", summary_sv="Bygglov", handling_time_sv="10 v",
        bpmn_process_id="buildingPermit", start_form_id="f", case_prefix="BYG",
    )  # fmt: skip
    Submission.objects.create(
        eservice=eservice, case_number="BYG-2026-000042", submit_token=uuid.uuid4(),
        submitted_at=now, process_instance_key=7001,
    )  # fmt: skip
    mission = Mission.objects.create(organisation="Exempelkommun", text_sv="Vardagen enklare.")
    goal = Goal.objects.create(
        mission=mission, title_sv="Byggherrar får beslut i tid",
        benefit_owner_role="Bygglovschef", process_ids=["buildingPermit"],
    )  # fmt: skip
    indicator = services.create_indicator(
        "Median handläggningstid bygglov",
        {"kind": "duration", "processes": ["buildingPermit"],
         "end": {"element": "decide", "event": "ELEMENT_COMPLETED"}},
        goal=goal, targets=[(now.date() - timedelta(days=365), 25.0)],
    )  # fmt: skip
    services.set_baseline(indicator, now - timedelta(days=200), now)
    # The closed months frozen, as the worker does: the page shows them as stored values.
    services.snapshot_indicator(indicator)
    services.apply_template("building-permit-10-weeks", goal=goal)
    ITSystem.objects.create(name="Gamla lokalbokningen", annual_cost=95000)
    initiative = Initiative.objects.create(
        title="Digital kompletthetskontroll", hypothesis="Färre kompletteringar",
        change_kind="other", go_live=(now - timedelta(days=60)).date(), goal=goal,
    )  # fmt: skip
    initiative.indicators.add(indicator)


def log_in(page, base_url: str, user) -> None:  # type: ignore[no-untyped-def]
    """A session made by Django's test client, handed to the browser: the login page is
    tested elsewhere."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def test_management_drills_down_from_the_dashboard_to_the_cases(live_server, page):
    dashboard_data()
    user = create_user("kerstin", "pw-kerstin-123", kind="staff", display_name="Kerstin Direktör")
    log_in(page, live_server.url, user)
    page.goto(live_server.url + "/mal/")

    page.wait_for_selector("h1:has-text('Måltavla')")
    assert page.locator("svg.trend").count() >= 1
    assert "Inte kopplad till något mål" in page.content()
    assert_accessible(page)
    page.get_by_text("Visa som tabell").first.click()
    assert_accessible(page)

    page.get_by_role("link", name="visa ärendena").first.click()
    page.wait_for_selector("h1:has-text('Ärendena bakom värdet')")
    assert page.locator("#cases tbody tr").count() == 3
    assert "BYG-2026-000042" in page.locator("#cases").inner_text()
    assert "Beräknat nu" in page.locator("#value-source").inner_text()
    assert_accessible(page)

    # A closed month comes from its stored snapshot, and so do the cases behind it.
    page.goto(live_server.url + "/mal/")
    page.get_by_text("Visa som tabell").first.click()
    assert page.get_by_text("Sparad mätning (").count() >= 5
    page.locator("tr:has(td:has-text('Sparad mätning')) td.num a").first.click()
    page.wait_for_selector("h1:has-text('Ärendena bakom värdet')")
    assert "Sparad mätning från" in page.locator("#value-source").inner_text()
    assert page.locator("#cases tbody tr").count() == 3
    assert_accessible(page)

    for path in ("/mal/initiativ/", "/mal/system/", "/mal/indikatorer/"):
        page.goto(live_server.url + path)
        assert_accessible(page)
    page.goto(live_server.url + "/mal/initiativ/")
    page.get_by_role("link", name="Digital kompletthetskontroll").click()
    page.wait_for_selector("#comparison")
    assert_accessible(page)
