"""Dates beyond Python's years 1..9999: parsing, printing, arithmetic and comparison."""

import copy
import datetime
import pickle
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel.builtins import call
from verka.engine.feel.temporal import (
    NOT_APPLICABLE,
    parse_temporal_literal,
    temporal_add,
    temporal_compare,
    temporal_equals,
    temporal_property,
    temporal_subtract,
    temporal_to_string,
)
from verka.engine.feel.temporal_calendar import FarDate, make_date
from verka.engine.feel.values import type_name


def at(text: str) -> Any:
    value = parse_temporal_literal(text)
    assert value is not None, text
    return value


@pytest.mark.parametrize(
    "text",
    [
        "-2021-01-01",
        "0000-02-29",
        "10000-01-01",
        "999999999-12-31",
        "-0001-12-31T23:59:59.5Z",
        "-2021-01-01T10:10:10@Australia/Melbourne",
        "12345-06-07T08:09:10+05:30",
    ],
)
def test_far_literals_round_trip(text: str) -> None:
    assert temporal_to_string(at(text)) == text


@pytest.mark.parametrize("text", ["-2021-02-29", "0001-02-29", "10000-13-01", "-0000-00-01"])
def test_far_invalid_dates_are_none(text: str) -> None:
    assert parse_temporal_literal(text) is None


ARITHMETIC = [
    ("-2021-01-01T10:10:10+11:00", "+", "P1M", "-2021-02-01T10:10:10+11:00"),
    ("-2021-01-01T10:10:10+11:00", "+", "P1Y", "-2020-01-01T10:10:10+11:00"),
    ("-2021-01-01T10:10:10+11:00", "+", "-P1M", "-2022-12-01T10:10:10+11:00"),
    (
        "-2021-01-01T10:10:10@Australia/Melbourne",
        "-",
        "P1Y",
        "-2022-01-01T10:10:10@Australia/Melbourne",
    ),
    ("-2021-01-01T10:10:10+11:00", "+", "PT1H", "-2021-01-01T11:10:10+11:00"),
    ("-2021-01-01T10:10:10+11:00", "-", "P1D", "-2022-12-31T10:10:10+11:00"),
    ("9999-12-31", "+", "P1D", "10000-01-01"),
    ("9999-12-31T23:00:00", "+", "PT2H", "10000-01-01T01:00:00"),
    ("0001-01-01", "-", "P1D", "0000-12-31"),
    ("0000-02-29", "+", "P1Y", "0001-02-28"),
    ("-0004-02-29", "+", "P4Y", "0000-02-29"),
    ("-2021-01-01", "-", "2021-01-01", "-P1476311D"),
    ("10000-01-01", "-", "9999-12-31", "P1D"),
    ("-2021-01-02T00:00:00Z", "-", "-2021-01-01T12:00:00Z", "PT12H"),
]


@pytest.mark.parametrize(("a", "op", "b", "expected"), ARITHMETIC)
def test_far_arithmetic(a: str, op: str, b: str, expected: str) -> None:
    operation = temporal_add if op == "+" else temporal_subtract
    assert temporal_to_string(operation(at(a), at(b))) == expected


def test_far_comparison_and_equality() -> None:
    assert temporal_compare(at("-2021-01-01"), at("0001-01-01")) == -1
    assert temporal_compare(at("10000-01-01"), at("9999-12-31")) == 1
    assert temporal_equals(at("-2021-01-01"), at("2379-01-01")) is False
    assert temporal_equals(at("-2021-01-01T10:00:00Z"), at("-2021-01-01T11:00:00+01:00")) is True
    assert at("-2021-01-01") == at("-2021-01-01")
    assert at("-2021-01-01") != at("2379-01-01")
    assert len({at("-2021-01-01"), at("-2021-01-01"), at("2379-01-01")}) == 2
    assert at("-2021-01-01") < at("2379-01-01") > at("-2021-01-01")
    assert at("2379-01-01T00:00:00") > at("-2021-01-01T00:00:00")
    assert sorted([at("0001-01-01"), at("-0001-01-01"), at("10000-01-01")]) == [
        at("-0001-01-01"),
        at("0001-01-01"),
        at("10000-01-01"),
    ]


def test_far_properties_and_functions() -> None:
    day = at("-2021-03-04")
    assert temporal_property(day, "year") == -2021
    assert temporal_property(day, "month") == 3
    assert day.year == -2021
    assert type_name(day) == "date"
    assert call("day of week", [day])[0] == at("2379-03-04").strftime("%A")
    assert temporal_to_string(call("date", [at("-2021-03-04T10:00:00")])[0]) == "-2021-03-04"
    assert (
        temporal_to_string(call("date", [Decimal(-2021), Decimal(3), Decimal(4)])[0])
        == "-2021-03-04"
    )


def test_far_values_copy_and_pickle() -> None:
    for value in (at("-2021-03-04"), at("-2021-03-04T10:00:00@Europe/Paris")):
        assert copy.deepcopy(value) == value
        assert pickle.loads(pickle.dumps(value)) == value


def test_python_arithmetic_on_far_dates_fails_loudly() -> None:
    day = make_date(-5, 1, 1)
    assert isinstance(day, FarDate)
    with pytest.raises(TypeError):
        day + datetime.timedelta(days=1)
    with pytest.raises(TypeError):
        FarDate(2000, 1, 1)


def test_extreme_years() -> None:
    last = at("999999999-12-31T23:59:59Z")
    first = at("-999999999-01-01T00:00:00Z")
    assert temporal_compare(first, last) == -1
    assert temporal_subtract(last, first) is NOT_APPLICABLE  # beyond any duration held
    assert temporal_add(last, at("PT1S")) is NOT_APPLICABLE
    assert temporal_to_string(temporal_add(at("2000-01-01"), at("P3000000D"))) == "10213-09-21"
