"""FEEL arithmetic, comparison and properties of dates, times and durations (DMN 1.5 §10.3.2)."""

from __future__ import annotations

import datetime
import enum
import zoneinfo
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal, DecimalException
from typing import Any

from verka.engine.feel.temporal_calendar import (
    days_in_month,
    difference,
    in_zone,
    make_date,
    make_date_time,
    micros,
    shift_by,
)
from verka.engine.feel.temporal_types import (
    NANOS_PER_DAY,
    NANOS_PER_SECOND,
    DaysTimeDuration,
    Time,
    YearsMonthsDuration,
    date_time_to_string,
    date_to_string,
    time_to_string,
)

# Same settings as values.NUMBER_CONTEXT; kept here so that values.py may import this module.
_NUMBERS = Context(prec=34, rounding=ROUND_HALF_EVEN)


class _NotApplicable(enum.Enum):
    NOT_APPLICABLE = "not applicable"


NOT_APPLICABLE = _NotApplicable.NOT_APPLICABLE
"""Returned when an operator or property does not apply to the operand types."""

NotApplicable = _NotApplicable

_UTC = datetime.UTC
_Duration = YearsMonthsDuration | DaysTimeDuration


def is_temporal(value: object) -> bool:
    return isinstance(value, datetime.date | Time | YearsMonthsDuration | DaysTimeDuration)


def _is_date(value: object) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _as_date_time(value: object) -> datetime.datetime | None:
    """A date and time, or a date taken as its midnight UTC (how FEEL mixes the two)."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return make_date_time(value, 0, 0, 0, 0, _UTC)
    return None


# Years as far as XML Schema's date type goes; beyond them FEEL arithmetic has no result.
_MAX_YEAR = 999_999_999


def add_months(day: datetime.date, months: int) -> datetime.date | None:
    """Shift a date (or date and time) by whole months, pinning the day to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if abs(year) > _MAX_YEAR:
        return None
    shifted = make_date(year, month + 1, min(day.day, days_in_month(year, month + 1)))
    if shifted is None or not isinstance(day, datetime.datetime):
        return shifted
    return make_date_time(shifted, day.hour, day.minute, day.second, day.microsecond, day.tzinfo)


def _shift(moment: datetime.datetime, delta: DaysTimeDuration) -> datetime.datetime | None:
    try:
        if isinstance(moment.tzinfo, zoneinfo.ZoneInfo):
            # Exact durations move the instant, not the wall clock, across DST changes.
            utc = shift_by(in_zone(moment, _UTC), delta.to_timedelta())
            result = in_zone(utc, moment.tzinfo)
        else:
            result = shift_by(moment, delta.to_timedelta())
    except (OverflowError, ValueError):
        return None
    return result if abs(result.year) <= _MAX_YEAR else None


def _shift_date(day: datetime.date, delta: DaysTimeDuration) -> datetime.date | None:
    shifted = _shift(make_date_time(day, 0, 0, 0, 0, None), delta)
    return None if shifted is None else shifted.date()


def _plus(a: Any, b: Any) -> Any:
    if isinstance(b, YearsMonthsDuration):
        if isinstance(a, YearsMonthsDuration):
            return YearsMonthsDuration(a.months + b.months)
        if isinstance(a, datetime.date):
            return add_months(a, b.months)
    if isinstance(b, DaysTimeDuration):
        if isinstance(a, DaysTimeDuration):
            return DaysTimeDuration(a.nanoseconds + b.nanoseconds)
        if isinstance(a, datetime.datetime):
            return _shift(a, b)
        if isinstance(a, datetime.date):
            return _shift_date(a, b)
        if isinstance(a, Time):
            return Time.from_nanos_of_day(a.nanos_of_day() + b.nanoseconds, a.tzinfo)
    return NOT_APPLICABLE


def _applicable(result: Any) -> Any:
    # An operation that fits the operand types but has no value (division by zero, a zoned
    # minus a local date and time, a year past 9999) is an error too: the evaluator reports it.
    return NOT_APPLICABLE if result is None else result


