"""FEEL unary tests: decision-table input entries and the right-hand side of `in`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from verka.engine.feel import ast
from verka.engine.feel.operators import EvaluationProblem, compare, in_range
from verka.engine.feel.scope import Evaluator, NodeCompiler, Scope
from verka.engine.feel.values import Range, Value, feel_equals

# A compiled positive unary test: (scope, input value) -> true, false or null.
Test = Callable[[Scope, Value], bool | None]


def mentions_input(node: object) -> bool:
    """Whether an expression refers to the input value `?`."""
    if isinstance(node, ast.Name):
        return node.name == "?"
    if isinstance(node, tuple):
        return any(mentions_input(part) for part in node)
    if isinstance(node, ast.Node):
        return any(mentions_input(getattr(node, f.name)) for f in dataclasses.fields(node))
    return False


def _element_matches(value: Value, element: Value) -> bool | None:
    if isinstance(element, Range):
        return in_range(value, element)
    return feel_equals(value, element)


def matches(value: Value, expected: Value, uses_input: bool, lenient_boolean: bool) -> bool | None:
    """Whether the input value satisfies a test expression that evaluated to `expected`.

    A boolean from an expression that mentions `?` is the answer itself; a list holds the
    value when any element equals it (or is a range containing it); a range when it contains
    it; anything else must be equal to it.
    """
    if type(expected) is Range:
        return in_range(value, expected)
    if isinstance(expected, bool) and (
        uses_input or (lenient_boolean and not isinstance(value, bool))
    ):
        return expected
    if expected is None and uses_input:
        return None
    if isinstance(expected, list):
        for element in expected:
            if _element_matches(value, element) is True:
                return True
        return isinstance(value, list) and feel_equals(value, expected) is True
    if isinstance(expected, Range):
        return in_range(value, expected)
    return feel_equals(value, expected)


def compile_positive_test(compiler: NodeCompiler, node: ast.Node, lenient_boolean: bool) -> Test:
    if isinstance(node, ast.UnaryComparison):
        operand = compiler.compile(node.operand)
        symbol = node.operator
        return lambda scope, value: compare(symbol, value, operand(scope))
    expression = compiler.compile(node)
    if mentions_input(node):

        def with_input(scope: Scope, value: Value) -> bool | None:
            expected = expression(scope.child({"?": value}))
            return matches(value, expected, True, lenient_boolean)

        return with_input
    return lambda scope, value: matches(value, expression(scope), False, lenient_boolean)


def _any_of(tests: list[Test], wheres: list[str]) -> Test:
    """Disjunction of positive tests: true if one holds, null if none holds but one is null."""
    if len(tests) == 1:
        # The common decision-table cell holds one test; spare it the loop.
        only, where = tests[0], wheres[0]

        def single(scope: Scope, value: Value) -> bool | None:
            try:
                return only(scope, value)
            except EvaluationProblem as problem:
                scope.diagnostics.report(f"{problem} ({where})")
                return None

        return single

    def run(scope: Scope, value: Value) -> bool | None:
        unknown = False
        for test, where in zip(tests, wheres, strict=True):
            try:
                result = test(scope, value)
            except EvaluationProblem as problem:
                scope.diagnostics.report(f"{problem} ({where})")
                result = None
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    return run


def compile_in(
    compiler: NodeCompiler, value: Evaluator, tests: tuple[ast.Node, ...]
) -> Callable[[Scope], Value]:
    wheres = [compiler.where(t.offset) for t in tests]
    test = _any_of([compile_positive_test(compiler, t, False) for t in tests], wheres)
    return lambda scope: test(scope, value(scope))


def compile_unary_tests(compiler: NodeCompiler, node: ast.UnaryTestsNode) -> Test:
    if node.matches_anything:
        return lambda scope, value: True
    wheres = [compiler.where(t.offset) for t in node.tests]
    test = _any_of([compile_positive_test(compiler, t, True) for t in node.tests], wheres)
    if not node.negated:
        return test

    def negated(scope: Scope, value: Value) -> bool | None:
        result = test(scope, value)
        return None if result is None else not result

    return negated
