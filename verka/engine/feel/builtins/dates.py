"""FEEL date and time functions (§10.3.4.7): day/week/month of year, is, and the clock-bound now/today.

The engine has no clock of its own. `now()` and `today()` in BUILTINS therefore answer null with a
diagnostic; whoever evaluates with a known instant (the process engine's injected clock, the DMN
runner) overlays `clock_functions(instant)`, so results are reproducible from that instant alone.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from verka.engine.feel.builtins.core import Builtin, BuiltinError, Library
from verka.engine.feel.temporal import is_temporal, temporal_to_string
from verka.engine.feel.values import Value, feel_equals, type_name

library = Library()
function = library.function

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@function("day of year", "date: date")
def day_of_year(day: datetime.date) -> Value:
    return Decimal(day.timetuple().tm_yday)


@function("day of week", "date: date")
def day_of_week(day: datetime.date) -> Value:
    return _DAYS[day.weekday()]


@function("month of year", "date: date")
def month_of_year(day: datetime.date) -> Value:
    return _MONTHS[day.month - 1]


@function("week of year", "date: date")
def week_of_year(day: datetime.date) -> Value:
    return Decimal(day.isocalendar().week)


@function("is", "value1: any", "value2: any")
def is_same(first: Value, second: Value) -> Value:
    if type_name(first) != type_name(second):
        return False
    if is_temporal(first):
        # Same instant is not enough: 10:00+01:00 and 09:00Z are different FEEL values.
        return temporal_to_string(first) == temporal_to_string(second)
    return feel_equals(first, second) is True


@function("now")
def now_without_clock() -> Value:
    raise BuiltinError("no clock is available in this evaluation")


@function("today")
def today_without_clock() -> Value:
    raise BuiltinError("no clock is available in this evaluation")


def clock_functions(instant: datetime.datetime) -> Mapping[str, Builtin]:
    """`now` and `today` answering from the given instant (which should carry a time zone).
    Every command of a batch shares one instant, so the pair is made once per instant;
    callers copy it, never change it."""
    # The zone is part of the key: the same instant in another zone is equal to it, but
    # `now()` must answer in the zone it was given.
    return _clock_functions(instant, instant.tzinfo)


@functools.lru_cache(maxsize=16)
def _clock_functions(
    instant: datetime.datetime, zone: datetime.tzinfo | None
) -> Mapping[str, Builtin]:
    bound = Library()

    @bound.function("now")
    def now() -> Value:
        return instant

    @bound.function("today")
    def today() -> Value:
        return instant.date()

    return MappingProxyType(bound.functions)
