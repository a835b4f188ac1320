"""DMN XML parsing: the model read from each DMN version, and errors naming element id and line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.dmn.builders import decision, definitions, literal, model
from verka.engine.dmn import DmnError, load_models
from verka.engine.dmn import model as m
from verka.engine.dmn.parser import parse_definitions

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN14 = "https://www.omg.org/spec/DMN/20211108/MODEL/"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"


@pytest.mark.parametrize(
    ("namespace", "version"),
    [(DMN11, "1.1"), (DMN12, "1.2"), (DMN14, "1.4"), (DMN15, "1.5")],
)
def test_every_dmn_version_namespace_is_read(namespace: str, version: str) -> None:
    xml = definitions(decision("Greeting", literal('"hello"')), ns=namespace)
    parsed = parse_definitions(xml)
    assert parsed.dmn_version == version
    assert [e.name for e in parsed.elements] == ["Greeting"]


def test_prefixed_dmn_elements_are_read_like_default_namespace_ones() -> None:
    xml = (
        f'<dmn:definitions xmlns:dmn="{DMN15}" xmlns="urn:other" name="p" namespace="urn:p">'
        '<dmn:decision id="d1" name="Answer"><dmn:variable name="Answer"/>'
        "<dmn:literalExpression><dmn:text>42</dmn:text></dmn:literalExpression></dmn:decision>"
        "</dmn:definitions>"
    ).encode()
    parsed = parse_definitions(xml)
    element = parsed.elements[0]
    assert isinstance(element, m.Decision)
    assert isinstance(element.expression, m.LiteralExpression)
    assert element.expression.text == "42"


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(DmnError) as caught:
        parse_definitions(b"<definitions>\n<decision>\n</definitions>", "bad.dmn")
    assert caught.value.line == 3
    assert "malformed XML" in str(caught.value)
    assert "bad.dmn" in str(caught.value)


def test_a_root_that_is_not_definitions_is_refused() -> None:
    with pytest.raises(DmnError, match="expected a DMN <definitions> root, found <process>"):
        parse_definitions(f'<process xmlns="{DMN15}"/>'.encode())


def test_unknown_namespace_is_refused_with_what_was_expected() -> None:
    with pytest.raises(DmnError, match="unknown DMN namespace 'urn:nope'; expected DMN 1.1"):
        parse_definitions(b'<definitions xmlns="urn:nope" name="x" namespace="x"/>')


def test_unknown_hit_policy_names_the_table_id_and_line() -> None:
    body = (
        '<decision id="d" name="D"><variable name="D"/>\n'
        '<decisionTable id="table7" hitPolicy="SOMETIMES">'
        '<output id="o"/></decisionTable></decision>'
    )
    with pytest.raises(DmnError) as caught:
        parse_definitions(definitions(body))
    error = caught.value
    assert error.element_id == "table7"
    assert error.line == 4
    assert "unknown hitPolicy 'SOMETIMES'" in error.message
    assert "expected one of UNIQUE" in error.message


def test_rule_with_wrong_number_of_entries_names_the_rule() -> None:
    body = (
        '<decision id="d" name="D"><variable name="D"/><decisionTable id="t">'
        '<input id="i"><inputExpression><text>x</text></inputExpression></input>'
        '<output id="o"/>\n\n<rule id="r1"><outputEntry><text>1</text></outputEntry></rule>'
        "</decisionTable></decision>"
    )
    with pytest.raises(DmnError) as caught:
        parse_definitions(definitions(body))
    assert caught.value.element_id == "r1"
    assert caught.value.line == 5
    assert "rule has 0 input entries; expected 1" in caught.value.message


def test_aggregation_without_collect_is_refused() -> None:
    body = (
        '<decision id="d" name="D"><variable name="D"/>'
        '<decisionTable id="t" hitPolicy="FIRST" aggregation="SUM"><output id="o"/>'
        "</decisionTable></decision>"
    )
    with pytest.raises(DmnError, match="aggregation SUM is only allowed with hit policy COLLECT"):
        parse_definitions(definitions(body))


def test_element_without_a_name_is_refused() -> None:
    with pytest.raises(DmnError) as caught:
        parse_definitions(definitions('<inputData id="nameless"/>'))
    assert caught.value.element_id == "nameless"
    assert "<inputData> needs a name attribute" in caught.value.message


def test_reference_to_a_missing_element_names_the_referrer() -> None:
    body = (
        '<decision id="d9" name="D"><variable name="D"/>'
        '<informationRequirement><requiredInput href="#ghost"/></informationRequirement>'
        f"{literal('1')}</decision>"
    )
    with pytest.raises(DmnError) as caught:
        model(body)
    assert caught.value.element_id == "d9"
    assert "'urn:test#ghost', which is not an element of the loaded models" in caught.value.message


def test_import_of_a_model_not_loaded_is_refused() -> None:
    body = '<import id="imp" name="other" namespace="urn:other" importType="' + DMN15 + '"/>'
    with pytest.raises(DmnError, match="import 'other' needs the model with namespace 'urn:other'"):
        model(body)


def test_feel_syntax_error_is_kept_as_a_problem_with_element_and_line() -> None:
    decision_model = model(decision("Broken", literal("1 +* 2")))
    assert len(decision_model.problems) == 1
    problem = decision_model.problems[0]
    assert problem.element_id is None or problem.line is not None
    assert "decision 'Broken'" in problem.message
    assert "is not valid FEEL" in problem.message
    result = decision_model.evaluate("Broken")
    assert result.value is None
    assert any("is not valid FEEL" in message for message in result.messages)


def test_strict_loading_raises_on_feel_syntax_errors() -> None:
    with pytest.raises(DmnError, match="is not valid FEEL"):
        load_models(definitions(decision("Broken", literal("1 +* 2"))), strict=True)


def test_boxed_expressions_are_read_into_the_model() -> None:
    body = decision(
        "Everything",
        "<context>"
        '<contextEntry><variable name="rel"/><relation><column name="a"/><column name="b"/>'
        f"<row>{literal('1')}{literal('2')}</row></relation></contextEntry>"
        f'<contextEntry><variable name="items"/><list>{literal("1")}{literal("2")}</list></contextEntry>'
        '<contextEntry><variable name="f"/><functionDefinition kind="FEEL">'
        f'<formalParameter name="x" typeRef="number"/>{literal("x * 2")}</functionDefinition>'
        "</contextEntry>"
        f'<contextEntry><variable name="c"/><conditional><if>{literal("true")}</if>'
        f"<then>{literal('1')}</then><else>{literal('2')}</else></conditional></contextEntry>"
        f'<contextEntry><variable name="loop"/><for iteratorVariable="i"><in>{literal("[1]")}</in>'
        f"<return>{literal('i')}</return></for></contextEntry>"
        f'<contextEntry><variable name="kept"/><filter><in>{literal("[1]")}</in>'
        f"<match>{literal('item > 0')}</match></filter></contextEntry>"
        f'<contextEntry><invocation>{literal("f")}<binding><parameter name="x"/>'
        f"{literal('21')}</binding></invocation></contextEntry>"
        "</context>",
    )
    parsed = parse_definitions(definitions(body))
    element = parsed.elements[0]
    assert isinstance(element, m.Decision)
    context = element.expression
    assert isinstance(context, m.Context)
    kinds = [type(entry.value).__name__ for entry in context.entries]
    assert kinds == [
        "Relation",
        "ListExpression",
        "FunctionDefinition",
        "Conditional",
        "Iteration",
        "Filter",
        "Invocation",
    ]
    relation = context.entries[0].value
    assert isinstance(relation, m.Relation)
    assert [c.name for c in relation.columns] == ["a", "b"]


def test_dmn11_qualified_type_refs_are_resolved() -> None:
    xml = (
        f'<definitions xmlns="{DMN11}" xmlns:feel="http://www.omg.org/spec/FEEL/20140401" '
        'xmlns:tns="urn:old" name="old" namespace="urn:old">'
        '<itemDefinition name="tScore"><typeRef>feel:number</typeRef></itemDefinition>'
        '<inputData id="i" name="Score"><variable name="Score" typeRef="tns:tScore"/></inputData>'
        '<decision id="d" name="Double"><variable name="Double" typeRef="feel:number"/>'
        '<informationRequirement><requiredInput href="#i"/></informationRequirement>'
        "<literalExpression><text>Score * 2</text></literalExpression></decision></definitions>"
    ).encode()
    parsed = parse_definitions(xml)
    assert parsed.item_definitions[0].type_ref == "number"
    element = parsed.elements[0]
    assert isinstance(element, m.InputData)
    assert element.variable.type_ref == "tScore"
    decision_model = load_models(xml)
    assert decision_model.evaluate("Double", {"Score": Decimal(4)}).value == Decimal(8)
    assert decision_model.evaluate("Double", {"Score": 4}).value == Decimal(
        8
    )  # plain int converted
    wrong = decision_model.evaluate("Double", {"Score": "four"})
    assert wrong.value is None
    assert any("does not conform to type tScore" in message for message in wrong.messages)


def test_reference_to_an_element_of_the_wrong_kind_names_both() -> None:
    body = (
        '<inputData id="age" name="Age"/>'
        '<decision id="d3" name="D"><variable name="D"/>'
        '<informationRequirement><requiredDecision href="#age"/></informationRequirement>'
        f"{literal('1')}</decision>"
    )
    with pytest.raises(DmnError) as caught:
        model(body)
    assert caught.value.element_id == "d3"
    assert "which is an input data 'Age'; expected a decision" in caught.value.message


VALID = definitions(
    '<inputData id="x" name="X"><variable name="X" typeRef="number"/></inputData>'
    '<decision id="d" name="D"><variable name="D" typeRef="number"/>'
    '<informationRequirement><requiredInput href="#x"/></informationRequirement>'
    '<decisionTable id="t" hitPolicy="COLLECT" aggregation="SUM">'
    '<input id="i"><inputExpression><text>X</text></inputExpression></input>'
    '<output id="o"/><rule id="r"><inputEntry><text>&gt; 1</text></inputEntry>'
    "<outputEntry><text>X * 2</text></outputEntry></rule></decisionTable></decision>"
)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(VALID) - 1), st.integers(1, 40), st.binary(max_size=8))
def test_damaged_models_raise_dmn_error_or_load(start: int, length: int, noise: bytes) -> None:
    damaged = VALID[:start] + noise + VALID[start + length :]
    try:
        decision_model = load_models(damaged)
    except DmnError as error:
        assert error.message
        return
    for name in decision_model.decision_names():
        decision_model.evaluate(name, {"X": Decimal(3)})


def test_rule_annotations_come_from_annotation_entries_or_the_description() -> None:
    body = (
        '<decision id="d" name="D"><variable name="D"/><decisionTable id="t">'
        '<output id="o"/>'
        '<rule id="r1"><description>Camunda note</description>'
        "<outputEntry><text>1</text></outputEntry></rule>"
        '<rule id="r2"><outputEntry><text>2</text></outputEntry>'
        "<annotationEntry><text>DMN 1.2 note</text></annotationEntry></rule>"
        "</decisionTable></decision>"
    )
    element = parse_definitions(definitions(body)).elements[0]
    assert isinstance(element, m.Decision)
    table = element.expression
    assert isinstance(table, m.DecisionTable)
    assert [rule.annotations for rule in table.rules] == [("Camunda note",), ("DMN 1.2 note",)]
