"""Temporal values: ISO parsing, canonical strings, arithmetic, comparison and properties."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel.temporal import (
    NOT_APPLICABLE,
    DaysTimeDuration,
    Time,
    YearsMonthsDuration,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_temporal_literal,
    parse_time,
    temporal_add,
    temporal_compare,
    temporal_divide,
    temporal_equals,
    temporal_multiply,
    temporal_property,
    temporal_subtract,
    temporal_to_string,
)


def at(text: str) -> Any:
    value = parse_temporal_literal(text)
    assert value is not None, text
    return value


ROUND_TRIPS = [
    ("2017-01-01", "2017-01-01"),
    ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "9999-12-31"),
    ("10:30:00", "10:30:00"),
    ("10:30:00.5", "10:30:00.5"),
    ("10:30:00.000000001", "10:30:00.000000001"),
    ("10:30:00.120", "10:30:00.12"),
    ("10:30:00z", "10:30:00Z"),
    ("10:30:00+00:00", "10:30:00Z"),
    ("10:30:00-05:30", "10:30:00-05:30"),
    ("10:30:00+14:00", "10:30:00+14:00"),
    ("10:30:00@Europe/Paris", "10:30:00@Europe/Paris"),
    ("24:00:00", "00:00:00"),
    ("2017-01-01T10:30:00", "2017-01-01T10:30:00"),
    ("2017-01-01T10:30:00.123456", "2017-01-01T10:30:00.123456"),
    ("2017-01-01T10:30:00.1234567", "2017-01-01T10:30:00.123456"),
    ("2017-01-01T10:30:00Z", "2017-01-01T10:30:00Z"),
    ("2017-01-01T10:30:00+01:00", "2017-01-01T10:30:00+01:00"),
    ("2017-01-01T10:30:00@Etc/UTC", "2017-01-01T10:30:00@Etc/UTC"),
    ("2017-01-01T24:00:00", "2017-01-02T00:00:00"),
    ("P1Y2M", "P1Y2M"),
    ("P14M", "P1Y2M"),
    ("P0Y", "P0M"),
    ("-P1Y", "-P1Y"),
    ("P0M", "P0M"),
    ("P1DT2H3M4.5S", "P1DT2H3M4.5S"),
    ("PT36H", "P1DT12H"),
    ("PT0S", "PT0S"),
    ("P0D", "PT0S"),
    ("-PT1S", "-PT1S"),
    ("PT0.000000001S", "PT0.000000001S"),
    ("PT90M", "PT1H30M"),
    ("P2DT0H", "P2D"),
]


@pytest.mark.parametrize(("text", "canonical"), ROUND_TRIPS)
def test_literals_print_canonically(text: str, canonical: str) -> None:
    assert temporal_to_string(at(text)) == canonical


INVALID = [
    "2017-13-01",
    "2017-02-29",
    "17-01-01",
    "2017-1-01",
    "2017-01-01T",
    "2017-01-01T25:00:00",
    "2017-01-01 10:00:00",
    "10:60:00",
    "10:00:60",
    "10:00",
    "24:00:01",
    "10:00:00+15:00",
    "10:00:00+01:60",
    "10:00:00@No/Such_Zone",
    "10:00:00@",
    "P",
    "PT",
    "P1Y2D",
    "P1YT1H",
    "1D",
    "P1.5D",
    "P-1D",
    "",
    "garbage",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_literals_are_none(text: str) -> None:
    assert parse_temporal_literal(text) is None


def test_specific_parsers() -> None:
    assert parse_date("2017-01-02") == datetime.date(2017, 1, 2)
    assert parse_date("2017-01-02T00:00:00") is None
    assert parse_time("01:02:03.5") == Time(1, 2, 3, 500_000_000)
    assert parse_date_time("2017-01-02") == datetime.datetime(2017, 1, 2)
    assert parse_duration("P1Y") == YearsMonthsDuration(12)
    assert parse_duration("-PT1M") == DaysTimeDuration(-60_000_000_000)


def test_zone_id_and_offset_stay_distinct() -> None:
    zoned = at("2017-01-01T10:30:00@Europe/Paris")
    offset = at("2017-01-01T10:30:00+01:00")
    assert temporal_equals(zoned, offset) is True
    assert temporal_to_string(zoned) != temporal_to_string(offset)


ARITHMETIC = [
    ("2021-01-01T10:10:10", "+", "P1Y", "2022-01-01T10:10:10"),
    ("2021-01-31T10:10:10", "+", "P1M", "2021-02-28T10:10:10"),
    ("2020-02-29", "+", "P1Y", "2021-02-28"),
    ("2021-03-31", "-", "P1M", "2021-02-28"),
    ("P1M", "+", "2021-01-31", "2021-02-28"),
    ("2021-01-01", "+", "P1D", "2021-01-02"),
    ("2021-01-01", "+", "PT36H", "2021-01-02"),
    ("PT48H", "+", "2021-01-01", "2021-01-03"),
    ("2020-03-01", "-", "PT24H", "2020-02-29"),
    ("2021-01-02", "-", "PT1S", "2021-01-01"),
    ("2021-01-01T10:10:10", "+", "P1DT1H", "2021-01-02T11:10:10"),
    ("2021-01-01T10:10:10+11:00", "-", "PT1H", "2021-01-01T09:10:10+11:00"),
    ("2021-03-27T12:00:00@Europe/Paris", "+", "PT24H", "2021-03-28T13:00:00@Europe/Paris"),
    ("2021-01-01T24:00:00", "-", "PT1S", "2021-01-01T23:59:59"),
    ("10:15:00", "+", "PT1H", "11:15:00"),
    ("10:15:00", "+", "P1D", "10:15:00"),
    ("23:30:00+11:00", "+", "PT1H", "00:30:00+11:00"),
    ("00:30:00", "-", "PT1H", "23:30:00"),
    ("P1Y", "+", "P2M", "P1Y2M"),
    ("P1Y", "-", "P2M", "P10M"),
    ("-P1Y", "-", "-P2M", "-P10M"),
    ("P1D", "+", "PT24H", "P2D"),
    ("P1D", "-", "PT2H", "PT22H"),
    ("2021-01-02T10:10:10", "-", "2021-01-01T10:10:10", "P1D"),
    ("2021-01-02T10:10:10+01:00", "-", "2021-01-01T10:10:10@Europe/Paris", "P1D"),
    ("2021-01-02T10:10:10@Europe/Paris", "-", "2021-01-01T10:10:10@Asia/Dhaka", "P1DT5H"),
    ("2021-01-02T00:00:00Z", "-", "2021-01-02", "PT0S"),
    ("2021-01-02", "-", "2021-01-01T10:10:10+11:00", "P1DT49M50S"),
    ("2021-01-02", "-", "1995-01-01", "P9498D"),
    ("2021-01-01", "-", "2021-01-02", "-P1D"),
    ("10:10:10", "-", "11:10:10", "-PT1H"),
    ("10:10:10+11:00", "-", "09:10:10+10:00", "PT0S"),
    ("P1D", "*", "10", "P10D"),
    ("10", "*", "-P1D", "-P10D"),
    ("P4DT1H", "*", "1.5", "P6DT1H30M"),
    ("PT23H", "*", "2.5", "P2DT9H30M"),
    ("P1Y", "*", "10", "P10Y"),
    ("P2M", "*", "-1.5", "-P3M"),
    ("-2.5", "*", "P1Y11M", "-P4Y9M"),
    ("P10Y11M", "/", "2.5", "P4Y4M"),
    ("P10Y11M", "/", "-2.5", "-P4Y4M"),
    ("P3M", "/", "3", "P1M"),
    ("P10DT23H", "/", "2.5", "P4DT9H12M"),
    ("PT1S", "/", "3", "PT0.333333333S"),
    ("P10Y", "/", "P5Y", "2"),
    ("P10D", "/", "P5D", "2"),
    ("P1D", "/", "PT1H", "24"),
]
OPERATIONS = {
    "+": temporal_add,
    "-": temporal_subtract,
    "*": temporal_multiply,
    "/": temporal_divide,
}


def operand(text: str) -> Any:
    try:
        return Decimal(text)
    except ArithmeticError:
        return at(text)


@pytest.mark.parametrize(("a", "op", "b", "expected"), ARITHMETIC)
def test_arithmetic_table(a: str, op: str, b: str, expected: str) -> None:
    result = OPERATIONS[op](operand(a), operand(b))
    if isinstance(result, Decimal):
        assert result == Decimal(expected)
    else:
        assert temporal_to_string(result) == expected


NOT_APPLICABLE_CASES = [
    ("2021-01-01", "+", "2021-01-01"),
    ("2021-01-01", "*", "2"),
    ("10:00:00", "+", "P1M"),
    ("P1Y", "+", "P1D"),
    ("P1Y", "-", "P1D"),
    ("P1D", "-", "2021-01-01"),
    ("P1Y", "/", "P1D"),
    ("P1Y", "*", "P1Y"),
    ("2", "/", "P1D"),
    ("P10Y", "/", "0"),
    ("P10D", "/", "0"),
    ("P10D", "/", "P0D"),
    ("2021-01-02T10:10:10@Europe/Paris", "-", "2021-01-01T10:10:10"),
    ("2021-01-02T10:10:10", "-", "2021-01-01T10:10:10+02:00"),
    ("2021-01-01T00:00:00", "-", "2021-01-02"),
    ("2021-01-02", "-", "2021-01-01T10:10:10"),
    ("10:00:00Z", "-", "10:00:00"),
    ("999999999-12-01", "+", "P1M"),
    ("-999999999-01-01", "-", "P1D"),
    ("10:00:00", "-", "2021-01-01"),
]


@pytest.mark.parametrize(("a", "op", "b"), NOT_APPLICABLE_CASES)
def test_arithmetic_without_result_is_not_applicable(a: str, op: str, b: str) -> None:
    assert OPERATIONS[op](operand(a), operand(b)) is NOT_APPLICABLE


def test_non_temporal_operands_are_not_applicable() -> None:
    assert temporal_add("a", "b") is NOT_APPLICABLE
    assert temporal_subtract(Decimal(1), Decimal(2)) is NOT_APPLICABLE
    assert temporal_multiply(None, at("P1D")) is NOT_APPLICABLE


COMPARISONS = [
    ("2021-01-01", "2021-01-02", -1),
    ("2021-01-02", "2021-01-02", 0),
    ("2021-01-01T10:00:00+01:00", "2021-01-01T09:00:00Z", 0),
    ("2021-01-01T10:00:00@Europe/Paris", "2021-01-01T09:30:00Z", -1),
    ("2018-12-08T00:00:00.0001", "2018-12-08T00:00:00.0000", 0),
    ("2018-12-08T00:00:01", "2018-12-08T00:00:00.9", 1),
    ("10:30:00.0001", "10:30:00.0002", 0),
    ("10:30:00", "10:30:01", -1),
    ("10:00:00+01:00", "09:00:00Z", 0),
    ("23:00:00-01:00", "23:00:00Z", 1),
    ("P1Y", "P11M", 1),
    ("P1D", "PT24H", 0),
    ("-PT1S", "PT0S", -1),
]


@pytest.mark.parametrize(("a", "b", "order"), COMPARISONS)
def test_comparison(a: str, b: str, order: int) -> None:
    assert temporal_compare(at(a), at(b)) == order
    assert temporal_compare(at(b), at(a)) == -order
    assert temporal_equals(at(a), at(b)) is (order == 0)


INCOMPARABLE = [
    ("2021-01-01", "2021-01-01T00:00:00"),
    ("2021-01-01T00:00:00", "2021-01-01T00:00:00Z"),
    ("10:00:00", "10:00:00Z"),
    ("P1Y", "P365D"),
    ("10:00:00", "PT10H"),
]


@pytest.mark.parametrize(("a", "b"), INCOMPARABLE)
def test_incomparable_values(a: str, b: str) -> None:
    assert temporal_compare(at(a), at(b)) is None
    assert temporal_equals(at(a), at(b)) is None


PROPERTIES = [
    ("2018-12-10", "year", Decimal(2018)),
    ("2018-12-10", "month", Decimal(12)),
    ("2018-12-10", "day", Decimal(10)),
    ("2018-12-10", "weekday", Decimal(1)),
    ("2018-12-10T10:30:01", "hour", Decimal(10)),
    ("2018-12-10T10:30:01", "minute", Decimal(30)),
    ("2018-12-10T10:30:01", "second", Decimal(1)),
    ("2018-12-10T10:30:01", "weekday", Decimal(1)),
    ("2018-12-10T10:30:00+05:00", "time offset", DaysTimeDuration.of(hours=5)),
    ("2018-12-10T10:30:00", "time offset", None),
    ("2018-12-10T10:30:00@Etc/UTC", "timezone", "Etc/UTC"),
    ("2018-12-10T10:30:00+01:00", "timezone", None),
    ("10:30:01", "second", Decimal(1)),
    ("10:30:00-05:00", "time offset", DaysTimeDuration.of(hours=-5)),
    ("10:30:00@Etc/UTC", "timezone", "Etc/UTC"),
    ("10:30:00", "timezone", None),
    ("P1Y2M", "years", Decimal(1)),
    ("P1Y2M", "months", Decimal(2)),
    ("-P14M", "months", Decimal(-2)),
    ("P1DT2H3M4.5S", "days", Decimal(1)),
    ("P1DT2H3M4.5S", "hours", Decimal(2)),
    ("P1DT2H3M4.5S", "minutes", Decimal(3)),
    ("P1DT2H3M4.5S", "seconds", Decimal(4)),
    ("-PT26H", "days", Decimal(-1)),
    ("-PT26H", "hours", Decimal(-2)),
]


@pytest.mark.parametrize(("text", "name", "expected"), PROPERTIES)
def test_properties(text: str, name: str, expected: Any) -> None:
    assert temporal_property(at(text), name) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [("P1Y", "days"), ("P1D", "years"), ("2018-12-10", "hour"), ("10:00:00", "year"), ("P1D", "x")],
)
def test_unknown_properties_are_not_applicable(text: str, name: str) -> None:
    assert temporal_property(at(text), name) is NOT_APPLICABLE


def test_values_are_hashable_and_frozen() -> None:
    assert len({at("P1D"), at("PT24H"), at("P1Y"), at("P12M"), at("10:00:00")}) == 3
    with pytest.raises(AttributeError):
        at("P1D").nanoseconds = 1


@pytest.mark.parametrize(
    "fields", [(24, 0, 0, 0), (0, 60, 0, 0), (0, 0, 60, 0), (0, 0, 0, 10**9), (-1, 0, 0, 0)]
)
def test_time_rejects_impossible_fields(fields: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError, match="no such time of day"):
        Time(*fields)


def test_time_prints_as_feel() -> None:
    assert str(Time(9, 5, 3, 250_000_000, datetime.UTC)) == "09:05:03.25Z"
