"""The token lifecycle shared by every element: enter, activate, complete, leave, terminate."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from verka.engine.bpmn import model as m
from verka.engine.runtime import ad_hoc, events, multi_instance
from verka.engine.runtime.context import Tx
from verka.engine.runtime.expressions import ExpressionFailure, evaluate
from verka.engine.runtime.results import (
    CancelChildInstance,
    CancelJob,
    CancelUserTask,
    HistoryEvent,
    InstanceCompleted,
    ResolveIncident,
)
from verka.engine.runtime.state import (
    MULTI_INSTANCE_BODY,
    ElementInstance,
    ElementState,
    InstanceStatus,
    Value,
)

#: element class -> what it does once active; filled in by verka.engine.runtime.behaviours
Behaviour = Callable[[Tx, ElementInstance, Any], None]
BEHAVIOURS: dict[type[m.Element], Behaviour] = {}


def behaviour_for(element: m.Element) -> Behaviour:
    for cls in type(element).__mro__:
        found = BEHAVIOURS.get(cls)
        if found is not None:
            return found
    raise KeyError(type(element).__name__)


# --- entering and running ------------------------------------------------------------------------


def enter(
    tx: Tx,
    element: m.Element,
    scope_key: int,
    variables: Mapping[str, Value] | None = None,
) -> ElementInstance:
    """A token arrives at an element: create its instance (a body for multi-instance)."""
    element_type = element.kind
    if isinstance(element, m.Activity) and element.loop is not None:
        element_type = MULTI_INSTANCE_BODY
    instance = tx.create(element.id, element_type, scope_key)
    for name, value in (variables or {}).items():
        tx.set_local(instance.key, name, value)
    tx.queue.append(("activate", instance.key))
    return instance


def run(tx: Tx) -> None:
    steps: dict[str, Callable[[Tx, int], None]] = {
        "activate": activate,
        "behave": behave,
        "complete": complete,
        "check_scope": check_scope,
    }
    while tx.queue:
        step, key = tx.queue.popleft()
        steps[step](tx, key)


def activate(tx: Tx, key: int) -> None:
    instance = tx.live(key)
    if instance is None or instance.state is not ElementState.ACTIVATING:
        return
    element = tx.element(instance)
    if not instance.is_body and element.inputs:
        try:
            values = map_variables(tx, instance.key, element.inputs, "input mapping")
        except ExpressionFailure as failure:
            tx.incident(instance, "activate", failure.error_type, failure.message)
            return
        for name, value in values.items():
            tx.set_local(instance.key, name, value)
    instance = tx.transition(instance, ElementState.ACTIVE)
    if owns_boundaries(tx, instance) and not events.open_owned(
        tx, instance, events.boundary_events(tx, element), phase="subscribe"
    ):
        return
    if instance.is_body:
        multi_instance.activate_body(tx, instance, element)
        return
    behave(tx, key)


def resubscribe(tx: Tx, instance: ElementInstance) -> None:
    """ResolveIncident after subscriptions failed to open: open them again, then go on."""
    if tx.is_root(instance):
        starts = events.event_subprocess_starts(tx, "")
        start = tx.process.elements.get(str(instance.data.get("start")))
        if events.open_owned(tx, instance, starts, phase="subscribe") and start is not None:
            tx.with_data(instance, start=None)
            enter(tx, start, instance.key)
        return
    element = tx.element(instance)
    if not events.open_owned(tx, instance, events.boundary_events(tx, element), "subscribe"):
        return
    if instance.is_body:
        multi_instance.activate_body(tx, instance, element)
    else:
        behave(tx, instance.key)


def behave(tx: Tx, key: int) -> None:
    instance = tx.live(key)
    if instance is None or instance.state is not ElementState.ACTIVE:
        return
    element = tx.element(instance)
    behaviour_for(element)(tx, instance, element)


def owns_boundaries(tx: Tx, instance: ElementInstance) -> bool:
    element = tx.element(instance)
    if not isinstance(element, m.Activity) or not element.boundary_events:
        return False
    return instance.is_body or element.loop is None


def map_variables(
    tx: Tx, scope_key: int, mappings: tuple[m.VariableMapping, ...], what: str
) -> dict[str, Value]:
    """Evaluate zeebe:input/zeebe:output mappings in order, as Zeebe does (one FEEL context):
    a later source sees the targets written before it; "a.b" targets build nested contexts."""
    mapped: dict[str, Value] = {}
    for mapping in mappings:
        value = evaluate(mapping.source, tx.context(scope_key, mapped), what)
        name, _, path = mapping.target.partition(".")
        if path:
            value = _merge_path(mapped.get(name), path.split("."), value)
        mapped[name] = value
    return mapped


def values_nested(mappings: tuple[m.VariableMapping, ...], name: str) -> set[str]:
    """{name} when some mapping writes into `name` with a path (so existing content stays)."""
    return {name} if any(mp.target.startswith(name + ".") for mp in mappings) else set()


def _merge_context(existing: Value, update: Value) -> Value:
    if not isinstance(existing, dict) or not isinstance(update, dict):
        return update
    merged = dict(existing)
    for key, value in update.items():
        merged[key] = _merge_context(merged.get(key), value)
    return merged


def _merge_path(base: Value, path: list[str], value: Value) -> Value:
    merged: dict[str, Value] = dict(base) if isinstance(base, dict) else {}
    head, rest = path[0], path[1:]
    merged[head] = _merge_path(merged.get(head), rest, value) if rest else value
    return merged


def merge_result(tx: Tx, instance: ElementInstance, variables: Mapping[str, Value]) -> None:
    """Variables from a job, message, decision or script result, as Zeebe merges them: local
    to the element when it has output mappings (the outputs decide), else propagated."""
    element = tx.element(instance)
    if element.outputs:
        for name, value in variables.items():
            tx.set_local(instance.key, name, value)
    else:
        tx.propagate(instance.key, variables)


def finish(tx: Tx, instance: ElementInstance) -> None:
    """The element did its work: complete it (queued, so that follow-ups keep their order)."""
    tx.queue.append(("complete", instance.key))


# --- completing and leaving ----------------------------------------------------------------------


def complete(tx: Tx, key: int) -> None:
    instance = tx.live(key)
    if instance is None or instance.state not in (ElementState.ACTIVE, ElementState.COMPLETING):
        return
    if instance.state is ElementState.ACTIVE:
        instance = tx.transition(instance, ElementState.COMPLETING)
    if tx.is_root(instance):
        events.close_owned(tx, instance)
        instance = tx.transition(instance, ElementState.COMPLETED)
        _instance_completed(tx, instance)
        return
    element = tx.element(instance)
    if instance.is_body:
        multi_instance.complete_body(tx, instance, element)
    elif element.outputs:
        try:
            values = map_variables(tx, instance.key, element.outputs, "output mapping")
        except ExpressionFailure as failure:
            tx.incident(instance, "complete", failure.error_type, failure.message)
            return
        scope_key = instance.flow_scope_key or tx.state.key
        for name, value in values.items():
            if name in values_nested(element.outputs, name):
                value = _merge_context(tx.context(scope_key).get(name), value)
            tx.propagate(scope_key, {name: value})
    if isinstance(element, m.SubProcess) and element.triggered_by_event:
        _propagate_event_subprocess(tx, instance)
    scope = tx.get(instance.flow_scope_key)
    if (
        scope is not None
        and scope.is_body
        and scope.element_id == instance.element_id
        and not multi_instance.inner_completing(tx, scope, instance, element)
    ):
        return
    scope_element = tx.process.elements.get(scope.element_id) if scope is not None else None
    if (
        scope is not None
        and isinstance(scope_element, m.AdHocSubProcess)
        and not ad_hoc.inner_completing(tx, scope, instance, scope_element)
    ):
        return
    events.close_owned(tx, instance)
    instance = tx.transition(instance, ElementState.COMPLETED)
    leave(tx, instance, element)


def _propagate_event_subprocess(tx: Tx, instance: ElementInstance) -> None:
    # an event subprocess without outputs hands its local variables to the containing scope
    if not tx.element(instance).outputs and instance.flow_scope_key is not None:
        tx.propagate(instance.flow_scope_key, tx.local(instance.key))


def _instance_completed(tx: Tx, instance: ElementInstance) -> None:
    tx.status = InstanceStatus.COMPLETED
    tx.emit(
        InstanceCompleted(
            tx.state.key,
            tx.local(instance.key),
            tx.state.parent_instance_key,
            tx.state.parent_element_instance_key,
        )
    )


def leave(tx: Tx, instance: ElementInstance, element: m.Element) -> None:
    scope_key = instance.flow_scope_key
    assert scope_key is not None
    scope = tx.get(scope_key)
    if scope is not None and scope.is_body and scope.element_id == instance.element_id:
        multi_instance.inner_left(tx, scope, instance, element)
        return
    events.after_activity_completed(tx, instance, element)
    if "compensating" in instance.data:
        events.handler_completed(tx, instance)
        return
    flows = _outgoing(tx, instance, element)
    for flow_id in flows:
        take(tx, tx.process.flows[flow_id], scope_key, instance)
    if isinstance(element, m.IntermediateThrowEvent) and element.event.kind is m.EventKind.LINK:
        target = tx.process.link_target(element.scope, element.event.link_name)
        if target is not None:
            enter(tx, target, scope_key)
            return
    if not flows:
        tx.queue.append(("check_scope", scope_key))


def _outgoing(tx: Tx, instance: ElementInstance, element: m.Element) -> list[str]:
    if isinstance(element, m.ExclusiveGateway | m.InclusiveGateway):
        chosen: list[str] = list(instance.data.get("flows", ()))
        return chosen
    if isinstance(element, m.EventBasedGateway):
        return []
    return list(element.outgoing)


def record_flow(tx: Tx, flow: m.SequenceFlow, source: ElementInstance) -> None:
    tx.history.append(
        HistoryEvent(
            timestamp=tx.now,
            instance_key=tx.state.key,
            element_instance_key=source.key,
            element_id=flow.id,
            element_type="sequenceFlow",
            event_type="SEQUENCE_FLOW_TAKEN",
            name=flow.id,
        )
    )


def take(tx: Tx, flow: m.SequenceFlow, scope_key: int, source: ElementInstance) -> None:
    record_flow(tx, flow, source)
    target = tx.process.elements[flow.target]
    if isinstance(target, m.ParallelGateway | m.InclusiveGateway) and len(target.incoming) > 1:
        scope = tx.live(scope_key)
        if scope is None:
            return
        joins = {gid: dict(arrived) for gid, arrived in scope.data.get("joins", {}).items()}
        arrived = joins.setdefault(target.id, {})
        arrived[flow.id] = arrived.get(flow.id, 0) + 1
        tx.with_data(scope, joins=joins)
        _try_join(tx, scope_key, target)
        return
    enter(tx, target, scope_key)


def _try_join(tx: Tx, scope_key: int, gateway: m.Element) -> bool:
    scope = tx.live(scope_key)
    if scope is None:
        return False
    joins: dict[str, dict[str, int]] = {
        gid: dict(arrived) for gid, arrived in scope.data.get("joins", {}).items()
    }
    arrived = joins.get(gateway.id, {})
    if isinstance(gateway, m.ParallelGateway):
        if not all(arrived.get(flow_id, 0) > 0 for flow_id in gateway.incoming):
            return False
    else:
        if not any(count > 0 for count in arrived.values()):
            return False
        if _token_may_arrive(tx, scope_key, gateway.id, joins):
            return False
    consumed = {f: c - 1 for f, c in arrived.items() if c > 1}
    if consumed:
        joins[gateway.id] = consumed
    else:
        joins.pop(gateway.id, None)
    tx.with_data(scope, joins=joins or None)
    enter(tx, gateway, scope_key)
    return True


def _token_may_arrive(
    tx: Tx, scope_key: int, gateway_id: str, joins: Mapping[str, Mapping[str, int]]
) -> bool:
    reachable = tx.process.reachable
    for child in tx.children(scope_key):
        if child.element_id == gateway_id or gateway_id in reachable.get(child.element_id, ()):
            return True
    for other_id, arrived in joins.items():
        if (
            other_id != gateway_id
            and any(arrived.values())
            and gateway_id in reachable.get(other_id, ())
        ):
            return True
    return False


def pending_joins(scope: ElementInstance) -> bool:
    return any(any(a.values()) for a in scope.data.get("joins", {}).values())


def check_scope(tx: Tx, scope_key: int) -> None:
    """A child of this scope ended: fire waiting inclusive joins, or complete the scope."""
    scope = tx.live(scope_key)
    if scope is None or scope.state is not ElementState.ACTIVE or scope.is_body:
        return
    for gateway_id in list(scope.data.get("joins", {})):  # only scopes with waiting tokens
        gateway = tx.process.elements[gateway_id]
        if isinstance(gateway, m.InclusiveGateway) and _try_join(tx, scope_key, gateway):
            return
    scope = tx.live(scope_key)
    if scope is None or pending_joins(scope) or "incident" in scope.data:
        return
    element = tx.process.elements.get(scope.element_id)
    if isinstance(element, m.AdHocSubProcess):
        ad_hoc.inner_finished(tx, scope, element)
        return
    if tx.child_count(scope_key):
        return
    finish(tx, scope)


# --- termination ---------------------------------------------------------------------------------


def terminate(tx: Tx, key: int) -> None:
    """Terminate an element instance and everything inside it; the caller decides what next."""
    instance = tx.live(key)
    if instance is None or instance.state is ElementState.TERMINATING:
        return
    instance = tx.transition(instance, ElementState.TERMINATING)
    for child in tx.children(key):
        terminate(tx, child.key)
    instance = tx.get(key) or instance
    data = instance.data
    if "job" in data:
        tx.emit(CancelJob(int(data["job"]), instance.key))
    if "user_task" in data:
        tx.emit(CancelUserTask(instance.key))
    if "child" in data:
        tx.emit(CancelChildInstance(instance.key))
    if "incident" in data:
        tx.emit(ResolveIncident(int(data["incident"]["key"]), instance.key))
    events.close_owned(tx, instance)
    tx.transition(instance, ElementState.TERMINATED)


def terminate_children(tx: Tx, scope_key: int, keep: int | None = None) -> None:
    for child in tx.children(scope_key):
        if child.key != keep:
            terminate(tx, child.key)
    scope = tx.live(scope_key)
    if scope is not None and "joins" in scope.data:
        tx.with_data(scope, joins=None)
