"""Boxed expressions compiled to evaluators: literal, context, relation, list, invocation, etc."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verka.engine.dmn import model
from verka.engine.dmn.decision_table import (
    CompiledDecisionTable,
    CompiledInput,
    CompiledOutput,
    CompiledRule,
)
from verka.engine.dmn.feeltext import FeelTests, FeelText, Problem, Site, value_repr
from verka.engine.dmn.itemdefs import (
    ANY,
    DmnType,
    FeelTypeNames,
    FunctionType,
    TypeSystem,
    coerce,
)
from verka.engine.dmn.runtime import Evaluator, Run, Scope
from verka.engine.feel.values import Diagnostics, FeelFunction

Value = Any


@dataclass
class CompileEnv:
    """What compiling needs: the names FEEL must know, the type system, where problems go."""

    known_names: tuple[str, ...]
    types: TypeSystem
    owner: model.Definitions
    problems: list[Problem]
    label: str

    @property
    def feel_types(self) -> FeelTypeNames:
        return self.types.feel_names(self.owner)

    def site(self, element: model.Located, what: str = "") -> Site:
        label = f"{self.label} {what}".strip()
        return Site(label, element.element_id, element.line)

    def expression(self, text: str, element: model.Located, what: str = "") -> FeelText:
        """A FEEL expression of this element, parsed now; syntax errors become problems."""
        site = self.site(element, what)
        return FeelText(text, self.known_names, site, self.problems, self.feel_types)

    def tests(self, text: str, element: model.Located, what: str = "") -> FeelTests:
        """Unary tests of this element, parsed now; syntax errors become problems."""
        site = self.site(element, what)
        return FeelTests(text, self.known_names, site, self.problems, self.feel_types)

    def type_of(self, type_ref: str | None, element: model.Located) -> DmnType:
        if type_ref is None:
            return ANY
        return self.types.resolve(type_ref, self.owner, self.site(element))

    def with_names(self, names: Sequence[str]) -> CompileEnv:
        extra = tuple(name for name in names if name and name not in self.known_names)
        if not extra:
            return self
        return CompileEnv(
            self.known_names + extra, self.types, self.owner, self.problems, self.label
        )


def checked(value: Value, kind: DmnType, diagnostics: Diagnostics, what: str) -> Value:
    """Coerce a value to its declared type; a non-conforming value becomes null, reported."""
    if kind is ANY:
        return value
    result, ok = coerce(value, kind)
    if not ok:
        diagnostics.report(f"{what}: {value_repr(value)} does not conform to type {kind}")
    return result


def compile_expression(expression: model.Expression | None, env: CompileEnv) -> Evaluator:
    if expression is None:
        return _null
    compilers = {
        model.LiteralExpression: _literal,
        model.DecisionTable: compile_decision_table,
        model.Context: _context,
        model.Relation: _relation,
        model.ListExpression: _list,
        model.Invocation: _invocation,
        model.FunctionDefinition: _function_definition,
        model.Conditional: _conditional,
        model.Iteration: _iteration,
        model.Filter: _filter,
    }
    compiler: Any = compilers[type(expression)]
    result: Evaluator = compiler(expression, env)
    return result


def _null(scope: Scope, run: Run) -> Value:
    return None


def _literal(expression: model.LiteralExpression, env: CompileEnv) -> Evaluator:
    language = (expression.language or "").strip()
    if language and "feel" not in language.lower():
        site = env.site(expression)

        def unsupported(scope: Scope, run: Run) -> Value:
            run.diagnostics.report(f"{site}: expression language '{language}' is not supported")
            return None

        return unsupported
    return env.expression(expression.text, expression).evaluate_in_run


def compile_decision_table(table: model.DecisionTable, env: CompileEnv) -> Evaluator:
    inputs = []
    for number, clause in enumerate(table.inputs, start=1):
        allowed = None
        if clause.input_values and clause.input_values.strip():
            allowed = env.tests(clause.input_values, clause, "input values")
        inputs.append(
            CompiledInput(
                env.expression(clause.expression.text, clause.expression, "input expression"),
                allowed,
                clause.label or clause.expression.text.strip() or f"input {number}",
            )
        )
    outputs = []
    for number, output in enumerate(table.outputs, start=1):
        allowed = None
        if output.output_values and output.output_values.strip():
            allowed = env.tests(output.output_values, output, "output values")
        default = None
        if output.default is not None:
            default = env.expression(output.default.text, output.default, "default output")
        outputs.append(
            CompiledOutput(
                output.name,
                allowed,
                env.type_of(output.type_ref, output),
                default,
                output.name or output.label or f"output {number}",
            )
        )
    rules = []
    for index, rule in enumerate(table.rules, start=1):
        tests = tuple(env.tests(text, rule, f"rule {index}") for text in rule.input_entries)
        entries = tuple(
            env.expression(entry.text, entry, f"rule {index}") for entry in rule.output_entries
        )
        rules.append(CompiledRule(rule, index, tests, entries))
    return CompiledDecisionTable(table, inputs, outputs, rules, env.site(table, "decision table"))


def _context(expression: model.Context, env: CompileEnv) -> Evaluator:
    names = [entry.variable.name for entry in expression.entries if entry.variable is not None]
    inner = env.with_names(names)
    entries: list[tuple[str | None, Evaluator, DmnType, str]] = []
    for entry in expression.entries:
        if entry.variable is None:
            entries.append((None, compile_expression(entry.value, inner), ANY, ""))
            continue
        what = f"{env.site(entry)} entry '{entry.variable.name}'"
        entries.append(
            (
                entry.variable.name,
                compile_expression(entry.value, inner),
                inner.type_of(entry.variable.type_ref, entry.variable),
                what,
            )
        )

    def evaluate(scope: Scope, run: Run) -> Value:
        local = dict(scope)
        result: dict[str, Value] = {}
        for name, evaluator, kind, what in entries:
            value = evaluator(local, run)
            if name is None:
                return value
            value = checked(value, kind, run.diagnostics, what)
            local[name] = value
            result[name] = value
        return result

    return evaluate


def _relation(expression: model.Relation, env: CompileEnv) -> Evaluator:
    columns = [column.name for column in expression.columns]
    rows = [[compile_expression(cell, env) for cell in row] for row in expression.rows]

    def evaluate(scope: Scope, run: Run) -> Value:
        return [
            {name: cell(scope, run) for name, cell in zip(columns, row, strict=True)}
            for row in rows
        ]

    return evaluate


def _list(expression: model.ListExpression, env: CompileEnv) -> Evaluator:
    items = [compile_expression(item, env) for item in expression.items]

    def evaluate(scope: Scope, run: Run) -> Value:
        return [item(scope, run) for item in items]

    return evaluate


def _invocation(expression: model.Invocation, env: CompileEnv) -> Evaluator:
    site = env.site(expression, "invocation")
    function = compile_expression(expression.function, env)
    bindings = [
        (binding.parameter.name, compile_expression(binding.value, env))
        for binding in expression.bindings
    ]

    def evaluate(scope: Scope, run: Run) -> Value:
        target = function(scope, run)
        if not isinstance(target, FeelFunction):
            run.diagnostics.report(f"{site}: {value_repr(target)} is not a function")
            return None
        named = {name: value(scope, run) for name, value in bindings}
        return target.invoke(None, named, run.diagnostics)

    return evaluate


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: DmnType


class BoxedFunction(FeelFunction):
    """A FEEL function defined by a boxed function definition or a BKM, closed over its scope."""

    def __init__(
        self,
        name: str,
        parameters: Sequence[Parameter],
        body: Evaluator,
        output: DmnType,
        closure: Scope,
        run: Run,
        site: Site,
    ) -> None:
        self.name = name
        self.parameters = tuple(parameters)
        self.body = body
        self.output = output
        self.closure = closure
        self.run = run
        self.site = site

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        arguments = self.bind(positional, named, diagnostics)
        if arguments is None:
            return None
        scope = dict(self.closure)
        scope.update(arguments)
        result = self.body(scope, self.run)
        return checked(result, self.output, diagnostics, f"{self.site}: result of {self.name}")

    def bind(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> dict[str, Value] | None:
        names = [parameter.name for parameter in self.parameters]
        values: dict[str, Value] = dict.fromkeys(names)
        if positional is not None:
            if len(positional) != len(names):
                diagnostics.report(
                    f"{self.site}: {self.name} takes {len(names)} arguments "
                    f"({', '.join(names)}), got {len(positional)}"
                )
                return None
            values.update(zip(names, positional, strict=True))
        elif named is not None:
            unknown = [key for key in named if key not in values]
            if unknown:
                diagnostics.report(
                    f"{self.site}: {self.name} has no parameter {', '.join(unknown)}; "
                    f"expected {', '.join(names)}"
                )
                return None
            values.update(named)
        for parameter in self.parameters:
            value, ok = coerce(values[parameter.name], parameter.kind)
            if not ok:
                # DMN: an argument that does not conform to its parameter's type makes the
                # invocation itself an error.
                diagnostics.report(
                    f"{self.site}: argument '{parameter.name}' of {self.name} is "
                    f"{value_repr(values[parameter.name])}, which does not conform to type "
                    f"{parameter.kind}"
                )
                return None
            values[parameter.name] = value
        return values


def compile_function(
    definition: model.FunctionDefinition, env: CompileEnv, name: str, output: DmnType
) -> tuple[list[Parameter], Evaluator]:
    """The typed parameters and body evaluator of a function definition."""
    site = env.site(definition, "function")
    parameters = [Parameter(p.name, env.type_of(p.type_ref, p)) for p in definition.parameters]
    kind = definition.kind.strip().upper()
    if kind != "FEEL":

        def external(scope: Scope, run: Run) -> Value:
            run.diagnostics.report(
                f"{site}: {definition.kind} functions are not supported; only FEEL functions"
            )
            return None

        return parameters, external
    inner = env.with_names([p.name for p in parameters])
    return parameters, compile_expression(definition.body, inner)


def function_output_type(
    definition: model.FunctionDefinition, env: CompileEnv, declared: str | None = None
) -> DmnType:
    """The result type of a function: its body's typeRef, else the declared one."""
    body = definition.body
    if body is not None and body.type_ref:
        return env.type_of(body.type_ref, body)
    output = env.type_of(declared or definition.type_ref, definition)
    if isinstance(output, FunctionType):
        return output.output
    return output


