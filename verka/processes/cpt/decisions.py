"""Decisions during a CPT test case: every evaluation is recorded (for ASSERT_DECISION) and
MOCK_DMN_DECISION replaces a decision's result, for business rule tasks and EVALUATE_DECISION."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import repository
from .cases import Mismatch
from .lookup import plain


@dataclass(frozen=True)
class Evaluation:
    decision_id: str
    decision_name: str
    output: Any  # plain JSON
    matched_rules: tuple[int, ...]
    mocked: bool = False


@dataclass
class DecisionLog:
    mocks: dict[str, Any] = field(default_factory=dict)  # decision id -> FEEL value
    evaluations: list[Evaluation] = field(default_factory=list)

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> Any:
        """Evaluate the latest deployed decision like a business rule task does, and record it."""
        if decision_id in self.mocks:
            value = self.mocks[decision_id]
            self.evaluations.append(Evaluation(decision_id, "", plain(value), (), mocked=True))
            return value
        definition = repository.latest_decision(decision_id, test=True)
        result = repository.evaluate_deployed_decision(decision_id, variables, test=True)
        if result.messages and result.value is None:
            raise ValueError("; ".join(result.messages))
        rules = tuple(
            rule.rule_index for rule in result.matched_rules if rule.decision_id == decision_id
        )
        try:
            output = plain(result.value)
        except ValueError:  # a function or range: shown as text, never equal to test JSON
            output = str(result.value)
        self.evaluations.append(Evaluation(decision_id, definition.name, output, rules))
        return result.value

    def find(self, selector: Mapping[str, Any]) -> Evaluation:
        """The first evaluation of the selected decision in this case (as CPT takes it)."""
        wanted_id = selector.get("decisionDefinitionId")
        wanted_name = selector.get("decisionDefinitionName")
        for evaluation in self.evaluations:
            if wanted_id is not None and evaluation.decision_id != wanted_id:
                continue
            if wanted_name is not None and evaluation.decision_name != wanted_name:
                continue
            return evaluation
        seen = sorted({e.decision_id for e in self.evaluations})
        found = f"evaluated: {', '.join(seen)}" if seen else "no decision was evaluated"
        what = ", ".join(f"{key}={value!r}" for key, value in selector.items())
        raise Mismatch(f"no evaluation of a decision with {what} ({found})")


@contextlib.contextmanager
def recording(log: DecisionLog) -> Iterator[DecisionLog]:
    """Route the business rule tasks of test instances through `log` while a test case runs.
    Live instances evaluate as always, never with the test's mocks."""
    token = repository.decision_recorder.set(log.evaluate)
    try:
        yield log
    finally:
        repository.decision_recorder.reset(token)
