"""Dates and date-times of any year (FEEL allows e.g. -2021-01-01), beyond Python's 1..9999.

The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks), so a date
in a far year is kept as the equivalent date in 2000..2399 plus a count of 400-year cycles. Month
lengths, leap days, weekdays and ISO weeks of the stand-in are those of the real date.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

CYCLE_YEARS = 400
CYCLE_DAYS = 146_097
_BASE_YEAR = 2000
_PRIVATE = object()


def _cycles_for(year: int) -> int:
    return (year - _BASE_YEAR) // CYCLE_YEARS


class FarDate(datetime.date):
    """A date outside years 1..9999: a stand-in date in 2000..2399 plus `cycles` of 400 years.

    Python's own date arithmetic would silently use the stand-in, so constructing one outside
    this module fails loudly; use make_date() and the temporal functions.
    """

    cycles: int

    def __new__(
        cls, year: int, month: int, day: int, cycles: int = 0, token: Any = None
    ) -> FarDate:
        if token is not _PRIVATE:
            raise TypeError("FarDate arithmetic goes through verka.engine.feel.temporal")
        self = super().__new__(cls, year, month, day)
        self.cycles = cycles
        return self

    @property
    def year(self) -> int:
        return _stored_year(self) + CYCLE_YEARS * self.cycles

    def toordinal(self) -> int:
        return super().toordinal() + CYCLE_DAYS * self.cycles

    def isoformat(self) -> str:
        return _year_text(self.year) + f"-{self.month:02d}-{self.day:02d}"

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"FarDate({self.isoformat()})"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return make_date, (self.year, self.month, self.day)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, datetime.datetime) or not isinstance(other, datetime.date):
            return NotImplemented
        return self.toordinal() == other.toordinal()

    def __hash__(self) -> int:
        return hash(("date", self.toordinal()))

    def _order(self, other: object) -> int | None:
        if isinstance(other, datetime.datetime) or not isinstance(other, datetime.date):
            return None
        gap = self.toordinal() - other.toordinal()
        return (gap > 0) - (gap < 0)

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    def __lt__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order < 0

    def __le__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order <= 0

    def __gt__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order > 0

    def __ge__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order >= 0


class FarDateTime(datetime.datetime):
    """A date and time outside years 1..9999, kept like FarDate."""

    cycles: int

    def __new__(cls, *fields: Any, cycles: int = 0, token: Any = None) -> FarDateTime:
        if token is not _PRIVATE:
            raise TypeError("FarDateTime arithmetic goes through verka.engine.feel.temporal")
        self = super().__new__(cls, *fields)
        self.cycles = cycles
        return self

    @property
    def year(self) -> int:
        return _stored_year(self) + CYCLE_YEARS * self.cycles

    def date(self) -> datetime.date:
        base, cycles = split(self)
        return join(base.date(), cycles)  # type: ignore[no-any-return]

    def toordinal(self) -> int:
        return super().toordinal() + CYCLE_DAYS * self.cycles

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        # The stand-in's year has exactly four digits; only they differ from the real text.
        text: str = _plain(self).isoformat(sep, timespec)
        return _year_text(self.year) + text[4:]

    def __str__(self) -> str:
        return self.isoformat(" ")

    def __repr__(self) -> str:
        return f"FarDateTime({self.isoformat()})"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return join, split(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, datetime.datetime):
            return NotImplemented
        if (self.tzinfo is None) != (other.tzinfo is None):
            return False
        return micros(self) == micros(other)

    def __hash__(self) -> int:
        base, cycles = split(self)
        return hash(("date and time", base, cycles))

    def _order(self, other: object) -> int | None:
        if not isinstance(other, datetime.datetime):
            return None
        if (self.tzinfo is None) != (other.tzinfo is None):
            raise TypeError("cannot compare a local date and time with a zoned one")
        gap = micros(self) - micros(other)
        return (gap > 0) - (gap < 0)

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    def __lt__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order < 0

    def __le__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order <= 0

    def __gt__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order > 0

    def __ge__(self, other: object) -> bool:
        order = self._order(other)
        return NotImplemented if order is None else order >= 0


def _stored_year(moment: datetime.date) -> int:
    """The year field Python holds: the stand-in's year for far dates."""
    getter: Any = (
        datetime.datetime.year if isinstance(moment, datetime.datetime) else datetime.date.year
    )
    return int(getter.__get__(moment))