def _function_definition(definition: model.FunctionDefinition, env: CompileEnv) -> Evaluator:
    site = env.site(definition, "function")
    output = function_output_type(definition, env)
    parameters, body = compile_function(definition, env, "anonymous function", output)

    def evaluate(scope: Scope, run: Run) -> Value:
        return BoxedFunction("anonymous function", parameters, body, output, scope, run, site)

    return evaluate


def _conditional(expression: model.Conditional, env: CompileEnv) -> Evaluator:
    condition = compile_expression(expression.condition, env)
    then = compile_expression(expression.then, env)
    otherwise = compile_expression(expression.otherwise, env)

    def evaluate(scope: Scope, run: Run) -> Value:
        if condition(scope, run) is True:
            return then(scope, run)
        return otherwise(scope, run)

    return evaluate


def _iteration(expression: model.Iteration, env: CompileEnv) -> Evaluator:
    site = env.site(expression, expression.kind)
    source = compile_expression(expression.source, env)
    body = compile_expression(expression.body, env.with_names([expression.variable]))
    variable = expression.variable
    kind = expression.kind

    def evaluate(scope: Scope, run: Run) -> Value:
        items = source(scope, run)
        if items is None:
            run.diagnostics.report(f"{site}: the 'in' expression is null; expected a list")
            return None
        if not isinstance(items, list):
            items = [items]
        results = []
        for item in items:
            local = dict(scope)
            local[variable] = item
            result = body(local, run)
            if kind != "for" and result is not None and not isinstance(result, bool):
                run.diagnostics.report(
                    f"{site}: 'satisfies' gave {value_repr(result)}; expected true or false"
                )
                return None
            results.append(result)
        if kind == "for":
            return results
        if kind == "some":
            return any(result is True for result in results)
        return all(result is True for result in results)

    return evaluate


def _filter(expression: model.Filter, env: CompileEnv) -> Evaluator:
    site = env.site(expression, "filter")
    source = compile_expression(expression.source, env)
    match = compile_expression(expression.match, env.with_names(["item"]))

    def evaluate(scope: Scope, run: Run) -> Value:
        items = source(scope, run)
        if items is None:
            run.diagnostics.report(f"{site}: the 'in' expression is null; expected a list")
            return None
        if not isinstance(items, list):
            items = [items]
        kept = []
        for item in items:
            local = dict(scope)
            if isinstance(item, dict):
                local.update(item)
            local["item"] = item
            matched = match(local, run)
            if matched is True:
                kept.append(item)
            elif matched is not None and matched is not False:
                run.diagnostics.report(
                    f"{site}: 'match' gave {value_repr(matched)}; expected true or false"
                )
                return None
        return kept

    return evaluate


__all__ = [
    "BoxedFunction",
    "CompileEnv",
    "FeelTests",
    "Parameter",
    "checked",
    "compile_expression",
    "compile_function",
    "function_output_type",
]
