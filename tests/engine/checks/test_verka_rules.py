"""Verka's own validation as findings: parse errors, engine problems, DMN, forms, CPT test
files, translations and references between the project's files."""

from __future__ import annotations

import json

import pytest

from verka.engine.checks import RULES, Finding, check_files

from .builders import CLEAN, around, bpmn, cpt_file, dmn, flow, form, user_task


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def business_rule_task(decision_id: str) -> str:
    return around(
        '<bpmn:businessRuleTask id="decide" name="Decide"><bpmn:extensionElements>'
        f'<zeebe:calledDecision decisionId="{decision_id}" resultVariable="fee"/>'
        "</bpmn:extensionElements></bpmn:businessRuleTask>",
        "decide",
    )


def call_activity(process_id: str) -> str:
    return around(
        '<bpmn:callActivity id="call" name="Sub-case"><bpmn:extensionElements>'
        f'<zeebe:calledElement processId="{process_id}"/>'
        "</bpmn:extensionElements></bpmn:callActivity>",
        "call",
    )


# --- parsing and the engine's validation ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("app.bpmn", b"<bpmn:definitions", 1),
        ("app.bpmn", b"<?xml version='1.0'?>\n<process/>", 2),
        ("fees.dmn", b"<definitions><decision></definitions>", 1),
        ("application.form", b'{"id": "x",\n "components": [}', 2),
        ("app.test.json", b"\xff\xfe not json", None),
        ("application.en.json", b"[1, 2", 1),
    ],
)
def test_unreadable_file_is_a_parse_error(name, data, line):
    (problem,) = check_files({name: data})

    assert (problem.rule, problem.severity, problem.file) == ("verka/parse", "error", name)
    assert problem.line == line


def test_engine_validation_problem_names_element_and_hint():
    body = CLEAN.replace(
        '<bpmn:task id="a" name="Do it"/>', '<bpmn:serviceTask id="a" name="Do it"/>'
    )

    (problem,) = check_files({"app.bpmn": bpmn(body)})

    assert problem.rule == "verka/bpmn"
    assert problem.element_id == "a"
    assert problem.line == 4
    assert "serviceTask has no job type" in problem.message
    assert "zeebe:taskDefinition" in problem.message


def test_feel_syntax_error_in_a_condition():
    body = (
        '<bpmn:startEvent id="start" name="Start"/>'
        '<bpmn:exclusiveGateway id="gw" name="Big?" default="small"/>'
        '<bpmn:endEvent id="end" name="Done"/><bpmn:endEvent id="end2" name="Big"/>'
        + flow("f1", "start", "gw")
        + flow("big", "gw", "end2", "= amount >", name="yes")
        + flow("small", "gw", "end")
    )

    findings = check_files({"app.bpmn": bpmn(body)})

    (problem,) = only(findings, "verka/feel")
    assert problem.element_id == "big"
    assert "FEEL syntax error in condition" in problem.message


def test_unsupported_element():
    body = CLEAN.replace(
        '<bpmn:task id="a" name="Do it"/>',
        '<bpmn:task id="a" name="Do it"><bpmn:standardLoopCharacteristics/></bpmn:task>',
    )

    (problem,) = only(check_files({"app.bpmn": bpmn(body)}), "verka/unsupported")

    assert problem.element_id == "a"
    assert "standard loops are not supported" in problem.message


def test_ignored_extension_is_a_warning():
    body = CLEAN.replace(
        '<bpmn:task id="a" name="Do it"/>',
        '<bpmn:task id="a" name="Do it"><bpmn:extensionElements><zeebe:executionListeners/>'
        "</bpmn:extensionElements></bpmn:task>",
    )

    (problem,) = check_files({"app.bpmn": bpmn(body)})

    assert (problem.rule, problem.severity, problem.element_id) == ("verka/ignored", "warning", "a")


def test_lint_still_runs_when_the_engine_refuses_the_model():
    body = CLEAN.replace(' name="Do it"/>', "/>").replace("<bpmn:task", "<bpmn:serviceTask")

    rules = {f.rule for f in check_files({"app.bpmn": bpmn(body)})}

    assert {"verka/bpmn", "bpmnlint/label-required"} <= rules


def test_dmn_structure_error_names_the_rule():
    data = dmn().replace(b'<outputEntry id="rule1_out"><text>100</text></outputEntry>', b"")

    (problem,) = check_files({"fees.dmn": data})

    assert (problem.rule, problem.element_id) == ("verka/dmn", "rule1")
    assert "rule has 0 output entries; expected 1" in problem.message


