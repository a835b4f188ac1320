"""FEEL values: equality, ordering, type names, string forms and conversion from Python."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel.values import (
    Diagnostics,
    FeelFunction,
    Range,
    Value,
    feel_compare,
    feel_equals,
    from_python,
    to_feel_string,
    type_name,
)


class Identity(FeelFunction):
    name = "identity"

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        return positional[0] if positional else None


D = Decimal
FUNCTION = Identity()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, True),
        (None, D(1), False),
        (D(1), None, False),
        (D("1.0"), D(1), True),
        (D(1), D(2), False),
        ("a", "a", True),
        (True, True, True),
        (True, D(1), None),
        (D(1), "1", None),
        ([D(1), "a"], [D(1), "a"], True),
        ([D(1)], [D(1), D(2)], False),
        ([D(1), "a"], [D(1), D(2)], None),
        ({"a": D(1)}, {"a": D("1.00")}, True),
        ({"a": D(1)}, {"b": D(1)}, False),
        (Range(D(1), D(2), True, True), Range(D(1), D(2), True, True), True),
        (Range(D(1), D(2), True, True), Range(D(1), D(2), True, False), False),
        (Range(None, D(2), False, False, "<"), Range(None, D(2), False, False), False),
        (datetime.date(2024, 1, 1), datetime.date(2024, 1, 1), True),
        (FUNCTION, FUNCTION, True),
        (FUNCTION, Identity(), False),
    ],
)
def test_feel_equals(a: Any, b: Any, expected: bool | None) -> None:
    assert feel_equals(a, b) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(1), D(2), -1),
        (D(2), D("2.0"), 0),
        ("b", "a", 1),
        (None, D(1), None),
        (True, False, None),
        (D(1), "1", None),
        (datetime.date(2024, 1, 2), datetime.date(2024, 1, 1), 1),
        ([D(1)], [D(1)], None),
    ],
)
def test_feel_compare(a: Any, b: Any, expected: int | None) -> None:
    assert feel_compare(a, b) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "Null"),
        (D(1), "number"),
        ("s", "string"),
        (False, "boolean"),
        (datetime.date(2024, 1, 1), "date"),
        (datetime.datetime(2024, 1, 1, 10), "date and time"),
        ([], "list"),
        ({}, "context"),
        (Range(D(1), D(2), True, True), "range"),
        (FUNCTION, "function"),
    ],
)
def test_type_name(value: Any, expected: str) -> None:
    assert type_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (D("1.50"), "1.5"),
        (D("100"), "100"),
        (D("1E+3"), "1000"),
        (D("-0.00"), "0"),
        (D("0.000001"), "0.000001"),
        (True, "true"),
        ("text", "text"),
        ([D(1), "a", None], '[1, "a", null]'),
        ({"a": D(1), "b c": "x"}, '{a: 1, "b c": "x"}'),
        (Range(D(1), D(5), False, True), "(1..5]"),
        (Range(None, D(5), False, True, "<="), "<= 5"),
        (Range(D(5), D(5), True, True, "="), "=5"),
        (datetime.date(2024, 3, 5), "2024-03-05"),
    ],
)
def test_to_feel_string(value: Any, expected: str) -> None:
    assert to_feel_string(value) == expected


def test_from_python_converts_numbers_deeply() -> None:
    assert from_python({"a": [1, 2.5, (3,)], "b": True}) == {
        "a": [D(1), D("2.5"), [D(3)]],
        "b": True,
    }
    assert type(from_python(True)) is bool
    assert from_python(FUNCTION) is FUNCTION
