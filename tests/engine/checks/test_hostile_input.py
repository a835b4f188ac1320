"""Whatever the bytes, check_files answers with findings and never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verka.engine.checks import RULES, Finding, check_files

from .builders import NAMESPACES

NAMES = ("app.bpmn", "fees.dmn", "application.form", "app.test.json", "application.en.json")


def assert_well_formed(findings: list[Finding]) -> None:
    assert isinstance(findings, list)
    for item in findings:
        assert isinstance(item, Finding)
        assert item.rule in RULES
        assert item.severity == RULES[item.rule]
        assert item.rule != "verka/internal", item.message
    assert findings == sorted(findings, key=lambda f: (f.file, f.line or 0, f.element_id, f.rule))


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=300))
def test_random_bytes(name, data):
    assert_well_formed(check_files({name: data}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "key",
                    "components",
                    "values",
                    "label",
                    "testCases",
                    "name",
                    "instructions",
                    "processDefinitionId",
                    "elementId",
                    "language",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES[2:]), document=json_values, form=json_values)
def test_random_json(name, document, form):
    files = {name: json.dumps(document).encode(), "application.form": json.dumps(form).encode()}

    assert_well_formed(check_files(files))


TAGS = [
    "startEvent",
    "endEvent",
    "task",
    "serviceTask",
    "userTask",
    "callActivity",
    "businessRuleTask",
    "subProcess",
    "adHocSubProcess",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
    "boundaryEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "sequenceFlow",
    "association",
    "textAnnotation",
    "timerEventDefinition",
    "linkEventDefinition",
    "terminateEventDefinition",
    "compensateEventDefinition",
    "messageEventDefinition",
    "conditionExpression",
    "standardLoopCharacteristics",
    "laneSet",
    "transaction",
]
IDS = st.sampled_from(["a", "b", "c", "p", "sub", ""])
ATTRIBUTES = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "name",
            "sourceRef",
            "targetRef",
            "attachedToRef",
            "default",
            "triggeredByEvent",
            "isForCompensation",
            "messageRef",
        ]
    ),
    IDS | st.sampled_from(["true", "false"]),
    max_size=4,
)


def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attributes, inner: (
            f"<bpmn:{tag}"
            + "".join(f' {k}="{v}"' for k, v in attributes.items())
            + f">{''.join(inner)}</bpmn:{tag}>"
        ),
        st.sampled_from(TAGS),
        ATTRIBUTES,
        st.lists(children, max_size=4),
    )


SHAPE = st.builds(
    lambda ref, x, y, w, h: (
        f'<bpmndi:BPMNShape bpmnElement="{ref}" isExpanded="true"><dc:Bounds x="{x}" y="{y}"'
        f' width="{w}" height="{h}"/></bpmndi:BPMNShape>'
    ),
    IDS,
    st.integers(-5, 5),
    st.integers(-5, 5),
    st.sampled_from(["3", "-1", "nan", "x", "1e400"]),
    st.integers(0, 4),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(st.recursive(st.just(""), element, max_leaves=12), max_size=6),
    shapes=st.lists(SHAPE, max_size=6),
    participants=st.booleans(),
)
def test_random_bpmn_structures(body, shapes, participants):
    collaboration = (
        '<bpmn:collaboration id="c"><bpmn:participant id="a" processRef="p"/>'
        '<bpmn:participant id="b" processRef="p"/></bpmn:collaboration>'
        if participants
        else ""
    )
    data = (
        f'<bpmn:definitions {NAMESPACES} id="d">{collaboration}'
        f'<bpmn:process id="p" isExecutable="true">{"".join(body)}</bpmn:process>'
        f"<bpmndi:BPMNDiagram><bpmndi:BPMNPlane>{''.join(shapes)}</bpmndi:BPMNPlane>"
        "</bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode()

    assert_well_formed(check_files({"app.bpmn": data}))


@pytest.mark.parametrize(
    "files",
    [
        {"app.bpmn": (f"<bpmn:definitions {NAMESPACES}>" + "<bpmn:subProcess>" * 5000).encode()},
        {
            "app.bpmn": (
                f'<bpmn:definitions {NAMESPACES}><bpmn:process id="p">'
                + '<bpmn:subProcess id="s">' * 200
                + "</bpmn:subProcess>" * 200
                + "</bpmn:process></bpmn:definitions>"
            ).encode()
        },
        {"fees.dmn": b"<definitions>" * 100_000},
        {"application.form": b"[" * 100_000 + b"]" * 100_000},
        {"application.form": b'{"components":' * 5000 + b"[]" + b"}" * 5000},
        {"app.test.json": b'{"testCases":' * 5000 + b"[]" + b"}" * 5000},
        {"application.en.json": b'{"components":' * 5000 + b"{}" + b"}" * 5000},
        {"app.bpmn": "<?xml version='1.0' encoding='latin-1'?><x>\xe9</x>".encode("latin-1")},
        {"app.bpmn": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'},
        {"": b"", ".bpmn": b"", "a.": b"\x00"},
    ],
    ids=[
        "unclosed-xml",
        "deep-subprocesses",
        "dmn-tags",
        "json-lists",
        "form-nesting",
        "cpt-nesting",
        "translation-nesting",
        "latin-1",
        "external-entity",
        "odd-names",
    ],
)
def test_deep_and_odd_input(files):
    findings = check_files(files)

    assert_well_formed(findings)
    assert findings
    assert all("root:" not in f.message for f in findings)  # no file contents leak in
