"""FEEL constructs that iterate: for-return, some/every-satisfies and list filters."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal

from verka.engine.feel import ast
from verka.engine.feel.operators import EvaluationProblem
from verka.engine.feel.scope import Evaluator, NodeCompiler, Scope
from verka.engine.feel.values import Diagnostics, Range, Value, feel_compare, type_name

_ONE_DAY = datetime.timedelta(days=1)

# Iteration over a number range is bounded so that `for i in 1..1e30` cannot hang a process.
MAX_ITERATIONS = 1_000_000

TOO_MANY_STEPS = "the evaluation needs too many steps and was stopped"

CompiledIteration = tuple[str, Evaluator, Evaluator | None]


def spend(diagnostics: Diagnostics, work: int = 1) -> None:
    """Take work from the evaluation's budget; a problem once it is used up."""
    diagnostics.work_budget -= work
    if diagnostics.work_budget < 0:
        diagnostics.stop(TOO_MANY_STEPS)
        raise EvaluationProblem(TOO_MANY_STEPS)


def _integer(value: Value) -> int | None:
    if type(value) is Decimal and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def _steps(low: Value, high: Value) -> Iterable[Value]:
    """Every value from low to high (either direction), both included: integers or dates."""
    start, stop = _integer(low), _integer(high)
    if start is not None and stop is not None:
        if abs(stop - start) > MAX_ITERATIONS:
            raise EvaluationProblem("the range to iterate over is too large")
        step = 1 if stop >= start else -1
        return (Decimal(i) for i in range(start, stop + step, step))
    if _is_plain_date(low) and _is_plain_date(high):
        return _date_steps(low, high)
    raise EvaluationProblem(
        f"cannot iterate from {type_name(low)} to {type_name(high)}; "
        "expected two integers or two dates"
    )


def _is_plain_date(value: Value) -> bool:
    # Exactly datetime.date: the library's far-year dates must not use Python's date arithmetic.
    return type(value) is datetime.date


def _date_steps(low: datetime.date, high: datetime.date) -> Iterator[datetime.date]:
    step = _ONE_DAY if high >= low else -_ONE_DAY
    day = low
    while True:
        yield day
        if day == high:
            return
        day += step


def _range_steps(r: Range) -> Iterable[Value]:
    if r.start is None or r.end is None:
        raise EvaluationProblem("cannot iterate over a range without both end points")
    if feel_compare(r.start, r.end) == 1:
        raise EvaluationProblem("cannot iterate over a range whose start is after its end")
    values = list(_steps(r.start, r.end))
    if not r.start_included and values:
        values = values[1:]
    if not r.end_included and values:
        values = values[:-1]
    return values


def _domain(iteration: CompiledIteration, scope: Scope) -> Iterable[Value]:
    _, domain, end = iteration
    start = domain(scope)
    if end is not None:
        return _steps(start, end(scope))
    if isinstance(start, list):
        return start
    if isinstance(start, Range):
        return _range_steps(start)
    if start is None:
        raise EvaluationProblem("cannot iterate over null")
    return [start]


def _compile_iterations(
    compiler: NodeCompiler, iterations: tuple[ast.Iteration, ...]
) -> list[CompiledIteration]:
    return [
        (
            it.name,
            compiler.compile(it.domain),
            None if it.end is None else compiler.compile(it.end),
        )
        for it in iterations
    ]


def _scopes(
    iterations: list[CompiledIteration], scope: Scope, extra: dict[str, Value], level: int = 0
) -> Iterator[Scope]:
    """One scope per combination of iteration values, the last iteration varying fastest."""
    if level == len(iterations):
        spend(scope.diagnostics)
        yield scope
        return
    name = iterations[level][0]
    for value in _domain(iterations[level], scope):
        inner = scope.child({name: value, **extra})
        yield from _scopes(iterations, inner, extra, level + 1)


def compile_for(compiler: NodeCompiler, node: ast.For) -> Evaluator:
    iterations = _compile_iterations(compiler, node.iterations)
    body = compiler.compile(node.body)

    def run(scope: Scope) -> Value:
        results: list[Value] = []
        # `partial` is the list of the results so far (DMN 1.3).
        for inner in _scopes(iterations, scope, {"partial": results}):
            results.append(body(inner))
        return results

    return run


def compile_quantified(compiler: NodeCompiler, node: ast.Quantified) -> Evaluator:
    iterations = _compile_iterations(compiler, node.iterations)
    condition = compiler.compile(node.condition)
    if node.every:

        def every(scope: Scope) -> Value:
            return all(condition(inner) is True for inner in _scopes(iterations, scope, {}))

        return every

    def some(scope: Scope) -> Value:
        return any(condition(inner) is True for inner in _scopes(iterations, scope, {}))

    return some


def _item_scope(scope: Scope, item: Value) -> Scope:
    # The entries of a context item are visible by name and come before the item itself as
    # `item`, so that `[{item: 1}][item = 1]` compares the entry (DMN TCK 0069).
    if isinstance(item, dict):
        return scope.child({"item": item}).child(item)
    return scope.child({"item": item})


def _index(items: list[Value], number: Decimal) -> Value:
    position = _integer(number)
    if position is None:
        raise EvaluationProblem(f"a list index must be an integer, not {number}")
    if position > 0 and position <= len(items):
        return items[position - 1]
    if position < 0 and -position <= len(items):
        return items[position]
    return None


def compile_filter(compiler: NodeCompiler, node: ast.Filter) -> Evaluator:
    target = compiler.compile(node.target)
    condition = compiler.compile(node.condition)

    def run(scope: Scope) -> Value:
        value = target(scope)
        if value is None:
            raise EvaluationProblem("cannot filter null")
        items = value if isinstance(value, list) else [value]
        if not items:
            quiet = Scope({"item": None}, scope, Diagnostics(), scope.types)
            return None if type(condition(quiet)) is Decimal else []
        kept: list[Value] = []
        spend(scope.diagnostics, len(items))
        for position, item in enumerate(items):
            result = condition(_item_scope(scope, item))
            if position == 0 and type(result) is Decimal:
                return _index(items, result)
            if result is True:
                kept.append(item)
        return kept

    return run
