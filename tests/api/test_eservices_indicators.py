"""Read endpoints for e-services, submissions and indicators, with their scope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from verka.eservices.models import Submission
from verka.goals.models import Indicator, IndicatorDefinitionVersion, Measurement

from ..eservices.conftest import permit_eservice  # noqa: F401 - the fixture
from .conftest import Api, problem

pytestmark = pytest.mark.django_db


def test_the_catalogue_and_one_eservice(api, permit_eservice):  # noqa: F811
    page = api.get("eservices").json()
    assert [item["slug"] for item in page["items"]] == ["bygglov"]
    item = api.get("eservices/bygglov").json()
    assert item["title"] == {"sv": "Ansök om bygglov", "en": "Apply for a building permit"}
    assert item["bpmnProcessId"] == "permit"
    problem(api.get("eservices/finns-inte"), 404)


def test_submissions_by_case_number_with_status(api, permit_eservice):  # noqa: F811
    Submission.objects.create(
        eservice=permit_eservice,
        case_number="BYG-2026-000001",
        data={"property": "Exempel 1:23"},
        submit_token="00000000-0000-0000-0000-000000000001",
        submitted_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    page = api.get("submissions", eservice="bygglov").json()
    assert [s["caseNumber"] for s in page["items"]] == ["BYG-2026-000001"]
    one = api.get("submissions/BYG-2026-000001").json()
    assert one["answers"] == {"property": "Exempel 1:23"}
    assert one["status"] == "received"
    problem(api.get("submissions/BYG-2026-999999"), 404)
    problem(api.get("submissions/not a case"), 400)


def test_indicators_and_their_measurements(api):
    indicator = Indicator.objects.create(
        name_sv="Andel beslut i tid",
        name_en="Share decided in time",
        unit="%",
        direction="higher",
        definition={},
    )
    version = IndicatorDefinitionVersion.objects.create(
        indicator=indicator, number=1, definition={}, created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    Measurement.objects.create(
        indicator=indicator,
        definition_version=version,
        period_start=datetime(2026, 1, 1, tzinfo=UTC),
        period_end=datetime(2026, 2, 1, tzinfo=UTC),
        value=0.8,
        n=10,
        computed_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    listed = api.get("indicators").json()["items"]
    assert listed[0]["name"]["en"] == "Share decided in time"
    measurements = api.get(f"indicators/{indicator.pk}/measurements").json()["items"]
    assert [(m["value"], m["cases"]) for m in measurements] == [(0.8, 10)]
    problem(api.get("indicators/999999/measurements"), 404)


def test_indicator_values_come_from_snapshots_for_closed_periods(api):
    from verka.goals import snapshots
    from verka.processes.clock import ManualClock, use_clock

    from ..goals.test_snapshots import NOW, history, make_indicator

    history()
    indicator = make_indicator()
    with use_clock(ManualClock(NOW)):
        live = api.get(f"indicators/{indicator.pk}/values", months=3).json()
        snapshots.snapshot_indicator(indicator)
        stored = api.get(f"indicators/{indicator.pk}/values", months=3).json()
    assert [v["kind"] for v in live] == ["live"] * 3
    assert [v["kind"] for v in stored] == ["snapshot", "snapshot", "live"]
    assert all(v["computedAt"] for v in stored[:2]) and stored[2]["computedAt"] is None
    assert [(v["value"], v["cases"]) for v in stored] == [(v["value"], v["cases"]) for v in live]


def test_the_scope_is_needed(client, make_token, permit_eservice):  # noqa: F811
    api = Api(client, make_token("processes:read"))
    assert problem(api.get("eservices"), 403)["requiredScope"] == "eservices:read"
    assert problem(Api(client, None).get("submissions"), 401)
