"""State of one evaluation: diagnostics, matched rules for audit, and the evaluator signature."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from verka.engine.dmn import model
from verka.engine.feel.builtins import clock_functions
from verka.engine.feel.values import Diagnostics

Value = Any
Scope = Mapping[str, Value]


@dataclass(frozen=True)
class MatchedRule:
    """One decision-table rule that matched, for audit trails (which rule decided what)."""

    decision_id: str | None
    decision_name: str | None
    table_id: str | None
    rule_id: str | None
    rule_index: int  # 1-based
    annotations: tuple[str, ...] = ()


@dataclass
class Run:
    """Everything one evaluation collects; BKM and decision-service calls share it."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    matched_rules: list[MatchedRule] = field(default_factory=list)
    decision_stack: list[tuple[str | None, str]] = field(default_factory=list)
    # `now()` and `today()` when the caller gave the evaluation an instant; the engine has no clock.
    clock: Mapping[str, Value] = field(default_factory=dict)
    # Ambient variables (a process's variables, as Camunda 8 passes them): visible in every
    # decision's scope below its declared requirements. `ambient_names` are those of them with
    # spaces that the model does not know, for re-parsing a FEEL text that mentions one.
    variables: Mapping[str, Value] = field(default_factory=dict)
    ambient_names: tuple[str, ...] = ()

    def record_matches(
        self, table: model.DecisionTable, rules: Sequence[tuple[model.Rule, int]]
    ) -> None:
        decision_id, decision_name = (
            self.decision_stack[-1] if self.decision_stack else (None, None)
        )
        for rule, index in rules:
            self.matched_rules.append(
                MatchedRule(
                    decision_id,
                    decision_name,
                    table.element_id,
                    rule.element_id,
                    index,
                    rule.annotations,
                )
            )


Evaluator = Callable[[Scope, Run], Value]


def run_at(
    now: datetime.datetime | None,
    variables: Mapping[str, Value] | None = None,
    ambient_names: tuple[str, ...] = (),
) -> Run:
    """A fresh evaluation; with an instant, FEEL's now() and today() answer from it.

    variables are FEEL values already (see `ambient_values`).
    """
    clock = dict(clock_functions(now)) if now is not None else {}
    return Run(clock=clock, variables=variables or {}, ambient_names=ambient_names)
