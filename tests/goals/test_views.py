"""The dashboard pages: staff only, editors edit; the numbers on the page are the computed ones;
drill-down lists the cases with their case numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.accounts.helpers import log_in_with_second_factor
from verka.eservices.models import EService, Submission
from verka.goals import services
from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.models import Goal, Indicator, Initiative, ITSystem, Mission

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.goals.urls")]

DEFINITION = {"kind": "duration", "processes": ["permit"],
              "end": {"element": "decide", "event": "ELEMENT_COMPLETED"}}  # fmt: skip


@pytest.fixture
def data():
    now = timezone.now()
    decided = now - timedelta(hours=1)
    cases = [
        SyntheticCase(k, decided - timedelta(days=d), decided,
                      [Step("decide", decided - timedelta(days=d), decided)], process_id="permit")
        for k, d in ((501, 10), (502, 20), (503, 60))
    ]  # fmt: skip
    insert_cases(cases)
    eservice = EService.objects.create(
        slug="bygglov", title_sv="Ansök om bygglov", summary_sv="x", handling_time_sv="10 v",
        bpmn_process_id="permit", start_form_id="f", case_prefix="BYG",
    )  # fmt: skip
    Submission.objects.create(
        eservice=eservice, case_number="BYG-2026-000007", submit_token=uuid.uuid4(),
        submitted_at=now, process_instance_key=502,
    )  # fmt: skip
    mission = Mission.objects.create(organisation="Exempelkommun", text_sv="Vardagen enklare.")
    goal = Goal.objects.create(
        mission=mission, title_sv="Snabba bygglov", benefit_owner_role="Bygglovschef",
        process_ids=["permit"],
    )  # fmt: skip
    indicator = services.create_indicator(
        "Median handläggningstid", DEFINITION, goal=goal,
        targets=[(now.date() - timedelta(days=400), 25.0)],
    )  # fmt: skip
    ITSystem.objects.create(name="Gamla lokalbokningen")
    initiative = Initiative.objects.create(
        title="Ny version", hypothesis="h", change_kind="process", go_live=now.date()
    )
    initiative.indicators.add(indicator)
    return indicator


def log_in(client, user) -> None:  # type: ignore[no-untyped-def]
    log_in_with_second_factor(client, user)


PAGES = ["/mal/", "/mal/indikatorer/", "/mal/initiativ/", "/mal/system/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, data, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/konto/logga-in/" in response["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_citizens_are_refused(client, data, citizen, path):
    log_in(client, citizen)
    assert client.get(path).status_code == 403


def test_staff_read_the_dashboard_with_the_computed_numbers(client, data, reader):
    log_in(client, reader)
    page = client.get("/mal/").content.decode()
    assert "Snabba bygglov" in page
    assert "Vardagen enklare." in page
    assert "Median handläggningstid" in page
    assert "20\u00a0dagar" in page  # median of 10, 20 and 60 days
    assert "Målet är 25\u00a0dagar." in page
    assert "<svg" in page and 'role="img"' in page
    assert "<table" in page  # the data-table alternative
    assert "Inte kopplad till något mål" in page  # the unlinked system
    assert "Nyttoägare: Bygglovschef" in page


def test_drill_down_lists_the_cases_behind_the_number(client, data, reader):
    log_in(client, reader)
    month = timezone.localtime(timezone.now() - timedelta(hours=1)).date().replace(day=1)
    page = client.get(f"/mal/indikatorer/{data.pk}/arenden/?fran={month}").content.decode()
    assert "BYG-2026-000007" in page
    assert page.count("<tr>") == 4  # header + three cases
    assert "instans 501" in page and "instans 503" in page
    assert "60\u00a0dagar" in page


def test_readers_cannot_edit_and_editors_can(client, data, reader, editor):
    log_in(client, reader)
    url = f"/mal/indikatorer/{data.pk}/"
    response = client.post(url, {"action": "definition", "definition": "{}"})
    assert response.status_code == 403
    log_in(client, editor)
    bad = client.post(url, {"action": "definition", "definition": '{"kind": "duration"}'})
    assert bad.status_code == 400
    assert "processes: expected a non-empty list of BPMN process ids" in bad.content.decode()
    changed = {**DEFINITION, "aggregate": "p90"}
    import json

    response = client.post(url, {"action": "definition", "definition": json.dumps(changed)})
    assert response.status_code == 302
    assert Indicator.objects.get(pk=data.pk).version == 2
    response = client.post(url, {"action": "baseline", "start": "2020-01-01", "end": "2030-01-01"})
    assert response.status_code == 302
    assert Indicator.objects.get(pk=data.pk).baseline.n == 3


def test_editors_apply_a_legal_clock_template(client, data, editor):
    log_in(client, editor)
    response = client.post(
        "/mal/indikatorer/",
        {"template": "building-permit-10-weeks", "process": "permit", "decision_element": "decide",
         "completion_element": "supplement", "extension_variable": "extended", "goal": ""},
    )  # fmt: skip
    assert response.status_code == 302
    made = Indicator.objects.latest("pk")
    assert made.definition["pauses"] == ["supplement"]
    assert made.definition["extension"]["when"] == "extended = true"


@pytest.mark.parametrize("path", ["/mal/initiativ/{i}/", "/mal/mal/{g}/", "/mal/indikatorer/{n}/"])
def test_detail_pages_render(client, data, reader, path):
    log_in(client, reader)
    url = path.format(i=Initiative.objects.get().pk, g=Goal.objects.get().pk, n=data.pk)
    response = client.get(url)
    assert response.status_code == 200


def test_english_pages(client, data, reader):
    log_in(client, reader)
    page = client.get("/en/mal/").content.decode()
    assert "Goal dashboard" in page
