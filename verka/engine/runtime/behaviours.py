"""What each kind of element does once it is active: one small function per element kind."""

from __future__ import annotations

from typing import Any

from verka.engine.bpmn import model as m
from verka.engine.runtime import events, flow, timers
from verka.engine.runtime.context import Tx
from verka.engine.runtime.expressions import (
    ExpressionFailure,
    evaluate,
    evaluate_bool,
    evaluate_int,
    evaluate_str,
    evaluate_strings,
)
from verka.engine.runtime.results import (
    BroadcastSignal,
    CreateJob,
    CreateUserTask,
    PublishMessage,
    StartChildInstance,
)
from verka.engine.runtime.state import ElementInstance


def _pass_through(tx: Tx, instance: ElementInstance, element: Any) -> None:
    flow.finish(tx, instance)


def create_job(tx: Tx, instance: ElementInstance, element: Any) -> None:
    """Emit CreateJob for an element with a zeebe:taskDefinition (its job type may be FEEL)."""
    definition: m.TaskDefinition = element.task_definition
    context = tx.context(instance.key)
    try:
        job_type = evaluate_str(definition.type, context, "job type")
        retries = evaluate_int(definition.retries, context, "job retries")
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return
    key = tx.keys()
    tx.with_data(instance, job=key, retries=retries)
    tx.emit(
        CreateJob(
            key=key,
            element_instance_key=instance.key,
            element_id=instance.element_id,
            type=job_type,
            retries=retries,
            custom_headers=dict(getattr(element, "headers", {})),
            variables=tx.visible(instance.key),
        )
    )


def _service_task(tx: Tx, instance: ElementInstance, element: m.ServiceTask) -> None:
    create_job(tx, instance, element)


def _script_task(tx: Tx, instance: ElementInstance, element: m.ScriptTask) -> None:
    if element.script is None:
        create_job(tx, instance, element)
        return
    try:
        value = evaluate(element.script.expression, tx.context(instance.key), "script")
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return
    flow.merge_result(tx, instance, {element.script.result_variable: value})
    flow.finish(tx, instance)


def _business_rule_task(tx: Tx, instance: ElementInstance, element: m.BusinessRuleTask) -> None:
    decision = element.called_decision
    if decision is None:
        create_job(tx, instance, element)
        return
    if tx.decisions is None:
        tx.incident(instance, "behave", "CALLED_DECISION_ERROR", "no decision evaluator")
        return
    try:
        value = tx.decisions.evaluate(decision.decision_id, tx.visible(instance.key))
    except Exception as error:  # a failing decision is an incident, whatever the DMN engine raised
        tx.incident(
            instance,
            "behave",
            "DECISION_EVALUATION_ERROR",
            f"failed to evaluate decision '{decision.decision_id}': {error}",
        )
        return
    flow.merge_result(tx, instance, {decision.result_variable: value})
    flow.finish(tx, instance)


def _user_task(tx: Tx, instance: ElementInstance, element: m.UserTask) -> None:
    context = tx.context(instance.key)
    form = element.form or m.FormDefinition()
    try:
        assignee = evaluate_str(element.assignment.assignee, context, "assignee") or None
        groups = evaluate_strings(element.assignment.candidate_groups, context, "candidate groups")
        users = evaluate_strings(element.assignment.candidate_users, context, "candidate users")
        due = _date(tx, element.schedule.due_date, context, "due date")
        follow_up = _date(tx, element.schedule.follow_up_date, context, "follow-up date")
        priority = evaluate_int(element.priority, context, "priority") if element.priority else 50
        external = evaluate_str(form.external_reference, context, "external form reference")
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return
    key = tx.keys()
    tx.with_data(instance, user_task=key)
    tx.emit(
        CreateUserTask(
            key=key,
            element_instance_key=instance.key,
            element_id=element.id,
            name=element.name,
            form_key=form.form_key,
            form_id=form.form_id,
            external_reference=external,
            assignee=assignee,
            candidate_groups=groups,
            candidate_users=users,
            due_date=due,
            follow_up_date=follow_up,
            priority=priority,
            custom_headers=dict(element.headers),
            variables=tx.visible(instance.key),
        )
    )


def _date(tx: Tx, text: str, context: Any, what: str) -> Any:
    if not text:
        return None
    value = evaluate(text, context, what)
    return None if value is None or value == "" else timers.to_datetime(value)


def _wait_for_event(tx: Tx, instance: ElementInstance, element: Any) -> None:
    if instance.data.get("triggered"):
        flow.finish(tx, instance)
        return
    if isinstance(element, m.IntermediateCatchEvent) and element.event.kind is m.EventKind.LINK:
        flow.finish(tx, instance)
        return
    events.open_owned(tx, instance, [element])


def _boundary_event(tx: Tx, instance: ElementInstance, element: m.BoundaryEvent) -> None:
    flow.finish(tx, instance)


def _event_gateway(tx: Tx, instance: ElementInstance, element: m.EventBasedGateway) -> None:
    events.open_owned(tx, instance, events.owned(tx, instance))


