"""The files a new project starts with: a process with a start and an end event (with a diagram,
so bpmn-js draws it) and a start form, or a small application process with an officer's task."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

TEMPLATES = ("empty", "application")

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
    'id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn" '
    'exporter="Verka Studio" exporterVersion="1" '
    'modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">\n'
)


def process_id_for(slug: str) -> str:
    """`bygglov-altan` -> `bygglovAltan`: BPMN ids are XML names, so no leading digit."""
    parts = [p for p in slug.replace("_", "-").split("-") if p]
    text = parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])
    text = "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    if not text or text[0].isdigit():
        text = "process" + text[:1].upper() + text[1:]
    return text


def empty_bpmn(pid: str, title: str, form_id: str) -> str:
    return (
        _HEAD.format(pid=pid)
        + f'  <bpmn:process id={quoteattr(pid)} name={quoteattr(title)} isExecutable="true">\n'
        '    <bpmn:startEvent id="applicationReceived" name="Ansökan inkommen">\n'
        "      <bpmn:extensionElements>\n"
        f"        <zeebe:formDefinition formId={quoteattr(form_id)} />\n"
        "      </bpmn:extensionElements>\n"
        "      <bpmn:outgoing>Flow_toEnd</bpmn:outgoing>\n"
        "    </bpmn:startEvent>\n"
        '    <bpmn:endEvent id="applicationHandled" name="Ansökan hanterad">\n'
        "      <bpmn:incoming>Flow_toEnd</bpmn:incoming>\n"
        "    </bpmn:endEvent>\n"
        '    <bpmn:sequenceFlow id="Flow_toEnd" sourceRef="applicationReceived" '
        'targetRef="applicationHandled" />\n'
        "  </bpmn:process>\n"
        f'  <bpmndi:BPMNDiagram id="Diagram_{pid}">\n'
        f'    <bpmndi:BPMNPlane id="Plane_{pid}" bpmnElement={quoteattr(pid)}>\n'
        '      <bpmndi:BPMNShape id="applicationReceived_di" bpmnElement="applicationReceived">\n'
        '        <dc:Bounds x="152" y="102" width="36" height="36" />\n'
        "      </bpmndi:BPMNShape>\n"
        '      <bpmndi:BPMNShape id="applicationHandled_di" bpmnElement="applicationHandled">\n'
        '        <dc:Bounds x="352" y="102" width="36" height="36" />\n'
        "      </bpmndi:BPMNShape>\n"
        '      <bpmndi:BPMNEdge id="Flow_toEnd_di" bpmnElement="Flow_toEnd">\n'
        '        <di:waypoint x="188" y="120" />\n'
        '        <di:waypoint x="352" y="120" />\n'
        "      </bpmndi:BPMNEdge>\n"
        "    </bpmndi:BPMNPlane>\n"
        "  </bpmndi:BPMNDiagram>\n"
        "</bpmn:definitions>\n"
    )


def _application_bpmn(pid: str, title: str, form_id: str, group: str) -> str:
    return (
        _HEAD.format(pid=pid)
        + f'  <bpmn:process id={quoteattr(pid)} name={quoteattr(title)} isExecutable="true">\n'
        '    <bpmn:startEvent id="applicationReceived" name="Ansökan inkommen">\n'
        "      <bpmn:extensionElements>\n"
        f"        <zeebe:formDefinition formId={quoteattr(form_id)} />\n"
        "      </bpmn:extensionElements>\n"
        "      <bpmn:outgoing>Flow_toDecide</bpmn:outgoing>\n"
        "    </bpmn:startEvent>\n"
        '    <bpmn:userTask id="decide" name="Fatta beslut">\n'
        "      <bpmn:extensionElements>\n"
        "        <zeebe:userTask />\n"
        f"        <zeebe:formDefinition formId={quoteattr(form_id + '-decision')} />\n"
        f"        <zeebe:assignmentDefinition candidateGroups={quoteattr(group)} />\n"
        '        <zeebe:taskSchedule dueDate="=string(now() + duration(&#34;P14D&#34;))" />\n'
        "      </bpmn:extensionElements>\n"
        "      <bpmn:incoming>Flow_toDecide</bpmn:incoming>\n"
        "      <bpmn:outgoing>Flow_toEnd</bpmn:outgoing>\n"
        "    </bpmn:userTask>\n"
        '    <bpmn:endEvent id="applicationHandled" name="Ansökan hanterad">\n'
        "      <bpmn:incoming>Flow_toEnd</bpmn:incoming>\n"
        "    </bpmn:endEvent>\n"
        '    <bpmn:sequenceFlow id="Flow_toDecide" sourceRef="applicationReceived" '
        'targetRef="decide" />\n'
        '    <bpmn:sequenceFlow id="Flow_toEnd" sourceRef="decide" targetRef="applicationHandled" />\n'
        "  </bpmn:process>\n"
        f'  <bpmndi:BPMNDiagram id="Diagram_{pid}">\n'
        f'    <bpmndi:BPMNPlane id="Plane_{pid}" bpmnElement={quoteattr(pid)}>\n'
        '      <bpmndi:BPMNShape id="applicationReceived_di" bpmnElement="applicationReceived">\n'
        '        <dc:Bounds x="152" y="102" width="36" height="36" />\n'
        "      </bpmndi:BPMNShape>\n"
        '      <bpmndi:BPMNShape id="decide_di" bpmnElement="decide">\n'
        '        <dc:Bounds x="250" y="80" width="100" height="80" />\n'
        "      </bpmndi:BPMNShape>\n"
        '      <bpmndi:BPMNShape id="applicationHandled_di" bpmnElement="applicationHandled">\n'
        '        <dc:Bounds x="412" y="102" width="36" height="36" />\n'
        "      </bpmndi:BPMNShape>\n"
        '      <bpmndi:BPMNEdge id="Flow_toDecide_di" bpmnElement="Flow_toDecide">\n'
        '        <di:waypoint x="188" y="120" />\n'
        '        <di:waypoint x="250" y="120" />\n'
        "      </bpmndi:BPMNEdge>\n"
        '      <bpmndi:BPMNEdge id="Flow_toEnd_di" bpmnElement="Flow_toEnd">\n'
        '        <di:waypoint x="350" y="120" />\n'
        '        <di:waypoint x="412" y="120" />\n'
        "      </bpmndi:BPMNEdge>\n"
        "    </bpmndi:BPMNPlane>\n"
        "  </bpmndi:BPMNDiagram>\n"
        "</bpmn:definitions>\n"
    )


def form_schema(form_id: str, components: list[dict[str, object]]) -> str:
    schema = {
        "components": components,
        "type": "default",
        "id": form_id,
        "executionPlatform": "Camunda Cloud",
        "executionPlatformVersion": "8.6.0",
        "exporter": {"name": "Verka Studio", "version": "1"},
        "schemaVersion": 16,
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def empty_dmn(decision_id: str, name: str) -> str:
    """A decision table with one input and one output, drawn in a DRD."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
        'xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" '
        'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
        'xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
        f'id="Definitions_{decision_id}" name={quoteattr(name)} '
        'namespace="http://camunda.org/schema/1.0/dmn" '
        'modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">\n'
        f"  <decision id={quoteattr(decision_id)} name={quoteattr(name)}>\n"
        '    <decisionTable id="DecisionTable_1" hitPolicy="FIRST">\n'
        '      <input id="Input_1" label="Indata">\n'
        '        <inputExpression id="InputExpression_1" typeRef="string">\n'
        "          <text>value</text>\n"
        "        </inputExpression>\n"
        "      </input>\n"
        '      <output id="Output_1" label="Resultat" name="result" typeRef="string" />\n'
        "    </decisionTable>\n"
        "  </decision>\n"
        "  <dmndi:DMNDI>\n"
        '    <dmndi:DMNDiagram id="DMNDiagram_1">\n'
        f'      <dmndi:DMNShape id="DMNShape_{decision_id}" dmnElementRef={quoteattr(decision_id)}>\n'
        '        <dc:Bounds height="80" width="180" x="160" y="100" />\n'
        "      </dmndi:DMNShape>\n"
        "    </dmndi:DMNDiagram>\n"
        "  </dmndi:DMNDI>\n"
        "</definitions>\n"
    )


