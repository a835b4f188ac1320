"""Parallel, inclusive and event-based gateways."""

from __future__ import annotations

import pytest

from verka.engine.runtime import CorrelateMessage
from verka.engine.runtime import results as r

from .scenario import Run, flows, model, service


def cond(flow_id: str, source: str, target: str, expression: str) -> str:
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{expression}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


PARALLEL = (
    '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    + service("a")
    + service("b")
    + '<bpmn:parallelGateway id="join"/>'
    + service("after")
    + '<bpmn:endEvent id="e"/>'
    + flows("s>fork", "fork>a", "fork>b", "a>join", "b>join", "join>after", "after>e")
)


def test_parallel_fork_and_join_waits_for_all_branches() -> None:
    run = Run(model(PARALLEL))
    run.start()
    assert run.active_ids() == ["a", "b"]
    run.complete("a")
    assert run.active_ids() == ["b"]
    assert run.state.element_instances[1].data == {"joins": {"join": {"f_a_join": 1}}}
    assert "join" not in run.completed_ids()
    run.complete("b")
    assert run.active_ids() == ["after"]
    assert run.completed_ids().count("join") == 1
    assert run.state.element_instances[1].data == {}
    run.complete("after")
    assert run.status == "COMPLETED"


def inclusive(default: str = "") -> str:
    default_attr = f' default="{default}"' if default else ""
    return (
        f'<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork"{default_attr}/>'
        + service("a")
        + service("b")
        + service("c")
        + '<bpmn:inclusiveGateway id="join"/>'
        + '<bpmn:endEvent id="e"/>'
        + flows("s>fork", "a>join", "b>join", "c>join", "join>e")
        + cond("fa", "fork", "a", "=x &gt; 1")
        + cond("fb", "fork", "b", "=x &gt; 2")
        + '<bpmn:sequenceFlow id="fc" sourceRef="fork" targetRef="c"/>'
    )


@pytest.mark.parametrize(
    "x, branches",
    [(3, ["a", "b"]), (2, ["a"]), (0, ["c"])],
)
def test_inclusive_fork_takes_every_true_flow_else_default(x: int, branches: list[str]) -> None:
    run = Run(model(inclusive(default="fc")))
    run.start(x=x)
    assert run.active_ids() == branches


def test_inclusive_join_waits_only_for_tokens_that_can_still_arrive() -> None:
    run = Run(model(inclusive(default="fc")))
    run.start(x=3)
    run.complete("a")
    assert run.active_ids() == ["b"]
    assert "join" not in run.completed_ids()
    run.complete("b")
    assert run.completed_ids()[-3:] == ["join", "e", "p"]
    assert run.status == "COMPLETED"


def test_inclusive_join_with_single_token_passes_at_once() -> None:
    run = Run(model(inclusive(default="fc")))
    run.start(x=2)
    run.complete("a")
    assert run.status == "COMPLETED"


def test_inclusive_without_true_condition_or_default_is_an_incident() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="g"/><bpmn:endEvent id="e"/>'
        + flows("s>g")
        + cond("a", "g", "e", "=false")
    )
    run = Run(model(body))
    run.start()
    assert [i.error_type for i in run.incidents()] == ["CONDITION_ERROR"]


ROOTS = (
    '<bpmn:message id="m_paid" name="paid"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>'
)
EVENT_GATEWAY = (
    '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/>'
    '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m_paid"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:intermediateCatchEvent id="late"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>"
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:endEvent id="e_paid"/><bpmn:endEvent id="e_late"/>'
    + flows("s>g", "g>paid", "g>late", "paid>e_paid", "late>e_late")
)


def test_event_based_gateway_opens_all_waits_and_first_event_wins() -> None:
    run = Run(model(EVENT_GATEWAY, ROOTS))
    run.start(orderId=42)
    gateway = run.one("g")
    [sub] = run.of(r.OpenMessageSubscription)
    assert sub == r.OpenMessageSubscription(gateway.key, "paid", "paid", "42", True)
    [timer] = run.of(r.ScheduleTimer)
    assert (timer.element_instance_key, timer.element_id) == (gateway.key, "late")
    assert (timer.due - run.now).days == 3
    result = run.message("paid", amount=10)
    assert r.CancelTimer(gateway.key, "late") in result.effects
    assert r.CloseMessageSubscription(gateway.key, "paid") in result.effects
    assert run.completed_ids() == ["s", "g", "paid", "e_paid", "p"]
    assert run.variables() == {"orderId": 42, "amount": 10}


def test_event_based_gateway_timer_path() -> None:
    run = Run(model(EVENT_GATEWAY, ROOTS))
    run.start(orderId="A-1")
    run.timer("late")
    assert run.completed_ids()[-2:] == ["e_late", "p"]
    gateway_key = run.of(r.OpenMessageSubscription)[0].element_instance_key
    late = run.do(CorrelateMessage(gateway_key, "paid", {}))
    assert late.rejection == "process instance 1 is completed"
