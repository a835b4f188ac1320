"""Indicators over history written by the real process engine: known durations, the paused
completion loop left out, working days counted Monday to Friday without public holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from verka.goals.definition import validate
from verka.goals.measure import measure_window

from .conftest import run_permit_case

pytestmark = pytest.mark.django_db

WINDOW = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
DECIDE = {"element": "decide", "event": "ELEMENT_COMPLETED"}


def test_lead_time_with_the_completion_loop_paused(manual_clock):
    # check 2 d, supplement 10 d (paused), check again at once, decide 6 d: 18 d, 8 d active
    paused = run_permit_case(manual_clock, 2, 10, 6)
    plain = run_permit_case(manual_clock, 1, None, 4)  # 5 d
    definition = {"kind": "duration", "processes": ["permit"], "end": DECIDE}
    with_pause = validate({**definition, "pauses": ["supplement"]})
    without = validate(definition)
    by_case = {c.key: c.value for c in measure_window(with_pause, *WINDOW).cases}
    assert by_case == {paused: pytest.approx(8.0), plain: pytest.approx(5.0)}
    by_case = {c.key: c.value for c in measure_window(without, *WINDOW).cases}
    assert by_case == {paused: pytest.approx(18.0), plain: pytest.approx(5.0)}


def test_working_days_skip_weekends_and_easter(manual_clock):
    # Monday 14 April 2025 09:00 + 8 days = Tuesday 22 April. Between: Good Friday 18th,
    # Easter Monday 21st, the weekend: working days after the 14th up to the 22nd are
    # 15, 16, 17, 22 = 4.
    manual_clock.current = datetime(2025, 4, 14, 7, 0, tzinfo=UTC)
    key = run_permit_case(manual_clock, 1, None, 7)
    definition = validate(
        {"kind": "duration", "processes": ["permit"], "end": DECIDE, "unit": "working_days"}
    )
    assert [c.value for c in measure_window(definition, *WINDOW).cases if c.key == key] == [4.0]
    without_holidays = validate({**definition, "holidays": False})
    assert [c.value for c in measure_window(without_holidays, *WINDOW).cases] == [6.0]


def test_working_days_with_a_pause_over_a_weekend(manual_clock):
    # Mon 3 March 08:00: check Tue, supplement Tue → Mon 10 (paused 4 working days: Wed–Mon
    # minus weekend = 5,6,7,10 → 4), decide Fri 14. Total working days 4..14: 9; active 5.
    key = run_permit_case(manual_clock, 1, 6, 4)
    definition = validate(
        {"kind": "duration", "processes": ["permit"], "end": DECIDE, "unit": "working_days",
         "pauses": ["supplement"]}
    )  # fmt: skip
    assert [c.value for c in measure_window(definition, *WINDOW).cases if c.key == key] == [5.0]


def test_condition_on_case_variables_uses_their_latest_values(manual_clock):
    run_permit_case(manual_clock, 1, 3, 2, {"channel": "web"})  # incomplete once
    run_permit_case(manual_clock, 1, None, 2, {"channel": "web"})
    run_permit_case(manual_clock, 1, None, 2, {"channel": "paper"})
    # `incomplete` was true, then false: the latest value (false) counts.
    definition = validate(
        {"kind": "share", "processes": ["permit"],
         "condition": 'channel = "web" and incomplete = false'}
    )  # fmt: skip
    result = measure_window(definition, *WINDOW)
    assert (result.n, result.value) == (3, pytest.approx(200 / 3))


def test_an_indicator_that_names_a_passing_state_measures_from_the_state_after(manual_clock):
    # The history keeps ELEMENT_COMPLETING only where an element stopped in it; where the
    # element went on at once, its ELEMENT_COMPLETED row (the same moment) stands for both.
    key = run_permit_case(manual_clock, 2, None, 3)
    completing = validate(
        {"kind": "duration", "processes": ["permit"],
         "end": {"element": "decide", "event": "ELEMENT_COMPLETING"}}
    )  # fmt: skip
    completed = validate({"kind": "duration", "processes": ["permit"], "end": DECIDE})
    assert [c.value for c in measure_window(completing, *WINDOW).cases if c.key == key] == [5.0]
    assert [c.value for c in measure_window(completed, *WINDOW).cases if c.key == key] == [5.0]
