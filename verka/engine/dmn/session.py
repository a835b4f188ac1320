"""One evaluation of the decision graph: inputs, memoised decisions, decision-service calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from verka.engine.dmn import model
from verka.engine.dmn.boxed import BoxedFunction, checked
from verka.engine.dmn.compiled import (
    CompiledBkm,
    CompiledDecision,
    CompiledInput,
    CompiledService,
    Requirement,
)
from verka.engine.dmn.feeltext import Site
from verka.engine.dmn.runtime import MatchedRule, Run, Scope
from verka.engine.feel.values import Diagnostics, FeelFunction

if TYPE_CHECKING:
    from verka.engine.dmn.drg import DecisionModel

Value = Any
ElementKey = model.ElementKey


@dataclass(frozen=True)
class DecisionResult:
    """The outcome of evaluating a decision or decision service.

    value is the decision's value (null on error); messages are the problems reported while
    evaluating it and what it required; decisions holds every decision evaluated on the way, by
    name; matched_rules lists the decision-table rules that matched, in evaluation order.

    stopped says why the evaluation ran out of FEEL's limits (steps, or time in regular
    expressions). A stopped evaluation has no value and no decisions: FEEL's null rules would
    otherwise turn the stop into an ordinary answer (a rule that "did not match").
    """

    value: Value
    messages: tuple[str, ...] = ()
    decisions: Mapping[str, Value] = field(default_factory=dict)
    matched_rules: tuple[MatchedRule, ...] = ()
    stopped: str | None = None

    @property
    def has_errors(self) -> bool:
        return bool(self.messages)

    @property
    def rules_by_decision(self) -> dict[str, tuple[MatchedRule, ...]]:
        """The matched rules grouped by the decision whose evaluation matched them."""
        grouped: dict[str, list[MatchedRule]] = {}
        for rule in self.matched_rules:
            grouped.setdefault(rule.decision_name or "", []).append(rule)
        return {name: tuple(rules) for name, rules in grouped.items()}

    @property
    def rules_by_decision_id(self) -> dict[str, tuple[MatchedRule, ...]]:
        """The matched rules grouped by decision id (as a process engine's audit records them)."""
        grouped: dict[str, list[MatchedRule]] = {}
        for rule in self.matched_rules:
            grouped.setdefault(rule.decision_id or rule.decision_name or "", []).append(rule)
        return {key: tuple(rules) for key, rules in grouped.items()}


class Session:
    """One evaluation of the graph: inputs, memoised decision values, collected diagnostics."""

    def __init__(
        self,
        decision_model: DecisionModel,
        supplied: Mapping[ElementKey, Value],
        run: Run | None = None,
    ) -> None:
        self.model = decision_model
        self.supplied = dict(supplied)
        self.run = run or Run()
        self.values: dict[ElementKey, Value] = {}
        self.in_progress: set[ElementKey] = set()
        self.decisions: dict[str, Value] = {}

    def result(self, value: Value) -> DecisionResult:
        stopped = self.run.diagnostics.stopped
        return DecisionResult(
            value if stopped is None else None,
            tuple(self.run.diagnostics.messages),
            dict(self.decisions) if stopped is None else {},
            tuple(self.run.matched_rules),
            stopped,
        )

    def value_of(self, key: ElementKey) -> Value:
        if key in self.values:
            return self.values[key]
        compiled = self.model.elements[key]
        if isinstance(compiled, CompiledInput):
            value = self.input_value(key, compiled)
        elif isinstance(compiled, CompiledDecision):
            value = self.decision_value(key)
        elif isinstance(compiled, CompiledBkm):
            value = self.bkm_function(compiled)
        else:
            value = ServiceFunction(self.model, compiled, self.run)
        self.values[key] = value
        return value

    def input_value(self, key: ElementKey, compiled: CompiledInput) -> Value:
        raw = self.supplied.get(key)
        return checked(
            raw, compiled.kind, self.run.diagnostics, f"input data '{compiled.element.name}'"
        )

    def scope(self, requirements: Sequence[Requirement]) -> dict[str, Value]:
        # Lowest first: ambient variables, then now()/today(), then what the element requires
        # (a declared input, decision or BKM hides an ambient variable of the same name).
        scope: dict[str, Value] = dict(self.run.variables)
        scope.update(self.run.clock)
        for requirement in requirements:
            value = self.value_of(requirement.key)
            if len(requirement.path) == 1:
                scope[requirement.path[0]] = value
            else:
                prefix, name = requirement.path
                nested = scope.get(prefix)
                if not isinstance(nested, dict):
                    nested = {}
                    scope[prefix] = nested
                nested[name] = value
        return scope

    def decision_value(self, key: ElementKey) -> Value:
        if key in self.values:
            return self.values[key]
        compiled = self.model.elements[key]
        assert isinstance(compiled, CompiledDecision)
        decision = compiled.element
        if key in self.supplied:
            value = checked(
                self.supplied[key],
                compiled.kind,
                self.run.diagnostics,
                f"decision '{decision.name}'",
            )
            self.values[key] = value
            return value
        if key in self.in_progress:
            self.run.diagnostics.report(
                f"decision '{decision.name}' requires itself (a cycle in the requirements)"
            )
            return None
        self.in_progress.add(key)
        self.run.decision_stack.append((decision.element_id, decision.name))
        try:
            scope = self.scope(compiled.requirements)
            if decision.expression is None:
                self.run.diagnostics.report(f"decision '{decision.name}' has no decision logic")
                value = None
            else:
                value = self._guarded(compiled, scope)
            value = checked(
                value, compiled.kind, self.run.diagnostics, f"decision '{decision.name}'"
            )
        finally:
            self.run.decision_stack.pop()
            self.in_progress.discard(key)
        self.values[key] = value
        if key[0] == self.model.main.namespace:
            self.decisions[decision.name] = value
        return value

    def _guarded(self, compiled: CompiledDecision, scope: Scope) -> Value:
        """Run a decision's logic; an engine fault becomes null and a message, never a crash."""
        try:
            return compiled.evaluator(scope, self.run)
        except RecursionError:
            self.run.diagnostics.report(
                f"decision '{compiled.element.name}' nests too deeply to evaluate"
            )
        except Exception as error:  # a defect must not take the caller (a process) down
            self.run.diagnostics.report(
                f"decision '{compiled.element.name}': internal error {type(error).__name__}: "
                f"{error}"
            )
        return None

    def bkm_function(self, compiled: CompiledBkm) -> BoxedFunction:
        element = compiled.element
        scope = self.scope(compiled.requirements)
        site = Site(f"business knowledge model '{element.name}'", element.element_id, element.line)
        function = BoxedFunction(
            element.name, compiled.parameters, compiled.body, compiled.output, scope, self.run, site
        )
        # A BKM may call itself recursively by its own name.
        scope.setdefault(element.name, function)
        return function


class ServiceFunction(FeelFunction):
    """A decision service as a FEEL function: its inputs in, its output decisions evaluated."""

    def __init__(self, decision_model: DecisionModel, compiled: CompiledService, run: Run) -> None:
        self.model = decision_model
        self.compiled = compiled
        self.run = run
        self.name = compiled.element.name

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        names = [parameter.name for _, parameter in self.compiled.parameters]
        arguments: dict[str, Value] = dict.fromkeys(names)
        if positional is not None:
            if len(positional) != len(names):
                diagnostics.report(
                    f"decision service '{self.name}' takes {len(names)} arguments "
                    f"({', '.join(names)}), got {len(positional)}"
                )
                return None
            arguments.update(zip(names, positional, strict=True))
        elif named is not None:
            unknown = [key for key in named if key not in arguments]
            if unknown:
                diagnostics.report(
                    f"decision service '{self.name}' has no parameter {', '.join(unknown)}"
                )
                return None
            arguments.update(named)
        value, _ = self.call(arguments, diagnostics)
        return value

    def call(
        self, arguments: Mapping[str, Value], diagnostics: Diagnostics
    ) -> tuple[Value, Session]:
        """Evaluate the service in a session of its own; returns its output and that session."""
        supplied: dict[ElementKey, Value] = {}
        for key, parameter in self.compiled.parameters:
            supplied[key] = checked(
                arguments.get(parameter.name),
                parameter.kind,
                diagnostics,
                f"decision service '{self.name}' input '{parameter.name}'",
            )
        session = Session(self.model, supplied, self.run)
        outputs = {}
        for key in self.compiled.outputs:
            compiled = self.model.elements[key]
            assert isinstance(compiled, CompiledDecision)
            outputs[compiled.element.name] = session.decision_value(key)
        if len(outputs) == 1:
            value: Value = next(iter(outputs.values()))
        else:
            value = outputs
        value = checked(value, self.compiled.kind, diagnostics, f"decision service '{self.name}'")
        return value, session
