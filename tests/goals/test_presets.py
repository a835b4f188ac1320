"""The legal-clock templates: applying one makes an indicator with the right definition, and the
numbers follow the law on logs where the answer is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from verka.goals import presets, services
from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.measure import measure_window
from verka.goals.models import Indicator

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 2, 3, 9, tzinfo=UTC)
WINDOW = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))


def permit_case(key: int, days: float, pause_days: float = 0, **variables) -> SyntheticCase:  # type: ignore[no-untyped-def]
    steps = [Step("checkCompleteness", T0, T0 + timedelta(days=1))]
    at = T0 + timedelta(days=1)
    if pause_days:
        steps.append(Step("supplementApplication", at, at + timedelta(days=pause_days)))
        at += timedelta(days=pause_days)
    end = T0 + timedelta(days=days + pause_days)
    steps.append(Step("decide", at, end))
    return SyntheticCase(key, T0, end, steps, variables, process_id="buildingPermit")


def test_every_template_builds_a_valid_definition():
    for template in presets.TEMPLATES:
        definition = services.validate_definition(template.build({}))
        assert definition["processes"], template.slug


def test_applying_a_template_uses_the_chosen_process_and_elements():
    indicator = services.apply_template(
        "building-permit-10-weeks",
        {
            "process": "bygglov2",
            "decision_element": "beslut",
            "completion_element": "komplettering",
        },
    )
    assert Indicator.objects.get(pk=indicator.pk).definition == {
        "kind": "duration",
        "processes": ["bygglov2"],
        "period": "month",
        "start": {"instance": "start"},
        "end": {"element": "beslut", "event": "ELEMENT_COMPLETED", "occurrence": "first"},
        "unit": "days",
        "holidays": True,
        "pauses": ["komplettering"],
        "aggregate": "share_within",
        "cohort": "end",
        "limit": {"weeks": 10},
        "extension": {"weeks": 10, "when": "deadlineExtended = true"},
    }
    assert (indicator.unit, indicator.direction, indicator.version) == ("%", "higher", 1)


def test_building_permit_in_time_counts_pauses_and_the_extension():
    insert_cases([
        permit_case(1, 70),                           # exactly ten weeks: in time
        permit_case(2, 71),                           # a day late
        permit_case(3, 60, pause_days=30),            # 90 days, 30 paused: in time
        permit_case(4, 100, deadlineExtended=True),   # extended to 20 weeks: in time
        permit_case(5, 141, deadlineExtended=True),   # over 20 weeks: late
    ])  # fmt: skip
    indicator = services.apply_template("building-permit-10-weeks")
    result = measure_window(indicator.definition, *WINDOW)
    assert {c.key: c.meets for c in result.cases} == {1: True, 2: False, 3: True, 4: True, 5: False}
    assert result.value == pytest.approx(60.0)


def test_building_permit_fee_reduction_in_kronor():
    insert_cases([
        permit_case(1, 70, baseFee=20000),    # in time: nothing
        permit_case(2, 71, baseFee=20000),    # one started week over: a fifth, 4 000
        permit_case(3, 84, baseFee=20000),    # exactly two weeks over: 8 000
        permit_case(4, 85, baseFee=10000),    # three started weeks: 6 000
        permit_case(5, 200, baseFee=10000),   # far over: the whole fee, 10 000
    ])  # fmt: skip
    indicator = services.apply_template("building-permit-fee-reduction")
    result = measure_window(indicator.definition, *WINDOW)
    assert {c.key: c.value for c in result.cases} == {1: 0, 2: 4000, 3: 8000, 4: 6000, 5: 10000}
    assert result.value == 28000
    assert indicator.unit == "kr"


def preschool_case(key: int, applied: datetime, offered: datetime, desired: str, start: str):  # type: ignore[no-untyped-def]
    return SyntheticCase(
        key, applied, offered + timedelta(days=3),
        [Step("offerPlace", applied, offered), Step("childPlaced", offered + timedelta(days=3),
                                                     offered + timedelta(days=3), "endEvent")],
        {"desiredStartDate": desired, "offeredStartDate": start},
        process_id="preschoolPlacement",
    )  # fmt: skip


def test_preschool_offer_within_four_calendar_months_and_on_the_desired_date():
    applied = datetime(2025, 1, 31, 10, tzinfo=UTC)
    insert_cases([
        # 31 January + 4 months = 31 May: the 30 May offer is in time, 2 June is not.
        preschool_case(1, applied, datetime(2025, 5, 30, 10, tzinfo=UTC), "2025-06-01", "2025-06-01"),
        preschool_case(2, applied, datetime(2025, 6, 2, 10, tzinfo=UTC), "2025-06-01", "2025-06-15"),
        preschool_case(3, applied, datetime(2025, 3, 1, 10, tzinfo=UTC), "2025-08-01", "2025-07-15"),
    ])  # fmt: skip
    offered = services.apply_template("preschool-offer-4-months")
    result = measure_window(offered.definition, *WINDOW)
    assert {c.key: c.meets for c in result.cases} == {1: True, 2: False, 3: True}
    on_date = services.apply_template("preschool-desired-date")
    result = measure_window(on_date.definition, *WINDOW)
    assert {c.key: c.meets for c in result.cases} == {1: True, 2: False, 3: True}
    assert result.value == pytest.approx(200 / 3)


def test_cases_open_longer_than_six_months():
    def case(key: int, started: datetime, ended: datetime | None) -> SyntheticCase:
        return SyntheticCase(key, started, ended, process_id="buildingPermit")

    insert_cases([
        case(1, datetime(2025, 1, 10, tzinfo=UTC), None),                              # open 7 m
        case(2, datetime(2025, 2, 10, tzinfo=UTC), None),                              # open < 6 m
        case(3, datetime(2025, 1, 5, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)),   # closed
        case(4, datetime(2024, 12, 1, tzinfo=UTC), datetime(2025, 8, 15, tzinfo=UTC)), # open then
    ])  # fmt: skip
    indicator = services.apply_template("open-over-6-months")
    end = datetime(2025, 8, 1, tzinfo=UTC)
    result = measure_window(indicator.definition, datetime(2025, 7, 1, tzinfo=UTC), end)
    assert sorted(c.key for c in result.cases) == [1, 4]
    assert result.value == 2
