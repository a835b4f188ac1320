"""Parsing BPMN XML with zeebe: extensions into the process graph."""

from __future__ import annotations

import pytest

from verka.engine.bpmn import (
    BoundaryEvent,
    BpmnValidationError,
    BusinessRuleTask,
    CallActivity,
    EventKind,
    ExclusiveGateway,
    IntermediateCatchEvent,
    ScriptTask,
    ServiceTask,
    StartEvent,
    SubProcess,
    TimerKind,
    UserTask,
    parse_bpmn,
)

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
"""


def xml(body: str, roots: str = "", executable: str = "true") -> bytes:
    return (
        HEAD
        + roots
        + f'<bpmn:process id="p" name="Preschool" isExecutable="{executable}">'
        + body
        + "</bpmn:process></bpmn:definitions>"
    ).encode()


SERVICE = """
<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:serviceTask id="Activity_Check" name="Check">
  <bpmn:extensionElements>
    <zeebe:taskDefinition type="=&quot;check-&quot; + kind" retries="5"/>
    <zeebe:ioMapping>
      <zeebe:input source="=applicant.name" target="name"/>
      <zeebe:output source="=result" target="checkResult"/>
    </zeebe:ioMapping>
    <zeebe:taskHeaders><zeebe:header key="system" value="folkbokforing"/></zeebe:taskHeaders>
    <zeebe:properties><zeebe:property name="owner" value="team-a"/></zeebe:properties>
  </bpmn:extensionElements>
  <bpmn:multiInstanceLoopCharacteristics isSequential="true">
    <bpmn:extensionElements>
      <zeebe:loopCharacteristics inputCollection="=children" inputElement="child"
        outputCollection="results" outputElement="=checkResult"/>
    </bpmn:extensionElements>
    <bpmn:completionCondition>=numberOfCompletedInstances &gt;= 2</bpmn:completionCondition>
  </bpmn:multiInstanceLoopCharacteristics>
</bpmn:serviceTask>
<bpmn:boundaryEvent id="timeout" attachedToRef="Activity_Check" cancelActivity="false">
  <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:exclusiveGateway id="ok" default="f_no"/>
<bpmn:endEvent id="end"/>
<bpmn:endEvent id="end_no"/>
<bpmn:endEvent id="end_timeout"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Activity_Check"/>
<bpmn:sequenceFlow id="f2" sourceRef="Activity_Check" targetRef="ok"/>
<bpmn:sequenceFlow id="f_yes" sourceRef="ok" targetRef="end">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">=checkResult = "ok"</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_no" sourceRef="ok" targetRef="end_no"/>
<bpmn:sequenceFlow id="f_t" sourceRef="timeout" targetRef="end_timeout"/>
"""


def test_service_task_with_all_zeebe_extensions() -> None:
    definitions = parse_bpmn(xml(SERVICE), "check.bpmn")
    process = definitions.processes["p"]
    task = process.elements["Activity_Check"]
    assert isinstance(task, ServiceTask)
    assert task.kind == "serviceTask"
    assert task.task_definition is not None
    assert task.task_definition.type == '="check-" + kind'
    assert task.task_definition.retries == "5"
    assert [(m.source, m.target) for m in task.inputs] == [("=applicant.name", "name")]
    assert [(m.source, m.target) for m in task.outputs] == [("=result", "checkResult")]
    assert task.headers == {"system": "folkbokforing"}
    assert task.properties == {"owner": "team-a"}
    assert task.incoming == ("f1",) and task.outgoing == ("f2",)
    assert task.boundary_events == ("timeout",)
    assert task.loop is not None
    assert task.loop.is_sequential is True
    assert task.loop.input_collection == "=children"
    assert task.loop.output_element == "=checkResult"
    assert task.loop.completion_condition == "=numberOfCompletedInstances >= 2"
    assert task.line == 6


def test_gateway_default_and_conditions() -> None:
    process = parse_bpmn(xml(SERVICE), "check.bpmn").processes["p"]
    gateway = process.elements["ok"]
    assert isinstance(gateway, ExclusiveGateway)
    assert gateway.default == "f_no"
    assert process.flows["f_yes"].condition == '=checkResult = "ok"'
    assert process.flows["f_no"].condition == ""


def test_boundary_timer() -> None:
    process = parse_bpmn(xml(SERVICE), "check.bpmn").processes["p"]
    boundary = process.elements["timeout"]
    assert isinstance(boundary, BoundaryEvent)
    assert boundary.attached_to == "Activity_Check"
    assert boundary.cancel_activity is False
    assert boundary.event.kind is EventKind.TIMER
    assert boundary.event.timer_kind is TimerKind.DURATION
    assert boundary.event.timer_expression == "PT1H"


USER_TASK = """
<bpmn:startEvent id="s"/>
<bpmn:userTask id="review" name="Review application">
  <bpmn:extensionElements>
    <zeebe:userTask/>
    <zeebe:formDefinition formId="review-form"/>
    <zeebe:assignmentDefinition assignee="=initiator" candidateGroups="handlaggare, chefer"
       candidateUsers="=[&quot;anna&quot;]"/>
    <zeebe:taskSchedule dueDate="=now() + duration(&quot;P2D&quot;)" followUpDate="2026-02-01T10:00:00Z"/>
    <zeebe:priorityDefinition priority="80"/>
  </bpmn:extensionElements>
