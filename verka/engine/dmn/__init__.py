"""DMN 1.1–1.5 decisions: load models, evaluate decisions and decision services.

decision_model = load_models([Path("loan.dmn")])
result = evaluate_decision(decision_model, "Approval", {"Age": Decimal(30)})
result.value, result.messages, result.matched_rules
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from verka.engine.dmn.drg import DecisionModel
from verka.engine.dmn.errors import DmnError
from verka.engine.dmn.feeltext import Problem
from verka.engine.dmn.parser import parse_definitions
from verka.engine.dmn.runtime import MatchedRule
from verka.engine.dmn.session import DecisionResult

Source = str | Path | bytes


def load_models(
    sources: Source | Iterable[Source], *, main: str | None = None, strict: bool = False
) -> DecisionModel:
    """Read DMN files (paths or XML bytes) that import each other; the first is the main model.

    main picks another main model by name or namespace. With strict, FEEL syntax errors and
    unknown types found while compiling raise DmnError; otherwise they are kept in
    `DecisionModel.problems` and reported when the affected expression is evaluated.
    """
    if isinstance(sources, str | Path | bytes):
        sources = [sources]
    definitions = []
    for source in sources:
        if isinstance(source, bytes):
            definitions.append(parse_definitions(source))
        else:
            path = Path(source)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise DmnError(
                    f"cannot read DMN file: {error.strerror}", source=str(path)
                ) from None
            definitions.append(parse_definitions(data, str(path)))
    decision_model = DecisionModel(definitions)
    if main is not None:
        decision_model = decision_model.with_main(main)
    if strict and decision_model.problems:
        first = decision_model.problems[0]
        raise DmnError(first.message, element_id=first.element_id, line=first.line)
    return decision_model


def evaluate_decision(
    decision_model: DecisionModel,
    decision: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> DecisionResult:
    """Evaluate a decision (by id or name) and the decisions it requires.

    inputs are FEEL values by input data name; '{namespace}name' names an input of an imported
    model, and naming a decision supplies its value instead of evaluating it. now is the instant
    FEEL's now() and today() answer (they give null without it: the engine reads no clock).
    """
    return decision_model.evaluate(decision, inputs or {}, now=now)


def evaluate_decision_service(
    decision_model: DecisionModel,
    service: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    now: datetime.datetime | None = None,
) -> DecisionResult:
    """Invoke a decision service (by id or name) with values for its inputs and input decisions."""
    return decision_model.evaluate_service(service, inputs or {}, now=now)


__all__ = [
    "DecisionModel",
    "DecisionResult",
    "DmnError",
    "MatchedRule",
    "Problem",
    "evaluate_decision",
    "evaluate_decision_service",
    "load_models",
]
