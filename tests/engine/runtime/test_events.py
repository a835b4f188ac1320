"""Catch and throw events, boundary events and event subprocesses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from verka.engine.runtime import ElementState, SetVariables, ThrowError, TriggerSignal, TriggerTimer
from verka.engine.runtime import results as r

from .scenario import D, Run, flows, model, service

ROOTS = (
    '<bpmn:message id="m_doc" name="=&quot;document-&quot; + kind"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:message id="m_out" name="case-closed"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:signal id="sig_stop" name="stop-all"/>'
    '<bpmn:error id="err_rejected" name="Rejected" errorCode="REJECTED"/>'
    '<bpmn:error id="err_other" name="Other" errorCode="OTHER"/>'
    '<bpmn:escalation id="esc_late" name="Late" escalationCode="LATE"/>'
)


def catch(element_id: str, definition: str) -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{element_id}">{definition}</bpmn:intermediateCatchEvent>'
    )


def timer(kind: str, value: str) -> str:
    return (
        f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


def boundary(element_id: str, attached: str, definition: str, cancel: bool = True) -> str:
    return (
        f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{attached}" '
        f'cancelActivity="{"true" if cancel else "false"}">{definition}</bpmn:boundaryEvent>'
    )


def line(*elements: str) -> str:
    """start -> elements... -> end, wired in a row."""
    ids = ["s", *[e.split('id="', 1)[1].split('"', 1)[0] for e in elements], "e"]
    return (
        '<bpmn:startEvent id="s"/>'
        + "".join(elements)
        + '<bpmn:endEvent id="e"/>'
        + flows(*[f"{a}>{b}" for a, b in zip(ids, ids[1:], strict=False)])
    )


# --- intermediate catch events -------------------------------------------------------------------


def test_message_catch_evaluates_name_and_correlation_key_and_merges_variables() -> None:
    run = Run(model(line(catch("w", '<bpmn:messageEventDefinition messageRef="m_doc"/>')), ROOTS))
    run.start(kind="id", caseId=7)
    w = run.one("w")
    assert run.of(r.OpenMessageSubscription) == [
        r.OpenMessageSubscription(w.key, "w", "document-id", "7", True)
    ]
    result = run.message("w", file="scan.pdf")
    assert r.CloseMessageSubscription(w.key, "w") in result.effects
    assert run.variables() == {"kind": "id", "caseId": D(7), "file": "scan.pdf"}
    assert run.status == "COMPLETED"


@pytest.mark.parametrize(
    "kind, value, due",
    [
        ("timeDuration", "PT15M", timedelta(minutes=15)),
        ("timeDuration", "P1DT2H", timedelta(days=1, hours=2)),
        ("timeDuration", "=duration(&quot;PT2H&quot;)", timedelta(hours=2)),
        ("timeDate", "2026-01-06T09:00:00Z", timedelta(days=1)),
        ("timeDate", "=date and time(&quot;2026-01-05T10:00:00Z&quot;)", timedelta(hours=1)),
    ],
)
def test_timer_catch_schedules_due_time(kind: str, value: str, due: timedelta) -> None:
    run = Run(model(line(catch("t", timer(kind, value)))))
    run.start()
    [scheduled] = run.of(r.ScheduleTimer)
    assert scheduled.due - run.now == due
    assert scheduled.repetitions == 1
    run.timer("t")
    assert run.status == "COMPLETED"


def test_bad_timer_expression_is_an_incident() -> None:
    run = Run(model(line(catch("t", timer("timeDuration", "soon")))))
    run.start()
    [incident] = run.incidents()
    assert incident.element_id == "t"
    assert "invalid ISO 8601 duration 'soon'" in incident.message


def test_signal_catch() -> None:
    run = Run(model(line(catch("w", '<bpmn:signalEventDefinition signalRef="sig_stop"/>')), ROOTS))
    run.start()
    w = run.one("w")
    assert run.of(r.OpenSignalSubscription) == [r.OpenSignalSubscription(w.key, "w", "stop-all")]
    run.signal("w", reason="storm")
    assert run.variables() == {"reason": "storm"}
    assert run.status == "COMPLETED"


def test_link_throw_jumps_to_link_catch() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        '<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L"/>'
        "</bpmn:intermediateThrowEvent>"
        '<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="L"/>'
        "</bpmn:intermediateCatchEvent>"
        '<bpmn:endEvent id="e"/>' + flows("s>go", "land>e")
    )
    run = Run(model(body))
    run.start()
    assert run.completed_ids() == ["s", "go", "land", "e", "p"]


def test_conditional_catch_waits_until_condition_turns_true() -> None:
    definition = (
        "<bpmn:conditionalEventDefinition><bpmn:condition>=approved = true"
        "</bpmn:condition></bpmn:conditionalEventDefinition>"
    )
    run = Run(model(line(catch("w", definition))))
    run.start(approved=False)
    assert run.active_ids() == ["w"]
    run.do(SetVariables(1, {"other": 1}))
    assert run.active_ids() == ["w"]
    run.do(SetVariables(1, {"approved": True}))
    assert run.status == "COMPLETED"


def test_none_throw_and_message_throw_publish() -> None:
    body = line(
        '<bpmn:intermediateThrowEvent id="n"/>',
        '<bpmn:intermediateThrowEvent id="m"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=caseId" target="ref"/></zeebe:ioMapping></bpmn:extensionElements>'
        '<bpmn:messageEventDefinition messageRef="m_out"/></bpmn:intermediateThrowEvent>',
        '<bpmn:intermediateThrowEvent id="sg"><bpmn:signalEventDefinition signalRef="sig_stop"/>'
        "</bpmn:intermediateThrowEvent>",
    )
    run = Run(model(body, ROOTS))
    run.start(caseId="C-9")
    assert run.of(r.PublishMessage) == [r.PublishMessage("case-closed", "C-9", {"ref": "C-9"})]
    assert run.of(r.BroadcastSignal) == [r.BroadcastSignal("stop-all", {})]
    assert run.status == "COMPLETED"


def test_message_end_event_with_job_worker() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="send-mail"/></bpmn:extensionElements>'
        '<bpmn:messageEventDefinition messageRef="m_out"/></bpmn:endEvent>' + flows("s>e")
    )
    run = Run(model(body, ROOTS))
    run.start(caseId=1)
    assert run.job("e").type == "send-mail"
    assert run.of(r.PublishMessage) == []
    run.complete("e")
    assert run.status == "COMPLETED"


# --- boundary events -----------------------------------------------------------------------------


def with_boundary(definition: str, cancel: bool = True) -> str:
    return (
        '<bpmn:startEvent id="s"/>'
        + service("task")
        + boundary("b", "task", definition, cancel)
        + '<bpmn:endEvent id="e"/>'
        + service("handle")
        + '<bpmn:endEvent id="he"/>'
        + flows("s>task", "task>e", "b>handle", "handle>he")
    )


def test_interrupting_message_boundary_terminates_the_task() -> None:
    run = Run(model(with_boundary('<bpmn:messageEventDefinition messageRef="m_out"/>'), ROOTS))
    run.start(caseId=5)
    task = run.one("task")
    [sub] = run.of(r.OpenMessageSubscription)
    assert sub == r.OpenMessageSubscription(task.key, "b", "case-closed", "5", True)
    job = run.job("task")
    result = run.message("b", note="closed by phone")
    assert r.CancelJob(job.key, task.key) in result.effects
    assert {i.element_id: i.state for i in result.element_instances}[
        "task"
    ] is ElementState.TERMINATED
    assert run.active_ids() == ["handle"]
    assert run.variables()["note"] == "closed by phone"


def test_non_interrupting_timer_cycle_boundary_repeats_and_task_goes_on() -> None:
    run = Run(model(with_boundary(timer("timeCycle", "R2/PT1H"), cancel=False)))
    run.start()
    task = run.one("task")
    [first] = run.of(r.ScheduleTimer)
    assert (first.repetitions, first.interval) == (2, timedelta(hours=1))
    result = run.timer("b")
    again = [e for e in result.effects if isinstance(e, r.ScheduleTimer)]
    assert [(t.element_instance_key, t.due - run.now, t.repetitions) for t in again] == [
        (task.key, timedelta(hours=1), 1)
    ]
    assert run.active_ids() == ["handle", "task"]
    result = run.timer("b")
    assert [e for e in result.effects if isinstance(e, r.ScheduleTimer)] == []
    assert run.active_ids() == ["handle", "handle", "task"]
    result = run.complete("task")
    assert r.CancelTimer(task.key, "b") in result.effects


def test_signal_boundary() -> None:
    run = Run(model(with_boundary('<bpmn:signalEventDefinition signalRef="sig_stop"/>'), ROOTS))
    run.start()
    run.signal("b")
    assert run.active_ids() == ["handle"]


@pytest.mark.parametrize(
    "definition, code, caught",
    [
        ('<bpmn:errorEventDefinition errorRef="err_rejected"/>', "REJECTED", True),
        ('<bpmn:errorEventDefinition errorRef="err_rejected"/>', "OTHER", False),
        ("<bpmn:errorEventDefinition/>", "ANYTHING", True),
    ],
)
def test_error_boundary_catches_by_code_or_catch_all(
    definition: str, code: str, caught: bool
) -> None:
    run = Run(model(with_boundary(definition), ROOTS))
    run.start()
    job = run.job("task")
    run.do(ThrowError(job.element_instance_key, code, "rejected by registry", {"reason": "x"}))
    if caught:
        assert run.active_ids() == ["handle"]
        assert run.variables() == {"reason": "x"}
        assert run.incidents() == []
    else:
        assert run.active_ids() == ["task"]
        [incident] = run.incidents()
        assert incident.error_type == "UNHANDLED_ERROR_EVENT"
        assert "'OTHER'" in incident.message


def test_specific_error_code_wins_over_catch_all() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + service("task")
        + boundary("all", "task", "<bpmn:errorEventDefinition/>")
        + boundary("rej", "task", '<bpmn:errorEventDefinition errorRef="err_rejected"/>')
        + '<bpmn:endEvent id="e"/><bpmn:endEvent id="e_all"/><bpmn:endEvent id="e_rej"/>'
        + flows("s>task", "task>e", "all>e_all", "rej>e_rej")
    )
    run = Run(model(body, ROOTS))
    run.start()
    run.do(ThrowError(run.job("task").element_instance_key, "REJECTED"))
    assert run.completed_ids()[-3:] == ["rej", "e_rej", "p"]


def test_error_end_event_in_subprocess_is_caught_by_boundary_of_the_subprocess() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        + service("a")
        + '<bpmn:parallelGateway id="fork"/>'
        '<bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="err_rejected"/></bpmn:endEvent>'
        + flows("ss>fork", "fork>a", "fork>boom")
        + "</bpmn:subProcess>"
        + boundary("caught", "sub", '<bpmn:errorEventDefinition errorRef="err_rejected"/>')
        + '<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flows("s>sub", "sub>e", "caught>e2")
    )
    run = Run(model(body, ROOTS))
    run.start()
    assert run.status == "COMPLETED"
    assert run.completed_ids()[-3:] == ["caught", "e2", "p"]
    assert len(run.of(r.CancelJob)) == 1


@pytest.mark.parametrize("cancel, active", [(True, ["after"]), (False, ["after", "inner"])])
def test_escalation_boundary_interrupting_or_not(cancel: bool, active: list[str]) -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        '<bpmn:intermediateThrowEvent id="up"><bpmn:escalationEventDefinition escalationRef="esc_late"/>'
        "</bpmn:intermediateThrowEvent>"
        + service("inner")
        + '<bpmn:endEvent id="se"/>'
        + flows("ss>up", "up>inner", "inner>se")
        + "</bpmn:subProcess>"
        + boundary(
            "esc", "sub", '<bpmn:escalationEventDefinition escalationRef="esc_late"/>', cancel
        )
        + service("after")
        + '<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flows("s>sub", "sub>e", "esc>after", "after>e2")
    )
    run = Run(model(body, ROOTS))
    run.start()
    assert run.active_ids() == active


def test_uncaught_escalation_lets_the_process_go_on() -> None:
    body = line(
        '<bpmn:intermediateThrowEvent id="up"><bpmn:escalationEventDefinition escalationRef="esc_late"/>'
        "</bpmn:intermediateThrowEvent>"
    )
    run = Run(model(body, ROOTS))
    run.start()
    assert run.status == "COMPLETED"
    assert run.incidents() == []


def test_conditional_boundary() -> None:
    definition = (
        "<bpmn:conditionalEventDefinition><bpmn:condition>=cancelled"
        "</bpmn:condition></bpmn:conditionalEventDefinition>"
    )
    run = Run(model(with_boundary(definition)))
    run.start(cancelled=False)
    assert run.active_ids() == ["task"]
    run.do(SetVariables(1, {"cancelled": True}))
    assert run.active_ids() == ["handle"]


def test_terminate_end_event_ends_all_tokens_in_its_scope() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        + service("slow")
        + '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
        '<bpmn:endEvent id="e"/>' + flows("s>fork", "fork>slow", "fork>stop", "slow>e")
    )
    run = Run(model(body))
    run.start()
    assert run.status == "COMPLETED"
    assert len(run.of(r.CancelJob)) == 1


# --- event subprocesses --------------------------------------------------------------------------


def with_event_subprocess(start_definition: str, interrupting: bool) -> str:
    flag = "true" if interrupting else "false"
    return (
        '<bpmn:startEvent id="s"/>'
        + service("main")
        + '<bpmn:endEvent id="e"/>'
        + flows("s>main", "main>e")
        + '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        f'<bpmn:startEvent id="esp_s" isInterrupting="{flag}">{start_definition}</bpmn:startEvent>'
        + service("react")
        + '<bpmn:endEvent id="esp_e"/>'
        + flows("esp_s>react", "react>esp_e")
        + "</bpmn:subProcess>"
    )


def test_interrupting_message_event_subprocess() -> None:
    run = Run(
        model(
            with_event_subprocess('<bpmn:messageEventDefinition messageRef="m_out"/>', True), ROOTS
        )
    )
    run.start(caseId=3)
    [sub] = run.of(r.OpenMessageSubscription)
    assert (sub.element_instance_key, sub.element_id, sub.interrupting) == (1, "esp_s", True)
    run.message("esp_s", why="withdrawn")
    assert run.active_ids() == ["react"]
    assert run.variables(run.one("esp").key) == {"why": "withdrawn"}
    run.complete("react")
    assert run.status == "COMPLETED"
    assert run.variables()["why"] == "withdrawn"
    assert "main" not in run.completed_ids()


def test_non_interrupting_timer_event_subprocess_runs_beside_the_main_flow() -> None:
    run = Run(model(with_event_subprocess(timer("timeDuration", "P1D"), False)))
    run.start()
    run.timer("esp_s")
    assert run.active_ids() == ["main", "react"]
    run.complete("main")
    assert run.status == "ACTIVE"
    run.complete("react")
    assert run.status == "COMPLETED"


def test_error_event_subprocess_catches_job_error() -> None:
    run = Run(
        model(
            with_event_subprocess('<bpmn:errorEventDefinition errorRef="err_rejected"/>', True),
            ROOTS,
        )
    )
    run.start()
    run.do(ThrowError(run.job("main").element_instance_key, "REJECTED", "no"))
    assert run.active_ids() == ["react"]


def test_signal_event_subprocess_and_interrupting_only_once() -> None:
    run = Run(
        model(
            with_event_subprocess('<bpmn:signalEventDefinition signalRef="sig_stop"/>', True), ROOTS
        )
    )
    run.start()
    result = run.signal("esp_s")
    assert r.CloseSignalSubscription(1, "esp_s") in result.effects
    assert run.active_ids() == ["react"]
    again = run.do(TriggerSignal(1, "esp_s"))
    assert again.rejection == "scope 1 was already interrupted"


def test_escalation_event_subprocess_non_interrupting() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="up">'
        '<bpmn:escalationEventDefinition escalationRef="esc_late"/></bpmn:intermediateThrowEvent>'
        + service("main")
        + '<bpmn:endEvent id="e"/>'
        + flows("s>up", "up>main", "main>e")
        + '<bpmn:subProcess id="esp" triggeredByEvent="true">'
        '<bpmn:startEvent id="esp_s" isInterrupting="false">'
        '<bpmn:escalationEventDefinition escalationRef="esc_late"/></bpmn:startEvent>'
        + service("react")
        + '<bpmn:endEvent id="esp_e"/>'
        + flows("esp_s>react", "react>esp_e")
        + "</bpmn:subProcess>"
    )
    run = Run(model(body, ROOTS))
    run.start()
    assert run.active_ids() == ["main", "react"]


def test_stale_timer_is_rejected() -> None:
    run = Run(model(with_boundary(timer("timeDuration", "PT1M"))))
    run.start()
    task = run.one("task")
    run.complete("task")
    assert run.do(TriggerTimer(task.key, "b")).rejection == "process instance 1 is completed"


@pytest.mark.parametrize(
    "definition, effect",
    [
        (
            '<bpmn:signalEventDefinition signalRef="sig_stop"/>',
            r.BroadcastSignal("stop-all", {}),
        ),
        (
            '<bpmn:messageEventDefinition messageRef="m_out"/>',
            r.PublishMessage("case-closed", "c-1", {}),
        ),
    ],
)
def test_signal_and_message_end_events(definition: str, effect: Any) -> None:
    body = f'<bpmn:startEvent id="s"/><bpmn:endEvent id="e">{definition}</bpmn:endEvent>' + flows(
        "s>e"
    )
    run = Run(model(body, ROOTS))
    run.start(caseId="c-1")
    assert effect in run.effects
    assert run.status == "COMPLETED"


def test_escalation_end_event_caught_by_event_subprocess_interrupting() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>'
        '<bpmn:parallelGateway id="fork"/>'
        + service("busy")
        + '<bpmn:endEvent id="up"><bpmn:escalationEventDefinition escalationRef="esc_late"/>'
        "</bpmn:endEvent>"
        + flows("ss>fork", "fork>busy", "fork>up")
        + '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es">'
        '<bpmn:escalationEventDefinition escalationRef="esc_late"/></bpmn:startEvent>'
        + service("react")
        + '<bpmn:endEvent id="ee"/>'
        + flows("es>react", "react>ee")
        + "</bpmn:subProcess></bpmn:subProcess>"
        '<bpmn:endEvent id="e"/>' + flows("s>sub", "sub>e")
    )
    run = Run(model(body, ROOTS))
    run.start()
    assert run.active_ids() == ["react"]
    run.complete("react")
    assert run.status == "COMPLETED"


def test_conditional_non_interrupting_event_subprocess() -> None:
    body = with_event_subprocess(
        "<bpmn:conditionalEventDefinition><bpmn:condition>=urgent"
        "</bpmn:condition></bpmn:conditionalEventDefinition>",
        False,
    )
    run = Run(model(body))
    run.start(urgent=False)
    assert run.active_ids() == ["main"]
    run.do(SetVariables(1, {"urgent": True}))
    assert run.active_ids() == ["main", "react"]
    run.do(SetVariables(1, {"note": "still urgent"}))
    assert run.active_ids() == ["main", "react"]  # triggers when it turns true, not again


@pytest.mark.parametrize(
    "value",
    ["=date and time(&quot;-2021-01-01T10:00:00Z&quot;)", "P99999999Y", "=[1,2]"],
)
def test_timer_values_outside_the_calendar_are_incidents(value: str) -> None:
    kind = "timeDate" if "date" in value or "[" in value else "timeDuration"
    run = Run(model(line(catch("t", timer(kind, value)))))
    run.start()
    [incident] = run.incidents()
    assert incident.element_id == "t"
