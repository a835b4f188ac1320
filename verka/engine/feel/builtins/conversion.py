"""FEEL conversion functions: date, time, date and time, duration, number and string (§10.3.4.1)."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from verka.engine.feel.builtins.core import BuiltinError, Library, integer, number
from verka.engine.feel.temporal import (
    DaysTimeDuration,
    Time,
    YearsMonthsDuration,
    combine,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    time_of,
)
from verka.engine.feel.temporal_calendar import in_zone, make_date, make_date_time
from verka.engine.feel.values import NUMBER_CONTEXT, Value, to_feel_string

library = Library()
function = library.function

_UTC = datetime.UTC


@function("date", "from: string")
def date_from_string(text: str) -> Value:
    result = parse_date(text)
    if result is None:
        raise BuiltinError(f"not a date (YYYY-MM-DD): {text!r}")
    return result


@function("date", "from: date")
def date_from_date(moment: datetime.date) -> Value:
    if isinstance(moment, datetime.datetime):
        return moment.date()
    return moment


@function("date", "year: number", "month: number", "day: number")
def date_from_parts(year: Decimal, month: Decimal, day: Decimal) -> Value:
    parts = integer(year, "year"), integer(month, "month"), integer(day, "day")
    result = make_date(*parts) if abs(parts[0]) <= 999_999_999 else None
    if result is None:
        raise BuiltinError("no such date: {}-{}-{}".format(*parts))
    return result


@function("date and time", "from: string")
def date_time_from_string(text: str) -> Value:
    result = parse_date_time(text)
    if result is None:
        raise BuiltinError(f"not a date and time (YYYY-MM-DDThh:mm:ss): {text!r}")
    return result


@function("date and time", "date: date", "time: time")
def date_time_from_parts(day: datetime.date, clock: Time) -> Value:
    result = combine(day, clock)
    if result is None:
        raise BuiltinError("date and time out of range")
    return result


@function("date and time", "from: date")
def date_time_from_date(day: datetime.date) -> Value:
    if isinstance(day, datetime.datetime):
        return day
    return make_date_time(day, 0, 0, 0, 0, _UTC)


@function("time", "from: string")
def time_from_string(text: str) -> Value:
    result = parse_time(text)
    if result is None:
        raise BuiltinError(f"not a time (hh:mm:ss): {text!r}")
    return result


@function("time", "from: time")
def time_from_time(clock: Time) -> Value:
    return clock


@function("time", "from: date")
def time_from_date(moment: datetime.date) -> Value:
    if isinstance(moment, datetime.datetime):
        return time_of(moment)
    # A date is midnight UTC when used as a point in time.
    return Time(0, 0, 0, 0, _UTC)


@function("time", "hour: number", "minute: number", "second: number", "offset: any?")
def time_from_parts(hour: Decimal, minute: Decimal, second: Decimal, offset: Value) -> Value:
    hours, minutes = integer(hour, "hour"), integer(minute, "minute")
    if not second.is_finite() or second < 0 or second >= 60:
        raise BuiltinError(f"second must be in [0, 60), got {second}")
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise BuiltinError(f"no such time of day: {hours}:{minutes}")
    whole = int(second)
    nanos = int(((second - whole) * 1_000_000_000).to_integral_value(rounding=ROUND_DOWN))
    tzinfo: datetime.timezone | None = None
    if isinstance(offset, DaysTimeDuration):
        delta = offset.to_timedelta()
        if abs(delta) > datetime.timedelta(hours=14):
            raise BuiltinError(f"offset out of range: {offset}")
        tzinfo = datetime.timezone(delta)
    elif offset is not None:
        raise BuiltinError("offset must be a days and time duration")
    return Time(hours, minutes, whole, nanos, tzinfo)


@function("duration", "from: string")
def duration(text: str) -> Value:
    result = parse_duration(text)
    if result is None:
        raise BuiltinError(f"not a duration (PnYnM or PnDTnHnMnS): {text!r}")
    return result


def _instant_key(moment: datetime.date) -> tuple[int, int, int, datetime.time]:
    if isinstance(moment, datetime.datetime):
        return moment.year, moment.month, moment.day, moment.time()
    return moment.year, moment.month, moment.day, datetime.time()


@function("years and months duration", "from: date", "to: date")
def years_and_months_duration(start: datetime.date, end: datetime.date) -> Value:
    if isinstance(start, datetime.datetime) and isinstance(end, datetime.datetime):
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise BuiltinError("cannot mix date and times with and without a time zone")
        if start.tzinfo is not None and end.tzinfo is not None:
            end = in_zone(end, start.tzinfo)
    first, last = _instant_key(start), _instant_key(end)
    months = (last[0] - first[0]) * 12 + (last[1] - first[1])
    # Only whole months count: a month is complete when day and time of day have come round.
    if months > 0 and last[2:] < first[2:]:
        months -= 1
    elif months < 0 and last[2:] > first[2:]:
        months += 1
    return YearsMonthsDuration(months)


_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPING = (" ", ",", ".", None)
_DECIMAL = (",", ".", None)


@function(
    "number",
    "from: string",
    "grouping separator: any?",
    "decimal separator: any?",
)
def number_from_string(text: str, grouping: Value, separator: Value) -> Value:
    if grouping not in _GROUPING:
        raise BuiltinError("grouping separator must be space, comma, period or null")
    if separator not in _DECIMAL:
        raise BuiltinError("decimal separator must be comma, period or null")
    if grouping is not None and grouping == separator:
        raise BuiltinError("grouping and decimal separators must differ")
    if grouping is not None:
        text = text.replace(grouping, "")
    if separator is not None and separator != ".":
        if "." in text:
            raise BuiltinError(f"not a number: {text!r}")
        text = text.replace(separator, ".")
    if not _NUMBER_TEXT.fullmatch(text):
        raise BuiltinError(f"not a number: {text!r}")
    try:
        return number(NUMBER_CONTEXT.create_decimal(text))
    except InvalidOperation:
        raise BuiltinError(f"not a number: {text!r}") from None


@function("string", "from: any")
def string(value: Value) -> Value:
    if value is None:
        return None
    return to_feel_string(value)
