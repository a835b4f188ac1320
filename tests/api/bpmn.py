"""BPMN documents for the API tests, written the way Camunda Modeler writes them."""

from __future__ import annotations

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="verka-api">\n'
)


def bpmn(process_id: str, body: str, extra: str = "") -> bytes:
    return (
        f'{HEADER}{extra}<bpmn:process id="{process_id}" isExecutable="true">\n{body}\n'
        "</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def flow(flow_id: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def service_task(task_id: str, job_type: str, retries: int = 3, headers: str = "") -> str:
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" retries="{retries}"/>{headers}'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


# start → service task "work" → end
ONE_TASK = bpmn(
    "one-task",
    '<bpmn:startEvent id="start"/>'
    + service_task(
        "work",
        "work",
        headers='<zeebe:taskHeaders><zeebe:header key="target" value="crm"/></zeebe:taskHeaders>',
    )
    + '<bpmn:endEvent id="end"/>'
    + flow("f1", "start", "work")
    + flow("f2", "work", "end"),
)

# The error boundary catches NOT_FOUND thrown by the worker.
WITH_ERROR_BOUNDARY = bpmn(
    "lookup",
    '<bpmn:startEvent id="start"/>'
    + service_task("find", "find-person")
    + '<bpmn:boundaryEvent id="missing" attachedToRef="find">'
    '<bpmn:errorEventDefinition errorRef="notFound"/></bpmn:boundaryEvent>'
    '<bpmn:endEvent id="found"/><bpmn:endEvent id="unknown"/>'
    + flow("f1", "start", "find")
    + flow("f2", "find", "found")
    + flow("f3", "missing", "unknown"),
    extra='<bpmn:error id="notFound" errorCode="NOT_FOUND"/>',
)

USER_TASK = bpmn(
    "review",
    '<bpmn:startEvent id="start"/>'
    '<bpmn:userTask id="check" name="Granska"><bpmn:extensionElements>'
    '<zeebe:userTask/><zeebe:assignmentDefinition candidateGroups="bygglov"/>'
    "</bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "check") + flow("f2", "check", "end"),
)

MESSAGE_WAIT = bpmn(
    "waiter",
    '<bpmn:startEvent id="start"/>'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "wait") + flow("f2", "wait", "end"),
    extra='<bpmn:message id="m" name="answer"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>',
)

SIGNAL_WAIT = bpmn(
    "signalled",
    '<bpmn:startEvent id="start"/>'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="s"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "wait") + flow("f2", "wait", "end"),
    extra='<bpmn:signal id="s" name="storm-warning"/>',
)

# Like the fault-report demo: the report is forwarded to the maintenance system by an external
# worker, then the answer is recorded by a second one.
FAULT_REPORT = bpmn(
    "fault-report-api",
    '<bpmn:startEvent id="start"/>'
    + service_task("forward", "forward-fault-report")
    + service_task("record", "record-ticket")
    + '<bpmn:endEvent id="end"/>'
    + flow("f1", "start", "forward")
    + flow("f2", "forward", "record")
    + flow("f3", "record", "end"),
)
