"""Start events, nested scopes, incidents in mappings, compensation variants, parent and child."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from verka.engine.bpmn import EventKind, TimerKind
from verka.engine.runtime import (
    ChildEscalated,
    CompleteCallActivity,
    CreateProcessInstance,
    InstanceState,
    SetVariables,
    ThrowError,
    start_subscriptions,
)
from verka.engine.runtime import results as r
from verka.engine.runtime.expressions import ExpressionFailure
from verka.engine.runtime.timers import next_repetition, parse_duration, schedule

from .scenario import T0, D, Run, flows, model, service

ROOTS = (
    '<bpmn:message id="m_apply" name="application-received"/>'
    '<bpmn:message id="m_cancel" name="cancel"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:signal id="sig" name="new-term"/>'
    '<bpmn:error id="err" errorCode="E"/>'
)

STARTS = (
    '<bpmn:startEvent id="by_message"><bpmn:messageEventDefinition messageRef="m_apply"/>'
    "</bpmn:startEvent>"
    '<bpmn:startEvent id="by_timer"><bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D'
    "</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
    '<bpmn:startEvent id="by_signal"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent>'
    '<bpmn:endEvent id="e"/>' + flows("by_message>e", "by_timer>e", "by_signal>e")
)


def test_start_subscriptions_at_deployment() -> None:
    found = start_subscriptions(model(STARTS, ROOTS), T0)
    assert [(s.element_id, s.kind, s.name) for s in found] == [
        ("by_message", EventKind.MESSAGE, "application-received"),
        ("by_timer", EventKind.TIMER, ""),
        ("by_signal", EventKind.SIGNAL, "new-term"),
    ]
    timer = found[1].timer
    assert timer is not None and (timer.due, timer.repetitions) == (T0 + timedelta(days=1), -1)


@pytest.mark.parametrize("start", ["by_message", "by_timer", "by_signal"])
def test_instance_starts_at_triggered_start_event(start: str) -> None:
    run = Run(model(STARTS, ROOTS))
    run.do(CreateProcessInstance({"applicant": "Eva"}, start_at=start))
    assert run.completed_ids() == [start, "e", "p"]
    assert run.variables() == {"applicant": "Eva"}


def test_process_without_none_start_needs_start_at() -> None:
    result = Run(model(STARTS, ROOTS)).do(CreateProcessInstance())
    assert result.rejection == "process 'p' has no none start event"


def test_event_subprocess_inside_embedded_subprocess_is_scoped_to_it() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + service("inner")
        + '<bpmn:endEvent id="se"/>'
        + flows("ss>inner", "inner>se")
        + '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="esp_s">'
        '<bpmn:messageEventDefinition messageRef="m_cancel"/></bpmn:startEvent>'
        '<bpmn:endEvent id="esp_e"/>' + flows("esp_s>esp_e") + "</bpmn:subProcess>"
        "</bpmn:subProcess>"
        + service("after")
        + '<bpmn:endEvent id="e"/>'
        + flows("s>sub", "sub>after", "after>e")
    )
    run = Run(model(body, ROOTS))
    run.start(caseId="c1")
    sub = run.one("sub")
    [subscription] = run.of(r.OpenMessageSubscription)
    assert subscription.element_instance_key == sub.key
    run.message("esp_s")
    # the interrupting event subprocess ended the subprocess, the process goes on after it
    assert run.active_ids() == ["after"]


def test_error_in_multi_instance_inner_is_caught_at_the_body() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:serviceTask id="each"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="x"/></bpmn:extensionElements>'
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<zeebe:loopCharacteristics inputCollection="=[1,2]"/></bpmn:extensionElements>'
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
        '<bpmn:boundaryEvent id="b" attachedToRef="each"><bpmn:errorEventDefinition errorRef="err"/>'
        '</bpmn:boundaryEvent><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flows("s>each", "each>e", "b>e2")
    )
    run = Run(model(body, ROOTS))
    run.start()
    first = run.open_jobs()[0]
    result = run.do(ThrowError(first.element_instance_key, "E"))
    assert len([e for e in result.effects if isinstance(e, r.CancelJob)]) == 1
    assert run.completed_ids()[-2:] == ["e2", "p"]


def test_output_mapping_that_feel_answers_with_null_sets_null() -> None:
    inner = (
        '<zeebe:ioMapping><zeebe:output source="=upper case(name)" target="upper"/>'
        "</zeebe:ioMapping>"
    )
    body = '<bpmn:startEvent id="s"/>' + service("t", inner=inner) + '<bpmn:endEvent id="e"/>'
    run = Run(model(body + flows("s>t", "t>e")))
    run.start()
    run.complete("t", name=5)
    # FEEL answers a bad argument with null, so the mapping succeeds with null
    assert run.variables() == {"upper": None}


def test_input_mapping_copies_nested_values() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + service(
            "t", inner='<zeebe:ioMapping><zeebe:input source="=x" target="y"/></zeebe:ioMapping>'
        )
        + '<bpmn:endEvent id="e"/>'
        + flows("s>t", "t>e")
    )
    process = model(body)
    run = Run(process)
    run.start(x={"deep": [1]})
    assert run.incidents() == []
    assert run.job("t").variables["y"] == {"deep": [D(1)]}


def test_set_variables_local_and_propagated() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + service("t")
        + '<bpmn:endEvent id="se"/>'
        + flows("ss>t", "t>se")
        + '</bpmn:subProcess><bpmn:endEvent id="e"/>'
        + flows("s>sub", "sub>e")
    )
    run = Run(model(body))
    run.start(a=1)
    sub = run.one("sub")
    run.do(SetVariables(sub.key, {"a": 2, "note": "x"}, local=True))
    assert run.variables(sub.key) == {"a": D(2), "note": "x"}
    run.do(SetVariables(sub.key, {"a": 3, "b": 4}))
    assert run.variables(sub.key) == {"a": D(3), "note": "x"}
    assert run.variables() == {"a": D(1), "b": D(4)}
    assert run.do(SetVariables(999, {"a": 1})).rejection == "scope 999 is not active"


COMPENSATE_SUB = (
    '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
    + service("reserve")
    + '<bpmn:boundaryEvent id="cb" attachedToRef="reserve"><bpmn:compensateEventDefinition/>'
    "</bpmn:boundaryEvent>"
    + service("release").replace(
        "<bpmn:serviceTask ", '<bpmn:serviceTask isForCompensation="true" '
    )
    + '<bpmn:association id="as" sourceRef="cb" targetRef="release"/>'
    '<bpmn:endEvent id="se"/>' + flows("ss>reserve", "reserve>se") + "</bpmn:subProcess>"
    '<bpmn:endEvent id="undo"><bpmn:compensateEventDefinition/></bpmn:endEvent>'
    + flows("s>sub", "sub>undo")
)


def test_compensation_end_event_compensates_activities_of_completed_subprocess() -> None:
    run = Run(model(COMPENSATE_SUB))
    run.start()
    run.complete("reserve")
    assert run.active_ids() == ["release", "undo"]
    run.complete("release")
    assert run.status == "COMPLETED"


def test_parent_and_child_instances_through_effects() -> None:
    child_process = model(
        '<bpmn:startEvent id="cs"/>'
        + service("work")
        + '<bpmn:endEvent id="ce"/>'
        + flows("cs>work", "work>ce"),
        process_id="child",
    )
    parent_process = model(
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements>'
        '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
        '<bpmn:endEvent id="e"/>' + flows("s>call", "call>e")
    )
    parent = Run(parent_process)
    parent.start(order=1)
    [start] = parent.of(r.StartChildInstance)
    child = Run(child_process, key=900)
    child.state = InstanceState.new(
        900, child_process, start.parent_instance_key, start.parent_element_instance_key
    )
    child.do(CreateProcessInstance(start.variables))
    child.complete("work", shipped=True)
    [done] = child.of(r.InstanceCompleted)
    assert done == r.InstanceCompleted(
        900, {"order": D(1), "shipped": True}, 1, start.parent_element_instance_key
    )
    parent.do(CompleteCallActivity(done.parent_element_instance_key or 0, done.variables))
    assert parent.status == "COMPLETED"
    assert parent.variables() == {"order": D(1), "shipped": True}


def test_cancelling_parent_cancels_child() -> None:
    parent = Run(
        model(
            '<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements>'
            '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
            '<bpmn:endEvent id="e"/>' + flows("s>call", "call>e")
        )
    )
    parent.start()
    call = parent.one("call")
    from verka.engine.runtime import CancelProcessInstance

    result = parent.do(CancelProcessInstance())
    assert r.CancelChildInstance(call.key) in result.effects


@pytest.mark.parametrize(
    "text, months, delta",
    [
        ("PT5M", 0, timedelta(minutes=5)),
        ("P1Y2M", 14, timedelta()),
        ("P2W", 0, timedelta(weeks=2)),
        ("PT1.5S", 0, timedelta(seconds=1.5)),
        ("-PT1H", 0, -timedelta(hours=1)),
    ],
)
def test_iso_durations(text: str, months: int, delta: timedelta) -> None:
    assert parse_duration(text) == (months, delta)


@pytest.mark.parametrize("text", ["P", "PT", "5 minutes", "P1DT"])
def test_invalid_durations(text: str) -> None:
    with pytest.raises(ExpressionFailure):
        parse_duration(text)


def test_timer_cycles() -> None:
    plan = schedule(TimerKind.CYCLE, "R3/PT10M", T0)
    assert (plan.due, plan.repetitions, plan.interval) == (
        T0 + timedelta(minutes=10),
        3,
        timedelta(minutes=10),
    )
    nxt = next_repetition(plan, plan.due)
    assert nxt is not None and (nxt.due, nxt.repetitions) == (T0 + timedelta(minutes=20), 2)
    start = schedule(TimerKind.CYCLE, "R2/2026-02-01T08:00:00Z/P1M", T0)
    assert start.due == datetime(2026, 2, 1, 8, tzinfo=UTC)
    after = next_repetition(start, start.due)
    assert after is not None and after.due == datetime(2026, 3, 1, 8, tzinfo=UTC)
    with pytest.raises(ExpressionFailure, match="cron expressions are not supported"):
        schedule(TimerKind.CYCLE, "0 0 9 * * ?", T0)


def test_month_arithmetic_clamps_to_month_end() -> None:
    from verka.engine.runtime.timers import add_months

    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)


def test_uncaught_escalation_in_child_goes_to_parent_which_catches_it() -> None:
    roots = '<bpmn:escalation id="esc" escalationCode="LATE"/>'
    child_process = model(
        '<bpmn:startEvent id="cs"/><bpmn:intermediateThrowEvent id="up">'
        '<bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:intermediateThrowEvent>'
        + service("work")
        + '<bpmn:endEvent id="ce"/>'
        + flows("cs>up", "up>work", "work>ce"),
        roots,
        process_id="child",
    )
    child = Run(child_process, key=900)
    child.state = InstanceState.new(900, child_process, 1, 7)
    child.start()
    assert child.of(r.EscalationToParent) == [r.EscalationToParent(1, 7, "LATE")]
    assert child.active_ids() == ["work"]

    parent = Run(
        model(
            '<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements>'
            '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
            '<bpmn:boundaryEvent id="b" attachedToRef="call" cancelActivity="false">'
            '<bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:boundaryEvent>'
            + service("chase")
            + '<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
            + flows("s>call", "call>e", "b>chase", "chase>e2"),
            roots,
        )
    )
    parent.start()
    parent.do(ChildEscalated(parent.one("call").key, "LATE"))
    assert parent.active_ids() == ["call", "chase"]


def test_root_level_conditional_start_events() -> None:
    from verka.engine.runtime import conditional_starts

    process = model(
        '<bpmn:startEvent id="hot"><bpmn:conditionalEventDefinition><bpmn:condition>'
        "=temperature &gt; 30</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>"
        '<bpmn:startEvent id="cold"><bpmn:conditionalEventDefinition><bpmn:condition>'
        "=temperature &lt; 0</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>"
        '<bpmn:endEvent id="e"/>' + flows("hot>e", "cold>e")
    )
    assert conditional_starts(process, {"temperature": 35}, T0) == ["hot"]
    assert conditional_starts(process, {"temperature": "x"}, T0) == []
    run = Run(process)
    run.do(CreateProcessInstance({"temperature": 35}, start_at="hot"))
    assert run.status == "COMPLETED"
