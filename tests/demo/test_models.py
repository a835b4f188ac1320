"""The demo municipality's models: every BPMN, DMN, form and CPT file is valid, drawn tidily for
bpmn-js, linked to the others, translated, and gives the expected answers."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from verka.demo.models import english_labels, resources
from verka.engine.bpmn import parse_bpmn
from verka.engine.dmn import evaluate_decision, load_models
from verka.engine.forms import parse_form, validate_submission
from verka.processes.cpt.cases import check_instruction, load_test_file

MODELS = Path(__file__).parents[2] / "verka" / "demo" / "models"
BPMN_FILES = sorted(MODELS.glob("*.bpmn"))
DMN_FILES = sorted(MODELS.glob("*.dmn"))
FORM_FILES = sorted(MODELS.glob("*.form"))
TEST_FILES = sorted(MODELS.glob("*.test.json"))

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
}
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "serviceTask",
    "businessRuleTask",
    "scriptTask",
    "exclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "boundaryEvent",
)
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def xml(path: Path) -> Any:
    return etree.parse(str(path)).getroot()


def flow_nodes(root: Any) -> list[Any]:
    process = root.find("bpmn:process", NS)
    return [el for el in process if etree.QName(el).localname in FLOW_NODES]


def bounds(shape: Any) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def test_the_deployable_resources_are_the_models_without_sidecars_or_tests():
    assert [name for name, _content in resources()] == sorted(
        p.name for p in (*BPMN_FILES, *DMN_FILES, *FORM_FILES)
    )
    assert english_labels("fault-report")["Field_category"]["values"] == {
        "streetLighting": "Street lighting",
        "pothole": "Pothole or damaged road",
        "other": "Other",
    }
    assert english_labels("no-such-form") == {}


def test_the_demo_has_three_processes_two_decision_files_and_eight_forms():
    assert [p.name for p in BPMN_FILES] == [
        "building-permit.bpmn",
        "fault-report.bpmn",
        "preschool-placement.bpmn",
    ]
    assert [p.name for p in DMN_FILES] == ["building-permit-fees.dmn", "queue-priority.dmn"]
    assert len(FORM_FILES) == 8
    assert [p.name for p in TEST_FILES] == [
        "building-permit.test.json",
        "fault-report.test.json",
        "preschool-placement.test.json",
    ]


# --- BPMN -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_bpmn_parses_without_warnings_as_a_camunda_8_model(path):
    definitions = parse_bpmn(path.read_bytes(), path.name)
    assert len(definitions.processes) == 1
    assert definitions.warnings == ()
    root = xml(path)
    assert root.get(f"{{{NS['modeler']}}}executionPlatform") == "Camunda Cloud"
    assert root.get("exporter") == "Camunda Modeler"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_bpmn_ids_are_camel_case_and_activities_and_events_have_swedish_names(path):
    root = xml(path)
    process = root.find("bpmn:process", NS)
    assert CAMEL_CASE.match(process.get("id"))
    for el in process:
        if etree.QName(el).localname in (*FLOW_NODES, "sequenceFlow"):
            assert CAMEL_CASE.match(el.get("id")), el.get("id")
    for el in flow_nodes(root):
        kind = etree.QName(el).localname
        if kind.endswith(("Task", "Event")):
            assert el.get("name"), f"{el.get('id')} has no name"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_has_a_shape_and_every_flow_an_edge_that_joins_its_shapes(path):
    root = xml(path)
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    nodes = flow_nodes(root)
    assert set(shapes) == {el.get("id") for el in nodes}
    flows = root.findall("bpmn:process/bpmn:sequenceFlow", NS)
    assert set(edges) == {flow.get("id") for flow in flows}
    for flow in flows:
        points = [
            (float(p.get("x")), float(p.get("y")))
            for p in edges[flow.get("id")].findall("di:waypoint", NS)
        ]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{flow.get('id')}: a diagonal segment"
        for point, end in ((points[0], "sourceRef"), (points[-1], "targetRef")):
            x, y, w, h = bounds(shapes[flow.get(end)])
            on_border = (x <= point[0] <= x + w and point[1] in (y, y + h)) or (
                y <= point[1] <= y + h and point[0] in (x, x + w)
            )
            assert on_border, f"{flow.get('id')} does not touch {flow.get(end)}"


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_shapes_do_not_overlap_and_run_left_to_right(path):
    root = xml(path)
    attached = {
        el.get("id"): el.get("attachedToRef")
        for el in root.iterfind("bpmn:process/bpmn:boundaryEvent", NS)
    }
    shapes = [(s.get("bpmnElement"), bounds(s)) for s in root.iterfind(".//bpmndi:BPMNShape", NS)]
    for index, (first, (x1, y1, w1, h1)) in enumerate(shapes):
        for second, (x2, y2, w2, h2) in shapes[index + 1 :]:
            if attached.get(first) == second or attached.get(second) == first:
                continue
            apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
            assert apart, f"{first} overlaps {second}"
    position = dict(shapes)
    starts = [el.get("id") for el in root.iterfind("bpmn:process/bpmn:startEvent", NS)]
    ends = [el.get("id") for el in root.iterfind("bpmn:process/bpmn:endEvent", NS)]
    assert all(position[start][0] < position[end][0] for start in starts for end in ends)


def _zeebe(el: Any, name: str) -> Any:
    return el.find(f"bpmn:extensionElements/zeebe:{name}", NS)


def _decision_ids() -> set[str]:
    return {
        decision.get("id")
        for path in DMN_FILES
        for decision in xml(path).iterfind("dmn:decision", NS)
    }


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_bpmn_links_to_deployed_forms_decisions_and_worker_job_types(path):
    root = xml(path)
    form_ids = {p.stem for p in FORM_FILES}
    start = root.find("bpmn:process/bpmn:startEvent", NS)
    assert _zeebe(start, "formDefinition").get("formId") in form_ids
    for task in root.iterfind("bpmn:process/bpmn:userTask", NS):
        assert _zeebe(task, "userTask") is not None, "a Camunda user task"
        assert _zeebe(task, "formDefinition").get("formId") in form_ids
        assignment = _zeebe(task, "assignmentDefinition")
        # staff tasks go to a group; citizen tasks to the applicant (see README.md)
        assert bool(assignment.get("candidateGroups")) != bool(assignment.get("candidateUsers"))
        if assignment.get("candidateUsers"):
            assert assignment.get("candidateUsers") == "=[applicant]"
        assert _zeebe(task, "taskSchedule").get("dueDate").startswith("=")
    for task in root.iterfind("bpmn:process/bpmn:businessRuleTask", NS):
        called = _zeebe(task, "calledDecision")
        assert called.get("decisionId") in _decision_ids()
        assert called.get("resultVariable")
    for task in root.iterfind("bpmn:process/bpmn:serviceTask", NS):
        job_type = _zeebe(task, "taskDefinition").get("type")
        assert job_type in {"verka-email", "verka-document", "verka-http"}
        headers = {h.get("key"): h.get("value") for h in _zeebe(task, "taskHeaders")}
        required = {"verka-email": {"template"}, "verka-document": {"template"}}
        assert required.get(job_type, {"url", "method"}) <= set(headers)
    for message in root.iterfind("bpmn:message", NS):
        assert _zeebe(message, "subscription").get("correlationKey").startswith("=")


# --- DMN ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: p.name)
def test_dmn_loads_strictly_and_draws_every_decision(path):
    model = load_models(path.read_bytes(), strict=True)
    assert not model.problems
    root = xml(path)
    assert root.get(f"{{{NS['modeler']}}}executionPlatform") == "Camunda Cloud"
    drawn = {s.get("dmnElementRef") for s in root.iterfind(".//dmndi:DMNShape", NS)}
    declared = {
        el.get("id") for el in root if el.get("id") and etree.QName(el).localname != "DMNDI"
    }
    assert declared <= drawn


QUEUE_PRIORITY = [
    # specialNeeds, sibling, moved, desiredStartDate -> priority, rule (application 2026-03-02)
    (True, False, False, "2027-01-10", 1, 1),
    (True, True, True, "2026-04-01", 1, 1),
    (False, True, False, "2026-07-02", 2, 2),
    (False, True, True, "2026-05-01", 2, 2),
    (False, False, True, "2026-06-01", 3, 3),
    (False, False, False, "2026-04-01", 4, 4),
    (False, True, False, "2026-07-03", 5, 5),
    (False, False, True, "2027-01-01", 5, 5),
    (None, None, None, None, 5, 5),
]


@pytest.mark.parametrize(
    ("special", "sibling", "moved", "desired", "priority", "rule"), QUEUE_PRIORITY
)
def test_queue_priority_table(special, sibling, moved, desired, priority, rule):
    model = load_models(MODELS / "queue-priority.dmn")
    variables = {
        "specialNeeds": special,
        "siblingAtPreschool": sibling,
        "movedToMunicipality": moved,
        "desiredStartDate": desired,
        "applicationDate": "2026-03-02",
    }
    result = evaluate_decision(model, "queuePriority", variables)
    assert result.value["queuePriority"] == priority
    assert isinstance(result.value["priorityReason"], str)
    assert [match.rule_index for match in result.matched_rules] == [rule]


@pytest.mark.parametrize(
    ("weeks", "fee", "reduction"),
    [
        (-3, 28000, 0),
        (0, 28000, 0),
        (1, 22400, 5600),
        (2, 16800, 11200),
        (3, 11200, 16800),
        (4, 5600, 22400),
        (5, 0, 28000),
        (9, 0, 28000),
    ],
)
def test_building_permit_fee_table_takes_a_fifth_per_started_week(weeks, fee, reduction):
    model = load_models(MODELS / "building-permit-fees.dmn")
    variables = {"baseFee": Decimal(28000), "weeksOverLimit": Decimal(weeks)}
    result = evaluate_decision(model, "buildingPermitFee", variables)
    assert result.value == {"fee": Decimal(fee), "feeReduction": Decimal(reduction)}
    assert result.messages == ()


@pytest.mark.parametrize(
    ("measure", "area", "base_fee"),
    [
        ("newHouse", 145, 28000),
        ("newHouse", 240, 36000),
        ("extension", 30, 12000),
        ("extension", 80, 18000),
        ("outbuilding", 25, 8000),
        ("facadeChange", None, 6500),
        ("other", None, 10000),
    ],
)
def test_building_permit_base_fee_table(measure, area, base_fee):
    model = load_models(MODELS / "building-permit-fees.dmn")
    variables = {"measureType": measure, "grossArea": None if area is None else Decimal(area)}
    result = evaluate_decision(model, "buildingPermitBaseFee", variables)
    assert result.value == Decimal(base_fee)


# --- forms ----------------------------------------------------------------------------------


def _components(component: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for child in component.get("components", []):
        found.append(child)
        found.extend(_components(child))
    return found


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_form_is_a_camunda_form_named_after_its_file(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    form = parse_form(schema)
    assert schema["id"] == path.stem
    assert form is not None
    assert schema["type"] == "default"
    assert schema["schemaVersion"] >= 16
    assert schema["executionPlatform"] == "Camunda Cloud"
    ids = [c["id"] for c in _components(schema)]
    assert len(ids) == len(set(ids))
    for component in _components(schema):
        if component["type"] not in ("text", "group", "dynamiclist"):
            assert component.get("key"), component["id"]


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_english_sidecar_translates_every_label_text_and_option(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    english = json.loads((MODELS / f"{path.stem}.en.json").read_text(encoding="utf-8"))
    assert (english["id"], english["language"]) == (path.stem, "en")
    components = {c["id"]: c for c in _components(schema)}
    assert set(english["components"]) == set(components)
    for component_id, component in components.items():
        translation = english["components"][component_id]
        for prop in ("label", "text", "description", "dateLabel"):
            assert (prop in component) == (prop in translation), (component_id, prop)
            if prop in translation:
                assert translation[prop] and translation[prop] != component[prop] or prop == "text"
        values = [v["value"] for v in component.get("values", [])]
        assert sorted(translation.get("values", {})) == sorted(values)


TODAY = date(2026, 3, 2)
PDF = {
    "documentId": "doc-1",
    "metadata": {"fileName": "situationsplan.pdf", "contentType": "application/pdf", "size": 81234},
}
EXE = {
    "documentId": "doc-2",
    "metadata": {"fileName": "ritning.exe", "contentType": "application/x-msdownload"},
}
SUBMISSIONS: list[tuple[str, dict[str, Any], dict[str, Any], list[str]]] = [
    (
        "preschool-application",
        {
            "guardian": {
                "name": "Anna Andersson",
                "personalIdentityNumber": "19850312-1234",
                "email": "anna@example.se",
                "phone": "070-123 45 67",
            },
            "children": [
                {"name": "Alva Andersson", "personalIdentityNumber": "20240101-2384"},
                {"name": "Ebbe Andersson", "personalIdentityNumber": "202401012392"},
            ],
            "desiredStartDate": "2026-08-17",
            "firstChoice": "solrosen",
            "secondChoice": "ekbacken",
            "thirdChoice": "larkan",
            "specialNeeds": True,
            "specialNeedsDescription": "Alva har en hörselnedsättning.",
            "siblingAtPreschool": False,
            "movedToMunicipality": True,
        },
        {
            "guardian": {"name": "Anna", "personalIdentityNumber": "1985", "email": "anna"},
            "children": [{"name": "", "personalIdentityNumber": "20240101-2384"}],
            "desiredStartDate": "2026-01-15",
            "firstChoice": "nowhere",
            "specialNeeds": True,
        },
        [
            "children[0].name",
            "desiredStartDate",
            "firstChoice",
            "guardian.email",
            "guardian.personalIdentityNumber",
            "specialNeedsDescription",
        ],
    ),
    (
        "preschool-offer",
        {
            "offeredPreschool": "hamnen",
            "offeredStartDate": "2026-08-17",
            "offerMessage": "Välkommen!",
        },
        {"offeredStartDate": "17/8"},
        ["offeredPreschool", "offeredStartDate"],
    ),
    (
        "preschool-offer-answer",
        {"offerAnswer": "decline", "stayInQueue": True, "declineReason": "Vill ha Solrosen."},
        {"offerAnswer": "maybe", "stayInQueue": True},
        ["offerAnswer", "stayInQueue"],
    ),
    (
        "building-permit-application",
        {
            "contact": {
                "name": "Bertil Bengtsson",
                "identityNumber": "556677-8899",
                "email": "bertil@example.se",
            },
            "propertyDesignation": "Exempelby 1:23",
            "measureType": "newHouse",
            "grossArea": 145.5,
            "description": "Nybyggnad av enbostadshus i ett plan med carport.",
            "drawings": [PDF],
            "confirmation": True,
        },
        {
            "contact": {"name": "Bertil", "identityNumber": "x", "email": "bertil@example.se"},
            "propertyDesignation": "Exempelby",
            "measureType": "newHouse",
            "grossArea": -5,
            "drawings": [EXE],
            "confirmation": False,
        },
        [
            "confirmation",
            "contact.identityNumber",
            "description",
            "drawings",
            "grossArea",
            "propertyDesignation",
        ],
    ),
    (
        "building-permit-completeness",
        {
            "completeness": "incomplete",
            "missingInformation": "Fasadritning mot norr saknas.",
            "completionDueDate": "2026-03-27",
        },
        {"completeness": "incomplete", "deadlineExtended": True},
        ["completionDueDate", "deadlineExtended", "missingInformation"],
    ),
    (
        "building-permit-supplement",
        {"supplementDocuments": [PDF], "supplementComment": "Fasadritningen bifogas."},
        {"supplementDocuments": [EXE]},
        ["supplementDocuments"],
    ),
    (
        "building-permit-decision",
        {
            "decision": "granted",
            "decisionMotivation": "Åtgärden följer detaljplanen.",
            "permitConditions": "Kontrollansvarig krävs.",
        },
        {"decision": "refused", "permitConditions": "Villkor utan lov"},
        ["decisionMotivation", "permitConditions"],
    ),
    (
        "fault-report",
        {
            "category": "pothole",
            "location": "Korsningen Storgatan/Kyrkogatan",
            "latitude": 59.3293,
            "longitude": 18.0686,
            "description": "Djupt hål i körbanan, cirka 30 cm brett.",
        },
        {
            "category": "meteor",
            "location": "",
            "latitude": 123,
            "description": "Hål",
            "contactEmail": "inte-en-adress",
        },
        ["category", "contactEmail", "latitude", "location"],
    ),
]


@pytest.mark.parametrize(
    ("form_id", "good", "bad", "bad_paths"), SUBMISSIONS, ids=[s[0] for s in SUBMISSIONS]
)
def test_form_accepts_a_realistic_submission_and_rejects_a_bad_one(form_id, good, bad, bad_paths):
    form = parse_form((MODELS / f"{form_id}.form").read_text(encoding="utf-8"))
    accepted = validate_submission(form, good, today=TODAY)
    assert accepted.errors == []
    rejected = validate_submission(form, bad, today=TODAY)
    assert sorted({error.path for error in rejected.errors}) == bad_paths


def test_every_form_has_a_submission_case():
    assert sorted(s[0] for s in SUBMISSIONS) == sorted(p.stem for p in FORM_FILES)


# --- CPT test files -------------------------------------------------------------------------


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_cpt_file_is_well_formed_and_names_deployed_processes(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["$schema"] == "https://camunda.com/json-schema/cpt-test-cases/8.9/schema.json"
    cases = load_test_file(path)
    assert len(cases) >= 3
    assert len({case.name for case in cases}) == len(cases)
    processes = {
        definitions
        for bpmn in BPMN_FILES
        for definitions in parse_bpmn(bpmn.read_bytes(), bpmn.name).processes
    }
    for case in cases:
        assert case.description
        for instruction in case.instructions:
            check_instruction(instruction)
            selector = instruction.get("processDefinitionSelector") or {}
            if selector:
                assert selector["processDefinitionId"] in processes
