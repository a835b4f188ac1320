"""The models every benchmark runs, in Camunda 8 form (and converted for SpiffWorkflow)."""

from __future__ import annotations

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench" targetNamespace="verka">\n'
)

ONE_TASK = (
    HEADER
    + """<bpmn:process id="bench-one-task" isExecutable="true">
<bpmn:startEvent id="start"/>
<bpmn:serviceTask id="work"><bpmn:extensionElements>
<zeebe:taskDefinition type="bench-work"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:exclusiveGateway id="check" default="toOther"/>
<bpmn:endEvent id="done"/><bpmn:endEvent id="other"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="check"/>
<bpmn:sequenceFlow id="toDone" sourceRef="check" targetRef="done">
<bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="toOther" sourceRef="check" targetRef="other"/>
</bpmn:process></bpmn:definitions>
"""
)


def _parallel(branches: int) -> str:
    body = ['<bpmn:startEvent id="start"/>', '<bpmn:parallelGateway id="split"/>']
    body.append('<bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>')
    body.append('<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>')
    body.append('<bpmn:sequenceFlow id="fEnd" sourceRef="join" targetRef="end"/>')
    for n in range(branches):
        body.append(f'<bpmn:task id="branch{n}"/>')
        body.append(f'<bpmn:sequenceFlow id="in{n}" sourceRef="split" targetRef="branch{n}"/>')
        body.append(f'<bpmn:sequenceFlow id="out{n}" sourceRef="branch{n}" targetRef="join"/>')
    return (
        HEADER
        + '<bpmn:process id="bench-parallel" isExecutable="true">\n'
        + "\n".join(body)
        + "\n</bpmn:process></bpmn:definitions>\n"
    )


PARALLEL = _parallel(10)

USER_TASK = (
    HEADER
    + """<bpmn:process id="bench-user-task" isExecutable="true">
<bpmn:startEvent id="start"/>
<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/>
<zeebe:assignmentDefinition candidateGroups="bench"/></bpmn:extensionElements></bpmn:userTask>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
</bpmn:process></bpmn:definitions>
"""
)


def for_spiff(xml: str) -> str:
    """SpiffWorkflow speaks Python expressions and knows no zeebe:, so conditions lose their
    FEEL marker (these conditions are valid Python too) and service tasks become tasks that a
    caller completes, as a Spiff application's worker would."""
    return xml.replace(">=amount", ">amount").replace("bpmn:serviceTask", "bpmn:task")
