"""Tasks, subprocesses, call activities, multi-instance and compensation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest

from verka.engine.runtime import (
    ChildFailed,
    CompleteCallActivity,
    CompleteJob,
    ElementState,
    ResolveIncident,
    SetVariables,
)
from verka.engine.runtime import results as r

from .scenario import T0, D, Run, flows, model, service


def line(*elements: str, roots: str = "") -> Any:
    ids = ["s", *[e.split('id="', 1)[1].split('"', 1)[0] for e in elements], "e"]
    body = (
        '<bpmn:startEvent id="s"/>'
        + "".join(elements)
        + '<bpmn:endEvent id="e"/>'
        + flows(*[f"{a}>{b}" for a, b in zip(ids, ids[1:], strict=False)])
    )
    return model(body, roots)


@pytest.mark.parametrize("tag", ["task", "manualTask"])
def test_undefined_and_manual_tasks_pass_through(tag: str) -> None:
    run = Run(line(f'<bpmn:{tag} id="t"/>'))
    run.start()
    assert run.completed_ids() == ["s", "t", "e", "p"]


USER_TASK = (
    '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:userTask/>'
    '<zeebe:formDefinition formId="review-form"/>'
    '<zeebe:assignmentDefinition assignee="=owner" candidateGroups="officers, managers" '
    'candidateUsers="=[&quot;anna&quot;, &quot;bo&quot;]"/>'
    '<zeebe:taskSchedule dueDate="=now() + duration(&quot;P2D&quot;)" '
    'followUpDate="2026-02-01T10:00:00Z"/>'
    '<zeebe:priorityDefinition priority="=prio"/>'
    "</bpmn:extensionElements></bpmn:userTask>"
)


def test_user_task_effect_and_completion() -> None:
    run = Run(line(USER_TASK))
    run.start(owner="eva", prio=70)
    task = run.one("review")
    [created] = run.of(r.CreateUserTask)
    assert created.element_instance_key == task.key
    assert (created.name, created.form_id, created.assignee) == ("Review", "review-form", "eva")
    assert created.candidate_groups == ("officers", "managers")
    assert created.candidate_users == ("anna", "bo")
    assert created.follow_up_date == datetime.fromisoformat("2026-02-01T10:00:00+00:00")
    assert created.priority == 70
    assert created.due_date is not None
    run.complete_task("review", decision="approve")
    assert run.variables()["decision"] == "approve"
    assert run.status == "COMPLETED"


def test_script_task_with_feel_expression() -> None:
    script = (
        '<bpmn:scriptTask id="calc"><bpmn:extensionElements>'
        '<zeebe:script expression="=sum(fees) * 2" resultVariable="total"/>'
        "</bpmn:extensionElements></bpmn:scriptTask>"
    )
    run = Run(line(script))
    run.start(fees=[1, 2, 3])
    assert run.variables()["total"] == D(12)
    assert run.status == "COMPLETED"


class Decisions:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> Any:
        self.calls.append((decision_id, dict(variables)))
        if self.fail:
            raise ValueError("no rule matched")
        return {"fee": D(300)}


RULE = (
    '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
    '<zeebe:calledDecision decisionId="preschool-fee" resultVariable="result"/>'
    "</bpmn:extensionElements></bpmn:businessRuleTask>"
)


def test_business_rule_task_calls_injected_decision_evaluator() -> None:
    decisions = Decisions()
    run = Run(line(RULE), decisions=decisions)
    run.start(income=D(25000))
    assert decisions.calls == [("preschool-fee", {"income": D(25000)})]
    assert run.variables()["result"] == {"fee": D(300)}


def test_failing_decision_is_an_incident() -> None:
    run = Run(line(RULE), decisions=Decisions(fail=True))
    run.start()
    [incident] = run.incidents()
    assert incident.error_type == "DECISION_EVALUATION_ERROR"
    assert incident.message == "failed to evaluate decision 'preschool-fee': no rule matched"


def test_receive_task_waits_for_message() -> None:
    roots = (
        '<bpmn:message id="m" name="signed"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=id"/></bpmn:extensionElements></bpmn:message>'
    )
    run = Run(line('<bpmn:receiveTask id="wait" messageRef="m"/>', roots=roots))
    run.start(id="x1")
    [sub] = run.of(r.OpenMessageSubscription)
    assert (sub.message_name, sub.correlation_key) == ("signed", "x1")
    run.message("wait", signedBy="eva")
    assert run.variables()["signedBy"] == "eva"
    assert run.status == "COMPLETED"


def test_embedded_subprocess_scope_and_local_variables() -> None:
    body = (
        '<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=10" target="limit"/>'
        '<zeebe:output source="=limit * 2" target="doubled"/>'
        "</zeebe:ioMapping></bpmn:extensionElements>"
        '<bpmn:startEvent id="ss"/>'
        + service("inner")
        + '<bpmn:endEvent id="se"/>'
        + flows("ss>inner", "inner>se")
        + "</bpmn:subProcess>"
    )
    run = Run(line(body))
    run.start()
    sub = run.one("sub")
    assert run.job("inner").variables == {"limit": D(10)}
    assert run.one("inner").flow_scope_key == sub.key
    run.complete("inner")
    assert run.variables() == {"doubled": D(20)}
    assert run.status == "COMPLETED"


CALL = (
    '<bpmn:callActivity id="call"><bpmn:extensionElements>'
    '<zeebe:calledElement processId="child-process" propagateAllChildVariables="{child}" '
    'propagateAllParentVariables="{parent}"/>'
    '<zeebe:ioMapping><zeebe:input source="=a" target="x"/>{outputs}</zeebe:ioMapping>'
    "</bpmn:extensionElements></bpmn:callActivity>"
)


@pytest.mark.parametrize(
    "parent, sent",
    [("true", {"a": D(1), "b": D(2), "x": D(1)}), ("false", {"x": D(1)})],
)
def test_call_activity_passes_parent_variables(parent: str, sent: dict[str, Any]) -> None:
    run = Run(line(CALL.format(child="true", parent=parent, outputs="")))
    run.start(a=1, b=2)
    call = run.one("call")
    [start] = run.of(r.StartChildInstance)
    assert start == r.StartChildInstance("child-process", sent, 1, call.key)


@pytest.mark.parametrize(
    "child, outputs, expected",
    [
        ("true", "", {"a": D(1), "r1": D(5), "r2": D(6)}),
        ("false", "", {"a": D(1)}),
        ("false", '<zeebe:output source="=r1" target="only"/>', {"a": D(1), "only": D(5)}),
    ],
)
def test_call_activity_propagates_child_variables(
    child: str, outputs: str, expected: dict[str, Any]
) -> None:
    run = Run(line(CALL.format(child=child, parent="true", outputs=outputs)))
    run.start(a=1)
    run.do(CompleteCallActivity(run.one("call").key, {"r1": 5, "r2": 6}))
    assert run.variables() == expected
    assert run.status == "COMPLETED"


def test_call_activity_child_error_is_caught_in_parent_and_child_cancelled() -> None:
    roots = '<bpmn:error id="err" errorCode="E1"/>'
    body = (
        '<bpmn:startEvent id="s"/>'
        + CALL.format(child="true", parent="true", outputs="")
        + '<bpmn:boundaryEvent id="b" attachedToRef="call"><bpmn:errorEventDefinition errorRef="err"/>'
        '</bpmn:boundaryEvent><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flows("s>call", "call>e", "b>e2")
    )
    run = Run(model(body, roots))
    run.start(a=1)
    call = run.one("call")
    result = run.do(ChildFailed(call.key, "E1", "child failed"))
    assert r.CancelChildInstance(call.key) in result.effects
    assert run.completed_ids()[-2:] == ["e2", "p"]


def test_child_instance_reports_uncaught_error_to_parent_and_completion() -> None:
    from verka.engine.runtime import InstanceState, ThrowError

    process = line(service("t"))
    run = Run(process, key=500)
    run.state = InstanceState.new(
        500, process, parent_instance_key=1, parent_element_instance_key=7
    )
    run.start()
    run.do(ThrowError(run.job("t").element_instance_key, "E1", "bad", {"v": 1}))
    assert run.of(r.ErrorToParent) == [r.ErrorToParent(1, 7, "E1", "bad", {"v": D(1)})]


MI = (
    '<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="check"/>'
    '<zeebe:ioMapping><zeebe:output source="=ok" target="okay"/></zeebe:ioMapping>'
    "</bpmn:extensionElements>"
    '<bpmn:multiInstanceLoopCharacteristics isSequential="{seq}"><bpmn:extensionElements>'
    '<zeebe:loopCharacteristics inputCollection="=items" inputElement="item" '
    'outputCollection="results" outputElement="=item * 10"/></bpmn:extensionElements>'
    "{completion}</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
)


def test_parallel_multi_instance_collects_outputs_in_order() -> None:
    run = Run(line(MI.format(seq="false", completion="")))
    run.start(items=[1, 2, 3])
    jobs = run.open_jobs()
    assert [(j.variables["item"], j.variables["loopCounter"]) for j in jobs] == [
        (D(1), D(1)),
        (D(2), D(2)),
        (D(3), D(3)),
    ]
    body = run.live("each")[0]
    assert body.is_body and run.variables(body.key) == {"results": [None, None, None]}
    for job in reversed(jobs):
        run.do(CompleteJob(job.element_instance_key, {"ok": True}))
    assert run.variables() == {
        "items": [D(1), D(2), D(3)],
        "results": [D(10), D(20), D(30)],
        "okay": True,
    }
    assert run.status == "COMPLETED"


def test_sequential_multi_instance_runs_one_at_a_time() -> None:
    run = Run(line(MI.format(seq="true", completion="")))
    run.start(items=["a", "b"])
    assert [j.variables["item"] for j in run.open_jobs()] == ["a"]
    run.complete("each", ok=1)
    assert [j.variables["item"] for j in run.open_jobs()] == ["b"]
    run.complete("each", ok=2)
    assert run.status == "COMPLETED"  # "a" * 10 is null in FEEL: collected, not an incident
    assert run.variables()["results"] == [None, None]


def test_completion_condition_stops_remaining_instances() -> None:
    completion = (
        "<bpmn:completionCondition>=numberOfCompletedInstances &gt;= 2</bpmn:completionCondition>"
    )
    run = Run(line(MI.format(seq="false", completion=completion)))
    run.start(items=[1, 2, 3])
    jobs = run.open_jobs()
    run.do(CompleteJob(jobs[0].element_instance_key, {}))
    result = run.do(CompleteJob(jobs[1].element_instance_key, {}))
    assert r.CancelJob(jobs[2].key, jobs[2].element_instance_key) in result.effects
    assert run.variables()["results"] == [D(10), D(20), None]
    assert run.status == "COMPLETED"


def test_empty_input_collection_completes_immediately() -> None:
    run = Run(line(MI.format(seq="false", completion="")))
    run.start(items=[])
    assert run.status == "COMPLETED"
    assert run.variables()["results"] == []


def test_input_collection_not_a_list_is_an_incident_resolvable() -> None:
    run = Run(line(MI.format(seq="false", completion="")))
    run.start(items="oops")
    [incident] = run.incidents()
    assert incident.message.startswith("expected input collection '=items' to be a list")
    body = run.live("each")[0]
    run.do(SetVariables(1, {"items": [5]}))
    run.do(ResolveIncident(body.key))
    assert [j.variables["item"] for j in run.open_jobs()] == [D(5)]


def test_boundary_on_multi_instance_belongs_to_the_body() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + MI.format(seq="false", completion="")
        + '<bpmn:boundaryEvent id="late" attachedToRef="each"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>' + flows("s>each", "each>e", "late>e2")
    )
    run = Run(model(body))
    run.start(items=[1, 2])
    [timer] = run.of(r.ScheduleTimer)
    assert timer.element_instance_key == run.live("each")[0].key
    result = run.timer("late")
    assert len([e for e in result.effects if isinstance(e, r.CancelJob)]) == 2
    assert run.status == "COMPLETED"


COMPENSATION = (
    '<bpmn:startEvent id="s"/>'
    + service("book")
    + '<bpmn:boundaryEvent id="cb" attachedToRef="book"><bpmn:compensateEventDefinition/>'
    "</bpmn:boundaryEvent>"
    + service("cancel_booking").replace(
        "<bpmn:serviceTask ", '<bpmn:serviceTask isForCompensation="true" '
    )
    + '<bpmn:association id="as" associationDirection="One" sourceRef="cb" targetRef="cancel_booking"/>'
    + service("pay")
    + '<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition/>'
    "</bpmn:intermediateThrowEvent>"
    '<bpmn:endEvent id="e"/>' + flows("s>book", "book>pay", "pay>undo", "undo>e")
)


def test_compensation_throw_runs_handlers_of_completed_activities_and_waits() -> None:
    run = Run(model(COMPENSATION))
    run.start()
    book = run.one("book")
    run.complete("book")
    assert run.state.element_instances[1].data["compensable"] == [["book", book.key, "cb"]]
    run.complete("pay")
    assert run.active_ids() == ["cancel_booking", "undo"]
    handler = run.one("cancel_booking")
    assert handler.data["compensating"] == book.key
    run.complete("cancel_booking")
    assert run.completed_ids()[-4:] == ["cancel_booking", "undo", "e", "p"]
    assert run.status == "COMPLETED"


def test_compensation_without_completed_activities_passes() -> None:
    body = line(
        '<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>'
    )
    run = Run(body)
    run.start()
    assert run.status == "COMPLETED"


def test_due_date_static_and_element_states_are_rows() -> None:
    run = Run(line(USER_TASK))
    result = run.start(owner="eva", prio=1)
    rows = {(i.element_id, i.state) for i in result.element_instances}
    assert ("review", ElementState.ACTIVE) in rows and ("s", ElementState.COMPLETED) in rows
    [created] = run.of(r.CreateUserTask)
    assert created.due_date is not None and created.due_date - T0 == timedelta(days=2)
