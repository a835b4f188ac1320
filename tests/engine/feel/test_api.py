"""The public API: evaluate, unary tests, Camunda expressions, host functions, named types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from verka.engine.feel import (
    Diagnostics,
    FeelError,
    FeelFunction,
    FeelSyntaxError,
    Range,
    Value,
    evaluate,
    evaluate_camunda,
    evaluate_unary_tests,
    parse_expression,
)
from verka.engine.feel.bench import bench_conditions


class Greeting(FeelFunction):
    """A host function, as DMN business knowledge models are."""

    name = "greet"

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        who = positional[0] if positional is not None else (named or {}).get("who")
        return f"Hello {who}"


class Broken(FeelFunction):
    name = "broken"

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        raise ValueError("boom")


def test_host_functions_are_invoked_positionally_and_by_name() -> None:
    context = {"greet": Greeting()}
    assert evaluate('greet("Ann")', context) == "Hello Ann"
    assert evaluate('greet(who: "Bo")', context) == "Hello Bo"


def test_a_failing_host_function_gives_null_and_a_diagnostic() -> None:
    diagnostics = Diagnostics()
    assert evaluate("broken(1)", {"broken": Broken()}, diagnostics=diagnostics) is None
    assert diagnostics.messages == ["broken failed: boom (line 1, column 7)"]


def test_context_names_with_spaces_and_operators_are_recognised() -> None:
    context = {"Loan Amount": Decimal(100), "rate-pct": Decimal(2), "date and time": "shadowed"}
    assert evaluate("Loan Amount * rate-pct", context) == Decimal(200)
    # A variable shadows the built-in of the same name.
    assert evaluate("date and time", context) == "shadowed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=amount > 10", True),
        ("= amount + 1", Decimal(21)),
        ("amount > 10", "amount > 10"),
        ("42", "42"),
        ("", ""),
    ],
)
def test_camunda_expressions(text: str, expected: Value) -> None:
    assert evaluate_camunda(text, {"amount": 20}) == expected


def test_camunda_syntax_errors_raise_feel_syntax_error() -> None:
    with pytest.raises(FeelSyntaxError):
        evaluate_camunda("=amount >", {"amount": 1})


def test_syntax_errors_are_feel_errors() -> None:
    with pytest.raises(FeelError):
        evaluate("1 +")


def test_named_types_from_the_caller() -> None:
    types = {
        "tPerson": "context<name: string, age: number>",
        "tAdult": lambda v: isinstance(v, dict) and v.get("age", 0) >= 18,
    }
    person = {"name": "Ann", "age": Decimal(30)}
    assert evaluate("p instance of tPerson", {"p": person}, types=types) is True
    assert evaluate("p instance of tAdult", {"p": person}, types=types) is True
    assert evaluate("{name: 1} instance of tPerson", types=types) is False
    assert evaluate("[p] instance of list<tPerson>", {"p": person}, types=types) is True
    diagnostics = Diagnostics()
    assert evaluate("1 instance of tUnknown", diagnostics=diagnostics) is None
    assert diagnostics.messages == ["unknown type 'tUnknown' (line 1, column 3)"]


def test_expression_objects_are_reusable() -> None:
    expression = parse_expression("a * 2")
    assert expression.evaluate({"a": Decimal(2)}) == Decimal(4)
    assert evaluate(expression, {"a": Decimal(5)}) == Decimal(10)


def test_unary_tests_with_context() -> None:
    assert evaluate_unary_tests("[low..high]", Decimal(5), {"low": 1, "high": 9}) is True


def test_range_is_exported_for_callers() -> None:
    assert evaluate("[1..2]") == Range(Decimal(1), Decimal(2), True, True)
    assert evaluate("(=2)") == Range(Decimal(2), Decimal(2), True, True, "=")
    assert evaluate("(=2) = [2..2]") is False
    assert evaluate("2 in (!=2)") is False


def test_diagnostics_collect_every_problem() -> None:
    diagnostics = Diagnostics()
    assert evaluate("[x + 1, y / 0]", {"x": "a", "y": 1}, diagnostics=diagnostics) == [None, None]
    assert diagnostics.messages == [
        "cannot add string and number (line 1, column 4)",
        "division by zero (line 1, column 11)",
    ]


def test_benchmark_reports_a_rate() -> None:
    assert bench_conditions(3000) > 1000


def test_constant_parts_are_computed_once_but_problems_are_reported_every_time() -> None:
    expression = parse_expression("1 / 0")
    for _ in range(2):
        diagnostics = Diagnostics()
        assert expression.evaluate({}, diagnostics) is None
        assert diagnostics.messages == ["division by zero (line 1, column 3)"]
    lists = parse_expression("[1, 2]")
    first, second = lists.evaluate(), lists.evaluate()
    assert first == second and first is not second
    assert evaluate_unary_tests("[5..9]", Decimal(7)) is True
    assert evaluate_unary_tests("[5..9]", Decimal(10)) is False


def test_an_invalid_named_type_is_reported_not_raised() -> None:
    diagnostics = Diagnostics()
    assert evaluate("1 instance of tBad", types={"tBad": "list<"}, diagnostics=diagnostics) is None
    assert diagnostics.messages[0].startswith("type 'tBad' is not a valid FEEL type: ")
