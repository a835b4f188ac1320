"""`now()` answers in the zone its instant was given in, even when the same instant was asked
for before in another zone (the functions are made once per instant and zone)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from verka.engine.feel.builtins import clock_functions


def test_the_same_instant_in_two_zones_keeps_each_zone():
    utc = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    stockholm = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == stockholm
    assert clock_functions(utc)["now"].overloads[0].body().utcoffset() == timedelta(0)
    assert clock_functions(stockholm)["now"].overloads[0].body().utcoffset() == timedelta(hours=1)
    assert clock_functions(utc) is clock_functions(utc)  # made once
