"""The warning for regular expressions that can backtrack catastrophically, at the element."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import pytest

from verka.engine.checks import RULES, Finding, check_files
from verka.engine.feel.builtins.regex import translate_pattern
from verka.engine.forms.jsregex import translate
from verka.engine.regex_shape import ALTERNATIVES, NESTED, backtracking_risk

from .builders import around, bpmn, dmn, form

RULE = "verka/regex-backtracking"


def only(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == RULE]


# (pattern, what the reading finds); the risky ones take exponential time in a backtracking
# engine on some input, the others are linear or polynomial of low degree.
PATTERNS = [
    ("^(a+)+$", NESTED),
    ("(a|a)*", ALTERNATIVES),
    ("^(a|aa)+$", ALTERNATIVES),
    (r"(\w+\s?)*", NESTED),
    (r"^([A-Za-zÅÄÖåäö]+\s?)*$", NESTED),
    (r"^(\d+,?)*$", NESTED),
    (r"^(\d+|\d+\.\d+)*$", ALTERNATIVES),
    ("(x+x+)+y", NESTED),
    ("^(€+)+$", NESTED),
    ("(.*a){20}", NESTED),
    ("(ab+c)*", None),
    (r"([a-z]+\.)*", None),
    (r"(\d{1,3}\.){3}\d{1,3}", None),
    ("(a|ab)*c", None),
    ("(px|pt)*", None),
    (r"^[0-9]{6}-[0-9]{4}$", None),
    (r"^(\+46|0)[0-9 -]{6,}$", None),
    (r"^\w+@\w+(\.\w+)+$", None),
    (r"^[A-Za-zÅÄÖåäö]+( [A-Za-zÅÄÖåäö]+)*$", None),
    (r"^\S+@\S+\.\S+$", None),
]


@pytest.mark.parametrize(("pattern", "risk"), PATTERNS)
def test_the_reading_finds_the_risky_patterns_in_both_dialects(
    pattern: str, risk: str | None
) -> None:
    assert backtracking_risk(*translate_pattern(pattern)) == risk
    assert backtracking_risk(translate(pattern), re.ASCII) == risk


def test_rule_is_a_warning() -> None:
    assert RULES[RULE] == "warning"


def script(expression: str) -> str:
    return around(
        '<bpmn:scriptTask id="clean" name="Clean"><bpmn:extensionElements>'
        f'<zeebe:script expression="{escape(expression, {chr(34): "&quot;"})}" resultVariable="r"/>'
        "</bpmn:extensionElements></bpmn:scriptTask>",
        "clean",
    )


def test_a_risky_pattern_in_a_script_is_reported_at_the_task() -> None:
    found = only(check_files({"p.bpmn": bpmn(script(r'=replace(name, "^(\w+\s?)*$", "x")'))}))
    [warning] = found
    assert (warning.file, warning.element_id, warning.severity) == ("p.bpmn", "clean", "warning")
    assert warning.line is not None
    assert warning.message.startswith(
        "The regular expression '^(\\w+\\s?)*$' given to replace() can backtrack catastrophically"
    )
    assert warning.key == "regex-backtracking/feel-nested"
    assert dict(warning.values) == {"pattern": r"^(\w+\s?)*$", "function": "replace"}


def test_named_arguments_and_flags_are_followed() -> None:
    text = '=matches(input: name, pattern: "^(a|A)+$", flags: "i")'
    [warning] = only(check_files({"p.bpmn": bpmn(script(text))}))
    assert warning.key == "regex-backtracking/feel-alternatives"
    # Without the i flag the two alternatives never match the same text.
    assert only(check_files({"p.bpmn": bpmn(script('=matches(name, "^(a|A)+$")'))})) == []


def test_a_risky_pattern_in_a_gateway_condition_is_reported_at_the_flow() -> None:
    body = (
        '<bpmn:startEvent id="start" name="Start"/>'
        '<bpmn:exclusiveGateway id="g" name="Name ok?" default="f3"/>'
        '<bpmn:endEvent id="end" name="Done"/><bpmn:endEvent id="other" name="Other"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="g"/>'
        '<bpmn:sequenceFlow id="f2" name="yes" sourceRef="g" targetRef="end">'
        "<bpmn:conditionExpression>=matches(name, &quot;^(a+)+$&quot;)</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="other"/>'
    )
    [warning] = only(check_files({"p.bpmn": bpmn(body)}))
    assert warning.element_id == "f2"


def test_safe_and_dynamic_patterns_are_not_reported() -> None:
    files = {
        "a.bpmn": bpmn(script(r'=matches(name, "^[A-Za-z]+( [A-Za-z]+)*$")')),
        "b.bpmn": bpmn(script("=matches(name, pattern)")),  # not known before it runs
        "c.bpmn": bpmn(script('=matches(name, "(a+")')),  # invalid: FEEL reports it
    }
    assert only(check_files(files)) == []


def test_a_risky_pattern_in_a_decision_table_is_reported_at_the_rule_entry() -> None:
    data = dmn(input_entry='matches(?, "^(a|aa)+$")')
    [warning] = only(check_files({"fee.dmn": data}))
    assert warning.element_id == "rule1_in"
    assert warning.key == "regex-backtracking/feel-alternatives"


def test_a_risky_field_pattern_is_reported_at_the_field() -> None:
    data = form(
        "application",
        {
            "id": "Field_name",
            "type": "textfield",
            "key": "name",
            "label": "Namn",
            "validate": {"pattern": r"^([A-Za-zÅÄÖåäö]+\s?)*$"},
        },
        {
            "id": "Field_nick",
            "type": "textfield",
            "key": "nick",
            "label": "Smeknamn",
            "conditional": {"hide": '=matches(name, "^(a|a)*$")'},
        },
    )
    found = only(check_files({"application.form": data}))
    assert [(f.element_id, f.key) for f in found] == [
        ("Field_name", "regex-backtracking/field-nested"),
        ("Field_nick", "regex-backtracking/feel-alternatives"),
    ]
    assert dict(found[0].values) == {"pattern": r"^([A-Za-zÅÄÖåäö]+\s?)*$", "field": "name"}
