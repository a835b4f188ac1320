"""What a deployed process listens for before any instance exists: its triggered start events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from verka.engine.bpmn.model import EventKind, Process
from verka.engine.feel.builtins import clock_functions
from verka.engine.runtime.expressions import (
    ExpressionFailure,
    evaluate,
    evaluate_bool,
    evaluate_str,
    to_values,
)
from verka.engine.runtime.state import Value
from verka.engine.runtime.timers import Schedule, next_repetition, schedule


@dataclass(frozen=True)
class StartSubscription:
    """Start an instance with CreateProcessInstance(variables, start_at=element_id) when
    the message (by name), signal (by name) or timer (at `timer.due`) arrives."""

    element_id: str
    kind: EventKind
    name: str = ""  # message or signal name
    timer: Schedule | None = None
    condition: str = ""  # conditional start: see conditional_starts()


def start_subscriptions(process: Process, now: datetime) -> list[StartSubscription]:
    """The subscriptions to open when the process is deployed (top-level start events only).

    Expressions here see no variables (there is no instance yet); a bad one raises
    ExpressionFailure, which the deployment should report.
    """
    found: list[StartSubscription] = []
    for start in process.start_events(""):
        definition = start.event
        if definition.kind is EventKind.MESSAGE:
            message = process.messages[definition.ref]
            name = evaluate_str(message.name, {}, "message name")
            found.append(StartSubscription(start.id, EventKind.MESSAGE, name=name))
        elif definition.kind is EventKind.SIGNAL:
            signal = process.signals[definition.ref]
            name = evaluate_str(signal.name, {}, "signal name")
            found.append(StartSubscription(start.id, EventKind.SIGNAL, name=name))
        elif definition.kind is EventKind.TIMER and definition.timer_kind is not None:
            value = evaluate(definition.timer_expression, {}, "timer")
            plan = schedule(definition.timer_kind, value, now)
            found.append(StartSubscription(start.id, EventKind.TIMER, timer=plan))
        elif definition.kind is EventKind.CONDITIONAL:
            found.append(
                StartSubscription(start.id, EventKind.CONDITIONAL, condition=definition.condition)
            )
    return found


def conditional_starts(
    process: Process, variables: Mapping[str, Value], now: datetime
) -> list[str]:
    """Ids of the root-level conditional start events whose condition holds for `variables`
    (Camunda's "evaluate conditionals"); start one instance per id with start_at=id.
    A condition that fails or is not boolean does not hold."""
    context = {**clock_functions(now), **to_values(variables)}
    holding: list[str] = []
    for start in process.start_events(""):
        if start.event.kind is not EventKind.CONDITIONAL:
            continue
        try:
            if evaluate_bool(start.event.condition, context, "condition"):
                holding.append(start.id)
        except ExpressionFailure:
            continue
    return holding


def next_start_timer(subscription: StartSubscription, fired_at: datetime) -> Schedule | None:
    """After a timer start fired: when it fires again (cycles), or None."""
    if subscription.timer is None:
        raise ExpressionFailure(f"start event '{subscription.element_id}' has no timer")
    return next_repetition(subscription.timer, fired_at)
