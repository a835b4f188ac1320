"""Algebraic properties of temporal values, checked on random dates, times and durations."""

import datetime
import zoneinfo
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from verka.engine.feel.temporal import (
    DaysTimeDuration,
    Time,
    YearsMonthsDuration,
    parse_temporal_literal,
    temporal_add,
    temporal_compare,
    temporal_subtract,
    temporal_to_string,
)
from verka.engine.feel.temporal_calendar import make_date, make_date_time

zones = st.sampled_from(
    [
        None,
        datetime.UTC,
        datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
        zoneinfo.ZoneInfo("America/New_York"),
    ]
)
dates = st.builds(make_date, st.integers(-50_000, 50_000), st.integers(1, 12), st.integers(1, 28))
date_times = st.builds(
    make_date_time,
    dates,
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999_999),
    zones,
)
times = st.builds(
    Time,
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999_999_999),
    zones,
)
day_time = st.integers(-(10**17), 10**17).map(lambda n: DaysTimeDuration(n - n % 1000))
year_month = st.integers(-100_000, 100_000).map(YearsMonthsDuration)
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(st.one_of(dates, date_times, times, day_time, year_month))
def test_canonical_string_parses_back_to_the_same_value(value: Any) -> None:
    text = temporal_to_string(value)
    again = parse_temporal_literal(text)
    assert again is not None, text
    assert temporal_to_string(again) == text


@PROPERTY
@given(date_times, day_time)
def test_adding_then_subtracting_a_day_time_duration_returns(moment: Any, delta: Any) -> None:
    later = temporal_add(moment, delta)
    # Compared as instants: a wall-clock time inside a DST gap comes back under its other name.
    assert temporal_compare(temporal_subtract(later, delta), moment) == 0


@PROPERTY
@given(date_times, date_times)
def test_difference_added_back_gives_the_other_instant(a: Any, b: Any) -> None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return
    gap = temporal_subtract(a, b)
    assert isinstance(gap, DaysTimeDuration)
    assert temporal_compare(temporal_add(b, gap), a) == 0
    assert temporal_compare(a, b) == -temporal_compare(b, a)


@PROPERTY
@given(dates, dates)
def test_date_difference_is_whole_days_and_orders_like_compare(a: Any, b: Any) -> None:
    gap = temporal_subtract(a, b)
    assert gap.nanoseconds % (86_400 * 10**9) == 0
    sign = (gap.nanoseconds > 0) - (gap.nanoseconds < 0)
    assert temporal_compare(a, b) == sign


@PROPERTY
@given(dates, year_month)
def test_adding_months_keeps_the_day_or_pins_it_to_the_month_end(day: Any, shift: Any) -> None:
    moved = temporal_add(day, shift)
    months = (moved.year * 12 + moved.month) - (day.year * 12 + day.month)
    assert months == shift.months
    assert moved.day == day.day  # generated days are at most 28


@PROPERTY
@given(times, day_time)
def test_time_arithmetic_wraps_around_midnight(clock: Any, delta: Any) -> None:
    later = temporal_add(clock, delta)
    assert isinstance(later, Time)
    assert later.tzinfo == clock.tzinfo
    back = temporal_subtract(later, delta)
    assert temporal_to_string(back) == temporal_to_string(clock)
