"""Validation before deployment: every problem named with file, line, element id and a hint."""

from __future__ import annotations

import pytest

from verka.engine.bpmn import BpmnValidationError, parse_bpmn

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
"""


def xml(body: str, roots: str = "", executable: str = "true") -> bytes:
    return (
        HEAD
        + roots
        + f'<bpmn:process id="p" isExecutable="{executable}">\n'
        + body
        + "</bpmn:process></bpmn:definitions>"
    ).encode()


def problems(data: bytes) -> list[str]:
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn(data, "app.bpmn")
    return [str(p) for p in caught.value.problems]


START_END = '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'


def test_malformed_xml_names_the_line() -> None:
    found = problems(b"<?xml version='1.0'?>\n<bpmn:definitions>\n<oops>\n</bpmn:definitions>")
    assert len(found) == 1
    assert found[0].startswith("app.bpmn:")
    assert "malformed XML" in found[0]


def test_wrong_root_element() -> None:
    assert problems(b"<html/>") == [
        "app.bpmn:1: expected a <bpmn:definitions> root element, found <html>"
    ]


def test_misspelt_flow_target_suggests_the_closest_id() -> None:
    body = (
        '<bpmn:startEvent id="s"/>\n'
        '<bpmn:userTask id="Activity_Review"/>\n'
        '<bpmn:endEvent id="e"/>\n'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="Activity_Reveiw"/>\n'
        '<bpmn:sequenceFlow id="f2" sourceRef="Activity_Review" targetRef="e"/>\n'
    )
    assert problems(xml(body)) == [
        "app.bpmn:8: element 'f1': sequence flow target 'Activity_Reveiw' does not exist"
        " (did you mean 'Activity_Review'?)"
    ]


def test_service_task_without_job_type() -> None:
    body = START_END + '\n<bpmn:serviceTask id="call_api"/>\n'
    found = problems(xml(body))
    assert found == [
        "app.bpmn:6: element 'call_api': serviceTask has no job type"
        ' (add <zeebe:taskDefinition type="..."/>)'
    ]


def test_gateway_without_outgoing_flows() -> None:
    body = START_END + '\n<bpmn:parallelGateway id="fork"/>\n'
    assert problems(xml(body)) == [
        "app.bpmn:6: element 'fork': gateway has no outgoing sequence flow"
    ]


def test_feel_syntax_error_in_condition() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="b"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        '<bpmn:sequenceFlow id="i" sourceRef="s" targetRef="g"/>\n'
        '<bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e1">'
        "<bpmn:conditionExpression>=amount &gt; (3</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>\n"
        '<bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e2"/>'
    )
    found = problems(xml(body))
    assert len(found) == 1
    assert found[0].startswith("app.bpmn:6: element 'a': FEEL syntax error in condition:")


def test_feel_syntax_error_in_input_mapping() -> None:
    body = (
        START_END + '\n<bpmn:task id="t"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=a +" target="b"/></zeebe:ioMapping></bpmn:extensionElements>'
        "</bpmn:task>"
    )
    found = problems(xml(body))
    assert len(found) == 1
    assert "element 't': FEEL syntax error in mapping to 'b'" in found[0]


def test_unsupported_element_is_named_plainly() -> None:
    body = START_END + '\n<bpmn:complexGateway id="cx"/>'
    assert problems(xml(body)) == [
        "app.bpmn:6: element 'cx': complex gateways are not supported;"
        " use an inclusive or exclusive gateway"
    ]


def test_non_executable_process() -> None:
    found = problems(xml(START_END, executable="false"))
    assert len(found) == 1
    assert "element 'p': the process is not executable" in found[0]


def test_unknown_message_reference_and_missing_correlation_key() -> None:
    roots = '<bpmn:message id="Message_Paid" name="paid"/>'
    body = (
        START_END
        + '\n<bpmn:intermediateCatchEvent id="w1"><bpmn:messageEventDefinition messageRef="Message_Payd"/>'
        "</bpmn:intermediateCatchEvent>\n"
        '<bpmn:intermediateCatchEvent id="w2"><bpmn:messageEventDefinition messageRef="Message_Paid"/>'
        "</bpmn:intermediateCatchEvent>"
    )
    found = problems(xml(body, roots))
    assert found == [
        "app.bpmn:6: element 'w1': references unknown message 'Message_Payd'"
        " (did you mean 'Message_Paid'?)",
        "app.bpmn:7: element 'w2': message 'Message_Paid' has no correlation key"
        ' (add <zeebe:subscription correlationKey="=..."/> to the message)',
    ]


def test_branching_flow_without_condition() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        '<bpmn:sequenceFlow id="i" sourceRef="s" targetRef="g"/>\n'
        '<bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e1"/>\n'
        '<bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e2"/>'
    )
    found = problems(xml(body))
    assert [p.split(": ", 1)[1] for p in found] == [
        "element 'a': outgoing flow of a branching gateway needs a condition"
        " (or must be the default flow)",
        "element 'b': outgoing flow of a branching gateway needs a condition"
        " (or must be the default flow)",
    ]


def test_boundary_attached_to_unknown_activity() -> None:
    body = (
        START_END
        + '\n<bpmn:boundaryEvent id="b" attachedToRef="Task_Pay"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:serviceTask id="Task_Pays"><bpmn:extensionElements><zeebe:taskDefinition type="x"/>'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )
    assert problems(xml(body)) == [
        "app.bpmn:6: element 'b': attached to unknown activity 'Task_Pay'"
        " (did you mean 'Task_Pays'?)"
    ]


def test_multi_instance_without_input_collection() -> None:
    body = START_END + '\n<bpmn:task id="t"><bpmn:multiInstanceLoopCharacteristics/></bpmn:task>'
    found = problems(xml(body))
    assert len(found) == 1
    assert "multi-instance activity without an input collection" in found[0]


def test_many_problems_are_reported_together_in_line_order() -> None:
    body = (
        '<bpmn:startEvent id="s"/>\n'
        '<bpmn:serviceTask id="a"/>\n'
        '<bpmn:callActivity id="c"/>\n'
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x"/>\n'
    )
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn(xml(body), "app.bpmn")
    lines = [p.line for p in caught.value.problems]
    assert lines == sorted(lines)
    assert len(lines) == 3
    text = str(caught.value)
    assert text.startswith("3 problems in BPMN model:\n  app.bpmn:")
    assert "element 'c': call activity has no called process id" in text


def test_condition_on_flow_leaving_a_task_is_rejected() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/>\n'
        '<bpmn:sequenceFlow id="b" sourceRef="t" targetRef="e">'
        "<bpmn:conditionExpression>=true</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    assert problems(xml(body)) == [
        "app.bpmn:6: element 'b': conditions are only supported on flows leaving exclusive or"
        " inclusive gateways (put an exclusive gateway after the element)"
    ]


def test_link_throw_without_catch_suggests_name() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="go">'
        '<bpmn:linkEventDefinition name="ToReview"/></bpmn:intermediateThrowEvent>\n'
        '<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="ToReveiw"/>'
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="go"/>'
        '<bpmn:sequenceFlow id="b" sourceRef="land" targetRef="e"/>'
    )
    assert problems(xml(body)) == [
        "app.bpmn:5: element 'go': no link catch event named 'ToReview' in the same scope"
        " (did you mean 'ToReveiw'?)"
    ]


def test_event_subprocess_needs_a_triggered_start() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="e"/>\n'
        '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="x"/></bpmn:subProcess>'
    )
    assert problems(xml(body)) == [
        "app.bpmn:6: element 'esp': an event subprocess needs exactly one start event with a trigger"
    ]


def test_compensation_boundary_without_handler() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/>'
        '<bpmn:sequenceFlow id="b" sourceRef="t" targetRef="e"/>\n'
        '<bpmn:boundaryEvent id="cb" attachedToRef="t"><bpmn:compensateEventDefinition/>'
        "</bpmn:boundaryEvent>"
    )
    assert problems(xml(body)) == [
        "app.bpmn:6: element 'cb': compensation boundary event has no associated handler activity"
    ]


def test_valid_model_has_no_problems_and_keeps_the_filename() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="e"/>'
    )
    definitions = parse_bpmn(xml(body), "ok.bpmn")
    assert definitions.filename == "ok.bpmn"
    assert definitions.processes["p"].filename == "ok.bpmn"
    assert definitions.warnings == ()


def test_process_level_error_start_is_rejected() -> None:
    body = (
        '<bpmn:startEvent id="s"><bpmn:errorEventDefinition/></bpmn:startEvent>\n'
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="e"/>'
    )
    assert problems(xml(body)) == [
        "app.bpmn:5: element 's': a process cannot start with a error start event"
        " (only none, message, timer, signal and conditional start events; others belong in"
        " event subprocesses)"
    ]


def test_process_level_conditional_start_deploys() -> None:
    body = (
        '<bpmn:startEvent id="s"><bpmn:conditionalEventDefinition><bpmn:condition>=hot'
        "</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>\n"
        '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="e"/>'
    )
    assert list(parse_bpmn(xml(body), "app.bpmn").processes) == ["p"]


def test_external_entities_are_not_resolved() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY f SYSTEM "file:///etc/passwd">]>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        b'<bpmn:process id="p" name="&f;" isExecutable="true"/></bpmn:definitions>'
    )
    [found] = problems(data)
    assert "malformed XML" in found and "external entity" in found


def test_entity_expansion_bomb_is_refused() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    data = (
        f"<?xml version='1.0'?><!DOCTYPE x [{entities}]>\n"
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="p" name="&a9;" isExecutable="true"/></bpmn:definitions>'
    ).encode()
    [found] = problems(data)
    assert "malformed XML" in found
