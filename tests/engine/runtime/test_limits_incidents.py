"""An expression that runs out of FEEL's limits raises an incident; it never yields null quietly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

import pytest

from verka.engine import feel
from verka.engine.dmn import evaluate_decision
from verka.engine.feel import Limits

from ..dmn.builders import decision, input_data, literal, requires, table
from ..dmn.builders import model as dmn_model
from .scenario import Run, flows, model, service

CATASTROPHIC = "^(a|aa)+$"
HOSTILE = "a" * 40 + "!"
# Over the steps limit below, yet the surrounding context still gives a number: FEEL alone
# would answer 1 and the instance would go on as if nothing happened.
OVER_STEPS = "{a: for i in 1..5000 return i, b: 1}.b"
OVER_TIME = f'matches(name, "{CATASTROPHIC}") or true'


@pytest.fixture(autouse=True)
def small_limits() -> Iterator[None]:
    previous = feel.set_default_limits(Limits(steps=1000, regex_seconds=0.2))
    yield
    feel.set_default_limits(previous)


def attribute(expression: str) -> str:
    return escape(expression, {'"': "&quot;"})


def script(expression: str) -> str:
    return (
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="calc"><bpmn:extensionElements>'
        f'<zeebe:script expression="={attribute(expression)}" resultVariable="r"/>'
        '</bpmn:extensionElements></bpmn:scriptTask><bpmn:endEvent id="e"/>'
        + flows("s>calc", "calc>e")
    )


@pytest.mark.parametrize(
    ("expression", "named"),
    [(OVER_STEPS, "too many steps"), (OVER_TIME, CATASTROPHIC)],
)
def test_a_script_over_its_limits_raises_an_incident(expression: str, named: str) -> None:
    run = Run(model(script(expression)))
    run.start(name=HOSTILE)
    [incident] = run.incidents()
    assert incident.element_id == "calc"
    assert named in incident.message
    assert "r" not in run.variables()
    assert run.status == "ACTIVE"


def test_a_gateway_condition_over_its_limits_raises_an_incident() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="f_g_low"/>'
        '<bpmn:endEvent id="high"/><bpmn:endEvent id="low"/>'
        + flows("s>g")
        + '<bpmn:sequenceFlow id="f_g_high" sourceRef="g" targetRef="high">'
        f"<bpmn:conditionExpression>={escape(OVER_TIME)}</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_g_low" sourceRef="g" targetRef="low"/>'
    )
    run = Run(model(body))
    run.start(name=HOSTILE)
    [incident] = run.incidents()
    assert incident.element_id == "g"
    assert CATASTROPHIC in incident.message
    assert run.completed_ids() == ["s"]


def test_an_output_mapping_over_its_limits_raises_an_incident() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + service(
            "t",
            inner=f'<zeebe:ioMapping><zeebe:output source="={attribute(OVER_STEPS)}" target="x"/>'
            "</zeebe:ioMapping>",
        )
        + '<bpmn:endEvent id="e"/>'
        + flows("s>t", "t>e")
    )
    run = Run(model(body))
    run.start()
    run.complete("t")
    [incident] = run.incidents()
    assert incident.element_id == "t"
    assert "too many steps" in incident.message
    assert "x" not in run.variables()


def test_a_decision_over_its_limits_fails_instead_of_answering() -> None:
    # The first rule's test runs out of time and would count as "no match"; the second rule
    # would then decide, silently and wrongly.
    rules = table(
        "FIRST",
        ["name"],
        ["verdict"],
        [([f'matches(?, "{CATASTROPHIC}")'], ['"suspicious"']), (["-"], ['"fine"'])],
    )
    decisions = dmn_model(input_data("name") + decision("Check", rules, needs=requires("name")))
    result = evaluate_decision(decisions, "Check", {"name": HOSTILE})
    assert result.value is None
    assert result.stopped is not None
    assert CATASTROPHIC in result.stopped
    assert result.has_errors
    ordinary = evaluate_decision(decisions, "Check", {"name": "Eva"})
    assert (ordinary.value, ordinary.stopped) == ("fine", None)


def test_a_literal_decision_over_its_steps_fails() -> None:
    decisions = dmn_model(decision("Total", literal(OVER_STEPS)))
    result = evaluate_decision(decisions, "Total", {})
    assert result.value is None
    assert result.stopped == "the evaluation needs too many steps and was stopped"


class StoppingDecisions:
    """A DecisionEvaluator over the real DMN engine, failing as the Django side's does."""

    def __init__(self, decisions: Any) -> None:
        self.decisions = decisions

    def evaluate(self, decision_id: str, variables: Any) -> Any:
        result = evaluate_decision(self.decisions, decision_id, variables=variables)
        if result.messages and result.value is None:
            raise ValueError("; ".join(result.messages))
        return result.value


def test_a_business_rule_task_whose_decision_runs_out_raises_an_incident() -> None:
    decisions = dmn_model(decision("Total", literal(OVER_STEPS), type_ref="number"))
    body = (
        '<bpmn:startEvent id="s"/><bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
        '<zeebe:calledDecision decisionId="d_Total" resultVariable="total"/>'
        '</bpmn:extensionElements></bpmn:businessRuleTask><bpmn:endEvent id="e"/>'
        + flows("s>decide", "decide>e")
    )
    run = Run(model(body), decisions=StoppingDecisions(decisions))
    run.start()
    [incident] = run.incidents()
    assert incident.element_id == "decide"
    assert "too many steps" in incident.message
    assert "total" not in run.variables()


def test_expressions_within_the_limits_are_unaffected() -> None:
    run = Run(model(script('matches(name, "^[A-Za-zÅÄÖåäö ]+$") and count([1, 2]) = 2')))
    run.start(name="Åsa Öberg")
    assert run.incidents() == []
    assert run.variables()["r"] is True
    assert run.status == "COMPLETED"
