"""Zeebe expressions: "=" marks FEEL, anything else is a static string."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from verka.engine.runtime.expressions import (
    ExpressionFailure,
    evaluate,
    evaluate_bool,
    evaluate_int,
    evaluate_str,
    evaluate_strings,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain text", "plain text"),
        ("= 1 + 2", Decimal(3)),
        ('="a" + b', "ab"),
        ("=missing", None),
    ],
)
def test_evaluate(text: str, expected: Any) -> None:
    assert evaluate(text, {"b": "b"}) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("=5.0", "5"), ("=100", "100"), ("=0.25", "0.25"), ("id-7", "id-7"), ('="x"', "x")],
)
def test_numbers_as_text(text: str, expected: str) -> None:
    assert evaluate_str(text, {}, "correlation key") == expected


@pytest.mark.parametrize(
    "text, expected",
    [("a, b ,c", ("a", "b", "c")), ('=["x", "y"]', ("x", "y")), ('="solo"', ("solo",)), ("", ())],
)
def test_candidate_lists(text: str, expected: tuple[str, ...]) -> None:
    assert evaluate_strings(text, {}, "candidate groups") == expected


def test_failures_say_what_was_expected_and_why() -> None:
    with pytest.raises(ExpressionFailure) as caught:
        evaluate_bool('=x > "a"', {"x": Decimal(1)}, "condition")
    assert caught.value.message.startswith(
        "expected condition '=x > \"a\"' to be a boolean, but it was null"
    )
    with pytest.raises(ExpressionFailure, match="to be an integer, but it was a number \\(1.5\\)"):
        evaluate_int("=1.5", {}, "retries")
    assert evaluate_int("3", {}, "retries") == 3
