"""Decision tables: rule matching with unary tests, hit policies, aggregation, output checks."""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verka.engine.dmn import model
from verka.engine.dmn.feeltext import FeelTests, FeelText, Site, value_repr
from verka.engine.dmn.itemdefs import ANY, DmnType, coerce
from verka.engine.dmn.runtime import Run, Scope
from verka.engine.feel.values import NUMBER_CONTEXT, Diagnostics, feel_compare, feel_equals

Value = Any


@dataclass(frozen=True)
class CompiledInput:
    expression: FeelText
    allowed: FeelTests | None
    label: str


@dataclass(frozen=True)
class CompiledOutput:
    name: str | None
    allowed: FeelTests | None
    kind: DmnType
    default: FeelText | None
    label: str


@dataclass(frozen=True)
class CompiledRule:
    rule: model.Rule
    index: int  # 1-based, as the table shows it
    tests: tuple[FeelTests, ...]
    outputs: tuple[FeelText, ...]


class CompiledDecisionTable:
    """A decision table with every FEEL text parsed; calling it evaluates the table."""

    def __init__(
        self,
        table: model.DecisionTable,
        inputs: Sequence[CompiledInput],
        outputs: Sequence[CompiledOutput],
        rules: Sequence[CompiledRule],
        site: Site,
    ) -> None:
        self.table = table
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.rules = tuple(rules)
        self.site = site
        self.single_output = len(outputs) == 1
        self.priorities: list[list[Value]] | None = None

    def __call__(self, scope: Scope, run: Run) -> Value:
        diagnostics = run.diagnostics
        names = run.ambient_names
        values = [clause.expression.evaluate(scope, diagnostics, names) for clause in self.inputs]
        for clause, value in zip(self.inputs, values, strict=True):
            if (
                clause.allowed is not None
                and value is not None
                and clause.allowed.matches(value, scope, diagnostics, names) is not True
            ):
                diagnostics.report(
                    f"{self.site}: input '{clause.label}' is {value_repr(value)}, which is "
                    f"not one of its input values ({clause.allowed.text.strip()})"
                )
                return None
        if self.table.hit_policy == "FIRST":
            # Only the first matching rule fires; the later ones are not even tested.
            first = next((r for r in self.rules if self._matches(r, values, scope, run)), None)
            matched = [first] if first is not None else []
        else:
            matched = [rule for rule in self.rules if self._matches(rule, values, scope, run)]
        run.record_matches(self.table, [(r.rule, r.index) for r in matched])
        if not matched:
            return self._no_match(scope, run)
        results = []
        for rule in matched:
            row = self._outputs(rule, scope, run)
            if row is _INVALID:
                return None
            results.append(row)
        return self._apply_hit_policy(matched, results, scope, run)

    def _matches(self, rule: CompiledRule, values: Sequence[Value], scope: Scope, run: Run) -> bool:
        for test, value in zip(rule.tests, values, strict=True):
            if test.any:
                continue
            if test.matches(value, scope, run.diagnostics, run.ambient_names) is not True:
                return False
        return True

    def _outputs(self, rule: CompiledRule, scope: Scope, run: Run) -> Value:
        diagnostics = run.diagnostics
        row: dict[str, Value] = {}
        for output, entry in zip(self.outputs, rule.outputs, strict=True):
            value = entry.evaluate(scope, diagnostics, run.ambient_names)
            checked = self._check_output(output, value, scope, run, f"rule {rule.index}")
            if checked is _INVALID:
                return _INVALID
            row[output.name or ""] = checked
        if self.single_output:
            return next(iter(row.values()))
        return row

    def _check_output(
        self, output: CompiledOutput, value: Value, scope: Scope, run: Run, which: str
    ) -> Value:
        diagnostics = run.diagnostics
        if (
            output.allowed is not None
            and value is not None
            and output.allowed.matches(value, scope, diagnostics, run.ambient_names) is not True
        ):
            diagnostics.report(
                f"{self.site}: {which} gives output '{output.label}' the value "
                f"{value_repr(value)}, which is not one of its output values "
                f"({output.allowed.text.strip()})"
            )
            return _INVALID
        if output.kind is not ANY:
            coerced, ok = coerce(value, output.kind)
            if not ok:
                diagnostics.report(
                    f"{self.site}: {which} gives output '{output.label}' the value "
                    f"{value_repr(value)}, which does not conform to type {output.kind}"
                )
                return _INVALID
            return coerced
        return value

    def _no_match(self, scope: Scope, run: Run) -> Value:
        """Default outputs when given; else null, an empty list (multiple hits) or count 0."""
        policy = self.table.hit_policy
        multiple = policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER")
        if self.table.aggregation == "COUNT":
            return decimal.Decimal(0)
        if all(output.default is None for output in self.outputs):
            return [] if multiple and self.table.aggregation is None else None
        row: dict[str, Value] = {}
        for output in self.outputs:
            value = None
            if output.default is not None:
                value = output.default.evaluate(scope, run.diagnostics, run.ambient_names)
            checked = self._check_output(output, value, scope, run, "the default output")
            if checked is _INVALID:
                return None
            row[output.name or ""] = checked
        result = next(iter(row.values())) if self.single_output else row
        if multiple and self.table.aggregation is None:
            return [result]
        return result

    def _apply_hit_policy(
        self, matched: list[CompiledRule], results: list[Value], scope: Scope, run: Run
    ) -> Value:
        policy = self.table.hit_policy
        diagnostics = run.diagnostics
        if policy == "UNIQUE":
            if len(results) > 1:
                rules = ", ".join(str(rule.index) for rule in matched)
                diagnostics.report(
                    f"{self.site}: hit policy UNIQUE but rules {rules} all match; null returned"
                )
                return None
            return results[0]
        if policy == "FIRST":
            return results[0]
        if policy == "ANY":
            first = results[0]
            for other in results[1:]:
                if feel_equals(first, other) is not True:
                    rules = ", ".join(str(rule.index) for rule in matched)
                    diagnostics.report(
                        f"{self.site}: hit policy ANY but matching rules {rules} give different "
                        "outputs; null returned"
                    )
                    return None
            return first
        if policy == "PRIORITY":
            return self._by_priority(results, scope, run)[0]
        if policy == "OUTPUT ORDER":
            return self._by_priority(results, scope, run)
        if policy == "RULE ORDER":
            return results
        return self._collect(results, run)

    def _by_priority(self, results: list[Value], scope: Scope, run: Run) -> list[Value]:
        """Sort by the position of each output in its output values, first output first."""
        if self.priorities is None:
            # Output values are literals: evaluated once, outside any evaluation's scope.
            self.priorities = [
                output.allowed.listed({}, Diagnostics()) if output.allowed else []
                for output in self.outputs
            ]
        priorities = self.priorities

        def rank(result: Value) -> tuple[int, ...]:
            row = [result] if self.single_output else [result.get(o.name) for o in self.outputs]
            ranks = []
            for value, listed in zip(row, priorities, strict=True):
                position = len(listed)
                for index, candidate in enumerate(listed):
                    if feel_equals(candidate, value) is True:
                        position = index
                        break
                ranks.append(position)
            return tuple(ranks)

        return sorted(results, key=rank)

    def _collect(self, results: list[Value], run: Run) -> Value:
        aggregation = self.table.aggregation
        if aggregation is None:
            return results
        if not self.single_output:
            run.diagnostics.report(
                f"{self.site}: aggregation {aggregation} needs a single output; null returned"
            )
            return None
        if aggregation == "COUNT":
            return decimal.Decimal(len(results))
        present = [value for value in results if value is not None]
        if not present:
            return None
        if aggregation == "SUM":
            if not all(type(value) is decimal.Decimal for value in present):
                run.diagnostics.report(f"{self.site}: aggregation SUM needs numbers; null returned")
                return None
            total = decimal.Decimal(0)
            for value in present:
                total = NUMBER_CONTEXT.add(total, value)
            return total
        best = present[0]
        for value in present[1:]:
            order = feel_compare(value, best)
            if order is None:
                run.diagnostics.report(
                    f"{self.site}: aggregation {aggregation} needs comparable values; null returned"
                )
                return None
            if (aggregation == "MIN" and order < 0) or (aggregation == "MAX" and order > 0):
                best = value
        return best


class _Invalid:
    """Marks an output that failed its checks (distinct from a legitimate null)."""


_INVALID: Any = _Invalid()
