"""DMN 1.1–1.5 decisions: load models, evaluate decisions and decision services.

decision_model = load_models([Path("loan.dmn")])
result = evaluate_decision(decision_model, "Approval", {"Age": Decimal(30)})
result.value, result.messages, result.matched_rules
evaluate_decision(decision_model, "Approval", variables=process_variables)  # as Camunda 8 does
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
    variables: Mapping[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> DecisionResult:
    """Evaluate a decision (by id or name) and the decisions it requires.

    inputs follow DMN strictly (as the TCK does): FEEL values by input data name;
    '{namespace}name' names an input of an imported model, naming a decision supplies its value
    instead of evaluating it, and a name the model does not declare is ignored.

    variables are ambient, as Camunda 8 evaluates a business rule task against all process
    variables: each is visible by its name in every decision, BKM and decision service, even
    where the model declares no input data for it (Camunda Modeler's tables declare none). They
    have the lowest precedence: an input, decision or BKM the element requires hides a variable
    of the same name, and `now`/`today` stay functions. A variable also supplies the input data
    of its name when inputs do not; it never replaces a decision's value. A name that nothing
    supplies reads as null with a message in `messages`. Multi-word names work; one with a
    keyword or number among its words (`Amount in EUR`) is recognised by parsing the text again
    for that evaluation (cached); one with operator characters and no space (`a-b`) needs
    backquotes (`` `a-b` ``).

    now is the instant FEEL's now() and today() answer (they give null without it: the engine
    reads no clock).
    """
    return decision_model.evaluate(decision, inputs or {}, variables=variables, now=now)


def evaluate_decision_service(
    decision_model: DecisionModel,
    service: str,
    inputs: Mapping[str, Any] | None = None,
    *,
    variables: Mapping[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> DecisionResult:
    """Invoke a decision service (by id or name) with values for its inputs and input decisions.

    variables are ambient, as for `evaluate_decision`; they also supply input data parameters
    that inputs leave out.
    """
    return decision_model.evaluate_service(service, inputs or {}, variables=variables, now=now)


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