def temporal_add(a: Any, b: Any) -> Any:
    """a + b for temporal operands (either order for point + duration); NOT_APPLICABLE if none."""
    result = _plus(a, b)
    if result is NOT_APPLICABLE and isinstance(a, _Duration) and not isinstance(b, _Duration):
        result = _plus(b, a)
    return _applicable(result)


def _difference(a: datetime.datetime, b: datetime.datetime) -> DaysTimeDuration | None:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return DaysTimeDuration.from_timedelta(difference(a, b))


def temporal_subtract(a: Any, b: Any) -> Any:
    """a - b for temporal operands; NOT_APPLICABLE when it has no result."""
    try:
        return _applicable(_minus(a, b))
    except OverflowError:
        return NOT_APPLICABLE


def _minus(a: Any, b: Any) -> Any:
    if isinstance(b, YearsMonthsDuration):
        if isinstance(a, YearsMonthsDuration):
            return YearsMonthsDuration(a.months - b.months)
        if isinstance(a, datetime.date):
            return add_months(a, -b.months)
    if isinstance(b, DaysTimeDuration) and isinstance(a, DaysTimeDuration | datetime.date | Time):
        return _plus(a, DaysTimeDuration(-b.nanoseconds))
    if isinstance(a, datetime.date) and isinstance(b, datetime.date):
        if _is_date(a) and _is_date(b):
            return DaysTimeDuration(difference(a, b).days * NANOS_PER_DAY)
        left, right = _as_date_time(a), _as_date_time(b)
        if left is None or right is None:
            return None
        return _difference(left, right)
    if isinstance(a, Time) and isinstance(b, Time):
        left_utc, right_utc = a.utc_nanos_of_day(), b.utc_nanos_of_day()
        if (left_utc is None) != (right_utc is None):
            return None
        if left_utc is None or right_utc is None:
            return DaysTimeDuration(a.nanos_of_day() - b.nanos_of_day())
        return DaysTimeDuration(left_utc - right_utc)
    return NOT_APPLICABLE


def _number(value: Any) -> bool:
    return isinstance(value, Decimal)


def _scaled(duration: _Duration, factor: Decimal, divide: bool = False) -> _Duration | None:
    """duration * factor (or / factor); months truncate toward zero, nanoseconds round."""
    operation = _NUMBERS.divide if divide else _NUMBERS.multiply
    amount = duration.months if isinstance(duration, YearsMonthsDuration) else duration.nanoseconds
    try:
        result = operation(Decimal(amount), factor)
        if not result.is_finite():
            return None
        if isinstance(duration, YearsMonthsDuration):
            return YearsMonthsDuration(int(result.to_integral_value(rounding=ROUND_DOWN)))
        return DaysTimeDuration(int(result.to_integral_value(rounding=ROUND_HALF_EVEN)))
    except (DecimalException, ValueError, OverflowError):
        return None


def temporal_multiply(a: Any, b: Any) -> Any:
    """duration * number or number * duration; NOT_APPLICABLE for other operands."""
    if isinstance(a, _Duration) and _number(b):
        return _applicable(_scaled(a, b))
    if _number(a) and isinstance(b, _Duration):
        return _applicable(_scaled(b, a))
    return NOT_APPLICABLE


def temporal_divide(a: Any, b: Any) -> Any:
    """duration / number or duration / duration of one kind; NOT_APPLICABLE for other operands
    and for division by zero."""
    return _applicable(_quotient(a, b))


def _quotient(a: Any, b: Any) -> Any:
    if isinstance(a, _Duration) and _number(b):
        if b == 0 or not b.is_finite():
            return None
        return _scaled(a, b, divide=True)
    pairs = (YearsMonthsDuration, DaysTimeDuration)
    for kind in pairs:
        if isinstance(a, kind) and isinstance(b, kind):
            left = a.months if isinstance(a, YearsMonthsDuration) else a.nanoseconds
            right = b.months if isinstance(b, YearsMonthsDuration) else b.nanoseconds
            if right == 0:
                return None
            return _NUMBERS.divide(Decimal(left), Decimal(right))
    return NOT_APPLICABLE


