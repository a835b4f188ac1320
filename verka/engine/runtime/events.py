"""Catching and throwing events: subscriptions, triggers, errors, escalations, compensation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from verka.engine.bpmn import model as m
from verka.engine.runtime import flow, timers
from verka.engine.runtime.context import Tx
from verka.engine.runtime.expressions import (
    ExpressionFailure,
    evaluate,
    evaluate_bool,
    evaluate_str,
)
from verka.engine.runtime.results import (
    CancelTimer,
    CloseMessageSubscription,
    CloseSignalSubscription,
    ErrorToParent,
    EscalationToParent,
    OpenMessageSubscription,
    OpenSignalSubscription,
    ScheduleTimer,
)
from verka.engine.runtime.state import ElementInstance, ElementState, Value

_SUBSCRIBING = (
    m.EventKind.MESSAGE,
    m.EventKind.TIMER,
    m.EventKind.SIGNAL,
    m.EventKind.CONDITIONAL,
)


def _event_of(element: m.Element) -> m.EventDefinition:
    if isinstance(element, m.ReceiveTask):
        return m.EventDefinition(m.EventKind.MESSAGE, ref=element.message_ref)
    definition: m.EventDefinition = getattr(element, "event", m.EventDefinition(m.EventKind.NONE))
    return definition


def boundary_events(tx: Tx, element: m.Element) -> list[m.Element]:
    if not isinstance(element, m.Activity):
        return []
    found = [tx.process.elements[b] for b in element.boundary_events]
    return [b for b in found if _event_of(b).kind in _SUBSCRIBING]


def event_subprocess_starts(tx: Tx, scope_id: str) -> list[m.Element]:
    starts: list[m.Element] = []
    for subprocess in tx.process.event_subprocesses(scope_id):
        for start in tx.process.start_events(subprocess.id):
            if start.event.kind in _SUBSCRIBING:
                starts.append(start)
    return starts


def container_scope_id(tx: Tx, instance: ElementInstance) -> str | None:
    """The scope id whose event subprocesses this instance hosts, or None."""
    if tx.is_root(instance):
        return ""
    element = tx.process.elements.get(instance.element_id)
    if isinstance(element, m.SubProcess) and not instance.is_body:
        return element.id
    return None


def owned(tx: Tx, instance: ElementInstance) -> list[m.Element]:
    """Every event whose subscription belongs to this instance (derived from the model)."""
    result: list[m.Element] = []
    element = tx.process.elements.get(instance.element_id)
    if element is not None and flow.owns_boundaries(tx, instance):
        result.extend(boundary_events(tx, element))
    scope_id = container_scope_id(tx, instance)
    if scope_id is not None:
        result.extend(event_subprocess_starts(tx, scope_id))
    if (
        isinstance(element, m.IntermediateCatchEvent | m.ReceiveTask)
        and not instance.is_body
        and _event_of(element).kind in _SUBSCRIBING
    ):
        result.append(element)
    if isinstance(element, m.EventBasedGateway):
        for flow_id in element.outgoing:
            result.append(tx.process.elements[tx.process.flows[flow_id].target])
    return result


def open_owned(
    tx: Tx, owner: ElementInstance, elements: Sequence[m.Element], phase: str = "behave"
) -> bool:
    """Open subscriptions; on a bad expression raise an incident at the owner (ResolveIncident
    then retries `phase`) and return False."""
    try:
        for element in elements:
            _open(tx, owner, element)
    except ExpressionFailure as failure:
        tx.incident(owner, phase, failure.error_type, failure.message)
        return False
    return True


def _interrupting(element: m.Element) -> bool:
    if isinstance(element, m.BoundaryEvent):
        return element.cancel_activity
    if isinstance(element, m.StartEvent):
        return element.interrupting
    return True


def _open(tx: Tx, owner: ElementInstance, element: m.Element) -> None:
    definition = _event_of(element)
    context = tx.context(owner.key)
    if definition.kind is m.EventKind.MESSAGE:
        message = tx.process.messages[definition.ref]
        name = evaluate_str(message.name, context, "message name")
        key = evaluate_str(message.correlation_key, context, "correlation key")
        tx.emit(OpenMessageSubscription(owner.key, element.id, name, key, _interrupting(element)))
    elif definition.kind is m.EventKind.TIMER:
        assert definition.timer_kind is not None
        value = evaluate(definition.timer_expression, context, "timer")
        plan = timers.schedule(definition.timer_kind, value, tx.now)
        tx.emit(ScheduleTimer(owner.key, element.id, plan.due, plan.repetitions, plan.interval))
    elif definition.kind is m.EventKind.SIGNAL:
        signal = tx.process.signals[definition.ref]
        name = evaluate_str(signal.name, context, "signal name")
        tx.emit(OpenSignalSubscription(owner.key, element.id, name))
    elif definition.kind is m.EventKind.CONDITIONAL:
        root = tx.root()
        waits = [list(w) for w in root.data.get("conditionals", [])]
        waits.append([owner.key, element.id, False])
        tx.with_data(root, conditionals=waits)
        tx.conditions_dirty = True  # the condition may hold already


def close_owned(tx: Tx, instance: ElementInstance, only: Sequence[m.Element] = ()) -> None:
    for element in only or owned(tx, instance):
        kind = _event_of(element).kind
        if kind is m.EventKind.MESSAGE:
            tx.emit(CloseMessageSubscription(instance.key, element.id))
        elif kind is m.EventKind.TIMER:
            tx.emit(CancelTimer(instance.key, element.id))
        elif kind is m.EventKind.SIGNAL:
            tx.emit(CloseSignalSubscription(instance.key, element.id))
        elif kind is m.EventKind.CONDITIONAL:
            root = tx.get(tx.state.key)
            if root is None:
                continue
            waits = [
                list(w)
                for w in root.data.get("conditionals", [])
                if not (w[0] == instance.key and w[1] == element.id)
            ]
            tx.with_data(root, conditionals=waits or None)


# --- triggers ------------------------------------------------------------------------------------


def trigger(
    tx: Tx, owner_key: int, element_id: str, variables: Mapping[str, Value], kind: m.EventKind
) -> str | None:
    """An event happened for a subscription of `owner_key`; returns a rejection or None."""
    owner = tx.live(owner_key)
    if owner is None or owner.state is not ElementState.ACTIVE:
        return f"element instance {owner_key} is not active"
    element = tx.process.elements.get(element_id)
    if element is None or _event_of(element).kind is not kind:
        return f"element '{element_id}' does not wait for a {kind.value} event"
    if element not in owned(tx, owner):
        return f"element instance {owner_key} has no subscription for '{element_id}'"
    if element.id == owner.element_id:
        flow.merge_result(tx, owner, variables)
        flow.finish(tx, owner)
    elif isinstance(element, m.BoundaryEvent):
        _trigger_boundary(tx, owner, element, variables)
    elif isinstance(element, m.StartEvent):
        return _trigger_event_subprocess(tx, owner, element, variables)
    else:
        _trigger_after_gateway(tx, owner, element, variables)
    return None


def _reschedule_cycle(tx: Tx, owner: ElementInstance, element: m.Element) -> None:
    definition = _event_of(element)
    if definition.kind is not m.EventKind.TIMER or definition.timer_kind is not m.TimerKind.CYCLE:
        return
    fired: dict[str, int] = dict(owner.data.get("fired", {}))
    fired[element.id] = fired.get(element.id, 0) + 1
    owner = tx.with_data(owner, fired=fired)
    try:
        value = evaluate(definition.timer_expression, tx.context(owner.key), "timer")
        plan = timers.schedule(m.TimerKind.CYCLE, value, tx.now)
    except ExpressionFailure:
        return
    if plan.repetitions != -1 and fired[element.id] >= plan.repetitions:
        return
    months, interval = plan.months, plan.interval or timedelta()
    due = timers.add_months(tx.now, months) + interval
    left = -1 if plan.repetitions == -1 else plan.repetitions - fired[element.id]
    tx.emit(ScheduleTimer(owner.key, element.id, due, left, plan.interval))


def _trigger_boundary(
    tx: Tx, owner: ElementInstance, boundary: m.BoundaryEvent, variables: Mapping[str, Value]
) -> None:
    scope_key = owner.flow_scope_key
    assert scope_key is not None
    if boundary.cancel_activity:
        flow.terminate(tx, owner.key)
    else:
        _reschedule_cycle(tx, owner, boundary)
    catch = tx.create(boundary.id, boundary.kind, scope_key, data={"triggered": True})
    flow.merge_result(tx, catch, variables)
    tx.queue.append(("activate", catch.key))


def _trigger_event_subprocess(
    tx: Tx, scope: ElementInstance, start: m.StartEvent, variables: Mapping[str, Value]
) -> str | None:
    subprocess = tx.process.elements[start.scope]
    if "interrupted" in scope.data:
        # an interrupting event subprocess closed every other one in this scope
        return f"scope {scope.key} was already interrupted"
    if start.interrupting:
        flow.terminate_children(tx, scope.key)
        scope = tx.with_data(tx.get(scope.key) or scope, interrupted=subprocess.id)
        close_owned(tx, scope, event_subprocess_starts(tx, container_scope_id(tx, scope) or ""))
    else:
        _reschedule_cycle(tx, scope, start)
    instance = flow.enter(tx, subprocess, scope.key, variables)
    tx.with_data(instance, trigger=start.id)
    return None


def _trigger_after_gateway(
    tx: Tx, gateway: ElementInstance, target: m.Element, variables: Mapping[str, Value]
) -> None:
    scope_key = gateway.flow_scope_key
    assert scope_key is not None
    close_owned(tx, gateway)
    gateway = tx.transition(gateway, ElementState.COMPLETING)
    gateway = tx.transition(gateway, ElementState.COMPLETED)
    for flow_id in gateway_flows(tx, gateway, target):
        flow.record_flow(tx, tx.process.flows[flow_id], gateway)
    catch = tx.create(target.id, target.kind, scope_key, data={"triggered": True})
    flow.merge_result(tx, catch, variables)
    tx.queue.append(("activate", catch.key))


def gateway_flows(tx: Tx, gateway: ElementInstance, target: m.Element) -> list[str]:
    element = tx.element(gateway)
    return [f for f in element.outgoing if tx.process.flows[f].target == target.id]


def evaluate_conditionals(tx: Tx) -> None:
    """Trigger conditional events whose condition turned true since the last evaluation."""
    root = tx.get(tx.state.key)
    if root is None or root.state.is_final or not root.data.get("conditionals"):
        return
    for owner_key, element_id, was_true in [list(w) for w in root.data["conditionals"]]:
        owner = tx.live(owner_key)
        if owner is None or owner.state is not ElementState.ACTIVE:
            continue
        element = tx.process.elements[element_id]
        try:
            now_true = evaluate_bool(
                _event_of(element).condition, tx.context(owner.key), "condition"
            )
        except ExpressionFailure as failure:
            if "incident" not in owner.data:
                tx.incident(owner, "condition", failure.error_type, failure.message)
            continue
        if now_true != was_true:
            root = tx.root()
            waits = [
                [w[0], w[1], now_true] if (w[0], w[1]) == (owner_key, element_id) else list(w)
                for w in root.data.get("conditionals", [])
            ]
            tx.with_data(root, conditionals=waits)
        if now_true and not was_true:
            trigger(tx, owner_key, element_id, {}, m.EventKind.CONDITIONAL)


# --- errors and escalations ----------------------------------------------------------------------


def _code_of(tx: Tx, definition: m.EventDefinition) -> str | None:
    """The code a catch event matches (None = catches every code)."""
    if not definition.ref:
        return None
    if definition.kind is m.EventKind.ERROR:
        return tx.process.errors[definition.ref].code
    return tx.process.escalations[definition.ref].code


def _match(tx: Tx, candidates: Sequence[m.Element], kind: m.EventKind, code: str) -> Any:
    matching = [c for c in candidates if _event_of(c).kind is kind]
    for candidate in matching:
        if _code_of(tx, _event_of(candidate)) == code:
            return candidate
    for candidate in matching:
        if _code_of(tx, _event_of(candidate)) is None:
            return candidate
    return None


def find_catch(
    tx: Tx, source: ElementInstance, kind: m.EventKind, code: str
) -> tuple[str, ElementInstance, m.Element] | None:
    current: ElementInstance | None = source
    while current is not None:
        element = tx.process.elements.get(current.element_id)
        if (
            isinstance(element, m.Activity)
            and flow.owns_boundaries(tx, current)
            and current.state is ElementState.ACTIVE
        ):
            boundaries = [tx.process.elements[b] for b in element.boundary_events]
            found = _match(tx, boundaries, kind, code)
            if found is not None:
                return ("boundary", current, found)
        scope = tx.get(current.flow_scope_key)
        if scope is None:
            return None
        scope_id = container_scope_id(tx, scope)
        if scope_id is not None:
            starts: list[m.Element] = []
            for subprocess in tx.process.event_subprocesses(scope_id):
                starts.extend(tx.process.start_events(subprocess.id))
            found = _match(tx, starts, kind, code)
            if found is not None and not (_interrupting(found) and "interrupted" in scope.data):
                return ("event_subprocess", scope, found)
        current = scope
    return None


def _catch(
    tx: Tx, where: str, owner: ElementInstance, catch: m.Element, variables: Mapping[str, Value]
) -> None:
    if where == "boundary":
        assert isinstance(catch, m.BoundaryEvent)
        _trigger_boundary(tx, owner, catch, variables)
    else:
        assert isinstance(catch, m.StartEvent)
        _trigger_event_subprocess(tx, owner, catch, variables)


def throw_error(
    tx: Tx, source: ElementInstance, code: str, message: str, variables: Mapping[str, Value]
) -> bool:
    """Throw a BPMN error from `source`; False when nothing caught it (incident raised)."""
    found = find_catch(tx, source, m.EventKind.ERROR, code)
    if found is None:
        parent = tx.state.parent_element_instance_key
        if parent is not None and tx.state.parent_instance_key is not None:
            tx.emit(
                ErrorToParent(tx.state.parent_instance_key, parent, code, message, dict(variables))
            )
            return True
        text = f"Expected to throw an error event with the code '{code}'"
        text += f" ({message})" if message else ""
        text += ", but it was not caught. No error events are available in the scope."
        tx.incident(source, "error", "UNHANDLED_ERROR_EVENT", text)
        return False
    where, owner, catch = found
    _catch(tx, where, owner, catch, variables)
    return True


def throw_escalation(tx: Tx, source: ElementInstance, code: str) -> bool:
    """Throw an escalation; True when the thrower goes on (uncaught or non-interrupting)."""
    found = find_catch(tx, source, m.EventKind.ESCALATION, code)
    if found is None:
        parent = tx.state.parent_element_instance_key
        if parent is not None and tx.state.parent_instance_key is not None:
            tx.emit(EscalationToParent(tx.state.parent_instance_key, parent, code))
        return True
    where, owner, catch = found
    _catch(tx, where, owner, catch, {})
    return not _interrupting(catch)


# --- compensation --------------------------------------------------------------------------------


def after_activity_completed(tx: Tx, instance: ElementInstance, element: m.Element) -> None:
    """Remember completed activities with compensation handlers in their flow scope."""
    if not isinstance(element, m.Activity) or "compensating" in instance.data:
        return
    entries: list[list[Any]] = []
    for boundary_id in element.boundary_events:
        boundary = tx.process.elements[boundary_id]
        if _event_of(boundary).kind is m.EventKind.COMPENSATION:
            entries.append([element.id, instance.key, boundary_id])
    if isinstance(element, m.SubProcess):
        entries.extend(list(e) for e in instance.data.get("compensable", []))
    scope = tx.live(instance.flow_scope_key)
    if entries and scope is not None:
        known = [list(e) for e in scope.data.get("compensable", [])]
        tx.with_data(scope, compensable=known + entries)


def compensate(tx: Tx, thrower: ElementInstance, definition: m.EventDefinition) -> None:
    scope = tx.live(thrower.flow_scope_key)
    entries = [list(e) for e in scope.data.get("compensable", [])] if scope else []
    ref = definition.activity_ref
    chosen = [e for e in entries if not ref or e[0] == ref]
    if scope is None or not chosen:
        flow.finish(tx, thrower)
        return
    rest = [e for e in entries if e not in chosen]
    tx.with_data(scope, compensable=rest or None)
    wait = definition.wait_for_completion
    for activity_id, key, boundary_id in reversed(chosen):
        handler = tx.process.elements[tx.process.compensation_handlers[boundary_id]]
        instance = flow.enter(tx, handler, scope.key)
        tx.with_data(
            instance,
            compensating=key,
            thrower=thrower.key if wait else None,
            compensated_activity=activity_id,
        )
    if wait:
        tx.with_data(thrower, pending=len(chosen))
    else:
        flow.finish(tx, thrower)


def handler_completed(tx: Tx, handler: ElementInstance) -> None:
    thrower = tx.live(handler.data.get("thrower"))
    if thrower is not None:
        pending = int(thrower.data.get("pending", 1)) - 1
        thrower = tx.with_data(thrower, pending=pending if pending else None)
        if pending <= 0:
            flow.finish(tx, thrower)
            return
    if handler.flow_scope_key is not None:
        tx.queue.append(("check_scope", handler.flow_scope_key))
