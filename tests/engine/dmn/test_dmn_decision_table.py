"""Decision tables: every hit policy, aggregation, defaults, input/output values, matched rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.engine.dmn.builders import decision, input_data, model, requires, table

D = Decimal

# One input "x"; rules 1..4 match on ranges that overlap for x = 5.
OVERLAPPING_RULES = [
    ([">= 0"], ['"low"']),
    (["[5..10]"], ['"mid"']),
    ([">= 5"], ['"high"']),
    (["< 0"], ['"negative"']),
]


def evaluate_table(hit_policy: str, x: Any, rules: Any = OVERLAPPING_RULES, **options: Any) -> Any:
    body = decision(
        "Result", table(hit_policy, ["x"], ["out"], rules, **options), needs=requires("x")
    )
    return model(body + input_data("x", "number")).evaluate("Result", {"x": x})


@pytest.mark.parametrize(
    ("hit_policy", "x", "expected"),
    [
        ("UNIQUE", D(-1), "negative"),
        ("UNIQUE", D(5), None),  # three rules match: an error
        ("FIRST", D(5), "low"),
        ("RULE ORDER", D(5), ["low", "mid", "high"]),
        ("COLLECT", D(5), ["low", "mid", "high"]),
        ("COLLECT", D(-1), ["negative"]),
        ("ANY", D(-1), "negative"),
        ("ANY", D(5), None),  # matching rules disagree: an error
        ("U", D(-1), "negative"),
        ("F", D(20), "low"),
        ("R", D(20), ["low", "high"]),
    ],
)
def test_hit_policies(hit_policy: str, x: Decimal, expected: Any) -> None:
    assert evaluate_table(hit_policy, x).value == expected


def test_unique_with_several_matches_reports_the_rules() -> None:
    result = evaluate_table("UNIQUE", D(5))
    assert result.value is None
    assert any("hit policy UNIQUE but rules 1, 2, 3 all match" in m for m in result.messages)


def test_any_accepts_several_matches_with_equal_outputs() -> None:
    rules = [([">= 0"], ['"yes"']), (["<= 10"], ['"yes"'])]
    assert evaluate_table("ANY", D(5), rules).value == "yes"


@pytest.mark.parametrize(
    ("hit_policy", "expected"),
    [("PRIORITY", "high"), ("OUTPUT ORDER", ["high", "mid", "low"])],
)
def test_priority_and_output_order_follow_output_values(hit_policy: str, expected: Any) -> None:
    result = evaluate_table(hit_policy, D(5), output_values=['"high", "mid", "low", "negative"'])
    assert result.value == expected


@pytest.mark.parametrize(
    ("aggregation", "x", "expected"),
    [
        ("SUM", D(5), D(6)),
        ("COUNT", D(5), D(3)),
        ("MIN", D(5), D(1)),
        ("MAX", D(5), D(3)),
        ("COUNT", D(-5), D(0)),
        ("SUM", D(-5), None),
    ],
)
def test_collect_aggregations(aggregation: str, x: Decimal, expected: Any) -> None:
    rules = [([">= 0"], ["1"]), (["[5..10]"], ["2"]), ([">= 5"], ["3"])]
    assert evaluate_table("COLLECT", x, rules, aggregation=aggregation).value == expected


def test_no_match_gives_null_or_the_default_output() -> None:
    rules = [(["> 100"], ['"big"'])]
    assert evaluate_table("UNIQUE", D(1), rules).value is None
    assert evaluate_table("UNIQUE", D(1), rules, defaults=['"small"']).value == "small"
    assert evaluate_table("RULE ORDER", D(1), rules, defaults=['"small"']).value == ["small"]
    assert evaluate_table("COLLECT", D(1), rules).value == []
    assert evaluate_table("OUTPUT ORDER", D(1), rules).value == []


def test_several_outputs_give_a_context_per_rule() -> None:
    rules = [([">= 0"], ['"ok"', "1"]), (["< 0"], ['"bad"', "2"])]
    body = decision(
        "Result", table("UNIQUE", ["x"], ["status", "code"], rules), needs=requires("x")
    )
    result = model(body + input_data("x")).evaluate("Result", {"x": D(3)})
    assert result.value == {"status": "ok", "code": D(1)}


def test_input_outside_its_input_values_is_an_error() -> None:
    rules = [(['"a"'], ["1"]), (['"b"'], ["2"])]
    body = decision(
        "Result",
        table("UNIQUE", ["x"], ["out"], rules, input_values=['"a", "b"']),
        needs=requires("x"),
    )
    decision_model = model(body + input_data("x"))
    assert decision_model.evaluate("Result", {"x": "b"}).value == D(2)
    result = decision_model.evaluate("Result", {"x": "c"})
    assert result.value is None
    assert any(
        "input 'x' is \"c\", which is not one of its input values" in m for m in result.messages
    )


def test_output_outside_its_output_values_is_an_error() -> None:
    rules = [(["-"], ['"maybe"'])]
    result = evaluate_table("UNIQUE", D(1), rules, output_values=['"yes", "no"'])
    assert result.value is None
    assert any("which is not one of its output values" in m for m in result.messages)


def test_unary_tests_see_the_input_as_question_mark_and_other_names() -> None:
    rules = [(["? > limit"], ['"over"']), (["-"], ['"under"'])]
    body = decision("Result", table("FIRST", ["x"], ["out"], rules), needs=requires("x", "limit"))
    decision_model = model(body + input_data("x") + input_data("limit"))
    assert decision_model.evaluate("Result", {"x": D(5), "limit": D(3)}).value == "over"
    assert decision_model.evaluate("Result", {"x": D(2), "limit": D(3)}).value == "under"


def test_matched_rules_are_reported_for_audit() -> None:
    result = evaluate_table("RULE ORDER", D(5))
    matched = [(r.decision_name, r.rule_id, r.rule_index) for r in result.matched_rules]
    assert matched == [("Result", "rule1", 1), ("Result", "rule2", 2), ("Result", "rule3", 3)]
    first = evaluate_table("FIRST", D(5))
    assert [r.rule_index for r in first.matched_rules] == [1]


def test_input_names_with_spaces() -> None:
    rules = [(["> 1000"], ['"rich"']), (["-"], ['"modest"'])]
    body = decision(
        "Assessment",
        table("FIRST", ["Monthly Income"], ["out"], rules),
        needs=requires("Monthly Income"),
    )
    decision_model = model(body + input_data("Monthly Income", "number"))
    assert decision_model.evaluate("Assessment", {"Monthly Income": D(2000)}).value == "rich"
