"""FEEL evaluator: compiles the syntax tree into Python closures and runs them over a scope."""

from __future__ import annotations

import dataclasses
import datetime
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from verka.engine.feel import ast
from verka.engine.feel.errors import line_and_column
from verka.engine.feel.feeltypes import (
    TypeResolver,
    coerce_argument,
    instance_of,
    static_type,
)
from verka.engine.feel.iteration import (
    TOO_MANY_STEPS,
    compile_filter,
    compile_for,
    compile_quantified,
)
from verka.engine.feel.operators import (
    ARITHMETIC,
    EvaluationProblem,
    compare,
    comparison_range,
    get_property,
    make_range,
    negate,
)
from verka.engine.feel.scope import MISSING, Evaluator, Scope
from verka.engine.feel.unary import compile_in, compile_unary_tests
from verka.engine.feel.values import (
    Diagnostics,
    FeelFunction,
    Range,
    Value,
    from_python,
    temporal_module,
    type_name,
)

_FAST_COMPARISONS: dict[str, Callable[[Value, Value], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class UserFunction(FeelFunction):
    """A function defined in FEEL (`function(a, b) a + b`), closed over its defining scope."""

    def __init__(
        self,
        parameters: tuple[ast.Parameter, ...],
        body: Evaluator,
        closure: Scope,
        result_type: ast.TypeRef | None,
        external: bool,
    ) -> None:
        self.name = "anonymous function"
        self.parameters = parameters
        self.parameter_names = tuple(p.name for p in parameters)
        self.parameter_types = tuple(p.type for p in parameters)
        self.result_type = result_type
        self.body = body
        self.closure = closure
        self.external = external

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        if self.external:
            diagnostics.report("external functions are not supported; the result is null")
            return None
        # A call costs several loop steps' worth of work.
        diagnostics.work_budget -= 4
        if diagnostics.work_budget < 0:
            diagnostics.stop(TOO_MANY_STEPS)
            diagnostics.report(TOO_MANY_STEPS)
            return None
        names = self.parameter_names
        if positional is not None:
            if len(positional) != len(names):
                diagnostics.report(
                    f"the function takes {len(names)} argument(s) but got {len(positional)}"
                )
                return None
            bound = dict(zip(names, positional, strict=True))
        else:
            given = dict(named or {})
            unknown = [name for name in given if name not in names]
            if unknown:
                diagnostics.report(f"the function has no parameter named '{unknown[0]}'")
                return None
            bound = {name: given.get(name) for name in names}
        for parameter in self.parameters:
            if parameter.type is not None:
                fits, value = coerce_argument(
                    bound[parameter.name], parameter.type, self.closure.types
                )
                if not fits:
                    diagnostics.report(
                        f"argument '{parameter.name}' is a {type_name(value)}, "
                        "not of the declared parameter type"
                    )
                    return None
                bound[parameter.name] = value
        return self.body(Scope(bound, self.closure, diagnostics, self.closure.types))


class Compiler:
    """Turns syntax nodes of one source text into evaluators; knows the text for messages."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Nodes whose value was computed at compile time (ids, as nodes are compared by value).
        self.constant: set[int] = set()

    def where(self, offset: int) -> str:
        line, column = line_and_column(self.text, offset)
        return f"line {line}, column {column}"

    def compile(self, node: ast.Node) -> Evaluator:
        method: Callable[[ast.Node], Evaluator] = getattr(self, "c_" + type(node).__name__)
        run = method(node)
        if type(node) in _FOLDABLE and all(id(c) in self.constant for c in _children(node)):
            return self.fold(node, run)
        return run

    def fold(self, node: ast.Node, run: Evaluator) -> Evaluator:
        """Compute a node made only of constants once (`[5..9]` in a decision table).

        Only immutable values without problems are kept: a problem must be reported on every
        evaluation, and a list or context handed out could be changed by its receiver.
        """
        diagnostics = Diagnostics()
        try:
            value = run(Scope({}, None, diagnostics))
        except Exception:  # the problem shows again when the expression is evaluated
            return run
        if diagnostics.messages or not _immutable(value):
            return run
        self.constant.add(id(node))
        return lambda scope: value

    def guarded(self, offset: int, run: Callable[[Scope], Value]) -> Evaluator:
        """Wrap an evaluator whose problems become a diagnostic and null."""
        where = self.where(offset)

        def guarded_run(scope: Scope) -> Value:
            try:
                return run(scope)
            except EvaluationProblem as problem:
                scope.diagnostics.report(f"{problem} ({where})")
                return None

        return guarded_run

    # ---- leaves -------------------------------------------------------------------------

    def c_Literal(self, node: ast.Literal) -> Evaluator:
        value = node.value
        return lambda scope: value

    def c_TemporalLiteral(self, node: ast.TemporalLiteral) -> Evaluator:
        module = temporal_module()
        value = None if module is None else module.parse_temporal_literal(node.text)
        if value is not None:
            return lambda scope: value
        message = f'invalid temporal literal @"{node.text}" ({self.where(node.offset)})'

        def invalid(scope: Scope) -> Value:
            scope.diagnostics.report(message)
            return None

        return invalid

    def c_Name(self, node: ast.Name) -> Evaluator:
        name = node.name
        message = f"no variable named '{name}' ({self.where(node.offset)})"

        def lookup(scope: Scope) -> Value:
            value = scope.lookup(name)
            if value is MISSING:
                scope.diagnostics.report(message)
                return None
            return value

        return lookup

    # ---- operators ----------------------------------------------------------------------

    def c_Negation(self, node: ast.Negation) -> Evaluator:
        operand = self.compile(node.operand)
        return self.guarded(node.offset, lambda scope: negate(operand(scope)))

    def c_Arithmetic(self, node: ast.Arithmetic) -> Evaluator:
        function = ARITHMETIC[node.operator]
        left, right = self.compile(node.left), self.compile(node.right)
        return self.guarded(node.offset, lambda scope: function(left(scope), right(scope)))

    def c_Comparison(self, node: ast.Comparison) -> Evaluator:
        symbol = node.operator
        left, right = self.compile(node.left), self.compile(node.right)
        where = self.where(node.offset)
        fast = _FAST_COMPARISONS.get(symbol)

        def slow(scope: Scope, a: Value, b: Value) -> Value:
            try:
                result = compare(symbol, a, b)
            except EvaluationProblem as problem:
                scope.diagnostics.report(f"{problem} ({where})")
                return None
            if result is None and a is not None and b is not None:
                scope.diagnostics.report(
                    f"cannot compare {type_name(a)} with {type_name(b)} ({where})"
                )
            return result

        if fast is not None:

            def ordered(scope: Scope) -> Value:
                a, b = left(scope), right(scope)
                ta = type(a)
                if ta is type(b) and (ta is Decimal or ta is str):
                    return fast(a, b)
                return slow(scope, a, b)

            return ordered

        negated = symbol == "!="

        def equality(scope: Scope) -> Value:
            a, b = left(scope), right(scope)
            ta = type(a)
            if ta is type(b) and (ta is Decimal or ta is str or ta is bool):
                return (a != b) if negated else (a == b)
            return slow(scope, a, b)

        return equality

    def c_Between(self, node: ast.Between) -> Evaluator:
        value, low, high = (self.compile(n) for n in (node.value, node.low, node.high))

        def between(scope: Scope) -> Value:
            v, lo, hi = value(scope), low(scope), high(scope)
            if v is None or lo is None or hi is None:
                raise EvaluationProblem("'between' has a null operand")
            return _and(compare(">=", v, lo), compare("<=", v, hi))

        return self.guarded(node.offset, between)

    def c_And(self, node: ast.And) -> Evaluator:
        left, right = self.compile(node.left), self.compile(node.right)

        def conjunction(scope: Scope) -> Value:
            a = left(scope)
            if a is False:
                return False
            return _and(a, right(scope))

        return conjunction

    def c_Or(self, node: ast.Or) -> Evaluator:
        left, right = self.compile(node.left), self.compile(node.right)

        def disjunction(scope: Scope) -> Value:
            a = left(scope)
            if a is True:
                return True
            b = right(scope)
            if b is True:
                return True
            if a is False and b is False:
                return False
            return None

        return disjunction

    def c_In(self, node: ast.In) -> Evaluator:
        value = self.compile(node.value)
        return self.guarded(node.offset, compile_in(self, value, node.tests))

    def c_UnaryComparison(self, node: ast.UnaryComparison) -> Evaluator:
        # Outside unary tests `< 10` is a range value (DMN 1.5).
        operand = self.compile(node.operand)
        symbol = node.operator
        return self.guarded(node.offset, lambda scope: comparison_range(symbol, operand(scope)))

    def c_InstanceOf(self, node: ast.InstanceOf) -> Evaluator:
        value = self.compile(node.value)
        type_ref = node.type
        return self.guarded(
            node.offset, lambda scope: instance_of(value(scope), type_ref, scope.types)
        )

    # ---- control ------------------------------------------------------------------------

    def c_If(self, node: ast.If) -> Evaluator:
        condition = self.compile(node.condition)
        then, otherwise = self.compile(node.then), self.compile(node.otherwise)
        return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)

    def c_For(self, node: ast.For) -> Evaluator:
        return self.guarded(node.offset, compile_for(self, node))

    def c_Quantified(self, node: ast.Quantified) -> Evaluator:
        return self.guarded(node.offset, compile_quantified(self, node))

    def c_Filter(self, node: ast.Filter) -> Evaluator:
        return self.guarded(node.offset, compile_filter(self, node))

    # ---- structures ---------------------------------------------------------------------

    def c_Path(self, node: ast.Path) -> Evaluator:
        target = self.compile(node.target)
        name = node.name
        return self.guarded(node.offset, lambda scope: get_property(target(scope), name))

    def c_ContextLiteral(self, node: ast.ContextLiteral) -> Evaluator:
        entries = [(key, self.compile(value)) for key, value in node.entries]

        def context(scope: Scope) -> Value:
            result: dict[str, Value] = {}
            inner = scope.child(result)
            for key, entry in entries:
                result[key] = entry(inner)
            return result

        return context

    def c_ListLiteral(self, node: ast.ListLiteral) -> Evaluator:
        items = [self.compile(item) for item in node.items]
        return lambda scope: [item(scope) for item in items]

    def c_RangeLiteral(self, node: ast.RangeLiteral) -> Evaluator:
        start = self.compile(node.start) if node.start is not None else None
        end = self.compile(node.end) if node.end is not None else None
        start_included, end_included = node.start_included, node.end_included

        def make(scope: Scope) -> Value:
            low = None if start is None else start(scope)
            high = None if end is None else end(scope)
            if low is None and high is None:
                raise EvaluationProblem("a range needs at least one end point that is not null")
            return make_range(low, high, start_included, end_included)

        return self.guarded(node.offset, make)

    def c_FunctionDefinition(self, node: ast.FunctionDefinition) -> Evaluator:
        body = self.compile(node.body)
        parameters = node.parameters
        external = node.external
        result_type = static_type(node.body)
        return lambda scope: UserFunction(parameters, body, scope, result_type, external)

    def c_Invocation(self, node: ast.Invocation) -> Evaluator:
        where = self.where(node.offset)
        function: Evaluator
        if isinstance(node.function, ast.Name):
            name = node.function.name
            missing = f"no function named '{name}' ({where})"

            def named_function(scope: Scope) -> Value:
                value = scope.lookup(name)
                if value is MISSING:
                    raise EvaluationProblem(missing)
                return value

            function = named_function
        else:
            function = self.compile(node.function)
        positional = None
        named = None
        if node.positional is not None:
            positional = [self.compile(a) for a in node.positional]
        if node.named is not None:
            named = [(key, self.compile(a)) for key, a in node.named]

        def invoke(scope: Scope) -> Value:
            try:
                callee = function(scope)
            except EvaluationProblem as problem:
                scope.diagnostics.report(str(problem))
                return None
            if not isinstance(callee, FeelFunction):
                scope.diagnostics.report(f"{type_name(callee)} is not a function ({where})")
                return None
            args = None if positional is None else [a(scope) for a in positional]
            kwargs = None if named is None else {key: a(scope) for key, a in named}
            try:
                return callee.invoke(args, kwargs, scope.diagnostics)
            except RecursionError:
                scope.diagnostics.report(f"recursion too deep in {callee.name} ({where})")
                return None
            except Exception as error:  # a faulty host function must not break the caller
                scope.diagnostics.report(f"{callee.name} failed: {error} ({where})")
                return None

        return invoke


_FOLDABLE = frozenset(
    {
        ast.Literal,
        ast.TemporalLiteral,
        ast.Negation,
        ast.Arithmetic,
        ast.Comparison,
        ast.Between,
        ast.And,
        ast.Or,
        ast.If,
        ast.RangeLiteral,
        ast.UnaryComparison,
    }
)


def _children(node: ast.Node) -> list[ast.Node]:
    children: list[ast.Node] = []
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, ast.Node):
            children.append(value)
    return children


def _immutable(value: Value) -> bool:
    if value is None or type(value) in (Decimal, str, bool) or isinstance(value, datetime.date):
        return True
    if isinstance(value, Range):
        return _immutable(value.start) and _immutable(value.end)
    module = temporal_module()
    return module is not None and type(value) in (
        module.Time,
        module.YearsMonthsDuration,
        module.DaysTimeDuration,
    )


def _and(a: Value, b: Value) -> Value:
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


class Expression:
    """A parsed FEEL expression, compiled once and evaluated any number of times."""

    __slots__ = ("_run", "node", "text")

    def __init__(self, text: str, node: ast.Node) -> None:
        self.text = text
        self.node = node
        self._run = Compiler(text).compile(node)

    def evaluate(
        self,
        context: Mapping[str, Value] | None = None,
        diagnostics: Diagnostics | None = None,
        types: TypeResolver | None = None,
    ) -> Value:
        if diagnostics is None:
            diagnostics = Diagnostics()
        scope = Scope(_EMPTY if context is None else context, None, diagnostics, types, True)
        try:
            return self._run(scope)
        except RecursionError:
            diagnostics.report("the expression nests too deeply to evaluate")
        except Exception as error:  # evaluation must never raise to the caller
            diagnostics.report(f"internal error while evaluating: {error!r}")
        return None

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


class UnaryTests:
    """Parsed unary tests (a decision-table input entry), compiled once."""

    __slots__ = ("_run", "node", "text")

    def __init__(self, text: str, node: ast.UnaryTestsNode) -> None:
        self.text = text
        self.node = node
        self._run = compile_unary_tests(Compiler(text), node)

    def evaluate(
        self,
        input_value: Value,
        context: Mapping[str, Value] | None = None,
        diagnostics: Diagnostics | None = None,
        types: TypeResolver | None = None,
    ) -> bool | None:
        if diagnostics is None:
            diagnostics = Diagnostics()
        scope = Scope(_EMPTY if context is None else context, None, diagnostics, types, True)
        if type(input_value) not in _PLAIN_INPUTS:
            input_value = from_python(input_value)
        try:
            return self._run(scope, input_value)
        except RecursionError:
            diagnostics.report("the unary tests nest too deeply to evaluate")
        except Exception as error:  # evaluation must never raise to the caller
            diagnostics.report(f"internal error while evaluating: {error!r}")
        return None

    def __repr__(self) -> str:
        return f"UnaryTests({self.text!r})"


_EMPTY: Mapping[str, Value] = {}
_PLAIN_INPUTS = frozenset({Decimal, str, bool, type(None), datetime.date, datetime.datetime})