def _year_text(year: int) -> str:
    return ("-" if year < 0 else "") + f"{abs(year):04d}"


def year_text(day: datetime.date) -> str:
    """The year as XML Schema writes it: at least four digits, with a minus sign if negative."""
    return _year_text(day.year)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year % CYCLE_YEARS + _BASE_YEAR, month)[1]


def split(moment: Any) -> tuple[Any, int]:
    """(stand-in in years 2000..2399, cycles) for any date or date and time; see join()."""
    cycles = getattr(moment, "cycles", 0)
    year = _stored_year(moment)
    shift = _cycles_for(year)
    plain = _plain(moment)
    return plain.replace(year=year - CYCLE_YEARS * shift), cycles + shift


def _plain(moment: Any) -> Any:
    """The same fields as a plain Python date or datetime (no cycles)."""
    if isinstance(moment, datetime.datetime):
        return datetime.datetime(
            _stored_year(moment),
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
            moment.microsecond,
            moment.tzinfo,
            fold=moment.fold,
        )
    return datetime.date(
        _stored_year(moment),
        moment.month,
        moment.day,
    )


def join(base: Any, cycles: int) -> Any:
    """A date or date and time from a stand-in plus 400-year cycles: plain when the year allows."""
    year = base.year + CYCLE_YEARS * cycles
    if datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return base.replace(year=year)
    shift = _cycles_for(year)
    stand_in = base.replace(year=year - CYCLE_YEARS * shift)
    if isinstance(base, datetime.datetime):
        return FarDateTime(
            stand_in.year,
            stand_in.month,
            stand_in.day,
            stand_in.hour,
            stand_in.minute,
            stand_in.second,
            stand_in.microsecond,
            stand_in.tzinfo,
            cycles=shift,
            token=_PRIVATE,
        )
    return FarDate(stand_in.year, stand_in.month, stand_in.day, shift, _PRIVATE)


def make_date(year: int, month: int, day: int) -> datetime.date | None:
    """The date of any year, or None when month or day do not exist."""
    if not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
        return None
    shift = _cycles_for(year)
    stand_in = datetime.date(year - CYCLE_YEARS * shift, month, day)
    return join(stand_in, shift)  # type: ignore[no-any-return]


def make_date_time(
    day: datetime.date,
    hour: int,
    minute: int,
    second: int,
    microsecond: int,
    tzinfo: datetime.tzinfo | None,
) -> datetime.datetime:
    """A date and time on a date of any year."""
    base, cycles = split(day)
    moment = datetime.datetime(
        base.year, base.month, base.day, hour, minute, second, microsecond, tzinfo
    )
    return join(moment, cycles)  # type: ignore[no-any-return]


def shift_by(moment: Any, delta: datetime.timedelta) -> Any:
    """moment + delta for a date or date and time of any year (dates move by whole days)."""
    base, cycles = split(moment)
    # Whole 400-year cycles move the cycle count, so that the stand-in stays near 2000..2399.
    extra = delta.days // CYCLE_DAYS
    rest = delta - datetime.timedelta(days=extra * CYCLE_DAYS)
    return join(base + rest, cycles + extra)


_MICROS_PER_DAY = 86_400_000_000
_EPOCH = datetime.datetime(_BASE_YEAR, 1, 1)
_ZONED_EPOCH = _EPOCH.replace(tzinfo=datetime.UTC)


def micros(moment: Any) -> int:
    """Microseconds from 2000-01-01T00:00:00 (UTC for zoned values) to a date-time of any year."""
    base, cycles = split(moment)
    epoch = _EPOCH if base.tzinfo is None else _ZONED_EPOCH
    offset: int = (base - epoch) // datetime.timedelta(microseconds=1)
    return offset + cycles * CYCLE_DAYS * _MICROS_PER_DAY


def difference(a: Any, b: Any) -> datetime.timedelta:
    """a - b for two dates, or two date-times both local or both with a zone.

    OverflowError when the gap exceeds what timedelta holds (about 2.7 million years)."""
    if not isinstance(a, datetime.datetime):
        return datetime.timedelta(days=a.toordinal() - b.toordinal())
    return datetime.timedelta(microseconds=micros(a) - micros(b))


def in_zone(moment: Any, tzinfo: datetime.tzinfo) -> Any:
    """A zoned date and time of any year seen in another zone."""
    base, cycles = split(moment)
    return join(base.astimezone(tzinfo), cycles)