def _subprocess(tx: Tx, instance: ElementInstance, element: m.SubProcess) -> None:
    if not events.open_owned(tx, instance, events.event_subprocess_starts(tx, element.id)):
        return
    starts = tx.process.start_events(element.id)
    trigger = instance.data.get("trigger")
    start = next((s for s in starts if s.id == trigger), None) if trigger else None
    if start is None:
        start = next((s for s in starts if s.event.kind is m.EventKind.NONE), None)
    if start is None:
        tx.incident(instance, "behave", "UNKNOWN", f"subprocess '{element.id}' has no start")
        return
    flow.enter(tx, start, instance.key)


def _call_activity(tx: Tx, instance: ElementInstance, element: m.CallActivity) -> None:
    called = element.called_element
    try:
        process_id = evaluate_str(called.process_id, tx.context(instance.key), "process id")
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return
    if called.propagate_all_parent_variables:
        variables = tx.visible(instance.key)
    else:
        variables = tx.local(instance.key)
    tx.with_data(instance, child=True)
    tx.emit(
        StartChildInstance(
            process_id,
            variables,
            tx.state.key,
            instance.key,
            called.binding_type,
            called.version_tag,
        )
    )


def _branch(tx: Tx, instance: ElementInstance, element: Any, inclusive: bool) -> None:
    context = tx.context(instance.key)
    chosen: list[str] = []
    try:
        for flow_id in element.outgoing:
            if flow_id == element.default:
                continue
            sequence_flow = tx.process.flows[flow_id]
            if not sequence_flow.condition or evaluate_bool(
                sequence_flow.condition, context, f"condition of '{flow_id}'"
            ):
                chosen.append(flow_id)
                if not inclusive:
                    break
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return
    if not chosen and element.default:
        chosen.append(element.default)
    if not chosen:
        message = "Expected at least one condition to evaluate to true, or to have a default flow"
        tx.incident(instance, "behave", "CONDITION_ERROR", message)
        return
    tx.with_data(instance, flows=chosen)
    flow.finish(tx, instance)


def _exclusive_gateway(tx: Tx, instance: ElementInstance, element: m.ExclusiveGateway) -> None:
    _branch(tx, instance, element, inclusive=False)


def _inclusive_gateway(tx: Tx, instance: ElementInstance, element: m.InclusiveGateway) -> None:
    _branch(tx, instance, element, inclusive=True)


def _message_throw(tx: Tx, instance: ElementInstance, element: Any) -> bool:
    """Publish the message of a throw event without a job worker; False on failure."""
    if getattr(element, "task_definition", None) is not None:
        create_job(tx, instance, element)
        return False
    message = tx.process.messages.get(element.event.ref)
    if message is None:
        return True
    context = tx.context(instance.key)
    try:
        name = evaluate_str(message.name, context, "message name")
        key = evaluate_str(message.correlation_key, context, "correlation key")
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return False
    tx.emit(PublishMessage(name, key, tx.local(instance.key)))
    return True


def _signal_throw(tx: Tx, instance: ElementInstance, element: Any) -> bool:
    signal = tx.process.signals[element.event.ref]
    try:
        name = evaluate_str(signal.name, tx.context(instance.key), "signal name")
    except ExpressionFailure as failure:
        tx.incident(instance, "behave", failure.error_type, failure.message)
        return False
    tx.emit(BroadcastSignal(name, tx.local(instance.key)))
    return True


def _throw_event(tx: Tx, instance: ElementInstance, element: Any) -> None:
    """Intermediate throw and end events."""
    definition: m.EventDefinition = element.event
    kind = definition.kind
    if kind is m.EventKind.MESSAGE:
        if not _message_throw(tx, instance, element):
            return
    elif kind is m.EventKind.SIGNAL:
        if not _signal_throw(tx, instance, element):
            return
    elif kind is m.EventKind.ESCALATION:
        code = tx.process.escalations[definition.ref].code if definition.ref else ""
        if not events.throw_escalation(tx, instance, code):
            return
    elif kind is m.EventKind.ERROR:
        error = tx.process.errors.get(definition.ref, m.ErrorDef("", "", ""))
        try:
            code = evaluate_str(error.code, tx.context(instance.key), "error code")
        except ExpressionFailure as failure:
            tx.incident(instance, "behave", failure.error_type, failure.message)
            return
        events.throw_error(tx, instance, code, error.name, {})
        return
    elif kind is m.EventKind.COMPENSATION:
        events.compensate(tx, instance, definition)
        return
    elif kind is m.EventKind.TERMINATE and instance.flow_scope_key is not None:
        flow.terminate_children(tx, instance.flow_scope_key, keep=instance.key)
    flow.finish(tx, instance)


def register() -> None:
    table: dict[type[m.Element], Any] = {
        m.StartEvent: _pass_through,
        m.Task: _pass_through,
        m.ManualTask: _pass_through,
        m.ParallelGateway: _pass_through,
        m.ServiceTask: _service_task,
        m.ScriptTask: _script_task,
        m.BusinessRuleTask: _business_rule_task,
        m.UserTask: _user_task,
        m.ReceiveTask: _wait_for_event,
        m.IntermediateCatchEvent: _wait_for_event,
        m.BoundaryEvent: _boundary_event,
        m.EventBasedGateway: _event_gateway,
        m.SubProcess: _subprocess,
        m.CallActivity: _call_activity,
        m.ExclusiveGateway: _exclusive_gateway,
        m.InclusiveGateway: _inclusive_gateway,
        m.IntermediateThrowEvent: _throw_event,
        m.EndEvent: _throw_event,
    }
    flow.BEHAVIOURS.update(table)


register()
