"""FEEL time and duration values, their ISO 8601 parsing and their canonical FEEL strings."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from verka.engine.feel.temporal_calendar import make_date, make_date_time, shift_by, year_text

NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND

# A zone id has no single offset; a time of day with a zone id is placed on this date when its
# offset is needed, because the engine has no clock to say which "today" applies.
ZONE_REFERENCE_DATE = datetime.date(2000, 1, 1)

TimeZone = datetime.timezone | zoneinfo.ZoneInfo | None


@dataclass(frozen=True)
class Time:
    """A FEEL time of day, with nanoseconds and an optional UTC offset or IANA zone."""

    hour: int
    minute: int
    second: int
    nanosecond: int = 0
    tzinfo: TimeZone = None

    def __post_init__(self) -> None:
        if not (
            0 <= self.hour <= 23
            and 0 <= self.minute <= 59
            and 0 <= self.second <= 59
            and 0 <= self.nanosecond < NANOS_PER_SECOND
        ):
            raise ValueError(f"no such time of day: {self!r}")

    def __str__(self) -> str:
        return time_to_string(self)

    def utc_offset(self) -> datetime.timedelta | None:
        if self.tzinfo is None:
            return None
        reference = datetime.datetime.combine(
            ZONE_REFERENCE_DATE, datetime.time(self.hour, self.minute), self.tzinfo
        )
        return reference.utcoffset()

    def nanos_of_day(self) -> int:
        seconds = self.hour * 3600 + self.minute * 60 + self.second
        return seconds * NANOS_PER_SECOND + self.nanosecond

    def utc_nanos_of_day(self) -> int | None:
        """Nanoseconds since midnight UTC (may leave 0..day), or None for a local time."""
        offset = self.utc_offset()
        if offset is None:
            return None
        return self.nanos_of_day() - _timedelta_nanos(offset)

    @staticmethod
    def from_nanos_of_day(nanos: int, tzinfo: TimeZone = None) -> Time:
        nanos %= NANOS_PER_DAY
        seconds, nanosecond = divmod(nanos, NANOS_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return Time(hour, minute, second, nanosecond, tzinfo)


@dataclass(frozen=True)
class YearsMonthsDuration:
    """A FEEL years and months duration, held as a signed number of months."""

    months: int

    def __str__(self) -> str:
        sign = "-" if self.months < 0 else ""
        years, months = divmod(abs(self.months), 12)
        if years == 0 and months == 0:
            return "P0M"
        text = sign + "P"
        if years:
            text += f"{years}Y"
        if months:
            text += f"{months}M"
        return text


@dataclass(frozen=True)
class DaysTimeDuration:
    """A FEEL days and time duration, held exactly as a signed number of nanoseconds."""

    nanoseconds: int

    @staticmethod
    def of(
        days: int = 0, hours: int = 0, minutes: int = 0, seconds: int | Decimal = 0
    ) -> DaysTimeDuration:
        whole = ((days * 24 + hours) * 60 + minutes) * 60
        return DaysTimeDuration(whole * NANOS_PER_SECOND + _exact_nanos(Decimal(seconds)))

    @staticmethod
    def from_timedelta(delta: datetime.timedelta) -> DaysTimeDuration:
        return DaysTimeDuration(_timedelta_nanos(delta))

    def to_timedelta(self) -> datetime.timedelta:
        # Python's timedelta stops at microseconds; sub-microsecond parts are dropped.
        micros = abs(self.nanoseconds) // 1000
        return datetime.timedelta(microseconds=-micros if self.nanoseconds < 0 else micros)

    def total_seconds(self) -> Decimal:
        return Decimal(self.nanoseconds) / NANOS_PER_SECOND

    def __str__(self) -> str:
        if self.nanoseconds == 0:
            return "PT0S"
        sign = "-" if self.nanoseconds < 0 else ""
        seconds, nanos = divmod(abs(self.nanoseconds), NANOS_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        days, hour = divmod(hours, 24)
        text = sign + "P"
        if days:
            text += f"{days}D"
        if hour or minute or second or nanos:
            text += "T"
            if hour:
                text += f"{hour}H"
            if minute:
                text += f"{minute}M"
            if second or nanos:
                text += f"{second}{_fraction(nanos)}S"
        return text


def _exact_nanos(seconds: Decimal) -> int:
    """Whole nanoseconds in a number of seconds, exactly (digits past the ninth are dropped)."""
    sign, digits, exponent = seconds.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number of seconds: {seconds}")
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + 9
    nanos: int = coefficient * 10**shift if shift >= 0 else coefficient // 10 ** (-shift)
    return -nanos if sign else nanos


def _timedelta_nanos(delta: datetime.timedelta) -> int:
    return ((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1000


def _fraction(nanos: int) -> str:
    if nanos == 0:
        return ""
    return "." + f"{nanos:09d}".rstrip("0")


# ---------------------------------------------------------------- parsing ISO 8601 text

_DATE = r"(?P<year>-?\d{4,9})-(?P<month>\d\d)-(?P<day>\d\d)"
_TIME = (
    r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<utc>[Zz])|(?P<offset>[+-]\d\d:\d\d(?::\d\d)?)|@(?P<zone>[A-Za-z0-9_+\-/]+))?"
)
_DATE_RE = re.compile(_DATE)
_TIME_RE = re.compile(_TIME)
_DATE_TIME_RE = re.compile(_DATE + "T" + _TIME)
_DURATION_RE = re.compile(
    r"(?P<sign>-)?P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?!$)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def parse_date(text: str) -> datetime.date | None:
    """A FEEL date from `YYYY-MM-DD`, or None when the text is no valid calendar date."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    return _date_from(match)


def _date_from(match: re.Match[str]) -> datetime.date | None:
    return make_date(int(match["year"]), int(match["month"]), int(match["day"]))


