"""Multi-instance activities: the body that creates inner instances and collects their output."""

from __future__ import annotations

from collections import ChainMap
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


def activate_body(tx: Tx, body: ElementInstance, element: m.Element) -> None:
    loop = _loop(element)
    try:
        items = evaluate_list(loop.input_collection, tx.context(body.key), "input collection")
    except ExpressionFailure as failure:
        tx.incident(body, "behave", failure.error_type, failure.message)
        return
    if loop.output_collection:
        tx.set_local(body.key, loop.output_collection, [None] * len(items))
    body = tx.with_data(body, items=list(items), completed=0, terminated=0)
    if not items:
        flow.finish(tx, body)
        return
    if loop.is_sequential:
        _start_inner(tx, body, element, 0)
    else:
        for index in range(len(items)):
            _start_inner(tx, body, element, index)


def resume_body(tx: Tx, body: ElementInstance, element: m.Element) -> None:
    """ResolveIncident on a body: retry evaluating the input collection."""
    if "items" not in body.data:
        activate_body(tx, body, element)


def _start_inner(tx: Tx, body: ElementInstance, element: m.Element, index: int) -> None:
    loop = _loop(element)
    items: list[Any] = list(body.data.get("items", []))
    inner = tx.create(element.id, element.kind, body.key, loop_counter=index + 1)
    if loop.input_element:
        tx.set_local(inner.key, loop.input_element, items[index])
    tx.set_local(inner.key, "loopCounter", Decimal(index + 1))
    tx.queue.append(("activate", inner.key))


def _counters(tx: Tx, body: ElementInstance, completed: int) -> dict[str, Any]:
    total = len(body.data.get("items", []))
    active = len(tx.children(body.key))
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
                ChainMap(counters, context),
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
    total = len(body.data.get("items", []))
    if body.data.get("stop"):
        for child in tx.children(body.key):
            flow.terminate(tx, child.key)
        flow.finish(tx, body)
    elif _loop(element).is_sequential and completed < total:
        _start_inner(tx, body, element, completed)
    elif completed >= total or not tx.children(body.key):
        flow.finish(tx, body)


def complete_body(tx: Tx, body: ElementInstance, element: m.Element) -> None:
    loop = _loop(element)
    if loop.output_collection and body.state is ElementState.COMPLETING:
        value = tx.get_local(body.key, loop.output_collection)
        tx.propagate(body.flow_scope_key, {loop.output_collection: value})
