"""FEEL (DMN 1.5 chapter 10): parse and evaluate expressions and unary tests.

Parsing is cached by text and by the multi-word names it must recognise; evaluation never
raises: run-time problems give null and a message in the Diagnostics. Running out of the
evaluation's Limits (steps, time in regular expressions) also sets `Diagnostics.stopped`, which
callers that act on the value treat as a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from verka.engine.feel.errors import FeelError, FeelSyntaxError
from verka.engine.feel.evaluator import Expression, UnaryTests, UserFunction
from verka.engine.feel.feeltypes import TypeDefinition, TypeResolver
from verka.engine.feel.limits import Limits, default_limits, set_default_limits
from verka.engine.feel.parser import parse_expression_node, parse_unary_tests_node
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

__all__ = [
    "Diagnostics",
    "Expression",
    "FeelError",
    "FeelFunction",
    "FeelSyntaxError",
    "Limits",
    "Range",
    "TypeDefinition",
    "TypeResolver",
    "UnaryTests",
    "UserFunction",
    "Value",
    "default_limits",
    "evaluate",
    "evaluate_camunda",
    "evaluate_unary_tests",
    "feel_compare",
    "feel_equals",
    "from_python",
    "parse_expression",
    "parse_unary_tests",
    "set_default_limits",
    "to_feel_string",
    "type_name",
]

# A name of one word needs no help from the parser; only names with spaces or operator
# characters (`Monthly Salary`, `a-b`) are passed on as known names.
_ONE_WORD = re.compile(r"[^\W\d][\w']*")
_one_word_cache: dict[str, bool] = {}


def _is_one_word(name: str) -> bool:
    known = _one_word_cache.get(name)
    if known is None:
        known = _ONE_WORD.fullmatch(name) is not None
        if len(_one_word_cache) < 100_000:
            _one_word_cache[name] = known
    return known


def _multi_word(names: Iterable[str]) -> tuple[str, ...]:
    # On the hot path of evaluate(): one dict lookup per known one-word name.
    cache = _one_word_cache
    found: list[str] = []
    for name in names:
        if cache.get(name) or not isinstance(name, str) or _is_one_word(name):
            continue
        found.append(name)
    return tuple(sorted(set(found))) if found else ()


def _too_deep(text: str) -> FeelSyntaxError:
    return FeelSyntaxError(
        text, 0, "expression nested too deeply", "fewer nested parts or chained operators"
    )


@lru_cache(maxsize=8192)
def _parse_expression(text: str, names: tuple[str, ...]) -> Expression:
    node = parse_expression_node(text, names)
    try:
        return Expression(text, node)
    except RecursionError:
        raise _too_deep(text) from None


@lru_cache(maxsize=8192)
def _parse_unary_tests(text: str, names: tuple[str, ...]) -> UnaryTests:
    node = parse_unary_tests_node(text, names)
    try:
        return UnaryTests(text, node)
    except RecursionError:
        raise _too_deep(text) from None


def parse_expression(text: str, known_names: Iterable[str] = ()) -> Expression:
    """Parse FEEL text; raises FeelSyntaxError. known_names resolves multi-word names."""
    return _parse_expression(text, _multi_word(known_names))


def parse_unary_tests(text: str, known_names: Iterable[str] = ()) -> UnaryTests:
    """Parse unary tests (a decision-table input entry); raises FeelSyntaxError."""
    return _parse_unary_tests(text, _multi_word(known_names))


def evaluate(
    expression: str | Expression,
    context: Mapping[str, Value] | None = None,
    *,
    diagnostics: Diagnostics | None = None,
    types: TypeResolver | None = None,
) -> Value:
    """Evaluate an expression over a context; raises only FeelSyntaxError for bad text.

    `types` names the types that `instance of` and typed parameters may use beyond FEEL's own
    (DMN item definitions), each as FEEL type text such as "context<a: number>" or a predicate.
    """
    if isinstance(expression, str):
        names = _multi_word(context) if context else ()
        expression = _parse_expression(expression, names)
    return expression.evaluate(context, diagnostics, types)


def evaluate_unary_tests(
    tests: str | UnaryTests,
    input_value: Value,
    context: Mapping[str, Value] | None = None,
    *,
    diagnostics: Diagnostics | None = None,
    types: TypeResolver | None = None,
) -> bool | None:
    """Whether input_value satisfies the unary tests; null when it cannot be decided."""
    if isinstance(tests, str):
        names = _multi_word(context) if context else ()
        tests = _parse_unary_tests(tests, names)
    return tests.evaluate(input_value, context, diagnostics, types)


def evaluate_camunda(
    text: str,
    context: Mapping[str, Value] | None = None,
    *,
    diagnostics: Diagnostics | None = None,
) -> Value:
    """A Camunda 8 expression: `=` followed by FEEL, or else a static string kept as text."""
    if text.startswith("="):
        return evaluate(text[1:], context, diagnostics=diagnostics)
    return text