def test_dmn_feel_error_in_a_table_cell():
    (problem,) = check_files({"fees.dmn": dmn(input_entry="[1..")})

    assert (problem.rule, problem.severity) == ("verka/feel", "error")
    assert (problem.element_id, problem.line) == ("rule1", 10)
    assert "unary tests '[1..' is not valid FEEL" in problem.message


def test_form_schema_error_names_the_component():
    data = form("application", {"id": "Field_x", "type": "slider", "key": "x"})

    (problem,) = check_files({"application.form": data})

    assert (problem.rule, problem.element_id) == ("verka/form", "Field_x")
    assert "unknown component type 'slider'" in problem.message


def test_form_feel_error():
    data = form(
        "application",
        {"id": "Field_x", "type": "textfield", "key": "x", "conditional": {"hide": "= x >"}},
    )

    (problem,) = check_files({"application.form": data})

    assert (problem.rule, problem.element_id) == ("verka/feel", "Field_x")


def test_form_without_id_cannot_be_deployed():
    data = json.dumps({"type": "default", "components": []}).encode()

    (problem,) = check_files({"application.form": data})

    assert problem.rule == "verka/form"
    assert '"id"' in problem.message


def test_unknown_file_type():
    (problem,) = check_files({"notes.txt": b"hello", "app.bpmn": bpmn(CLEAN)})

    assert (problem.file, problem.rule, problem.severity) == (
        "notes.txt",
        "verka/unknown-file",
        "error",
    )


# --- references between files -----------------------------------------------------------------


def test_user_task_form_found_in_project():
    files = {"app.bpmn": bpmn(around(user_task("review", "application"), "review"))}
    files["application.form"] = form("application")

    assert check_files(files) == []


def test_unknown_form_id_with_did_you_mean():
    files = {
        "app.bpmn": bpmn(around(user_task("review", "aplication"), "review")),
        "application.form": form("application"),
    }

    (problem,) = check_files(files)

    assert (problem.file, problem.rule, problem.element_id) == (
        "app.bpmn",
        "verka/unknown-form",
        "review",
    )
    assert "'aplication'" in problem.message
    assert "did you mean 'application'?" in problem.message


def test_form_deployed_earlier_is_fine():
    files = {"app.bpmn": bpmn(around(user_task("review", "shared-contact"), "review"))}

    assert check_files(files, deployed_forms=["shared-contact"]) == []
    assert only(check_files(files), "verka/unknown-form")


def test_decision_in_project_or_deployed():
    files = {"app.bpmn": bpmn(business_rule_task("fee")), "fees.dmn": dmn("fee")}
    assert check_files(files) == []

    files["app.bpmn"] = bpmn(business_rule_task("fees"))
    (problem,) = check_files(files)
    assert (problem.rule, problem.element_id) == ("verka/unknown-decision", "decide")
    assert "did you mean 'fee'?" in problem.message
    assert check_files(files, deployed_decisions={"fees"}) == []


def test_decision_id_computed_by_feel_is_not_checked():
    files = {"app.bpmn": bpmn(business_rule_task("=decisionName"))}

    assert only(check_files(files), "verka/unknown-decision") == []


def test_called_process_in_project_or_deployed():
    files = {
        "main.bpmn": bpmn(call_activity("child")),
        "child.bpmn": bpmn(CLEAN, process_id="child"),
    }
    assert check_files(files) == []

    files["main.bpmn"] = bpmn(call_activity("chlid"))
    (problem,) = check_files(files)
    assert (problem.file, problem.rule, problem.element_id) == (
        "main.bpmn",
        "verka/unknown-process",
        "call",
    )
    assert "did you mean 'child'?" in problem.message
    assert check_files(files, deployed_processes=("chlid",)) == []


def test_same_form_id_in_two_files():
    files = {"a.form": form("application"), "b.form": form("application")}

    (problem,) = check_files(files)

    assert (problem.file, problem.rule, problem.element_id) == (
        "b.form",
        "verka/duplicate-id",
        "application",
    )
    assert "a.form" in problem.message


# --- CPT test files ---------------------------------------------------------------------------


def start(process_id: str) -> dict[str, object]:
    return {
        "type": "CREATE_PROCESS_INSTANCE",
        "processDefinitionSelector": {"processDefinitionId": process_id},
    }


def test_test_file_referencing_project_process():
    files = {
        "app.bpmn": bpmn(CLEAN, process_id="app"),
        "app.test.json": cpt_file(
            start("app"),
            {
                "type": "ASSERT_ELEMENT_INSTANCE",
                "processInstanceSelector": {"processDefinitionId": "app"},
                "elementSelector": {"elementId": "a"},
                "state": "IS_COMPLETED",
                "variables": {"processDefinitionId": "not a reference"},
            },
        ),
    }

    assert check_files(files) == []


