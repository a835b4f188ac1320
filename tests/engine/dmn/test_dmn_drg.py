"""The decision requirements graph: required decisions, BKMs, decision services, imports, types."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.engine.dmn.builders import (
    DMN13,
    decision,
    definitions,
    input_data,
    literal,
    model,
    requires,
)
from verka.engine.dmn import DmnError, evaluate_decision, evaluate_decision_service, load_models

D = Decimal

LOAN = (
    input_data("Loan Amount", "number")
    + input_data("Years", "number")
    + decision(
        "Yearly Payment",
        literal("Loan Amount / Years"),
        needs=requires("Loan Amount", "Years"),
        type_ref="number",
    )
    + decision(
        "Monthly Payment",
        literal("Yearly Payment / 12"),
        needs=requires(decisions=["Yearly Payment"]),
    )
)


def test_required_decisions_are_evaluated_first() -> None:
    result = evaluate_decision(
        model(LOAN), "Monthly Payment", {"Loan Amount": D(1200), "Years": D(1)}
    )
    assert result.value == D(100)
    assert result.decisions == {"Yearly Payment": D(1200), "Monthly Payment": D(100)}
    assert result.messages == ()


def test_a_decision_is_found_by_id_too() -> None:
    result = evaluate_decision(
        model(LOAN), "d_Yearly_Payment", {"Loan Amount": D(10), "Years": D(2)}
    )
    assert result.value == D(5)


def test_missing_input_is_null_and_wrong_type_is_reported() -> None:
    decision_model = model(LOAN)
    assert decision_model.evaluate("Yearly Payment", {"Years": D(1)}).value is None
    result = decision_model.evaluate("Yearly Payment", {"Loan Amount": "much", "Years": D(1)})
    assert result.value is None
    assert any("input data 'Loan Amount'" in m and "does not conform" in m for m in result.messages)


def test_supplying_a_decision_value_skips_its_evaluation() -> None:
    result = model(LOAN).evaluate("Monthly Payment", {"Yearly Payment": D(24)})
    assert result.value == D(2)


def test_a_decision_is_evaluated_once_per_evaluation() -> None:
    body = (
        decision("Base", literal("[1, 2]"))
        + decision("Twice", literal("Base[1] + Base[2]"), needs=requires(decisions=["Base"]))
        + decision(
            "Both",
            literal("count(Base) + Twice"),
            needs=requires(decisions=["Base", "Twice"]),
        )
    )
    assert model(body).evaluate("Both").value == D(5)


def bkm(name: str, parameters: str, body: str) -> str:
    return (
        f'<businessKnowledgeModel id="k_{name}" name="{name}"><variable name="{name}"/>'
        f"<encapsulatedLogic>{parameters}{body}</encapsulatedLogic></businessKnowledgeModel>"
    )


def test_business_knowledge_model_is_a_function() -> None:
    body = bkm(
        "Interest",
        '<formalParameter name="amount" typeRef="number"/><formalParameter name="rate"/>',
        literal("amount * rate"),
    ) + decision("Cost", literal("Interest(1000, 0.05)"), needs=requires(knowledge=["Interest"]))
    assert model(body).evaluate("Cost").value == D("50.00")


def test_bkm_result_type_from_its_body_is_enforced() -> None:
    body = bkm("Name", '<formalParameter name="x"/>', literal("x", type_ref="string")) + decision(
        "Use", literal("Name(10)"), needs=requires(knowledge=["Name"])
    )
    result = model(body).evaluate("Use")
    assert result.value is None
    assert any("result of Name" in m for m in result.messages)


def test_decision_table_inside_a_bkm_records_the_calling_decision() -> None:
    table = (
        '<decisionTable id="t" hitPolicy="UNIQUE"><input id="i"><inputExpression><text>x</text>'
        '</inputExpression></input><output id="o"/><rule id="big"><inputEntry><text>&gt; 5</text>'
        '</inputEntry><outputEntry><text>"big"</text></outputEntry></rule><rule id="small">'
        '<inputEntry><text>&lt;= 5</text></inputEntry><outputEntry><text>"small"</text>'
        "</outputEntry></rule></decisionTable>"
    )
    body = bkm("Size", '<formalParameter name="x"/>', table) + decision(
        "Sized", literal("Size(9)"), needs=requires(knowledge=["Size"])
    )
    result = model(body).evaluate("Sized")
    assert result.value == "big"
    assert [(r.decision_name, r.rule_id) for r in result.matched_rules] == [("Sized", "big")]
    assert list(result.rules_by_decision) == ["Sized"]


SERVICE = (
    input_data("Name", "string")
    + decision("Greeting", literal('"Hello " + Name'), needs=requires("Name"))
    + decision("Shout", literal("upper case(Greeting)"), needs=requires(decisions=["Greeting"]))
    + '<decisionService id="k_Greeter" name="Greeter"><variable name="Greeter"/>'
    '<outputDecision href="#d_Shout"/><encapsulatedDecision href="#d_Greeting"/>'
    '<inputData href="#in_Name"/></decisionService>'
)


def test_decision_service_invoked_directly() -> None:
    result = evaluate_decision_service(model(SERVICE), "Greeter", {"Name": "Ann"})
    assert result.value == "HELLO ANN"


def test_decision_service_invoked_from_feel() -> None:
    body = SERVICE + decision(
        "Use", literal('Greeter("Bo")'), needs=requires(knowledge=["Greeter"])
    )
    assert model(body).evaluate("Use").value == "HELLO BO"


def test_imported_model_elements_are_reached_through_the_import_name() -> None:
    imported = definitions(
        input_data("Person Name", "string")
        + decision("Greeting", literal('"Hi " + Person Name'), needs=requires("Person Name")),
        namespace="urn:people",
        name="people",
    )
    main = definitions(
        f'<import name="people" namespace="urn:people" importType="{DMN13}"/>'
        '<decision id="main" name="Loud"><variable name="Loud"/><informationRequirement>'
        '<requiredDecision href="urn:people#d_Greeting"/></informationRequirement>'
        + literal('people.Greeting + "!"')
        + "</decision>",
        namespace="urn:main",
        name="main",
    )
    decision_model = load_models([main, imported])
    result = decision_model.evaluate("Loud", {"{urn:people}Person Name": "Cy"})
    assert result.value == "Hi Cy!"


ITEMS = """
<itemDefinition name="tAge"><typeRef>number</typeRef>
  <allowedValues><text>[0..150]</text></allowedValues></itemDefinition>