</bpmn:userTask>
<bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="review"/>
<bpmn:sequenceFlow id="b" sourceRef="review" targetRef="e"/>
"""


def test_user_task_extensions() -> None:
    task = parse_bpmn(xml(USER_TASK), "u.bpmn").processes["p"].elements["review"]
    assert isinstance(task, UserTask)
    assert task.zeebe_user_task is True
    assert task.form is not None and task.form.form_id == "review-form"
    assert task.assignment.assignee == "=initiator"
    assert task.assignment.candidate_groups == "handlaggare, chefer"
    assert task.schedule.follow_up_date == "2026-02-01T10:00:00Z"
    assert task.priority == "80"


ROOTS = """
<bpmn:message id="Message_Paid" name="paid">
  <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
</bpmn:message>
<bpmn:error id="Error_1" name="Rejected" errorCode="REJECTED"/>
<bpmn:signal id="Signal_1" name="stop"/>
<bpmn:escalation id="Esc_1" name="late" escalationCode="LATE"/>
"""

EVERYTHING = """
<bpmn:startEvent id="s"/>
<bpmn:scriptTask id="calc">
  <bpmn:extensionElements><zeebe:script expression="=a + 1" resultVariable="b"/></bpmn:extensionElements>
</bpmn:scriptTask>
<bpmn:businessRuleTask id="decide">
  <bpmn:extensionElements><zeebe:calledDecision decisionId="fee" resultVariable="fee"/></bpmn:extensionElements>
</bpmn:businessRuleTask>
<bpmn:callActivity id="call">
  <bpmn:extensionElements>
    <zeebe:calledElement processId="child" propagateAllChildVariables="false"/>
  </bpmn:extensionElements>
</bpmn:callActivity>
<bpmn:intermediateCatchEvent id="wait">
  <bpmn:messageEventDefinition messageRef="Message_Paid"/>
</bpmn:intermediateCatchEvent>
<bpmn:subProcess id="sub">
  <bpmn:startEvent id="sub_s"/>
  <bpmn:endEvent id="sub_e"/>
  <bpmn:sequenceFlow id="sf" sourceRef="sub_s" targetRef="sub_e"/>
</bpmn:subProcess>
<bpmn:subProcess id="esp" triggeredByEvent="true">
  <bpmn:startEvent id="esp_s" isInterrupting="false">
    <bpmn:signalEventDefinition signalRef="Signal_1"/>
  </bpmn:startEvent>
  <bpmn:endEvent id="esp_e"/>
  <bpmn:sequenceFlow id="esf" sourceRef="esp_s" targetRef="esp_e"/>
