"""Multi-instance activities: the body that creates inner instances and collects their output."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from verka.engine.bpmn import model as m
from verka.engine.runtime import flow
from verka.engine.runtime.context import Tx
from verka.engine.runtime.expressions import (
    ExpressionFailure,
    evaluate,
    evaluate_bool,
    evaluate_list,
)
from verka.engine.runtime.state import ElementInstance, ElementState


def _loop(element: m.Element) -> m.LoopCharacteristics:
    assert isinstance(element, m.Activity) and element.loop is not None
    return element.loop


def _collection(tx: Tx, body: ElementInstance, element: m.Element) -> list[Any] | None:
    """The input collection, or None after raising an incident on the body."""
    try:
        return evaluate_list(
            _loop(element).input_collection, tx.context(body.key), "input collection"
        )
    except ExpressionFailure as failure:
        tx.incident(body, "behave", failure.error_type, failure.message)
        return None


def activate_body(tx: Tx, body: ElementInstance, element: m.Element) -> None:
    # `data` holds plain JSON only, so the collection itself is not stored: a sequential body
    # evaluates it again for every iteration.
    loop = _loop(element)
    items = _collection(tx, body, element)
    if items is None:
        return
    if loop.output_collection:
        tx.set_local(body.key, loop.output_collection, [None] * len(items))
    body = tx.with_data(body, total=len(items), completed=0, terminated=0)
    if not items:
        flow.finish(tx, body)
        return
    if loop.is_sequential:
        _start_inner(tx, body, element, 0, items[0])
    else:
        for index, item in enumerate(items):
            _start_inner(tx, body, element, index, item)


def resume_body(tx: Tx, body: ElementInstance, element: m.Element) -> None:
    """ResolveIncident on a body: retry what failed (first activation or a later iteration)."""
    if "total" not in body.data:
        activate_body(tx, body, element)
    else:
        _next_iteration(tx, body, element, int(body.data.get("completed", 0)))


def _start_inner(tx: Tx, body: ElementInstance, element: m.Element, index: int, item: Any) -> None:
    loop = _loop(element)
    inner = tx.create(element.id, element.kind, body.key, loop_counter=index + 1)
    if loop.input_element:
        tx.set_local(inner.key, loop.input_element, item)
    tx.set_local(inner.key, "loopCounter", Decimal(index + 1))
    tx.queue.append(("activate", inner.key))


def _next_iteration(tx: Tx, body: ElementInstance, element: m.Element, index: int) -> None:
    items = _collection(tx, body, element)
    if items is None:
        return
    if index < len(items):
        _start_inner(tx, body, element, index, items[index])
    else:
        flow.finish(tx, body)


def _counters(tx: Tx, body: ElementInstance, completed: int) -> dict[str, Any]:
    total = int(body.data.get("total", 0))
    active = tx.child_count(body.key)
    return {
        "numberOfInstances": Decimal(total),
        "numberOfActiveInstances": Decimal(active),
        "numberOfCompletedInstances": Decimal(completed),
        "numberOfTerminatedInstances": Decimal(int(body.data.get("terminated", 0))),
    }


def inner_completing(
    tx: Tx, body: ElementInstance, inner: ElementInstance, element: m.Element
) -> bool:
    """Before an inner instance's variables go: collect its output and decide whether the body
    is done. False when an expression failed (incident raised on the inner instance)."""
    loop = _loop(element)
    context = tx.context(inner.key)
    try:
        if loop.output_collection:
            value = evaluate(loop.output_element, context, "output element")
            collection = list(tx.get_local(body.key, loop.output_collection) or [])
            index = inner.loop_counter - 1
            if 0 <= index < len(collection):
                collection[index] = value
                tx.set_local(body.key, loop.output_collection, collection)
        stop = False
        if loop.completion_condition:
            completed = int(body.data.get("completed", 0)) + 1
            counters = _counters(tx, body, completed)
            counters["numberOfActiveInstances"] -= 1
            stop = evaluate_bool(
                loop.completion_condition,
                tx.context(inner.key, counters),
                "completion condition",
            )
    except ExpressionFailure as failure:
        tx.incident(inner, "complete", failure.error_type, failure.message)
        return False
    if stop:
        tx.with_data(body, stop=True)
    return True


def inner_left(tx: Tx, body: ElementInstance, inner: ElementInstance, element: m.Element) -> None:
    body = tx.get(body.key) or body
    completed = int(body.data.get("completed", 0)) + 1
    body = tx.with_data(body, completed=completed)
    total = int(body.data.get("total", 0))
    if body.data.get("stop"):
        for child in tx.children(body.key):
            flow.terminate(tx, child.key)
        flow.finish(tx, body)
    elif _loop(element).is_sequential and completed < total:
        _next_iteration(tx, body, element, completed)
    elif completed >= total or not tx.child_count(body.key):
        flow.finish(tx, body)


def complete_body(tx: Tx, body: ElementInstance, element: m.Element) -> None:
    loop = _loop(element)
    if loop.output_collection and body.state is ElementState.COMPLETING:
        value = tx.get_local(body.key, loop.output_collection)
        tx.propagate(body.flow_scope_key, {loop.output_collection: value})
