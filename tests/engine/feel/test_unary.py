"""Unary tests (decision-table input entries): text, input value -> true, false or null."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel import Diagnostics, evaluate_unary_tests


def D(text: str | int) -> Decimal:
    return Decimal(text)


CONTEXT: dict[str, Any] = {"limit": D(100), "allowed": ["a", "b"], "Max Age": D(65)}

CASES: list[tuple[str, Any, bool | None]] = [
    ("-", D(5), True),
    ("-", None, True),
    ("5", D(5), True),
    ("5", D(6), False),
    ('"open"', "open", True),
    ('"open", "new"', "new", True),
    ('"open", "new"', "closed", False),
    ("< 10", D(5), True),
    ("< 10", D(10), False),
    ("<= 10", D(10), True),
    ("> 10", D(11), True),
    (">= 10", D(9), False),
    ("= 10", D(10), True),
    ("!= 10", D(10), False),
    ("[1..10]", D(10), True),
    ("[1..10)", D(10), False),
    ("(1..10]", D(1), False),
    ("]1..10]", D(1), False),
    ("[1..10[", D(10), False),
    ("< limit", D(50), True),
    ("> limit, < 0", D(-1), True),
    ("not(5)", D(5), False),
    ("not(5)", D(6), True),
    ("not(< 5, > 10)", D(7), True),
    ("not(< 5, > 10)", D(3), False),
    ("null", None, True),
    ("null", D(1), False),
    ("not(null)", D(1), True),
    ("< 10", None, None),
    ("< 10", "text", None),
    ("5", "5", None),
    ("? > 5", D(6), True),
    ("? > 5", D(4), False),
    ("? > 5 and ? < 10", D(7), True),
    ("? > 5", None, None),
    ("string length(?) = 3", "abc", True),
    ("count(?) > 1", [D(1), D(2)], True),
    ("allowed", "a", True),
    ("allowed", "c", False),
    ('["x", "y"]', "y", True),
    ("[[1..2], [5..6]]", D(5), True),
    ("true", True, True),
    ("false", False, True),
    ("false", True, False),
    ("limit > 50", D(1), True),
    ("< Max Age", D(30), True),
    ('< date("2024-01-01")', datetime.date(2023, 12, 31), True),
    ('[@"2024-01-01"..@"2024-12-31"]', datetime.date(2024, 6, 1), True),
    ('>= duration("P1D")', None, None),
    ("(< 5)", D(3), True),
    ("1, (2..4)", D(3), True),
    ("list contains(?, 2)", [D(1), D(2)], True),
    ("[1, 2]", [D(1), D(2)], True),
]


@pytest.mark.parametrize(("tests", "value", "expected"), CASES)
def test_unary_tests(tests: str, value: Any, expected: bool | None) -> None:
    assert evaluate_unary_tests(tests, value, CONTEXT) is expected


def test_plain_python_input_values_are_converted() -> None:
    assert evaluate_unary_tests("[1..10]", 5) is True
    assert evaluate_unary_tests("< 1.5", 1.25) is True


def test_type_mismatch_is_reported() -> None:
    diagnostics = Diagnostics()
    assert evaluate_unary_tests("< 10", "x", diagnostics=diagnostics) is None
    assert diagnostics.messages == ["cannot compare string with number (line 1, column 1)"]
