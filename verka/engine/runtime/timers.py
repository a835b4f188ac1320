"""Timer definitions (ISO 8601 dates, durations and repeating cycles) turned into due times."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from verka.engine.bpmn.model import TimerKind
from verka.engine.runtime.expressions import ExpressionFailure
from verka.engine.runtime.state import Value

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)
_CYCLE = re.compile(r"^R(?P<count>\d*)/(?P<rest>.+)$")


@dataclass(frozen=True)
class Schedule:
    due: datetime
    repetitions: int = 1  # -1: unbounded
    interval: timedelta | None = None
    months: int = 0  # calendar months added per repetition (P1M cycles)


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def parse_duration(text: str) -> tuple[int, timedelta]:
    """(calendar months, exact time) of an ISO 8601 duration such as "P1M" or "PT5M"."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in {"P", "PT"} or text.strip().endswith("T"):
        raise ExpressionFailure(
            f"invalid ISO 8601 duration '{text}', expected e.g. 'PT5M' or 'P1D'"
        )
    part = {k: v for k, v in match.groupdict().items() if v and k != "sign"}
    months = int(part.get("years", 0)) * 12 + int(part.get("months", 0))
    try:
        delta = _delta(part)
    except (OverflowError, ValueError):
        raise ExpressionFailure(f"ISO 8601 duration '{text}' is too long") from None
    if match.group("sign"):
        return -months, -delta
    return months, delta


def _delta(part: dict[str, str]) -> timedelta:
    return timedelta(
        weeks=int(part.get("weeks", 0)),
        days=int(part.get("days", 0)),
        hours=int(part.get("hours", 0)),
        minutes=int(part.get("minutes", 0)),
        seconds=float(Decimal(part.get("seconds", "0").replace(",", "."))),
    )


def parse_datetime(text: str) -> datetime:
    candidate = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    if "@" in candidate:
        from zoneinfo import ZoneInfo

        local, zone = candidate.split("@", 1)
        try:
            return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone))
        except (ValueError, KeyError) as error:
            raise ExpressionFailure(f"invalid date and time '{text}': {error}") from None
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise ExpressionFailure(
            f"invalid ISO 8601 date and time '{text}', expected e.g. '2026-05-01T10:00:00Z'"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def to_datetime(value: Value) -> datetime:
    """A zoned datetime from a FEEL date/date and time or ISO text (UTC when no zone)."""
    try:
        return _to_datetime(value)
    except (TypeError, ValueError, OverflowError) as error:  # FEEL dates beyond year 9999
        raise ExpressionFailure(f"expected a date and time, got {value!r}: {error}") from None


def _to_datetime(value: Value) -> datetime:
    if isinstance(value, date) and not 1 <= value.year <= 9999:
        raise ValueError("the year is outside 1..9999")
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        return parse_datetime(value)
    raise ExpressionFailure(f"expected a date and time, got {value!r}")


def _after(now: datetime, months: int, delta: timedelta) -> datetime:
    return add_months(now, months) + delta


def schedule(kind: TimerKind, value: Value, now: datetime) -> Schedule:
    """When the timer first fires; `value` is the evaluated timer expression."""
    try:
        return _schedule(kind, value, now)
    except (OverflowError, ValueError, TypeError) as error:  # e.g. "P99999Y" leaves the calendar
        raise ExpressionFailure(f"timer '{value}' cannot be scheduled: {error}") from None


def _schedule(kind: TimerKind, value: Value, now: datetime) -> Schedule:
    if kind is TimerKind.DATE:
        return Schedule(to_datetime(value))
    text = value if isinstance(value, str) else str(value)
    if kind is TimerKind.DURATION:
        months, delta = parse_duration(text)
        return Schedule(_after(now, months, delta))
    match = _CYCLE.match(text.strip())
    if match is None:
        raise ExpressionFailure(
            f"unsupported timer cycle '{text}', expected ISO 8601 repeating intervals "
            "such as 'R3/PT10M' (cron expressions are not supported yet)"
        )
    count = int(match.group("count")) if match.group("count") else -1
    parts = match.group("rest").split("/")
    if len(parts) == 1:
        months, delta = parse_duration(parts[0])
        return Schedule(_after(now, months, delta), count, delta, months)
    if len(parts) == 2 and parts[0].startswith("P"):
        months, delta = parse_duration(parts[0])
        return Schedule(parse_datetime(parts[1]) - delta, count, delta, months)
    if len(parts) == 2:
        start = parse_datetime(parts[0])
        months, delta = parse_duration(parts[1])
        return Schedule(start if start > now else now, count, delta, months)
    raise ExpressionFailure(f"invalid timer cycle '{text}'")


def next_repetition(previous: Schedule, fired_at: datetime) -> Schedule | None:
    """The following repetition of a cycle, or None when it was the last one (or when the
    next one would fall outside the calendar)."""
    if previous.repetitions == 1 or previous.interval is None:
        return None
    remaining = previous.repetitions - 1 if previous.repetitions > 0 else -1
    try:
        due = _after(fired_at, previous.months, previous.interval)
    except (OverflowError, ValueError, TypeError):
        return None
    return Schedule(due, remaining, previous.interval, previous.months)
