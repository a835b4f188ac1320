"""Boxed expressions: context, relation, list, invocation, functions, conditional, iterators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.engine.dmn.builders import decision, literal, model

D = Decimal


def evaluate(expression: str, type_ref: str | None = None) -> Any:
    return model(decision("Result", expression, type_ref=type_ref)).evaluate("Result")


def string(value: str) -> str:
    return literal(f'"{value}"')


def entry(name: str | None, expression: str, type_ref: str | None = None) -> str:
    if name is None:
        return f"<contextEntry>{expression}</contextEntry>"
    typed = f' typeRef="{type_ref}"' if type_ref else ""
    return f'<contextEntry><variable name="{name}"{typed}/>{expression}</contextEntry>'


def test_context_entries_see_earlier_entries() -> None:
    context = (
        "<context>"
        + entry("Monthly Rate", literal("0.5"))
        + entry("Yearly Rate", literal("Monthly Rate * 12"))
        + "</context>"
    )
    assert evaluate(context).value == {"Monthly Rate": D("0.5"), "Yearly Rate": D("6.0")}


def test_context_result_entry_is_the_value() -> None:
    context = "<context>" + entry("a", literal("2")) + entry(None, literal("a * 3")) + "</context>"
    assert evaluate(context).value == D(6)


def test_context_entry_type_is_enforced() -> None:
    context = "<context>" + entry("a", literal('"text"'), "number") + "</context>"
    result = evaluate(context)
    assert result.value == {"a": None}
    assert any("does not conform to type number" in m for m in result.messages)


def test_relation_is_a_list_of_contexts() -> None:
    relation = (
        '<relation><column name="name"/><column name="age"/>'
        f"<row>{string('Ann')}{literal('30')}</row>"
        f"<row>{string('Bo')}{literal('40')}</row></relation>"
    )
    assert evaluate(relation).value == [{"name": "Ann", "age": D(30)}, {"name": "Bo", "age": D(40)}]


def test_list_boxed_expression() -> None:
    assert evaluate(f"<list>{literal('1 + 1')}{string('b')}</list>").value == [D(2), "b"]


def test_function_definition_and_invocation_with_named_bindings() -> None:
    context = (
        "<context>"
        + entry(
            "double",
            '<functionDefinition><formalParameter name="x" typeRef="number"/>'
            f"{literal('x * 2')}</functionDefinition>",
        )
        + entry(
            None,
            f'<invocation>{literal("double")}<binding><parameter name="x"/>{literal("21")}'
            "</binding></invocation>",
        )
        + "</context>"
    )
    assert evaluate(context).value == D(42)


def test_function_called_from_feel_with_positional_arguments() -> None:
    context = (
        "<context>"
        + entry(
            "add",
            '<functionDefinition><formalParameter name="a"/><formalParameter name="b"/>'
            f"{literal('a + b')}</functionDefinition>",
        )
        + entry(None, literal("add(1, 2) + add(b: 10, a: 20)"))
        + "</context>"
    )
    assert evaluate(context).value == D(33)


def test_argument_of_the_wrong_type_makes_the_invocation_an_error() -> None:
    context = (
        "<context>"
        + entry(
            "double",
            '<functionDefinition><formalParameter name="x" typeRef="number"/>'
            f"{literal('x * 2')}</functionDefinition>",
        )
        + entry(None, literal('double("two")'))
        + "</context>"
    )
    result = evaluate(context)
    assert result.value is None
    assert any("argument 'x' of anonymous function" in m for m in result.messages)


def test_java_function_kind_is_an_error() -> None:
    context = (
        "<context>"
        + entry("f", f'<functionDefinition kind="Java">{literal("x")}</functionDefinition>')
        + entry(None, literal("f()"))
        + "</context>"
    )
    result = evaluate(context)
    assert result.value is None
    assert any("Java functions are not supported" in m for m in result.messages)


@pytest.mark.parametrize(
    ("condition", "expected"), [("true", "yes"), ("false", "no"), ("null", "no")]
)
def test_conditional(condition: str, expected: str) -> None:
    conditional = (
        f"<conditional><if>{literal(condition)}</if><then>{string('yes')}</then>"
        f"<else>{string('no')}</else></conditional>"
    )
    assert evaluate(conditional).value == expected


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("for", "n * n", [D(1), D(4), D(9)]),
        ("some", "n > 2", True),
        ("some", "n > 5", False),
        ("every", "n > 0", True),
        ("every", "n > 1", False),
    ],
)
def test_iterators(kind: str, body: str, expected: Any) -> None:
    part = "return" if kind == "for" else "satisfies"
    iterator = (
        f'<{kind} iteratorVariable="n"><in>{literal("[1, 2, 3]")}</in>'
        f"<{part}>{literal(body)}</{part}></{kind}>"
    )
    assert evaluate(iterator).value == expected


def test_iterator_condition_that_is_not_boolean_is_an_error() -> None:
    iterator = (
        f'<some iteratorVariable="n"><in>{literal("[1, 2]")}</in>'
        f"<satisfies>{string('maybe')}</satisfies></some>"
    )
    result = evaluate(iterator)
    assert result.value is None
    assert any("expected true or false" in m for m in result.messages)


def test_filter_sees_item_and_its_entries() -> None:
    people = '[{name: "Ann", age: 30}, {name: "Bo", age: 15}]'
    by_entry = f"<filter><in>{literal(people)}</in><match>{literal('age >= 18')}</match></filter>"
    by_item = (
        f"<filter><in>{literal('[1, 5, 10]')}</in><match>{literal('item > 3')}</match></filter>"
    )
    assert evaluate(by_entry).value == [{"name": "Ann", "age": D(30)}]
    assert evaluate(by_item).value == [D(5), D(10)]


def test_decision_type_coerces_singleton_list_and_rejects_wrong_types() -> None:
    assert evaluate(literal("[5]"), type_ref="number").value == D(5)
    wrong = evaluate(literal('"five"'), type_ref="number")
    assert wrong.value is None
    assert any(
        "decision 'Result'" in m and "does not conform to type number" in m for m in wrong.messages
    )
