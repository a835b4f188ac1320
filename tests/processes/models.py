"""Small BPMN documents for the persistence tests, written the way Camunda Modeler writes them."""

from __future__ import annotations

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="verka-test">\n'
)


def bpmn(body: str, process_id: str = "p", extra: str = "") -> bytes:
    return (
        f'{HEADER}{extra}<bpmn:process id="{process_id}" isExecutable="true">\n{body}\n'
        "</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def flow(flow_id: str, source: str, target: str, condition: str = "") -> str:
    if not condition:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def service_task(task_id: str, job_type: str, retries: int = 3, extra: str = "") -> str:
    return (
        f'<bpmn:serviceTask id="{task_id}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}" retries="{retries}"/>{extra}'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def single_task(process_id: str, job_type: str) -> bytes:
    """start → one service task of `job_type` → end."""
    return bpmn(
        '<bpmn:startEvent id="start"/>'
        + service_task("work", job_type)
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "work")
        + flow("f2", "work", "end"),
        process_id=process_id,
    )


ONE_TASK = bpmn(
    '<bpmn:startEvent id="start"/>'
    + service_task("work", "work")
    + '<bpmn:exclusiveGateway id="gw" default="toLow"/>'
    + '<bpmn:endEvent id="high"/><bpmn:endEvent id="low"/>'
    + flow("f1", "start", "work")
    + flow("f2", "work", "gw")
    + flow("toHigh", "gw", "high", "=amount &gt; 1000")
    + flow("toLow", "gw", "low"),
    process_id="one-task",
)

USER_TASK = bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:userTask id="review" name="Granska"><bpmn:extensionElements>'
    '<zeebe:userTask/><zeebe:formDefinition formId="review-form"/>'
    '<zeebe:assignmentDefinition candidateGroups="bygglov"/>'
    '<zeebe:taskSchedule dueDate="2030-01-01T10:00:00Z"/>'
    "</bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "review") + flow("f2", "review", "end"),
    process_id="review",
)

MESSAGE_WAIT = bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "wait") + flow("f2", "wait", "end"),
    process_id="waiter",
    extra='<bpmn:message id="m" name="answer"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>',
)

TIMER_BOUNDARY = bpmn(
    '<bpmn:startEvent id="start"/>'
    + service_task("slow", "slow")
    + '<bpmn:boundaryEvent id="late" attachedToRef="slow"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    '<bpmn:endEvent id="done"/><bpmn:endEvent id="escalated"/>'
    + flow("f1", "start", "slow")
    + flow("f2", "slow", "done")
    + flow("f3", "late", "escalated"),
    process_id="timed",
)

CALLER = bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:callActivity id="call"><bpmn:extensionElements>'
    '<zeebe:calledElement processId="one-task" propagateAllChildVariables="true"/>'
    "</bpmn:extensionElements></bpmn:callActivity>"
    '<bpmn:endEvent id="end"/>' + flow("f1", "start", "call") + flow("f2", "call", "end"),
    process_id="caller",
)

MESSAGE_START = bpmn(
    '<bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="fault"/>'
    "</bpmn:startEvent>"
    + service_task("forward", "forward")
    + '<bpmn:endEvent id="end"/>'
    + flow("f1", "start", "forward")
    + flow("f2", "forward", "end"),
    process_id="fault-report",
    extra='<bpmn:message id="fault" name="fault-reported"/>',
)
