"""Evaluates Zeebe expressions: "=..." is FEEL, anything else is a static string."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from verka.engine import feel
from verka.engine.runtime.state import Value


class ExpressionFailure(Exception):
    """An expression could not be evaluated; the runtime turns it into an incident."""

    def __init__(self, message: str, error_type: str = "EXTRACT_VALUE_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type


def is_expression(text: str) -> bool:
    return text.startswith("=")


def _evaluate(text: str, context: Mapping[str, Value], what: str) -> tuple[Value, str]:
    """The value and, when FEEL reported problems (it answers them with null), why."""
    if not is_expression(text):
        return text, ""
    diagnostics = feel.Diagnostics()
    try:
        value = feel.evaluate(text[1:], context, diagnostics=diagnostics)
    except Exception as error:  # any FEEL failure becomes an incident, never a crash
        raise ExpressionFailure(f"failed to evaluate {what} '{text}': {error}") from None
    if diagnostics.stopped is not None:
        # Past a limit the value may look ordinary (`matches(x, p) or true`) yet be wrong.
        raise ExpressionFailure(f"failed to evaluate {what} '{text}': {diagnostics.stopped}")
    why = f" ({'; '.join(diagnostics.messages)})" if diagnostics.messages else ""
    return value, why


def evaluate(text: str, context: Mapping[str, Value], what: str = "expression") -> Value:
    """The value of a Zeebe expression; raises ExpressionFailure instead of FEEL errors."""
    return _evaluate(text, context, what)[0]


def _wrong(what: str, text: str, expected: str, value: Value, why: str) -> ExpressionFailure:
    return ExpressionFailure(
        f"expected {what} '{text}' to be {expected}, but it was {describe(value)}{why}"
    )


def evaluate_bool(text: str, context: Mapping[str, Value], what: str = "condition") -> bool:
    value, why = _evaluate(text, context, what)
    if not isinstance(value, bool):
        raise _wrong(what, text, "a boolean", value, why)
    return value


def evaluate_str(text: str, context: Mapping[str, Value], what: str) -> str:
    value, why = _evaluate(text, context, what)
    if isinstance(value, Decimal):
        # numbers used as text (correlation keys, ids): 5.0 -> "5", 1E+3 -> "1000"
        return format(value.normalize(), "f")
    if not isinstance(value, str):
        raise _wrong(what, text, "a string", value, why)
    return value


def evaluate_int(text: str, context: Mapping[str, Value], what: str) -> int:
    value, why = _evaluate(text, context, what)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise _wrong(what, text, "an integer", value, why)


def evaluate_list(text: str, context: Mapping[str, Value], what: str) -> list[Value]:
    value, why = _evaluate(text, context, what)
    if not isinstance(value, list):
        raise _wrong(what, text, "a list", value, why)
    return value


def evaluate_strings(text: str, context: Mapping[str, Value], what: str) -> tuple[str, ...]:
    """Candidate groups/users: a static "a, b" list or a FEEL list (or string)."""
    if not text:
        return ()
    if not is_expression(text):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    value, why = _evaluate(text, context, what)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _wrong(what, text, "a list of strings", value, why)


def to_values(variables: Mapping[str, Any]) -> dict[str, Value]:
    """Plain Python data from a command (int, float, nested JSON) as FEEL values."""
    return {str(name): feel.from_python(value) for name, value in variables.items()}


def describe(value: Value) -> str:
    if value is None:
        return "null"
    kind = {
        bool: "a boolean",
        str: "a string",
        Decimal: "a number",
        list: "a list",
        dict: "a context",
    }.get(type(value), type(value).__name__)
    text = str(value) if isinstance(value, Decimal) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} ({text})"
