"""Conversion and context built-ins: date, time, date and time, duration, number, string, context*."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel.builtins import call
from verka.engine.feel.temporal import parse_temporal_literal
from verka.engine.feel.values import from_python, to_feel_string, type_name


def at(text: str) -> Any:
    """A temporal value from its literal text, as @"..." writes it."""
    value = parse_temporal_literal(text)
    assert value is not None, text
    return value


def shown(value: Any) -> tuple[str, str]:
    return type_name(value), to_feel_string(value)


CASES = [
    ("date", ["2012-12-25"], "date", "2012-12-25"),
    ("date", [at("2012-12-25T12:00:00+01:00")], "date", "2012-12-25"),
    ("date", [at("2012-12-25")], "date", "2012-12-25"),
    ("date", [2012, 12, 25], "date", "2012-12-25"),
    ("date", [2024, 2, 29], "date", "2024-02-29"),
    ("date and time", ["2012-12-24T23:59:00"], "date and time", "2012-12-24T23:59:00"),
    ("date and time", ["2012-12-24"], "date and time", "2012-12-24T00:00:00"),
    ("date and time", ["2012-12-24T23:59:00.5Z"], "date and time", "2012-12-24T23:59:00.5Z"),
    (
        "date and time",
        ["2018-12-10T10:30:00@Europe/Paris"],
        "date and time",
        "2018-12-10T10:30:00@Europe/Paris",
    ),
    (
        "date and time",
        [at("2012-12-24"), at("23:59:00+02:00")],
        "date and time",
        "2012-12-24T23:59:00+02:00",
    ),
    (
        "date and time",
        [at("2012-12-24T10:00:00"), at("23:59:00")],
        "date and time",
        "2012-12-24T23:59:00",
    ),
    ("time", ["23:59:00z"], "time", "23:59:00Z"),
    ("time", ["10:30:00.125-05:30"], "time", "10:30:00.125-05:30"),
    ("time", ["10:30:00@America/New_York"], "time", "10:30:00@America/New_York"),
    ("time", [23, 59, 0], "time", "23:59:00"),
    ("time", [14, 30, Decimal("1.5"), at("PT1H")], "time", "14:30:01.5+01:00"),
    ("time", [14, 30, 0, None], "time", "14:30:00"),
    ("time", [at("2012-12-24T23:59:00+01:00")], "time", "23:59:00+01:00"),
    ("time", [at("2012-12-24T23:59:00@Europe/Paris")], "time", "23:59:00@Europe/Paris"),
    ("time", [at("2012-12-24")], "time", "00:00:00Z"),
    ("duration", ["P2Y2M"], "years and months duration", "P2Y2M"),
    ("duration", ["P14M"], "years and months duration", "P1Y2M"),
    ("duration", ["P2DT20H14M"], "days and time duration", "P2DT20H14M"),
    ("duration", ["PT36H"], "days and time duration", "P1DT12H"),
    ("duration", ["-PT0.5S"], "days and time duration", "-PT0.5S"),
    (
        "years and months duration",
        [at("2011-12-22"), at("2013-08-24")],
        "years and months duration",
        "P1Y8M",
    ),
    (
        "years and months duration",
        [at("2013-08-24"), at("2011-12-22")],
        "years and months duration",
        "-P1Y8M",
    ),
    (
        "years and months duration",
        [at("2011-12-22"), at("2013-08-21")],
        "years and months duration",
        "P1Y7M",
    ),
    (
        "years and months duration",
        [at("2015-12-31T10:00:00"), at("2016-01-31T09:00:00")],
        "years and months duration",
        "P0M",
    ),
    (
        "years and months duration",
        [at("2015-12-31"), at("2016-01-31T00:00:00")],
        "years and months duration",
        "P1M",
    ),
    ("number", ["1.000.000,01", ".", ","], "number", "1000000.01"),
    ("number", ["1,000,000.01", ",", "."], "number", "1000000.01"),
    ("number", ["1 000 000.01", " ", "."], "number", "1000000.01"),
    ("number", ["1000000.01", None, "."], "number", "1000000.01"),
    ("number", ["1,000,000", ",", None], "number", "1000000"),
    ("number", ["12"], "number", "12"),
    ("number", ["-1.5e3"], "number", "-1500"),
    ("string", [Decimal("1.10")], "string", "1.1"),
    ("string", [True], "string", "true"),
    ("string", ["x"], "string", "x"),
    ("string", [[1, "a"]], "string", '[1, "a"]'),
    ("string", [{"a": 1}], "string", "{a: 1}"),
    ("string", [at("-PT1S")], "string", "-PT1S"),
    ("string", [at("2012-12-25T12:00:00+00:00")], "string", "2012-12-25T12:00:00Z"),
]


@pytest.mark.parametrize(("name", "args", "kind", "text"), CASES)
def test_conversion_results(name: str, args: list[Any], kind: str, text: str) -> None:
    result, messages = call(name, from_python(args))
    assert shown(result) == (kind, text), messages
    assert messages == []


def test_date_from_date_and_time_is_a_plain_date() -> None:
    result, _ = call("date", [at("2012-12-25T23:00:00")])
    assert type(result) is datetime.date


ERRORS = [
    ("date", ["2012-13-01"]),
    ("date", ["2012-02-30"]),
    ("date", ["12-12-25"]),
    ("date", ["2012-12-25T10:00:00"]),
    ("date", [2012, 13, 1]),
    ("date", [2012, Decimal("1.5"), 1]),
    ("date", [None]),
    ("date", [1]),
    ("date", []),
    ("date and time", ["2012-12-24T25:00:00"]),
    ("date and time", ["2012-12-24T10:00:00@Mars/Olympus"]),
    ("date and time", ["2012-12-24T10:00:00+15:00"]),
    ("date and time", [at("10:00:00"), at("2012-12-24")]),
    ("time", ["24:00:01"]),
    ("time", ["10:60:00"]),
    ("time", ["10:00"]),
    ("time", [24, 0, 0]),
    ("time", [10, 0, 60]),
    ("time", [10, 0, 0, "+01:00"]),
    ("time", [10, 0, 0, at("PT15H")]),
    ("duration", ["P1Y2D"]),
    ("duration", ["P"]),
    ("duration", ["PT"]),
    ("duration", ["1D"]),
    ("duration", [None]),
    ("years and months duration", [at("2012-12-24T10:00:00Z"), at("2013-12-24T10:00:00")]),
    ("years and months duration", [at("10:00:00"), at("2013-12-24")]),
    ("number", ["1,000,000.01", " ", "."]),
    ("number", ["1,000,000.01", ":", "."]),
    ("number", ["1,000,000.01", ",", ":"]),
    ("number", ["1,000,000.00", ",", ","]),
    ("number", ["foo,bar.001", ".", ","]),
    ("number", ["1,000", Decimal(1), "."]),
    ("number", [Decimal(123), ".", ","]),
    ("number", ["1.000.000,01", ".", ",", ","]),
    ("number", [""]),
]


@pytest.mark.parametrize(("name", "args"), ERRORS)
def test_conversion_misuse_gives_null_with_a_message(name: str, args: list[Any]) -> None:
    result, messages = call(name, from_python(args))
    assert result is None
    assert len(messages) == 1
    assert messages[0].startswith(name + ":")


def test_string_of_null_is_null() -> None:
    assert call("string", [None]) == (None, [])


def test_number_with_named_separators() -> None:
    named = {"from": "1.000.000,01", "decimal separator": ",", "grouping separator": "."}
    assert call("number", None, named)[0] == Decimal("1000000.01")
    assert call("number", None, {"from": "1", "decimal sep": ","})[0] is None


def test_time_with_named_parts() -> None:
    named = from_python({"hour": 1, "minute": 2, "second": 3, "offset": at("-PT2H")})
    assert to_feel_string(call("time", None, named)[0]) == "01:02:03-02:00"


CONTEXT_CASES = [
    ("context", [[{"key": "a", "value": 1}, {"key": "b", "value": 2}]], "{a: 1, b: 2}"),
    ("context", [{"key": "a", "value": 1}], "{a: 1}"),
    ("context", [{"key": "a", "value": None}], "{a: null}"),
    ("context", [[{"key": "a", "value": 1, "ignored": 0}]], "{a: 1}"),
    ("context", [[]], "{}"),
    ("context put", [{}, "a", 1], "{a: 1}"),
    ("context put", [{"a": 1, "b": 2, "c": 3}, "b", 3], "{a: 1, b: 3, c: 3}"),
    ("context put", [{}, "a", None], "{a: null}"),
    ("context put", [{"x": 1, "y": {"a": 0}}, ["y", "a"], 2], "{x: 1, y: {a: 2}}"),
    ("context put", [{"x": 1, "y": {"a": 0}}, ["y", "b"], 2], "{x: 1, y: {a: 0, b: 2}}"),
    ("context put", [{"x": 1}, ["y", "b"], 2], "{x: 1, y: {b: 2}}"),
    ("context merge", [[{"a": 1}, {"b": 2}]], "{a: 1, b: 2}"),
    ("context merge", [[{"a": 1}, {"a": 2}]], "{a: 2}"),
    ("context merge", [[{"a": {"aa": 1}}, {"a": {"bb": 2}}]], "{a: {bb: 2}}"),
    ("context merge", [{"a": 1}], "{a: 1}"),
    ("get value", [{"a": "foo"}, "a"], "foo"),
    ("get value", [{"a": "foo"}, "b"], "null"),
    ("get value", [{"a": {"b": 1}}, ["a", "b"]], "1"),
    ("get entries", [{"a": 1, "b": None}], '[{key: "a", value: 1}, {key: "b", value: null}]'),
    ("get entries", [{}], "[]"),
]


@pytest.mark.parametrize(("name", "args", "text"), CONTEXT_CASES)
def test_context_function_results(name: str, args: list[Any], text: str) -> None:
    result, messages = call(name, from_python(args))
    assert to_feel_string(result) == text
    assert messages == []


CONTEXT_ERRORS = [
    ("context", [[{"key": "a", "value": 1}, {"key": "a", "value": 2}]]),
    ("context", [{"value": 1}]),
    ("context", [{"key": None, "value": 1}]),
    ("context", [{"key": "a"}]),
    ("context", [None]),
    ("context", ["foo"]),
    ("context put", [{}, None, 1]),
    ("context put", [None, "a", 1]),
    ("context put", [{}, "a"]),
    ("context put", [[], "a", 1]),
    ("context put", [{}, 1, 1]),
    ("context put", [{"x": 1, "y": {"a": 0}}, ["y", None], 2]),
    ("context put", [{"x": 1, "y": {"a": 0}}, [], 2]),
    ("context put", [{"x": 1, "y": {"a": 0}}, ["y", "a", "b"], 2]),
    ("context merge", [None]),
    ("context merge", [[1, 2]]),
    ("context merge", [[{"a": 1}, 2]]),
    ("get value", [{"a": "foo"}]),
    ("get value", ["foo", "foo"]),
    ("get value", [{"a": "foo"}, 123]),
    ("get value", [None, "a"]),
    ("get entries", [[1]]),
]


@pytest.mark.parametrize(("name", "args"), CONTEXT_ERRORS)
def test_context_misuse_gives_null_with_a_message(name: str, args: list[Any]) -> None:
    result, messages = call(name, from_python(args))
    assert result is None
    assert len(messages) == 1


def test_context_put_leaves_the_original_alone() -> None:
    original = {"a": {"b": Decimal(1)}}
    result, _ = call("context put", [original, ["a", "b"], Decimal(2)])
    assert original == {"a": {"b": 1}}
    assert result == {"a": {"b": 2}}


def test_context_put_named_keys_versus_key() -> None:
    context = from_python({"x": 1, "y": {"a": 0}})
    named = {"context": context, "keys": ["y", "a"], "value": Decimal(2)}
    assert to_feel_string(call("context put", None, named)[0]) == "{x: 1, y: {a: 2}}"
    named = {"context": context, "key": ["y", "a"], "value": Decimal(2)}
    assert call("context put", None, named)[0] is None


def test_get_value_named() -> None:
    assert call("get value", None, {"key": "a", "m": {"a": "foo"}})[0] == "foo"
    assert call("get value", None, {"k": "a", "m": {"a": "foo"}})[0] is None
