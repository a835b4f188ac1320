"""FEEL operators on values: arithmetic, comparison, ranges and property access."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from verka.engine.feel.errors import FeelError
from verka.engine.feel.values import (
    NUMBER_CONTEXT,
    FeelFunction,
    Range,
    Value,
    feel_compare,
    feel_equals,
    temporal_module,
    type_name,
)

# Strings may not grow without bound by repeated doubling (`s + s` in a recursion).
MAX_STRING_LENGTH = 10_000_000


class EvaluationProblem(FeelError):
    """An operation that has no result; the evaluator reports it and continues with null."""


_VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "raise"}
_PREPOSITIONS = {"+": "and", "-": "from", "*": "by", "/": "by", "**": "to the power of"}


def kind_of(v: Value) -> str:
    """A value's type for messages: the FEEL type name, or null."""
    return "null" if v is None else type_name(v)


def _no_result(operator: str, a: Value, b: Value) -> EvaluationProblem:
    if operator == "-":
        text = f"cannot subtract {kind_of(b)} from {kind_of(a)}"
    else:
        text = f"cannot {_VERBS[operator]} {kind_of(a)} {_PREPOSITIONS[operator]} {kind_of(b)}"
    return EvaluationProblem(text)


def _finite(result: Decimal, operator: str) -> Decimal:
    if not result.is_finite():
        raise EvaluationProblem(f"the result of '{operator}' is not a finite number")
    return result


def _temporal(operation: str, a: Value, b: Value, operator: str) -> Value:
    # FEEL gives null for a null operand; the DMN TCK also wants the problem reported.
    module = temporal_module()
    if module is None or a is None or b is None:
        raise _no_result(operator, a, b)
    result = getattr(module, operation)(a, b)
    if result is module.NOT_APPLICABLE:
        raise _no_result(operator, a, b)
    if result is None:
        raise EvaluationProblem(
            f"'{operator}' has no result for {kind_of(a)} {a} and {kind_of(b)} {b}"
        )
    return result


def add(a: Value, b: Value) -> Value:
    ta, tb = type(a), type(b)
    if ta is Decimal and tb is Decimal:
        return _finite(NUMBER_CONTEXT.add(a, b), "+")
    if ta is str and tb is str:
        if len(a) + len(b) > MAX_STRING_LENGTH:
            raise EvaluationProblem("the concatenated string would be too long")
        return a + b
    return _temporal("temporal_add", a, b, "+")


def subtract(a: Value, b: Value) -> Value:
    if type(a) is Decimal and type(b) is Decimal:
        return _finite(NUMBER_CONTEXT.subtract(a, b), "-")
    return _temporal("temporal_subtract", a, b, "-")


def multiply(a: Value, b: Value) -> Value:
    if type(a) is Decimal and type(b) is Decimal:
        return _finite(NUMBER_CONTEXT.multiply(a, b), "*")
    return _temporal("temporal_multiply", a, b, "*")


def divide(a: Value, b: Value) -> Value:
    if type(a) is Decimal and type(b) is Decimal:
        if b.is_zero():
            raise EvaluationProblem("division by zero")
        return _finite(NUMBER_CONTEXT.divide(a, b), "/")
    return _temporal("temporal_divide", a, b, "/")


def power(a: Value, b: Value) -> Value:
    if type(a) is not Decimal or type(b) is not Decimal:
        raise _no_result("**", a, b)
    if a.is_zero() and b < 0:
        raise EvaluationProblem("division by zero in '**'")
    if b == b.to_integral_value() and abs(b) > 999_999_999:
        raise EvaluationProblem("the exponent of '**' is too large")
    return _finite(NUMBER_CONTEXT.power(a, b), "**")


ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide, "**": power}


def negate(a: Value) -> Value:
    if type(a) is Decimal:
        return NUMBER_CONTEXT.minus(a)
    module = temporal_module()
    if module is not None:
        result = module.temporal_multiply(a, Decimal(-1))
        if result is not module.NOT_APPLICABLE:
            return result
    raise EvaluationProblem(f"cannot negate {kind_of(a)}")


def compare(operator: str, a: Value, b: Value) -> bool | None:
    """`a operator b` for the six comparison operators; None when null or not comparable."""
    if operator == "=":
        return feel_equals(a, b)
    if operator == "!=":
        same = feel_equals(a, b)
        return None if same is None else not same
    if a is None or b is None:
        return None
    order = feel_compare(a, b)
    if order is None:
        raise EvaluationProblem(f"cannot compare {type_name(a)} with {type_name(b)}")
    if operator == "<":
        return order < 0
    if operator == "<=":
        return order <= 0
    if operator == ">":
        return order > 0
    return order >= 0


def in_range(value: Value, r: Range) -> bool | None:
    """Whether value lies in the range; None when the value is null or of another type."""
    if value is None:
        return None
    if r.comparison == "=" or r.comparison == "!=":
        same = feel_equals(value, r.start)
        return same if r.comparison == "=" or same is None else not same
    if r.start is not None:
        order = feel_compare(value, r.start)
        if order is None:
            return None
        if order < 0 or (order == 0 and not r.start_included):
            return False
    if r.end is not None:
        order = feel_compare(value, r.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not r.end_included):
            return False
    return True


def comparison_range(operator: str, endpoint: Value) -> Range:
    """The range that `< 10`, `>= 5`, `=5`, `!=5` stand for."""
    if operator in ("=", "!="):
        included = operator == "="
        return Range(endpoint, endpoint, included, included, operator)
    if operator in ("<", "<="):
        return Range(None, endpoint, False, operator == "<=", operator)
    return Range(endpoint, None, operator == ">=", False, operator)


def make_range(start: Value, end: Value, start_included: bool, end_included: bool) -> Range:
    if start is not None and end is not None:
        order = feel_compare(start, end)
        if order is None:
            raise EvaluationProblem(
                f"a range cannot go from {type_name(start)} to {type_name(end)}"
            )
    elif start is None and end is None:
        raise EvaluationProblem("a range needs at least one end point")
    return Range(start, end, start_included, end_included)


_ABSENT = object()

_RANGE_PROPERTIES = {
    "start": lambda r: r.start,
    "end": lambda r: r.end,
    "start included": lambda r: r.start_included,
    "end included": lambda r: r.end_included,
}


def get_property(value: Value, name: str, projecting: bool = False) -> Value:
    """`value.name`: a context entry, a projection over a list, or a type's property.

    Outside a projection over a list, a missing entry or a null value is reported.
    """
    if isinstance(value, dict):
        found = value.get(name, _ABSENT)
        if found is _ABSENT:
            if projecting:
                return None
            raise EvaluationProblem(f"the context has no entry '{name}'")
        return found
    if isinstance(value, list):
        return [get_property(item, name, True) for item in value]
    if value is None:
        if projecting:
            return None
        raise EvaluationProblem(f"cannot get '{name}' of null")
    if isinstance(value, Range):
        getter = _RANGE_PROPERTIES.get(name)
        if getter is not None:
            return getter(value)
    elif isinstance(value, Mapping) and not isinstance(value, FeelFunction):
        return value.get(name)
    else:
        module = temporal_module()
        if module is not None and (isinstance(value, datetime.date) or module.is_temporal(value)):
            result = module.temporal_property(value, name)
            if result is not module.NOT_APPLICABLE:
                return _number_if_int(result)
    raise EvaluationProblem(f"{type_name(value)} has no property '{name}'")


def _number_if_int(v: Any) -> Value:
    if type(v) is int:
        return Decimal(v)
    return v