</bpmn:subProcess>
<bpmn:endEvent id="e"><bpmn:errorEventDefinition errorRef="Error_1"/></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="calc"/>
<bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="decide"/>
<bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="call"/>
<bpmn:sequenceFlow id="f4" sourceRef="call" targetRef="wait"/>
<bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="sub"/>
<bpmn:sequenceFlow id="f6" sourceRef="sub" targetRef="e"/>
"""


def test_root_elements_and_activity_kinds() -> None:
    definitions = parse_bpmn(xml(EVERYTHING, ROOTS), "all.bpmn")
    assert definitions.messages["Message_Paid"].name == "paid"
    assert definitions.messages["Message_Paid"].correlation_key == "=orderId"
    assert definitions.errors["Error_1"].code == "REJECTED"
    assert definitions.signals["Signal_1"].name == "stop"
    assert definitions.escalations["Esc_1"].code == "LATE"
    process = definitions.processes["p"]
    assert process.name == "Preschool"
    calc = process.elements["calc"]
    assert isinstance(calc, ScriptTask) and calc.script is not None
    assert (calc.script.expression, calc.script.result_variable) == ("=a + 1", "b")
    decide = process.elements["decide"]
    assert isinstance(decide, BusinessRuleTask) and decide.called_decision is not None
    assert decide.called_decision.decision_id == "fee"
    call = process.elements["call"]
    assert isinstance(call, CallActivity)
    assert call.called_element.process_id == "child"
    assert call.called_element.propagate_all_child_variables is False
    assert call.called_element.propagate_all_parent_variables is True
    wait = process.elements["wait"]
    assert isinstance(wait, IntermediateCatchEvent) and wait.event.ref == "Message_Paid"
    sub = process.elements["sub"]
    assert isinstance(sub, SubProcess) and sub.children == ("sub_s", "sub_e")
    assert process.elements["sub_s"].scope == "sub"
    esp = process.elements["esp"]
    assert isinstance(esp, SubProcess) and esp.triggered_by_event
    start = process.elements["esp_s"]
    assert isinstance(start, StartEvent) and start.interrupting is False
    assert [e.id for e in process.event_subprocesses("")] == ["esp"]
    assert process.none_start_event() is not None


def test_reachability_for_inclusive_joins() -> None:
    process = parse_bpmn(xml(EVERYTHING, ROOTS), "all.bpmn").processes["p"]
    assert "e" in process.reachable["calc"]
    assert "calc" not in process.reachable["wait"]


def test_execution_listeners_are_warned_about() -> None:
    body = """
    <bpmn:startEvent id="s"><bpmn:extensionElements><zeebe:executionListeners>
      <zeebe:executionListener eventType="start" type="x"/></zeebe:executionListeners>
    </bpmn:extensionElements></bpmn:startEvent>
    <bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>"""
    definitions = parse_bpmn(xml(body), "w.bpmn")
    assert [w.message for w in definitions.warnings] == ["execution listeners are ignored by Verka"]
    assert definitions.warnings[0].element_id == "s"


@pytest.mark.parametrize(
    "timer, kind, expression",
    [
        (
            "<bpmn:timeDate>2026-03-01T10:00:00Z</bpmn:timeDate>",
            TimerKind.DATE,
            "2026-03-01T10:00:00Z",
        ),
        ("<bpmn:timeCycle>R3/PT10M</bpmn:timeCycle>", TimerKind.CYCLE, "R3/PT10M"),
        ("<bpmn:timeDuration>=delay</bpmn:timeDuration>", TimerKind.DURATION, "=delay"),
    ],
)
def test_timer_definitions(timer: str, kind: TimerKind, expression: str) -> None:
    body = f"""<bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="b" sourceRef="t" targetRef="e"/>"""
    event = parse_bpmn(xml(body), "t.bpmn").processes["p"].elements["t"]
    assert isinstance(event, IntermediateCatchEvent)
    assert (event.event.timer_kind, event.event.timer_expression) == (kind, expression)


def test_model_objects_are_immutable() -> None:
    process = parse_bpmn(xml(SERVICE), "check.bpmn").processes["p"]
    with pytest.raises(AttributeError):
        process.elements["ok"].name = "changed"  # type: ignore[misc]


def test_validation_error_is_a_bpmn_error() -> None:
    from verka.engine.bpmn import BpmnError

    with pytest.raises(BpmnError):
        parse_bpmn(b"<nope", "x.bpmn")
    assert issubclass(BpmnValidationError, BpmnError)


def test_version_tag_and_binding_types() -> None:
    body = """
    <bpmn:startEvent id="s"/>
    <bpmn:callActivity id="call"><bpmn:extensionElements>
      <zeebe:calledElement processId="child" bindingType="versionTag" versionTag="v2"/>
    </bpmn:extensionElements></bpmn:callActivity>
    <bpmn:businessRuleTask id="rule"><bpmn:extensionElements>
      <zeebe:calledDecision decisionId="d" resultVariable="r" bindingType="deployment"/>
    </bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="call"/>
    <bpmn:sequenceFlow id="b" sourceRef="call" targetRef="rule"/>
    <bpmn:sequenceFlow id="c" sourceRef="rule" targetRef="e"/>"""
    data = xml(body).replace(
        b'isExecutable="true">',
        b'isExecutable="true"><bpmn:extensionElements><zeebe:versionTag value="1.4"/>'
        b"</bpmn:extensionElements>",
    )
    process = parse_bpmn(data, "v.bpmn").processes["p"]
    assert process.version_tag == "1.4"
    call = process.elements["call"]
    assert isinstance(call, CallActivity)
    assert (call.called_element.binding_type, call.called_element.version_tag) == (
        "versionTag",
        "v2",
    )
    rule = process.elements["rule"]
    assert isinstance(rule, BusinessRuleTask) and rule.called_decision is not None
    assert rule.called_decision.binding_type == "deployment"


def test_embedded_user_task_form_and_default_namespace() -> None:
    data = b"""<?xml version="1.0"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <process id="p" isExecutable="true">
    <extensionElements>
      <zeebe:userTaskForm id="UserTaskForm_1">{"components": []}</zeebe:userTaskForm>
    </extensionElements>
    <startEvent id="s"/>
    <userTask id="u"><extensionElements>
      <zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_1"/>
    </extensionElements></userTask>
    <endEvent id="e"/>
    <sequenceFlow id="a" sourceRef="s" targetRef="u"/>
    <sequenceFlow id="b" sourceRef="u" targetRef="e"/>
  </process>
</definitions>"""
    process = parse_bpmn(data, "legacy.bpmn").processes["p"]
    assert process.user_task_forms == {"UserTaskForm_1": '{"components": []}'}
    task = process.elements["u"]
    assert isinstance(task, UserTask) and task.form is not None
    assert task.form.form_key == "camunda-forms:bpmn:UserTaskForm_1"
    assert task.zeebe_user_task is False