def test_test_file_with_unknown_process_decision_and_element():
    files = {
        "app.bpmn": bpmn(CLEAN, process_id="app"),
        "app.test.json": cpt_file(
            start("ap"),
            {"type": "ASSERT_DECISION", "decisionSelector": {"decisionDefinitionId": "fee"}},
            {
                "type": "ASSERT_ELEMENT_INSTANCE",
                "processInstanceSelector": {"processDefinitionId": "app"},
                "elementSelector": {"elementId": "b"},
            },
        ),
    }

    findings = check_files(files)

    assert [(f.file, f.rule, f.severity) for f in findings] == [
        ("app.test.json", "verka/cpt-unknown-element", "warning"),
        ("app.test.json", "verka/unknown-decision", "error"),
        ("app.test.json", "verka/unknown-process", "error"),
    ]
    assert "instruction #1 (CREATE_PROCESS_INSTANCE)" in findings[2].message
    assert "did you mean 'app'?" in findings[2].message
    assert check_files(files, deployed_processes=["ap"], deployed_decisions=["fee"]) == [
        findings[0]
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"cases": []}, '"testCases" array'),
        ({"testCases": ["x"]}, "test case #1: expected an object"),
        ({"testCases": [{"instructions": []}]}, 'test case #1: needs a "name"'),
        ({"testCases": [{"name": "n"}]}, 'test case #1 (n): needs an "instructions" array'),
        ({"testCases": [{"name": "n", "instructions": [{}]}]}, "instruction #1: expected"),
    ],
)
def test_test_file_shape(document, message):
    (problem,) = check_files({"app.test.json": json.dumps(document).encode()})

    assert problem.rule == "verka/cpt"
    assert message in problem.message


# --- translations -----------------------------------------------------------------------------


def translation(components: object, **fields: object) -> bytes:
    return json.dumps(
        {"id": "application", "language": "en", "components": components, **fields}
    ).encode()


def test_translation_matching_its_form():
    files = {
        "application.form": form("application"),
        "application.en.json": translation(
            {"Field_name": {"label": "Name"}, "Field_size": {"values": {"small": "Small"}}}
        ),
    }

    assert check_files(files) == []


def test_translation_of_unknown_component_and_option():
    files = {
        "application.form": form("application"),
        "application.en.json": translation(
            {
                "Field_nme": {"label": "Name"},
                "Field_size": {"values": {"smal": "Small"}, "tooltip": "x", "label": 3},
            }
        ),
    }

    findings = check_files(files)

    assert {f.rule for f in findings} == {"verka/translation"}
    assert {f.severity for f in findings} == {"warning"}
    messages = [f.message for f in findings]
    assert any("'Field_nme' is not in the form" in m and "'Field_name'" in m for m in messages)
    assert any("no option with the value 'smal'" in m for m in messages)
    assert any("'tooltip' is not translated" in m for m in messages)
    assert any("'label' must be text" in m for m in messages)
    assert {f.element_id for f in findings} == {"Field_nme", "Field_size"}


def test_translation_without_its_form_or_with_wrong_language():
    files = {"application.sv.json": translation({})}

    messages = [f.message for f in check_files(files)]

    assert any("no form application.form" in m for m in messages)
    assert any("language 'sv'" in m for m in messages)


# --- the rule table ---------------------------------------------------------------------------


def test_findings_carry_the_severity_of_their_rule():
    files = {
        "app.bpmn": bpmn(around(user_task("review", "nope"), "review") + "<bpmn:task id='x'/>"),
        "fees.dmn": dmn(input_entry="[1.."),
        "x.form": b"{",
        "x.en.json": b"{}",
        "x.test.json": cpt_file(start("nope")),
        "odd.yaml": b"",
    }

    findings = check_files(files)

    assert findings
    assert all(f.severity == RULES[f.rule] for f in findings)
    assert set(RULES.values()) == {"error", "warning"}


def test_decisions_of_a_broken_dmn_file_still_count_as_defined():
    broken = dmn("fee").replace(b'<outputEntry id="rule1_out"><text>100</text></outputEntry>', b"")
    files = {"app.bpmn": bpmn(business_rule_task("fee")), "fees.dmn": broken}

    assert [(f.file, f.rule) for f in check_files(files)] == [("fees.dmn", "verka/dmn")]