def parse_time(text: str) -> Time | None:
    """A FEEL time from `hh:mm:ss[.f][Z|+hh:mm|@zone]`, or None when invalid."""
    match = _TIME_RE.fullmatch(text)
    if match is None:
        return None
    return _time_from(match)


def _time_from(match: re.Match[str]) -> Time | None:
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if hour > 23 or minute > 59 or second > 59:
        # XML Schema's 24:00:00 is the next midnight; FEEL times wrap, so it is 00:00:00.
        if not (hour == 24 and minute == 0 and second == 0 and not match["fraction"]):
            return None
        hour = 0
    fraction = match["fraction"] or ""
    nanosecond = int((fraction + "000000000")[:9])
    try:
        tzinfo = zone_from_text(match["utc"], match["offset"], match["zone"])
    except ValueError:
        return None
    return Time(hour, minute, second, nanosecond, tzinfo)


def zone_from_text(utc: str | None, offset: str | None, zone: str | None) -> TimeZone:
    """The tzinfo for a parsed zone suffix; ValueError when it names no valid zone."""
    if utc:
        return datetime.UTC
    if offset:
        return offset_zone(offset)
    if zone:
        return zone_id(zone)
    return None


def offset_zone(text: str) -> datetime.timezone:
    """A fixed offset from `+hh:mm[:ss]`; ValueError beyond the ±14:00 that exist."""
    sign = -1 if text[0] == "-" else 1
    parts = [int(part) for part in text[1:].split(":")]
    hours, minutes, seconds = (parts + [0])[:3]
    delta = datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if minutes > 59 or seconds > 59 or delta > datetime.timedelta(hours=14):
        raise ValueError(f"no such UTC offset: {text}")
    return datetime.timezone(sign * delta)


def zone_id(name: str) -> zoneinfo.ZoneInfo:
    """An IANA zone; ValueError when the id is unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone: {name}") from error


def parse_date_time(text: str) -> datetime.datetime | None:
    """A FEEL date and time from `date T time`, or a plain date meaning its midnight."""
    match = _DATE_TIME_RE.fullmatch(text)
    if match is None:
        day = parse_date(text)
        return None if day is None else make_date_time(day, 0, 0, 0, 0, None)
    day = _date_from(match)
    clock = _time_from(match)
    if day is None or clock is None:
        return None
    if int(match["hour"]) == 24:
        day = shift_by(day, datetime.timedelta(days=1))
    return combine(day, clock)


def combine(day: datetime.date, clock: Time) -> datetime.datetime | None:
    """The date and time of a date and a time of day (sub-microseconds are dropped)."""
    try:
        return make_date_time(
            day, clock.hour, clock.minute, clock.second, clock.nanosecond // 1000, clock.tzinfo
        )
    except (ValueError, OverflowError):
        return None


def parse_duration(text: str) -> YearsMonthsDuration | DaysTimeDuration | None:
    """A FEEL duration; years/months and days/time parts may not be mixed."""
    match = _DURATION_RE.fullmatch(text)
    if match is None or text.endswith("T"):
        return None
    sign = -1 if match["sign"] else 1
    has_year_month = match["years"] is not None or match["months"] is not None
    has_day_time = any(match[key] is not None for key in ("days", "hours", "minutes", "seconds"))
    if has_year_month and has_day_time:
        return None
    if has_year_month:
        months = int(match["years"] or 0) * 12 + int(match["months"] or 0)
        return YearsMonthsDuration(sign * months)
    duration = DaysTimeDuration.of(
        int(match["days"] or 0),
        int(match["hours"] or 0),
        int(match["minutes"] or 0),
        Decimal(match["seconds"] or 0),
    )
    return DaysTimeDuration(sign * duration.nanoseconds)


def parse_temporal_literal(
    text: str,
) -> datetime.date | datetime.datetime | Time | YearsMonthsDuration | DaysTimeDuration | None:
    """The value of an `@"..."` literal: a date, time, date and time or duration."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if _DATE_TIME_RE.fullmatch(text):
        return parse_date_time(text)
    if _TIME_RE.fullmatch(text):
        return parse_time(text)
    return parse_date(text)


# ---------------------------------------------------------------- canonical strings


def zone_suffix(tzinfo: datetime.tzinfo | None, when: datetime.datetime | None = None) -> str:
    if tzinfo is None:
        return ""
    if isinstance(tzinfo, zoneinfo.ZoneInfo):
        return "@" + tzinfo.key
    offset = tzinfo.utcoffset(when)
    if offset is None:
        return ""
    if offset == datetime.timedelta(0):
        return "Z"
    sign = "-" if offset < datetime.timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{secs:02d}" if secs else "")


def date_to_string(day: datetime.date) -> str:
    return f"{year_text(day)}-{day.month:02d}-{day.day:02d}"


def time_to_string(clock: Time) -> str:
    text = f"{clock.hour:02d}:{clock.minute:02d}:{clock.second:02d}{_fraction(clock.nanosecond)}"
    return text + zone_suffix(clock.tzinfo)


def date_time_to_string(moment: datetime.datetime) -> str:
    clock = (
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
        f"{_fraction(moment.microsecond * 1000)}"
    )
    return f"{date_to_string(moment)}T{clock}{zone_suffix(moment.tzinfo, moment)}"


def time_of(moment: datetime.datetime) -> Time:
    tzinfo = moment.tzinfo
    if tzinfo is not None and not isinstance(tzinfo, datetime.timezone | zoneinfo.ZoneInfo):
        offset = moment.utcoffset()
        tzinfo = None if offset is None else datetime.timezone(offset)
    return Time(moment.hour, moment.minute, moment.second, moment.microsecond * 1000, tzinfo)