def _start_form(form_id: str) -> str:
    return form_schema(
        form_id,
        [
            {
                "type": "textfield",
                "id": "Field_name",
                "key": "name",
                "label": "Namn",
                "validate": {"required": True},
            },
            {
                "type": "textarea",
                "id": "Field_description",
                "key": "description",
                "label": "Beskriv ditt ärende",
            },
        ],
    )


def _decision_form(form_id: str) -> str:
    return form_schema(
        form_id,
        [
            {
                "type": "radio",
                "id": "Field_decision",
                "key": "decision",
                "label": "Beslut",
                "values": [
                    {"label": "Bifall", "value": "granted"},
                    {"label": "Avslag", "value": "refused"},
                ],
                "validate": {"required": True},
            }
        ],
    )


def translation_sidecar(form_id: str, components: dict[str, object], language: str = "en") -> str:
    sidecar = {"id": form_id, "language": language, "components": components}
    return json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n"


def starter_files(slug: str, title: str, template: str = "empty") -> dict[str, str]:
    """{file name: content} of a new project; ids come from the slug so that they do not clash
    with another e-service's process or forms."""
    pid = process_id_for(slug)
    files: dict[str, str] = {}
    if template == "application":
        files[f"{slug}.bpmn"] = _application_bpmn(pid, title, slug, "digitalisering")
        files[f"{slug}-decision.form"] = _decision_form(f"{slug}-decision")
        files[f"{slug}-decision.en.json"] = translation_sidecar(
            f"{slug}-decision",
            {
                "Field_decision": {
                    "label": "Decision",
                    "values": {"granted": "Granted", "refused": "Refused"},
                }
            },
        )
    else:
        files[f"{slug}.bpmn"] = empty_bpmn(pid, title, slug)
    files[f"{slug}.form"] = _start_form(slug)
    files[f"{slug}.en.json"] = translation_sidecar(
        slug,
        {
            "Field_name": {"label": "Name"},
            "Field_description": {"label": "Describe your matter"},
        },
    )
    return files
