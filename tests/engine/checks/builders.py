"""Small project files for the checks' tests: BPMN with a generated diagram, DMN, forms."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACES = (
    f'xmlns:bpmn="{BPMN_NS}" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
)
_NOT_DRAWN = {"extensionElements", "conditionExpression", "incoming", "outgoing", "dataObject"}

# start -> a -> end, every element named and drawn: clean for every rule.
CLEAN = """
<bpmn:startEvent id="start" name="Start"/>
<bpmn:task id="a" name="Do it"/>
<bpmn:endEvent id="end" name="Done"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a"/>
<bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="end"/>
"""


def flow(flow_id: str, source: str, target: str, condition: str = "", name: str = "") -> str:
    named = f' name="{name}"' if name else ""
    head = f'<bpmn:sequenceFlow id="{flow_id}"{named} sourceRef="{source}" targetRef="{target}"'
    if not condition:
        return head + "/>"
    return (
        head + '><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def bpmn(
    body: str,
    *,
    roots: str = "",
    process_id: str = "p",
    undrawn: tuple[str, ...] = (),
    bounds: dict[str, tuple[float, float, float, float]] | None = None,
) -> bytes:
    """A BPMN file with one process holding body; every element gets a shape or an edge, laid
    out side by side so that nothing overlaps (boundary events sit on their host)."""
    process = (
        f'<bpmn:process id="{process_id}" name="Process" isExecutable="true">{body}</bpmn:process>'
    )
    tree = etree.fromstring(f"<bpmn:definitions {NAMESPACES}>{process}</bpmn:definitions>")
    shapes = []
    placed: dict[str, float] = {}
    position = 0
    for el in tree.iter("{" + BPMN_NS + "}*"):
        tag = etree.QName(el).localname
        element_id = el.get("id")
        if (
            not element_id
            or tag in _NOT_DRAWN
            or tag in {"process", "definitions"}
            or tag.endswith("EventDefinition")
            or element_id in undrawn
        ):
            continue
        if tag == "sequenceFlow":
            shapes.append(
                f'<bpmndi:BPMNEdge id="{element_id}_di" bpmnElement="{element_id}">'
                '<di:waypoint x="0" y="0"/><di:waypoint x="1" y="1"/></bpmndi:BPMNEdge>'
            )
            continue
        host = el.get("attachedToRef")
        if host in placed:
            x, y, width, height = placed[host] + 30, 140.0, 36.0, 36.0
        else:
            position += 1
            x, y, width, height = position * 200.0, 100.0, 100.0, 80.0
        placed[element_id] = x
        x, y, width, height = (bounds or {}).get(element_id, (x, y, width, height))
        shapes.append(
            f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}">'
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}"/></bpmndi:BPMNShape>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions {NAMESPACES} id="Definitions_1" targetNamespace="http://bpmn.io/x">'
        f"{roots}{process}"
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" '
        f'bpmnElement="{process_id}">{"".join(shapes)}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>'
        "</bpmn:definitions>"
    ).encode()


def user_task(task_id: str, form_id: str) -> str:
    return (
        f'<bpmn:userTask id="{task_id}" name="Review"><bpmn:extensionElements>'
        f'<zeebe:formDefinition formId="{form_id}"/><zeebe:userTask/>'
        "</bpmn:extensionElements></bpmn:userTask>"
    )


def around(task: str, task_id: str) -> str:
    """A clean process with `task` between its start and end event."""
    return (
        '<bpmn:startEvent id="start" name="Start"/>'
        + task
        + '<bpmn:endEvent id="end" name="Done"/>'
        + flow("f1", "start", task_id)
        + flow("f2", task_id, "end")
    )


def dmn(decision_id: str = "fee", input_entry: str = '"small"', rule_id: str = "rule1") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="Fees"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{decision_id}" name="Fee">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in1" label="Size">
        <inputExpression id="inExpr" typeRef="string"><text>size</text></inputExpression>
      </input>
      <output id="out1" name="fee" typeRef="number"/>
      <rule id="{rule_id}">
        <inputEntry id="{rule_id}_in"><text>{input_entry}</text></inputEntry>
        <outputEntry id="{rule_id}_out"><text>100</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>""".encode()


def form(form_id: str = "application", *components: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "id": form_id,
            "type": "default",
            "schemaVersion": 16,
            "components": list(components)
            or [
                {"id": "Field_name", "type": "textfield", "key": "name", "label": "Namn"},
                {
                    "id": "Field_size",
                    "type": "select",
                    "key": "size",
                    "label": "Storlek",
                    "values": [
                        {"value": "small", "label": "Liten"},
                        {"value": "large", "label": "Stor"},
                    ],
                },
            ],
        }
    ).encode()


def cpt_file(*instructions: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "$schema": "https://camunda.com/json-schema/cpt-test-cases/8.9/schema.json",
            "testCases": [{"name": "happy path", "instructions": list(instructions)}],
        }
    ).encode()