def _sign(difference: int) -> int:
    return (difference > 0) - (difference < 0)


def temporal_compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 for comparable temporal values; None when they cannot be ordered.

    Times and date-times compare by whole seconds: the spec's value of a time is its number of
    seconds, so 10:30:00.0001 = 10:30:00.0002 (the DMN TCK checks this).
    """
    if _is_date(a) and _is_date(b):
        return _sign(a.toordinal() - b.toordinal())
    if isinstance(a, datetime.datetime) and isinstance(b, datetime.datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return _sign(micros(a) // 1_000_000 - micros(b) // 1_000_000)
    if isinstance(a, Time) and isinstance(b, Time):
        left, right = a.utc_nanos_of_day(), b.utc_nanos_of_day()
        if left is None and right is None:
            left, right = a.nanos_of_day(), b.nanos_of_day()
        if left is None or right is None:
            return None
        return _sign(left // NANOS_PER_SECOND - right // NANOS_PER_SECOND)
    if isinstance(a, YearsMonthsDuration) and isinstance(b, YearsMonthsDuration):
        return _sign(a.months - b.months)
    if isinstance(a, DaysTimeDuration) and isinstance(b, DaysTimeDuration):
        return _sign(a.nanoseconds - b.nanoseconds)
    return None


def temporal_equals(a: Any, b: Any) -> bool | None:
    """FEEL `=` for temporal values; None for values of different kinds."""
    order = temporal_compare(a, b)
    return None if order is None else order == 0


def temporal_to_string(value: Any) -> str:
    """The FEEL string() form of a temporal value."""
    if isinstance(value, datetime.datetime):
        return date_time_to_string(value)
    if isinstance(value, datetime.date):
        return date_to_string(value)
    if isinstance(value, Time):
        return time_to_string(value)
    return str(value)


def _zone_id(tzinfo: datetime.tzinfo | None) -> str | None:
    return tzinfo.key if isinstance(tzinfo, zoneinfo.ZoneInfo) else None


def _offset(offset: datetime.timedelta | None) -> DaysTimeDuration | None:
    return None if offset is None else DaysTimeDuration.from_timedelta(offset)


def temporal_property(value: Any, name: str) -> Any:
    """The value of `value.name` for temporal values, or NOT_APPLICABLE for an unknown name."""
    properties: dict[str, Any] = {}
    if isinstance(value, datetime.date):
        properties = {
            "year": value.year,
            "month": value.month,
            "day": value.day,
            "weekday": value.isoweekday(),
        }
        if isinstance(value, datetime.datetime):
            properties |= {
                "hour": value.hour,
                "minute": value.minute,
                "second": value.second,
                "time offset": _offset(value.utcoffset()),
                "timezone": _zone_id(value.tzinfo),
            }
    elif isinstance(value, Time):
        properties = {
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "time offset": _offset(value.utc_offset()),
            "timezone": _zone_id(value.tzinfo),
        }
    elif isinstance(value, YearsMonthsDuration):
        sign = -1 if value.months < 0 else 1
        years, months = divmod(abs(value.months), 12)
        properties = {"years": sign * years, "months": sign * months}
    elif isinstance(value, DaysTimeDuration):
        sign = -1 if value.nanoseconds < 0 else 1
        seconds = abs(value.nanoseconds) // NANOS_PER_SECOND
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        days, hour = divmod(hours, 24)
        properties = {
            "days": sign * days,
            "hours": sign * hour,
            "minutes": sign * minute,
            "seconds": sign * second,
        }
    if name not in properties:
        return NOT_APPLICABLE
    result = properties[name]
    return Decimal(result) if isinstance(result, int) else result
