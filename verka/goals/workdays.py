"""Working days (Mon–Fri, optionally without Swedish public holidays) and reporting periods."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone

PERIODS = ("month", "quarter", "year")


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def swedish_holidays(year: int) -> frozenset[date]:
    """Public holidays on weekdays that matter, plus the eves on which offices close in
    practice (midsummer, Christmas and New Year's Eve): these are not working days for a case."""
    easter = easter_sunday(year)
    midsummer_eve = next(date(year, 6, d) for d in range(19, 26) if date(year, 6, d).weekday() == 4)
    return frozenset(
        {
            date(year, 1, 1),
            date(year, 1, 6),
            easter - timedelta(days=2),  # Good Friday
            easter + timedelta(days=1),  # Easter Monday
            date(year, 5, 1),
            easter + timedelta(days=39),  # Ascension Day
            date(year, 6, 6),
            midsummer_eve,
            date(year, 12, 24),
            date(year, 12, 25),
            date(year, 12, 26),
            date(year, 12, 31),
        }
    )


def is_working_day(day: date, holidays: bool = True) -> bool:
    if day.weekday() >= 5:
        return False
    return not (holidays and day in swedish_holidays(day.year))


class WorkingDays:
    """Counts working days between dates in O(1) from a cumulative table built once per range."""

    def __init__(self, first: date, last: date, holidays: bool = True) -> None:
        self.first = first - timedelta(days=1)
        self.cumulative: list[int] = []
        running = 0
        day = self.first
        while day <= last + timedelta(days=1):
            running += is_working_day(day, holidays)
            self.cumulative.append(running)
            day += timedelta(days=1)

    def _at(self, day: date) -> int:
        index = (day - self.first).days
        index = min(max(index, 0), len(self.cumulative) - 1)
        return self.cumulative[index]

    def between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end: the day the clock starts does not count."""
        if end <= start:
            return 0
        return self._at(end) - self._at(start)


def local_date(moment: datetime, zone: tzinfo | None = None) -> date:
    """The local calendar day of a moment; pass `zone` (current_zone()) in loops over cases."""
    return moment.astimezone(zone or current_zone()).date()


@lru_cache(maxsize=8)
def _zone_named(name: str) -> tzinfo:
    return ZoneInfo(name)


def current_zone() -> tzinfo:
    return _zone_named(timezone.get_current_timezone_name())


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_start(day: date, period: str) -> date:
    if period == "year":
        return date(day.year, 1, 1)
    if period == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when it is shorter."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 always exists


def add_months_dt(moment: datetime, months: int) -> datetime:
    local = timezone.localtime(moment)
    moved = add_months(local.date(), months)
    return timezone.make_aware(datetime.combine(moved, local.time().replace(tzinfo=None)))


def next_period(day: date, period: str) -> date:
    return add_months(day, {"month": 1, "quarter": 3, "year": 12}[period])


def periods(first: date, last: date, period: str) -> list[tuple[date, date]]:
    """The periods [start, end) covering first..last (dates, end exclusive)."""
    result = []
    start = period_start(first, period)
    while start <= last:
        end = next_period(start, period)
        result.append((start, end))
        start = end
    return result
