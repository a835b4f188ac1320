"""Property tests: random text and token soups never break the parser or the evaluator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verka.engine.feel import (
    Diagnostics,
    FeelError,
    FeelSyntaxError,
    evaluate,
    evaluate_unary_tests,
    parse_expression,
    parse_unary_tests,
)

TOKENS = [
    "1",
    "2.5",
    "-",
    "+",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    "?",
    '"s"',
    '@"2024-01-01"',
    '@"P1D"',
    "true",
    "false",
    "null",
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "between",
    "instance",
    "of",
    "function",
    "external",
    "item",
    "partial",
    "x",
    "xs",
    "f",
    "date",
    "date and time",
    "string length",
    "sum",
    "number",
    "list<",
    ">",
    "->",
    "//c\n",
    "/*c*/",
    "`a b`",
    "1e3",
    '"\\\\d"',
]

CONTEXT = {"x": Decimal(3), "xs": [Decimal(1), Decimal(2)], "f": None}

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_expression(text: str) -> None:
    try:
        expression = parse_expression(text, ["x", "xs"])
    except FeelSyntaxError as error:
        assert error.line >= 1 and error.column >= 1
        assert "^" in str(error)
        return
    diagnostics = Diagnostics()
    expression.evaluate(CONTEXT, diagnostics)
    assert not [m for m in diagnostics.messages if m.startswith("internal error")]


def check_unary(text: str) -> None:
    try:
        tests = parse_unary_tests(text)
    except FeelError:
        return
    diagnostics = Diagnostics()
    result = tests.evaluate(Decimal(2), CONTEXT, diagnostics)
    assert result in (True, False, None)
    assert not [m for m in diagnostics.messages if m.startswith("internal error")]


@SETTINGS
@given(st.text(max_size=40))
def test_random_text_never_escapes_as_anything_but_feel_errors(text: str) -> None:
    check_expression(text)
    check_unary(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_token_soups_never_escape_as_anything_but_feel_errors(tokens: list[str]) -> None:
    text = " ".join(tokens)
    check_expression(text)
    check_unary(text)


@SETTINGS
@given(
    st.recursive(
        st.sampled_from(["1", "x", "null", '"a"', "xs", "true", '@"2024-01-01"', "[1..3]"]),
        lambda inner: st.one_of(
            st.tuples(
                inner, st.sampled_from(["+", "-", "*", "/", "**", "=", "<", "and", "or"]), inner
            ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"[{t[0]}, {t[1]}]"),
            inner.map(lambda e: f"for i in xs return {e}"),
            inner.map(lambda e: f"xs[{e}]"),
            inner.map(lambda e: f"{{k: {e}}}.k"),
            inner.map(lambda e: f"if {e} then 1 else 2"),
            inner.map(lambda e: f"sum({e})"),
        ),
        max_leaves=8,
    )
)
def test_well_formed_expressions_evaluate_without_raising(text: str) -> None:
    diagnostics = Diagnostics()
    evaluate(text, CONTEXT, diagnostics=diagnostics)
    evaluate_unary_tests(text, Decimal(1), CONTEXT, diagnostics=diagnostics)
    assert not [m for m in diagnostics.messages if m.startswith("internal error")]


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    text = "(" * 5000 + "1" + ")" * 5000
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        parse_expression(text)


def test_moderate_nesting_parses_and_evaluates() -> None:
    assert evaluate("(" * 40 + "1 + 1" + ")" * 40) == Decimal(2)


def test_very_long_operator_chains_are_a_syntax_error_not_a_crash() -> None:
    assert evaluate(" + ".join(["1"] * 200)) == Decimal(200)
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        parse_expression(" + ".join(["1"] * 5000))


def test_runaway_loops_stop_when_the_work_budget_is_spent() -> None:
    diagnostics = Diagnostics(work_budget=1000)
    assert evaluate("for i in 1..100, j in 1..100 return 0", diagnostics=diagnostics) is None
    assert diagnostics.messages == [
        "the evaluation needs too many steps and was stopped (line 1, column 1)"
    ]


def test_runaway_recursion_stops_when_the_work_budget_is_spent() -> None:
    fib = "{fib: function(n) if n < 2 then n else fib(n - 1) + fib(n - 2)}.fib"
    assert evaluate(f"{fib}(10)", diagnostics=Diagnostics(work_budget=1000)) == Decimal(55)
    diagnostics = Diagnostics(work_budget=1000)
    assert evaluate(f"{fib}(30)", diagnostics=diagnostics) is None
    assert "the evaluation needs too many steps and was stopped" in diagnostics.messages


def test_strings_cannot_double_without_bound() -> None:
    diagnostics = Diagnostics()
    doubling = '{f: function(s, n) if n = 0 then s else f(s + s, n - 1)}.f("x", 40)'
    assert evaluate(doubling, diagnostics=diagnostics) is None
    assert "the concatenated string would be too long (line 1, column 45)" in diagnostics.messages