<itemDefinition name="tPerson">
  <itemComponent name="Name"><typeRef>string</typeRef></itemComponent>
  <itemComponent name="Age"><typeRef>tAge</typeRef></itemComponent>
</itemDefinition>
<itemDefinition name="tPeople" isCollection="true"><typeRef>tPerson</typeRef></itemDefinition>
"""


def test_item_definitions_check_structure_and_allowed_values() -> None:
    body = (
        ITEMS
        + input_data("People", "tPeople")
        + decision("Names", literal("People.Name"), needs=requires("People"))
    )
    decision_model = model(body)
    ann = {"Name": "Ann", "Age": D(30)}
    assert decision_model.evaluate("Names", {"People": [ann]}).value == ["Ann"]
    assert decision_model.evaluate("Names", {"People": ann}).value == ["Ann"]  # singleton list
    too_old = decision_model.evaluate("Names", {"People": [{"Name": "Old", "Age": D(200)}]})
    assert too_old.value is None
    assert any("does not conform to type tPeople" in m for m in too_old.messages)
    missing = decision_model.evaluate("Names", {"People": [{"Name": "Ann"}]})
    assert missing.value is None


def test_instance_of_uses_item_definitions_without_their_constraints() -> None:
    body = ITEMS + decision("Check", literal('[200 instance of tAge, "x" instance of tAge]'))
    assert model(body).evaluate("Check").value == [True, False]


def test_now_and_today_answer_from_the_given_instant_only() -> None:
    decision_model = model(decision("Day", literal("today()")))
    instant = datetime.datetime(2026, 3, 4, 5, 6, tzinfo=datetime.UTC)
    assert evaluate_decision(decision_model, "Day", now=instant).value == datetime.date(2026, 3, 4)
    assert evaluate_decision(decision_model, "Day").value is None


def test_required_inputs_follow_the_graph() -> None:
    decision_model = model(LOAN)
    assert decision_model.decision_names() == ["Yearly Payment", "Monthly Payment"]
    assert decision_model.required_inputs("Monthly Payment") == ["Loan Amount", "Years"]


def test_duplicate_names_and_unknown_types_are_problems() -> None:
    body = input_data("Age", "tNoSuchType") + input_data("Age").replace("in_Age", "in_Age2")
    problems = [problem.message for problem in model(body).problems]
    assert any("two elements are named 'Age'" in p for p in problems)
    assert any("unknown type 'tNoSuchType'" in p for p in problems)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(DmnError, match="two elements have the id 'in_Age'"):
        model(input_data("Age") + input_data("Age"))


def test_decision_service_with_input_decision_and_several_outputs() -> None:
    body = (
        input_data("Name", "string")
        + decision("Title", literal('"Dr"'))
        + decision(
            "Greeting", literal('Title + " " + Name'), needs=requires("Name", decisions=["Title"])
        )
        + decision(
            "Length", literal("string length(Greeting)"), needs=requires(decisions=["Greeting"])
        )
        + '<decisionService id="k_Both" name="Both"><variable name="Both"/>'
        '<outputDecision href="#d_Greeting"/><outputDecision href="#d_Length"/>'
        '<inputDecision href="#d_Title"/><inputData href="#in_Name"/></decisionService>'
    )
    decision_model = model(body)
    result = evaluate_decision_service(decision_model, "Both", {"Name": "Ann", "Title": "Prof"})
    assert result.value == {"Greeting": "Prof Ann", "Length": D(8)}
    # An input decision not supplied is null inside the service; it is not evaluated there.
    partial = evaluate_decision_service(decision_model, "Both", {"Name": "Ann"})
    assert partial.value == {"Greeting": None, "Length": None}
    # Positional invocation from FEEL: input data first, then input decisions.
    caller = body + decision(
        "Call", literal('Both("Bo", "Ms").Greeting'), needs=requires(knowledge=["Both"])
    )
    assert model(caller).evaluate("Call").value == "Ms Bo"


def test_invocation_with_an_unknown_parameter_is_an_error() -> None:
    body = bkm("Twice", '<formalParameter name="x"/>', literal("x * 2")) + decision(
        "Use",
        f'<invocation>{literal("Twice")}<binding><parameter name="y"/>{literal("1")}</binding>'
        "</invocation>",
        needs=requires(knowledge=["Twice"]),
    )
    result = model(body).evaluate("Use")
    assert result.value is None
    assert any("Twice has no parameter y; expected x" in m for m in result.messages)


@pytest.mark.parametrize(
    ("type_ref", "value", "conforms"),
    [
        ("list<number>", [D(1), D(2)], True),
        ("list<number>", ["a"], False),
        ("context<a: number, b: string>", {"a": D(1), "b": "x"}, True),
        ("context<a: number, b: string>", {"a": D(1)}, False),
        ("list<context<a: number>>", [{"a": D(1)}], True),
        ("function<number> -> number", "not a function", False),
        ("years and months duration", "P1Y", False),
        ("date and time", datetime.datetime(2024, 1, 1, 10, 0), True),
        ("date", datetime.datetime(2024, 1, 1, 10, 0), False),
    ],
)
def test_feel_type_syntax_in_type_refs(type_ref: str, value: object, conforms: bool) -> None:
    decision_model = model(
        input_data("V", type_ref) + decision("Out", literal("V"), needs=requires("V"))
    )
    assert decision_model.problems == []
    result = decision_model.evaluate("Out", {"V": value})
    assert (result.value is not None) is conforms


def test_inputs_of_an_imported_model_can_be_given_under_the_import_name() -> None:
    imported = definitions(input_data("Amount", "number"), namespace="urn:lib", name="lib")
    main = definitions(
        f'<import name="lib" namespace="urn:lib" importType="{DMN13}"/>'
        '<decision id="d" name="Doubled"><variable name="Doubled"/><informationRequirement>'
        '<requiredInput href="urn:lib#in_Amount"/></informationRequirement>'
        + literal("lib.Amount * 2")
        + "</decision>",
        namespace="urn:main",
    )
    decision_model = load_models([main, imported])
    assert decision_model.evaluate("Doubled", {"lib": {"Amount": 4}}).value == D(8)
    assert decision_model.required_inputs("Doubled") == ["{urn:lib}Amount"]
