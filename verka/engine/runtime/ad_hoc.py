"""Ad-hoc subprocesses: inner activities started by a collection, a job worker or a command."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from verka.engine.bpmn import model as m
from verka.engine.runtime import behaviours, events, flow
from verka.engine.runtime.commands import AdHocActivation
from verka.engine.runtime.context import Tx
from verka.engine.runtime.expressions import (
    ExpressionFailure,
    evaluate,
    evaluate_bool,
    to_values,
)
from verka.engine.runtime.state import ElementInstance, ElementState, Value


def _start(tx: Tx, instance: ElementInstance, element: m.AdHocSubProcess) -> None:
    if not events.open_owned(tx, instance, events.event_subprocess_starts(tx, element.id)):
        return
    if element.task_definition is not None:
        # a job worker (e.g. an AI agent) decides what to run
        new_job(tx, instance, element)
        return
    ids: list[str] = []
    if element.active_elements_collection:
        try:
            value = evaluate(
                element.active_elements_collection,
                tx.context(instance.key),
                "active elements collection",
            )
        except ExpressionFailure as failure:
            tx.incident(instance, "behave", failure.error_type, failure.message)
            return
        if value is not None and not (
            isinstance(value, list) and all(isinstance(i, str) for i in value)
        ):
            tx.incident(
                instance,
                "behave",
                "EXTRACT_VALUE_ERROR",
                f"expected the active elements collection to be a list of element ids,"
                f" but it was {value!r}",
            )
            return
        ids = list(value or [])
    if activate_elements(tx, instance, element, ids) and not ids:
        flow.finish(tx, instance)


def _normalise(
    requested: Sequence[AdHocActivation | str],
) -> list[tuple[str, Mapping[str, Value]]]:
    return [
        (item, {}) if isinstance(item, str) else (item.element_id, to_values(item.variables))
        for item in requested
    ]


def activate_elements(
    tx: Tx,
    instance: ElementInstance,
    element: m.AdHocSubProcess,
    requested: Sequence[AdHocActivation | str],
) -> bool:
    """Start inner elements (each with optional local variables); False (and an incident)
    when one of them cannot be started."""
    activations = _normalise(requested)
    for element_id, _ in activations:
        inner = tx.process.elements.get(element_id)
        if (
            inner is None
            or element_id not in element.children
            or inner.incoming
            or isinstance(inner, m.BoundaryEvent | m.StartEvent)
        ):
            tx.incident(
                instance,
                "behave",
                "AD_HOC_SUB_PROCESS_NO_RETRIES",
                f"'{element_id}' is not an element the ad-hoc subprocess '{element.id}'"
                " can activate (expected an inner element without incoming flows)",
            )
            return False
    for element_id, variables in activations:
        flow.enter(tx, tx.process.elements[element_id], instance.key, variables)
    return True


def new_job(tx: Tx, instance: ElementInstance, element: m.AdHocSubProcess) -> None:
    """Ask the job worker what to do next; it sees the results collected since last time."""
    behaviours.create_job(tx, instance, element)
    if element.output_collection:
        tx.set_local(instance.key, element.output_collection, [])


def inner_completing(
    tx: Tx, scope: ElementInstance, inner: ElementInstance, element: m.AdHocSubProcess
) -> bool:
    """Before an inner element's variables go: add its outputElement to the collection.
    False when that failed (incident on the inner element)."""
    if not (element.output_collection and element.output_element):
        return True
    try:
        value = evaluate(element.output_element, tx.context(inner.key), "output element")
    except ExpressionFailure as failure:
        tx.incident(inner, "complete", failure.error_type, failure.message)
        return False
    collected = tx.get_local(scope.key, element.output_collection)
    collected = list(collected) if isinstance(collected, list) else []
    tx.set_local(scope.key, element.output_collection, [*collected, value])
    return True


def _complete(tx: Tx, instance: ElementInstance, cancel_remaining: bool) -> None:
    if cancel_remaining:
        flow.terminate_children(tx, instance.key)
    if tx.child_count(instance.key):
        tx.with_data(instance, completing=True)  # completes when the last inner element ends
    else:
        flow.finish(tx, instance)


def inner_finished(tx: Tx, instance: ElementInstance, element: m.AdHocSubProcess) -> None:
    """A token inside ended: check the completion condition, re-invoke the job worker, or
    complete when nothing is left to do."""
    if instance.data.get("completing"):
        if not tx.child_count(instance.key):
            flow.finish(tx, instance)
        return
    if element.completion_condition:
        try:
            done = evaluate_bool(
                element.completion_condition, tx.context(instance.key), "completion condition"
            )
        except ExpressionFailure as failure:
            tx.incident(instance, "ad_hoc", failure.error_type, failure.message)
            return
        if done:
            _complete(tx, instance, element.cancel_remaining_instances)
            return
    if element.task_definition is not None:
        # ask the worker again once everything it started has finished (an AI agent wants
        # all tool results together)
        if "job" not in instance.data and not tx.child_count(instance.key):
            new_job(tx, instance, element)
        return
    if not tx.child_count(instance.key):
        flow.finish(tx, instance)


def job_completed(
    tx: Tx,
    instance: ElementInstance,
    element: m.AdHocSubProcess,
    activate: Sequence[AdHocActivation | str],
    fulfilled: bool,
    cancel_remaining: bool,
) -> None:
    """The job worker's answer: elements to activate, and whether the ad-hoc subprocess is
    done (optionally cancelling what still runs)."""
    if not activate_elements(tx, instance, element, activate):
        return
    if fulfilled:
        _complete(tx, instance, cancel_remaining)
    elif not activate and not tx.child_count(instance.key):
        flow.finish(tx, instance)  # nothing runs and nothing was asked for: done


def activate_by_command(
    tx: Tx,
    instance: ElementInstance,
    ids: Sequence[AdHocActivation | str],
    cancel_remaining: bool,
) -> str | None:
    element = tx.process.elements.get(instance.element_id)
    if not isinstance(element, m.AdHocSubProcess) or instance.state is not ElementState.ACTIVE:
        return f"element instance {instance.key} is not an active ad-hoc subprocess"
    if cancel_remaining:
        flow.terminate_children(tx, instance.key)
    activate_elements(tx, instance, element, ids)
    return None


def register() -> None:
    flow.BEHAVIOURS[m.AdHocSubProcess] = _start
