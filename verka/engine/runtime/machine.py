"""`apply`: one command against one instance's state, one small handler per command kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from verka.engine.bpmn import model as m
from verka.engine.runtime import ad_hoc, behaviours, events, flow, multi_instance
from verka.engine.runtime import commands as c
from verka.engine.runtime.context import DecisionEvaluator, Tx
from verka.engine.runtime.expressions import ExpressionFailure, evaluate_str, to_values
from verka.engine.runtime.results import (
    CreateJob,
    InstanceTerminated,
    JobFailed,
    ResolveIncident,
    Result,
)
from verka.engine.runtime.state import ElementInstance, ElementState, InstanceState, InstanceStatus

behaviours.register()
ad_hoc.register()

#: a handler returns a rejection message, or None when the command was accepted
Handler = Callable[[Tx, Any], str | None]

_MAX_CONDITIONAL_ROUNDS = 50


def apply(
    state: InstanceState,
    command: c.Command,
    now: datetime,
    keys: Callable[[], int],
    decisions: DecisionEvaluator | None = None,
) -> Result:
    """Apply one command. Pure: `state` is not modified (use `state.advance(result)`), time and
    keys come from the caller, and expression failures become incidents, never exceptions."""
    tx = Tx(state, now, keys, decisions)
    if (
        not isinstance(command, c.CreateProcessInstance)
        and state.status is not InstanceStatus.ACTIVE
    ):
        return Result(rejection=f"process instance {state.key} is {state.status.value.lower()}")
    rejection = _HANDLERS[type(command)](tx, command)
    if rejection is not None:
        return Result(rejection=rejection)
    flow.run(tx)
    for _ in range(_MAX_CONDITIONAL_ROUNDS):
        if not tx.conditions_dirty:
            break
        tx.conditions_dirty = False
        events.evaluate_conditionals(tx)
        flow.run(tx)
    return tx.result()


def _create(tx: Tx, command: c.CreateProcessInstance) -> str | None:
    process = tx.process
    if tx.state.element_instances or tx.get(tx.state.key) is not None:
        return f"process instance {tx.state.key} already exists"
    if command.start_at:
        start = process.elements.get(command.start_at)
        if start is None:
            return f"process '{process.id}' has no element '{command.start_at}'"
        if start.scope != "":
            return f"cannot start inside a subprocess at '{command.start_at}'"
    else:
        start = process.none_start_event("")
        if start is None:
            return f"process '{process.id}' has no none start event"
    root = tx.create(process.id, "process", None, key=tx.state.key)
    for name, value in to_values(command.variables).items():
        tx.set_local(root.key, name, value)
    root = tx.transition(root, ElementState.ACTIVE)
    if not events.open_owned(tx, root, events.event_subprocess_starts(tx, ""), "subscribe"):
        tx.with_data(tx.root(), start=start.id)
        return None
    flow.enter(tx, start, root.key)
    return None


def _waiting(tx: Tx, key: int, job_key: int | None = None) -> ElementInstance | str:
    instance = tx.live(key)
    if instance is None:
        return f"element instance {key} is not active"
    if instance.state is not ElementState.ACTIVE:
        return f"element instance {key} is {instance.state.value.lower()}"
    if job_key is not None and instance.data.get("job") != job_key:
        return f"job {job_key} is not the open job of element instance {key}"
    return instance


def _complete_job(tx: Tx, command: c.CompleteJob) -> str | None:
    instance = _waiting(tx, command.element_instance_key, command.job_key)
    if isinstance(instance, str):
        return instance
    if "job" not in instance.data and "user_task" not in instance.data:
        return f"element instance {instance.key} has no open job"
    incident = instance.data.get("incident")
    if incident is not None:
        # a worker may still finish a job whose retries ran out: that settles the incident
        tx.emit(ResolveIncident(int(incident["key"]), instance.key))
        tx.record(instance, "INCIDENT_RESOLVED", str(incident.get("type", "")))
    instance = tx.with_data(instance, job=None, retries=None, incident=None)
    flow.merge_result(tx, instance, to_values(command.variables))
    element = tx.element(instance)
    if isinstance(element, m.AdHocSubProcess):
        ad_hoc.job_completed(
            tx,
            instance,
            element,
            command.activate_elements,
            command.completion_condition_fulfilled,
            command.cancel_remaining_instances,
        )
    else:
        flow.finish(tx, instance)
    return None


def _fail_job(tx: Tx, command: c.FailJob) -> str | None:
    instance = _waiting(tx, command.element_instance_key, command.job_key)
    if isinstance(instance, str):
        return instance
    job_key = instance.data.get("job")
    if job_key is None:
        return f"element instance {instance.key} has no open job"
    if "incident" in instance.data:
        return f"job {job_key} has no retries left; resolve its incident first"
    for name, value in to_values(command.variables).items():
        tx.set_local(instance.key, name, value)
    retries = max(command.retries, 0)
    retry_at = tx.now + command.backoff if command.backoff and retries > 0 else None
    tx.with_data(instance, retries=retries)
    tx.emit(JobFailed(int(job_key), instance.key, retries, command.message, retry_at))
    if retries == 0:
        message = command.message or "No more retries left."
        tx.incident(tx.get(instance.key) or instance, "job", "JOB_NO_RETRIES", message)
    return None


def _throw_error(tx: Tx, command: c.ThrowError) -> str | None:
    instance = _waiting(tx, command.element_instance_key, command.job_key)
    if isinstance(instance, str):
        return instance
    if "job" in instance.data:
        instance = tx.with_data(instance, job=None)
    events.throw_error(
        tx, instance, command.error_code, command.message, to_values(command.variables)
    )
    return None


def _complete_user_task(tx: Tx, command: c.CompleteUserTask) -> str | None:
    instance = _waiting(tx, command.element_instance_key)
    if isinstance(instance, str):
        return instance
    if "user_task" not in instance.data:
        return f"element instance {instance.key} is not a user task"
    instance = tx.with_data(instance, user_task=None)
    flow.merge_result(tx, instance, to_values(command.variables))
    flow.finish(tx, instance)
    return None


def _correlate(tx: Tx, command: c.CorrelateMessage) -> str | None:
    return events.trigger(
        tx,
        command.element_instance_key,
        command.element_id,
        to_values(command.variables),
        m.EventKind.MESSAGE,
    )


def _timer(tx: Tx, command: c.TriggerTimer) -> str | None:
    return events.trigger(
        tx, command.element_instance_key, command.element_id, {}, m.EventKind.TIMER
    )


def _signal(tx: Tx, command: c.TriggerSignal) -> str | None:
    return events.trigger(
        tx,
        command.element_instance_key,
        command.element_id,
        to_values(command.variables),
        m.EventKind.SIGNAL,
    )


def _cancel(tx: Tx, command: c.CancelProcessInstance) -> str | None:
    flow.terminate(tx, tx.state.key)
    tx.status = InstanceStatus.TERMINATED
    tx.emit(
        InstanceTerminated(
            tx.state.key, tx.state.parent_instance_key, tx.state.parent_element_instance_key
        )
    )
    return None


def _resolve(tx: Tx, command: c.ResolveIncident) -> str | None:
    instance = tx.live(command.element_instance_key)
    if instance is None or "incident" not in instance.data:
        return f"element instance {command.element_instance_key} has no open incident"
    incident = instance.data["incident"]
    instance = tx.with_data(instance, incident=None)
    tx.emit(ResolveIncident(int(incident["key"]), instance.key))
    tx.record(instance, "INCIDENT_RESOLVED", str(incident.get("type", "")))
    phase = incident.get("phase")
    element = tx.process.elements.get(instance.element_id)
    if phase == "activate":
        tx.queue.append(("activate", instance.key))
    elif phase == "complete":
        tx.queue.append(("complete", instance.key))
    elif phase == "subscribe":
        flow.resubscribe(tx, instance)
    elif phase == "condition":
        tx.conditions_dirty = True
    elif phase == "ad_hoc":
        tx.queue.append(("check_scope", instance.key))
    elif phase == "behave" and instance.is_body and element is not None:
        multi_instance.resume_body(tx, instance, element)
    elif phase == "behave":
        tx.queue.append(("behave", instance.key))
    elif phase in ("job", "error") and element is not None:
        _recreate_job(tx, instance, element, command.retries)
    return None


def _recreate_job(
    tx: Tx, instance: ElementInstance, element: m.Element, retries: int | None
) -> None:
    definition = getattr(element, "task_definition", None)
    if definition is None:
        # an error end event whose error nobody caught: throw it again
        tx.queue.append(("behave", instance.key))
        return
    key = tx.keys()
    count = retries if retries is not None else int(instance.data.get("retries") or 0) or 1
    tx.with_data(instance, job=key, retries=count)
    context = tx.context(instance.key)
    try:
        job_type = evaluate_str(definition.type, context, "job type")
    except ExpressionFailure as failure:
        tx.incident(instance, "job", failure.error_type, failure.message)
        return
    tx.emit(
        CreateJob(
            key,
            instance.key,
            instance.element_id,
            job_type,
            count,
            dict(getattr(element, "headers", {})),
            tx.visible(instance.key),
        )
    )


def _set_variables(tx: Tx, command: c.SetVariables) -> str | None:
    scope = tx.live(command.scope_key)
    if scope is None:
        return f"scope {command.scope_key} is not active"
    if command.local:
        for name, value in to_values(command.variables).items():
            tx.set_local(scope.key, name, value)
    else:
        tx.propagate(scope.key, to_values(command.variables))
    return None


def _complete_call_activity(tx: Tx, command: c.CompleteCallActivity) -> str | None:
    instance = _waiting(tx, command.element_instance_key)
    if isinstance(instance, str):
        return instance
    element = tx.element(instance)
    if not isinstance(element, m.CallActivity) or "child" not in instance.data:
        return f"element instance {instance.key} is not waiting for a child instance"
    instance = tx.with_data(instance, child=None)
    if element.called_element.propagate_all_child_variables:
        flow.merge_result(tx, instance, to_values(command.variables))
    else:
        for name, value in command.variables.items():
            tx.set_local(instance.key, name, value)
    flow.finish(tx, instance)
    return None


def _child_failed(tx: Tx, command: c.ChildFailed) -> str | None:
    instance = _waiting(tx, command.element_instance_key)
    if isinstance(instance, str):
        return instance
    # "child" stays set so that catching the error cancels the child instance
    events.throw_error(
        tx, instance, command.error_code, command.message, to_values(command.variables)
    )
    return None


def _child_escalated(tx: Tx, command: c.ChildEscalated) -> str | None:
    instance = _waiting(tx, command.element_instance_key)
    if isinstance(instance, str):
        return instance
    events.throw_escalation(tx, instance, command.escalation_code)
    return None


def _activate_ad_hoc(tx: Tx, command: c.ActivateAdHocElements) -> str | None:
    instance = _waiting(tx, command.element_instance_key)
    if isinstance(instance, str):
        return instance
    return ad_hoc.activate_by_command(
        tx, instance, command.element_ids, command.cancel_remaining_instances
    )


_HANDLERS: dict[type, Handler] = {
    c.CreateProcessInstance: _create,
    c.CompleteJob: _complete_job,
    c.FailJob: _fail_job,
    c.ThrowError: _throw_error,
    c.CompleteUserTask: _complete_user_task,
    c.CorrelateMessage: _correlate,
    c.TriggerTimer: _timer,
    c.TriggerSignal: _signal,
    c.CancelProcessInstance: _cancel,
    c.ResolveIncident: _resolve,
    c.SetVariables: _set_variables,
    c.CompleteCallActivity: _complete_call_activity,
    c.ChildFailed: _child_failed,
    c.ChildEscalated: _child_escalated,
    c.ActivateAdHocElements: _activate_ad_hoc,
}
