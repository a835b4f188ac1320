"""Ambient variables: decisions read process variables the model does not declare (Camunda 8)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.engine.dmn.builders import decision, input_data, literal, model, requires, table
from verka.engine.dmn import evaluate_decision, evaluate_decision_service, load_models

D = Decimal

# As Camunda Modeler draws a new decision table: an input expression, no <inputData>.
DISCOUNT = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="discounts"
    name="Discounts" namespace="verka-test-discounts">
  <decision id="discount" name="Discount">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in1" label="Customer">
        <inputExpression id="ie1" typeRef="string"><text>customer</text></inputExpression>
      </input>
      <output id="out1" name="percent" typeRef="number"/>
      <rule id="r1"><inputEntry><text>"gold"</text></inputEntry>
        <outputEntry><text>20</text></outputEntry></rule>
      <rule id="r2"><inputEntry><text>"silver"</text></inputEntry>
        <outputEntry><text>10</text></outputEntry></rule>
      <rule id="r3"><inputEntry><text>-</text></inputEntry>
        <outputEntry><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize(
    ("customer", "percent", "rule_id", "rule_index"),
    [("gold", D(20), "r1", 1), ("silver", D(10), "r2", 2), ("bronze", D(0), "r3", 3)],
)
def test_a_table_without_input_data_reads_the_process_variable(
    customer: str, percent: Decimal, rule_id: str, rule_index: int
) -> None:
    result = evaluate_decision(load_models(DISCOUNT), "discount", variables={"customer": customer})
    assert result.value == percent
    assert result.messages == ()
    assert [(r.rule_id, r.rule_index) for r in result.matched_rules] == [(rule_id, rule_index)]
    assert [r.rule_id for r in result.rules_by_decision_id["discount"]] == [rule_id]
    assert [r.rule_index for r in result.rules_by_decision["Discount"]] == [rule_index]


def test_inputs_stay_strict_and_ignore_names_the_model_does_not_declare() -> None:
    result = evaluate_decision(load_models(DISCOUNT), "discount", {"customer": "gold"})
    assert result.value == D(0)
    assert result.messages == ("no variable named 'customer' (line 1, column 1)",)


@pytest.mark.parametrize("variables", [{}, {"client": "gold"}])
def test_a_missing_variable_reads_as_null_with_a_message(variables: dict[str, Any]) -> None:
    result = evaluate_decision(load_models(DISCOUNT), "discount", variables=variables)
    assert result.value == D(0)  # null matches only the '-' rule
    assert [r.rule_id for r in result.matched_rules] == ["r3"]
    assert result.messages == ("no variable named 'customer' (line 1, column 1)",)


@pytest.mark.parametrize(
    ("variables", "value", "messages"),
    [
        ({"amount": 200, "rate": 0.25}, D(50), ()),
        ({"amount": D("19.90"), "rate": D(2)}, D("39.80"), ()),
        (
            {"amount": 200},
            None,
            (
                "no variable named 'rate' (line 1, column 10)",
                "cannot multiply number by null (line 1, column 8)",
            ),
        ),
    ],
)
def test_a_literal_expression_reads_variables(
    variables: dict[str, Any], value: Decimal | None, messages: tuple[str, ...]
) -> None:
    decision_model = model(decision("price", literal("amount * rate")))
    result = evaluate_decision(decision_model, "price", variables=variables)
    assert result.value == value
    assert result.messages == messages


REQUIRED_CUSTOMER = input_data("customer", "string") + decision(
    "discount",
    table("FIRST", ["customer"], ["percent"], [(['"gold"'], ["20"]), (["-"], ["0"])]),
    needs=requires("customer"),
)


@pytest.mark.parametrize(
    ("inputs", "variables", "value"),
    [
        ({"customer": "silver"}, {"customer": "gold"}, D(0)),  # the declared input wins
        ({}, {"customer": "gold"}, D(20)),  # a variable supplies the input data of its name
        ({"customer": "gold"}, {}, D(20)),
    ],
)
def test_declared_input_data_shadows_a_variable_and_takes_its_value_when_not_given(
    inputs: dict[str, Any], variables: dict[str, Any], value: Decimal
) -> None:
    result = evaluate_decision(model(REQUIRED_CUSTOMER), "discount", inputs, variables=variables)
    assert result.value == value
    assert result.messages == ()


def test_a_variable_for_typed_input_data_is_checked_against_its_type() -> None:
    result = evaluate_decision(model(REQUIRED_CUSTOMER), "discount", variables={"customer": 5})
    assert result.value == D(0)
    assert result.messages == ("input data 'customer': 5 does not conform to type string",)


PRICING = decision(
    "rate",
    table("FIRST", ["customer"], ["rate"], [(['"gold"'], ["0.2"]), (["-"], ["0"])]),
) + decision("price", literal("amount * (1 - rate)"), needs=requires(decisions=["rate"]))


def test_a_required_decision_sees_the_variables_too() -> None:
    result = evaluate_decision(
        model(PRICING), "price", variables={"customer": "gold", "amount": 100}
    )
    assert result.value == D(80)
    assert result.decisions == {"rate": D("0.2"), "price": D(80)}
    assert result.messages == ()
    assert {
        name: [r.rule_index for r in rules] for name, rules in result.rules_by_decision.items()
    } == {"rate": [1]}


def test_a_required_decision_shadows_a_variable_and_is_never_replaced_by_one() -> None:
    result = evaluate_decision(
        model(PRICING), "price", variables={"customer": "gold", "amount": 100, "rate": D("0.5")}
    )
    assert result.value == D(80)
    assert result.decisions["rate"] == D("0.2")


FEE = (
    '<businessKnowledgeModel id="k_fee" name="fee"><variable name="fee"/><encapsulatedLogic>'
    '<formalParameter name="amount" typeRef="number"/>'
    "<literalExpression><text>amount * factor</text></literalExpression>"
    "</encapsulatedLogic></businessKnowledgeModel>"
    + decision("charge", literal("fee(price)"), needs=requires(knowledge=["fee"]))
)


def test_a_bkm_sees_the_variables_below_its_parameters() -> None:
    result = evaluate_decision(
        model(FEE), "charge", variables={"price": 10, "amount": 999, "factor": 2}
    )
    assert result.value == D(20)
    assert result.messages == ()


THRESHOLD = decision(
    "check",
    table(
        "FIRST",
        ["amount"],
        ["verdict"],
        [(["> minAmount"], ['"over by " + string(amount - minAmount)']), (["-"], ['"under"'])],
    ),
)


@pytest.mark.parametrize(
    ("amount", "verdict"), [(150, "over by 50"), (100, "under"), (20, "under")]
)
def test_rule_entries_read_variables(amount: int, verdict: str) -> None:
    result = evaluate_decision(
        model(THRESHOLD), "check", variables={"amount": amount, "minAmount": 100}
    )
    assert result.value == verdict
    assert result.messages == ()


@pytest.mark.parametrize(
    ("text", "variables", "value"),
    [
        ("Customer Status", {"Customer Status": "gold"}, "gold"),
        ("Amount in EUR * 2", {"Amount in EUR": 21}, D(42)),  # `in` is a keyword
        ("Tax 2024 + 1", {"Tax 2024": 4}, D(5)),  # a number among the words
        ("`order-total` * 2", {"order-total": 5}, D(10)),  # no space: backquotes
        ("customer.tier", {"customer": {"tier": "gold"}}, "gold"),
    ],
)
def test_variables_with_spaces_and_other_characters(
    text: str, variables: dict[str, Any], value: Any
) -> None:
    result = evaluate_decision(model(decision("d", literal(text))), "d", variables=variables)
    assert result.value == value
    assert result.messages == ()


def test_a_keyword_name_works_in_input_expressions_and_rule_entries() -> None:
    decision_model = model(
        decision(
            "band",
            table(
                "FIRST",
                ["Amount in EUR"],
                ["band"],
                [(["> Limit in EUR"], ['"high"']), (["-"], ['"low"'])],
            ),
        )
    )
    for amount, band in [(500, "high"), (50, "low"), (500, "high")]:  # again: from the cache
        result = evaluate_decision(
            decision_model, "band", variables={"Amount in EUR": amount, "Limit in EUR": 100}
        )
        assert (result.value, result.messages) == (band, ())


def test_a_keyword_name_the_model_declares_is_read_as_declared() -> None:
    decision_model = model(
        input_data("Amount in EUR", "number")
        + decision("d", literal("Amount in EUR + 1"), needs=requires("Amount in EUR"))
    )
    result = evaluate_decision(
        decision_model, "d", {"Amount in EUR": 1}, variables={"Amount in EUR": 100}
    )
    assert (result.value, result.messages) == (D(2), ())


def test_now_and_today_stay_functions() -> None:
    now = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    decision_model = model(decision("d", literal('string(today()) + " " + label')))
    result = evaluate_decision(
        decision_model, "d", variables={"today": "yesterday", "label": "x"}, now=now
    )
    assert (result.value, result.messages) == ("2026-03-01 x", ())


def test_a_decision_service_takes_variables_for_its_inputs() -> None:
    decision_model = model(
        input_data("amount", "number")
        + decision("net", literal("amount * (1 - rate)"), needs=requires("amount"))
        + '<decisionService id="svc" name="pricing"><variable name="pricing"/>'
        '<outputDecision href="#d_net"/><inputData href="#in_amount"/></decisionService>'
    )
    result = evaluate_decision_service(
        decision_model, "pricing", variables={"amount": 200, "rate": D("0.1")}
    )
    assert (result.value, result.messages) == (D(180), ())
