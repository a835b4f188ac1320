"""bpmnlint's recommended rules: each fires on a small bad model, at the right element, and stays
quiet on a close good one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from verka.engine.checks import RULES, check_files
from verka.engine.checks.lint import RULE_CHECKS

from .builders import CLEAN, around, bpmn, flow

START = '<bpmn:startEvent id="start" name="Start"/>'
END = '<bpmn:endEvent id="end" name="Done"/>'


def task(task_id: str, name: str = "Work") -> str:
    return f'<bpmn:task id="{task_id}" name="{name}"/>'


def gateway(gateway_id: str, kind: str = "exclusiveGateway", extra: str = "") -> str:
    return f'<bpmn:{kind} id="{gateway_id}" name="Which?"{extra}/>'


def timer_catch(event_id: str) -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{event_id}" name="Wait">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def message_catch(event_id: str, message: str = "msg") -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{event_id}" name="Answer">'
        f'<bpmn:messageEventDefinition messageRef="{message}"/></bpmn:intermediateCatchEvent>'
    )


MESSAGE = (
    '<bpmn:message id="msg" name="answer"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=key"/></bpmn:extensionElements></bpmn:message>'
)


def split(kind: str, default: bool, conditions: tuple[str, str] = ("= x > 1", "")) -> str:
    """start -> gateway -> (b | c) -> join -> end."""
    extra = ' default="toC"' if default else ""
    return (
        START
        + gateway("gw", kind, extra)
        + task("b")
        + task("c")
        + gateway("join", kind)
        + END
        + flow("f1", "start", "gw")
        + flow("toB", "gw", "b", conditions[0], name="yes")
        + flow("toC", "gw", "c", conditions[1], name="no")
        + flow("f2", "b", "join")
        + flow("f3", "c", "join")
        + flow("f4", "join", "end")
    )


@dataclass(frozen=True)
class Case:
    rule: str
    bad: bytes
    element_id: str
    good: bytes


def subprocess(inner: str, attributes: str = "") -> str:
    return around(
        f'<bpmn:subProcess id="sub" name="Sub"{attributes}>{inner}</bpmn:subProcess>', "sub"
    )


def ad_hoc(inner: str) -> str:
    return around(
        f'<bpmn:adHocSubProcess id="adhoc" name="Any order">{inner}</bpmn:adHocSubProcess>',
        "adhoc",
    )


INNER = (
    '<bpmn:startEvent id="innerStart" name="In"/><bpmn:task id="innerTask" name="Work"/>'
    '<bpmn:endEvent id="innerEnd" name="Out"/>'
    + flow("i1", "innerStart", "innerTask")
    + flow("i2", "innerTask", "innerEnd")
)
TIMER_START = (
    '<bpmn:startEvent id="innerStart" name="In"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>"
    '<bpmn:task id="innerTask" name="Work"/><bpmn:endEvent id="innerEnd" name="Out"/>'
    + flow("i1", "innerStart", "innerTask")
    + flow("i2", "innerTask", "innerEnd")
)
EVENT_SUB_BLANK = (
    '<bpmn:subProcess id="esp" name="On time" triggeredByEvent="true">'
    + INNER
    + "</bpmn:subProcess>"
)
EVENT_SUB_TIMER = (
    '<bpmn:subProcess id="esp" name="On time" triggeredByEvent="true">'
    + TIMER_START
    + "</bpmn:subProcess>"
)
LINKS = (
    START + '<bpmn:intermediateThrowEvent id="goTo" name="Go"><bpmn:linkEventDefinition name="L"/>'
    "</bpmn:intermediateThrowEvent>" + flow("f1", "start", "goTo")
)
LINK_CATCH = (
    '<bpmn:intermediateCatchEvent id="landHere" name="Land"><bpmn:linkEventDefinition name="L"/>'
    "</bpmn:intermediateCatchEvent>" + END + flow("f2", "landHere", "end")
)
EVENT_GATEWAY = (
    START
    + gateway("evgw", "eventBasedGateway")
    + timer_catch("late")
    + message_catch("answer")
    + '<bpmn:endEvent id="end1" name="Late"/><bpmn:endEvent id="end2" name="Answered"/>'
    + flow("f1", "start", "evgw")
    + flow("f2", "evgw", "late")
    + flow("f4", "late", "end1")
    + flow("f5", "answer", "end2")
)
TERMINATE = (
    START
    + task("a")
    + '<bpmn:endEvent id="kill" name="Stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
    + flow("f1", "start", "a")
    + flow("f2", "a", "kill")
)
TWO_DEFINITIONS = (
    START + '<bpmn:intermediateCatchEvent id="both" name="Either"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
    '<bpmn:messageEventDefinition messageRef="msg"/></bpmn:intermediateCatchEvent>'
    + END
    + flow("f1", "start", "both")
    + flow("f2", "both", "end")
)

CASES = [
    Case(
        "ad-hoc-sub-process",
        bpmn(ad_hoc('<bpmn:startEvent id="innerStart" name="In"/>' + task("t1"))),
        "innerStart",
        bpmn(ad_hoc(task("t1") + task("t2"))),
    ),
    Case(
        "conditional-flows",
        bpmn(split("exclusiveGateway", default=False)),
        "toC",
        bpmn(split("exclusiveGateway", default=True)),
    ),
    Case(
        "end-event-required",
        bpmn(START + task("a") + flow("f1", "start", "a")),
        "p",
        bpmn(CLEAN),
    ),
    Case(
        "event-based-gateway",
        bpmn(EVENT_GATEWAY),
        "evgw",
        bpmn(EVENT_GATEWAY + flow("f3", "evgw", "answer"), roots=MESSAGE),
    ),
    Case(
        "event-sub-process-typed-start-event",
        bpmn(CLEAN + EVENT_SUB_BLANK),
        "innerStart",
        bpmn(CLEAN + EVENT_SUB_TIMER),
    ),
    Case(
        "fake-join",
        bpmn(split("exclusiveGateway", True).replace('targetRef="join"', 'targetRef="end"')),
        "end",
        bpmn(split("exclusiveGateway", default=True)),
    ),
    Case(
        "global",
        bpmn(CLEAN, roots=MESSAGE),
        "msg",
        bpmn(around(message_catch("answer"), "answer"), roots=MESSAGE),
    ),
    Case("label-required", bpmn(CLEAN.replace(' name="Do it"', "")), "a", bpmn(CLEAN)),
    Case("link-event", bpmn(LINKS), "goTo", bpmn(LINKS + LINK_CATCH)),
    Case("no-bpmndi", bpmn(CLEAN, undrawn=("a",)), "a", bpmn(CLEAN)),
    Case(
        "no-complex-gateway",
        bpmn(split("complexGateway", default=True)),
        "gw",
        bpmn(split("exclusiveGateway", default=True)),
    ),
    Case("no-disconnected", bpmn(CLEAN + task("lonely")), "lonely", bpmn(CLEAN)),
    Case(
        "no-duplicate-sequence-flows",
        bpmn(CLEAN + flow("f3", "a", "end")),
        "f3",
        bpmn(CLEAN),
    ),
    Case(
        "no-gateway-join-fork",
        bpmn(
            split("exclusiveGateway", True)
            .replace('targetRef="join"', 'targetRef="gw"')
            .replace('sourceRef="join"', 'sourceRef="b"')
        ),
        "gw",
        bpmn(split("exclusiveGateway", default=True)),
    ),
    Case(
        "no-implicit-split",
        bpmn(CLEAN + task("b") + flow("f3", "a", "b") + flow("f4", "b", "end")),
        "a",
        bpmn(CLEAN),
    ),
    Case(
        "no-implicit-end",
        bpmn(CLEAN + task("b") + flow("f3", "start", "b")),
        "b",
        bpmn(CLEAN),
    ),
    Case(
        "no-implicit-start",
        bpmn(CLEAN + task("b") + flow("f3", "b", "end")),
        "b",
        bpmn(CLEAN),
    ),
    Case(
        "no-inclusive-gateway",
        bpmn(split("inclusiveGateway", default=True)),
        "gw",
        bpmn(split("exclusiveGateway", default=True)),
    ),
    Case(
        "no-overlapping-elements",
        bpmn(CLEAN, bounds={"end": (250, 120, 36, 36)}),
        "end",
        bpmn(CLEAN),
    ),
    Case(
        "single-blank-start-event",
        bpmn(CLEAN + '<bpmn:startEvent id="start2" name="Again"/>' + flow("f3", "start2", "a")),
        "p",
        bpmn(CLEAN),
    ),
    Case("single-event-definition", bpmn(TWO_DEFINITIONS, roots=MESSAGE), "both", bpmn(CLEAN)),
    Case(
        "start-event-required",
        bpmn(task("a") + END + flow("f2", "a", "end")),
        "p",
        bpmn(CLEAN),
    ),
    Case(
        "sub-process-blank-start-event",
        bpmn(subprocess(TIMER_START)),
        "innerStart",
        bpmn(subprocess(INNER)),
    ),
    Case(
        "superfluous-gateway",
        bpmn(around(gateway("gw"), "gw")),
        "gw",
        bpmn(split("exclusiveGateway", default=True)),
    ),
    Case(
        "superfluous-termination",
        bpmn(TERMINATE),
        "kill",
        bpmn(CLEAN),
    ),
]


def test_every_recommended_rule_has_a_case():
    assert sorted(case.rule for case in CASES) == sorted(RULE_CHECKS)


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule_fires_at_the_element(case):
    rule = f"bpmnlint/{case.rule}"

    findings = [f for f in check_files({"app.bpmn": case.bad}) if f.rule == rule]

    assert findings, f"{rule} did not fire"
    assert case.element_id in {f.element_id for f in findings}
    assert {f.file for f in findings} == {"app.bpmn"}
    assert {f.severity for f in findings} == {RULES[rule]}
    assert all(f.message for f in findings)


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rule_quiet_on_good_model(case):
    rule = f"bpmnlint/{case.rule}"

    findings = check_files({"app.bpmn": case.good})

    assert [f for f in findings if f.rule == rule] == []


def test_clean_model_has_no_findings_at_all():
    assert check_files({"app.bpmn": bpmn(CLEAN)}) == []


def test_boundary_event_on_its_host_is_no_overlap():
    body = CLEAN.replace("<bpmn:task", "<bpmn:serviceTask").replace(
        'name="Do it"/>',
        'name="Do it"><bpmn:extensionElements><zeebe:taskDefinition type="work"/>'
        "</bpmn:extensionElements></bpmn:serviceTask>",
    ) + (
        '<bpmn:boundaryEvent id="late" name="Late" attachedToRef="a">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="lateEnd" name="x"/>'
        + flow("f3", "late", "lateEnd")
    )

    findings = check_files({"app.bpmn": bpmn(body)})

    assert findings == []


def test_message_names_the_rule_subject():
    findings = check_files({"app.bpmn": bpmn(CLEAN + task("lonely", "Forgotten"))})

    (disconnected,) = [f for f in findings if f.rule == "bpmnlint/no-disconnected"]
    assert "'lonely' (Forgotten)" in disconnected.message
    assert disconnected.line == 8  # declaration, root, five lines of CLEAN, then the task


def test_lane_needs_a_name():
    body = (
        '<bpmn:laneSet id="lanes"><bpmn:lane id="lane1"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>" + CLEAN
    )

    findings = check_files({"app.bpmn": bpmn(body)})

    assert [(f.rule, f.element_id) for f in findings] == [("bpmnlint/label-required", "lane1")]
