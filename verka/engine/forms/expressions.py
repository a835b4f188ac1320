"""FEEL in forms, evaluated as the form-js viewer does (the `=` prefix, its variables, null rules)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from verka.engine.bounded_regex import RegexBudget
from verka.engine.feel import (
    Diagnostics,
    FeelError,
    evaluate,
    evaluate_unary_tests,
    parse_expression,
    parse_unary_tests,
)


class EvaluationStopped(Exception):
    """A form expression ran out of its limits (steps or regular-expression time): the form's
    state cannot be known, so the submission cannot be judged."""


def is_expression(value: object) -> bool:
    """form-js treats a string as FEEL exactly when it starts with '='."""
    return isinstance(value, str) and value.startswith("=")


def syntax_problem(expression: str, *, condition: bool = False) -> str | None:
    """Why the FEEL after the '=' does not parse, or None when it does.

    Conditions (`conditional.hide`, `readonly`) are parsed as unary tests, as the viewer runs them.
    """
    body = expression[1:]
    if not body.strip():
        return "the FEEL expression after '=' is empty"
    try:
        if condition:
            parse_unary_tests(body)
        else:
            parse_expression(body)
    except FeelError as problem:
        return f"invalid FEEL: {problem}"
    except RecursionError:
        return "invalid FEEL: nested too deeply"
    return None


def _stopped(diagnostics: Diagnostics) -> None:
    if diagnostics.stopped is not None:
        raise EvaluationStopped(diagnostics.stopped)


def evaluate_expression(
    expression: str, variables: Mapping[str, Any], budget: RegexBudget | None = None
) -> Any:
    """The value of a FEEL expression; None when it fails, as the viewer swallows errors too.

    budget is the regular-expression time the whole validation shares; EvaluationStopped
    when the expression runs out of it (or of steps).
    """
    diagnostics = Diagnostics(regex=budget)
    try:
        value = evaluate(expression[1:], variables, diagnostics=diagnostics)
    except (FeelError, RecursionError):
        return None
    _stopped(diagnostics)
    return value


def evaluate_condition(
    expression: str, variables: Mapping[str, Any], budget: RegexBudget | None = None
) -> bool:
    """A `conditional.hide` or `readonly` expression, with the viewer's semantics.

    The viewer runs these as FEEL unary tests against a null input and asks whether the result
    is exactly true. So a boolean counts as itself, a null result counts as true (null equals
    the null input), and ``not(...)`` around the whole text negates the test.
    """
    diagnostics = Diagnostics(regex=budget)
    try:
        result = evaluate_unary_tests(expression[1:], None, variables, diagnostics=diagnostics)
    except (FeelError, RecursionError):
        # The viewer reports a failing test as null, and null is not true.
        return False
    _stopped(diagnostics)
    return result is True


def expression_variables(
    *,
    data: Mapping[str, Any],
    this: Any,
    parent: Any,
    indexes: tuple[int, ...],
) -> dict[str, Any]:
    """The variables form-js gives an expression: the form data plus this/parent/i.

    Data keys win over the plain names `this`, `parent` and `i`; the underscored names
    `_this_`, `_parent_` and `_i_` always mean the special values.
    """
    specials = {"this": this, "parent": parent, "i": [Decimal(n) for n in indexes]}
    variables: dict[str, Any] = dict(specials)
    variables.update(data)
    for name, value in specials.items():
        variables[f"_{name}_"] = value
    return variables
