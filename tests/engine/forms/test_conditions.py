"""Conditional visibility, read-only and disabled fields, groups and dynamic lists, as the viewer does them."""

from decimal import Decimal

import pytest

from verka.engine.forms import parse_form, validate_submission


def form(*components):
    return parse_form({"type": "default", "components": list(components)})


def codes(result):
    return [(error.path, error.code) for error in result.errors]


AGE_FORM = form(
    {"type": "number", "key": "age"},
    {
        "type": "textfield",
        "key": "guardian",
        "validate": {"required": True},
        "conditional": {"hide": "=age >= 18"},
    },
)


@pytest.mark.parametrize(
    ("data", "values", "errors"),
    [
        ({"age": 30}, {"age": Decimal(30)}, []),
        ({"age": 12, "guardian": "Eva"}, {"age": Decimal(12), "guardian": "Eva"}, []),
        ({"age": 12}, {"age": Decimal(12), "guardian": ""}, [("guardian", "required")]),
        # null >= 18 is null, and the viewer counts a null test result as "hide".
        ({}, {"age": None}, []),
        ({"age": 30, "guardian": "Eva"}, {"age": Decimal(30)}, [("guardian", "hidden_field")]),
        # An empty value for a hidden field is what a generous client sends: dropped, not refused.
        ({"age": 30, "guardian": ""}, {"age": Decimal(30)}, []),
    ],
)
def test_hidden_fields_are_not_validated_and_cannot_be_set(data, values, errors):
    result = validate_submission(AGE_FORM, data)
    assert codes(result) == errors
    assert result.values == values


def test_conditions_see_the_context():
    shown = validate_submission(AGE_FORM, {}, context={"age": 10})
    assert codes(shown) == [("guardian", "required")]
    assert shown.values == {"age": Decimal(10), "guardian": ""}


def test_submitted_data_wins_over_the_context_in_conditions():
    result = validate_submission(AGE_FORM, {"age": 40}, context={"age": 10})
    assert codes(result) == []


def test_not_around_a_condition_negates_it_like_a_unary_test():
    f = form(
        {"type": "checkbox", "key": "more"},
        {"type": "textfield", "key": "details", "conditional": {"hide": "=not(more)"}},
    )
    assert validate_submission(f, {"more": False}).values == {"more": False}
    assert validate_submission(f, {"more": True, "details": "x"}).values == {
        "more": True,
        "details": "x",
    }


def test_hidden_group_hides_everything_in_it():
    f = form(
        {"type": "radio", "key": "kind", "values": ["person", "company"]},
        {
            "type": "group",
            "path": "company",
            "conditional": {"hide": '=kind != "company"'},
            "components": [
                {"type": "textfield", "key": "orgnr", "validate": {"required": True}},
                {
                    "type": "dynamiclist",
                    "path": "signatories",
                    "components": [{"type": "textfield", "key": "name"}],
                },
            ],
        },
    )
    person = validate_submission(f, {"kind": "person"})
    assert codes(person) == []
    assert person.values == {"kind": "person"}
    tampered = validate_submission(
        f, {"kind": "person", "company": {"orgnr": "556", "signatories": [{"name": "X"}]}}
    )
    assert codes(tampered) == [
        ("company.orgnr", "hidden_field"),
        ("company.signatories[0].name", "hidden_field"),
    ]
    assert tampered.values == {"kind": "person"}
    company = validate_submission(f, {"kind": "company", "company": {"signatories": []}})
    assert codes(company) == [("company.orgnr", "required")]
    assert company.values == {"kind": "company", "company": {"orgnr": "", "signatories": []}}


def test_chained_conditions_use_the_cleared_data():
    # b is hidden while c is set; a's condition reads b, and sees it cleared (null), not "x".
    f = form(
        {"type": "checkbox", "key": "c"},
        {"type": "textfield", "key": "b", "conditional": {"hide": "=c"}},
        {"type": "textfield", "key": "a", "conditional": {"hide": '=b = "x"'}},
    )
    result = validate_submission(f, {"c": True, "a": "shown"}, context={"b": "x"})
    assert codes(result) == []
    assert result.values == {"c": True, "a": "shown"}


CHILDREN = form(
    {"type": "number", "key": "minAge"},
    {
        "type": "dynamiclist",
        "id": "children",
        "path": "children",
        "components": [
            {"type": "textfield", "id": "name", "key": "name", "validate": {"required": True}},
            {"type": "number", "key": "age", "validate": {"min": "=parent.minAge"}},
            {"type": "textfield", "key": "school", "conditional": {"hide": "=this.age < 6"}},
            {"type": "textfield", "key": "first", "conditional": {"hide": "=_i_[1] != 1"}},
        ],
    },
)


def test_dynamic_list_rows_are_validated_with_their_own_this_parent_and_i():
    data = {
        "minAge": 1,
        "children": [
            {"name": "Ada", "age": 7, "school": "Ekbacken", "first": "ja"},
            {"name": "", "age": 4},
            {"name": "Bo", "age": 0.5, "school": "x"},
        ],
    }
    result = validate_submission(CHILDREN, data)
    assert codes(result) == [
        ("children[1].name", "required"),
        ("children[2].age", "min"),
        ("children[2].school", "hidden_field"),
    ]
    assert result.values == {
        "minAge": Decimal(1),
        "children": [
            {"name": "Ada", "age": Decimal(7), "school": "Ekbacken", "first": "ja"},
            {"name": "", "age": Decimal(4)},
            {"name": "Bo", "age": Decimal("0.5")},
        ],
    }
    error = result.errors[0]
    assert (error.field_id, error.indexes, error.segments) == (
        "name",
        (1,),
        ("children", 1, "name"),
    )


def test_dynamic_list_default_rows_when_nothing_is_submitted():
    result = validate_submission(CHILDREN, {})
    assert codes(result) == [("children[0].name", "required")]
    assert result.values == {"minAge": None, "children": [{"name": "", "age": None, "first": ""}]}


def test_dynamic_list_rows_come_from_the_context():
    result = validate_submission(CHILDREN, {}, context={"children": [{"name": "A"}, {"name": "B"}]})
    assert [row["name"] for row in result.values["children"]] == ["A", "B"]


def test_fixed_rows_cannot_be_added_or_removed():
    f = form(
        {
            "type": "dynamiclist",
            "path": "rows",
            "allowAddRemove": False,
            "defaultRepetitions": 2,
            "components": [{"type": "textfield", "key": "x"}],
        }
    )
    assert codes(validate_submission(f, {"rows": [{"x": "a"}, {"x": "b"}]})) == []
    assert codes(validate_submission(f, {"rows": [{"x": "a"}]})) == [("rows", "invalid_item_count")]
    fixed_by_context = validate_submission(
        f, {"rows": [{}, {}, {}]}, context={"rows": [{}, {}, {}]}
    )
    assert codes(fixed_by_context) == []


def test_nested_dynamic_lists():
    f = form(
        {
            "type": "dynamiclist",
            "path": "households",
            "components": [
                {"type": "textfield", "key": "address"},
                {
                    "type": "dynamiclist",
                    "path": "members",
                    "components": [
                        {"type": "textfield", "key": "name", "validate": {"required": True}},
                        {
                            "type": "textfield",
                            "key": "note",
                            "conditional": {"hide": '=parent.this.address = "x"'},
                        },
                    ],
                },
            ],
        }
    )
    data = {"households": [{"address": "x", "members": [{"name": "A", "note": "n"}, {"name": ""}]}]}
    result = validate_submission(f, data)
    assert codes(result) == [
        ("households[0].members[0].note", "hidden_field"),
        ("households[0].members[1].name", "required"),
    ]


READONLY = form(
    {"type": "textfield", "key": "personnummer", "readonly": True},
    {"type": "checkbox", "key": "locked"},
    {"type": "textfield", "key": "note", "readonly": "=locked"},
    {"type": "textfield", "key": "internal", "disabled": True, "validate": {"required": True}},
)


OPENED_WITH = {"personnummer": "19121212-1212", "note": "original"}


@pytest.mark.parametrize(
    ("data", "values", "errors"),
    [
        ({}, {"personnummer": "19121212-1212", "locked": False, "note": "original"}, []),
        (
            {"personnummer": "19121212-1212", "note": "hej"},
            {"personnummer": "19121212-1212", "locked": False, "note": "hej"},
            [],
        ),
        (
            {"personnummer": "20000101-0000"},
            {"personnummer": "19121212-1212", "locked": False, "note": "original"},
            [("personnummer", "readonly_field")],
        ),
        (
            {"locked": True, "note": "changed"},
            {"personnummer": "19121212-1212", "locked": True, "note": "original"},
            [("note", "readonly_field")],
        ),
        (
            {"locked": True, "note": "original"},
            {"personnummer": "19121212-1212", "locked": True, "note": "original"},
            [],
        ),
        (
            {"internal": "set by citizen"},
            {"personnummer": "19121212-1212", "locked": False, "note": "original"},
            [("internal", "disabled_field")],
        ),
    ],
)
def test_readonly_keeps_the_opening_value_and_disabled_is_left_out(data, values, errors):
    result = validate_submission(READONLY, data, context=OPENED_WITH)
    assert codes(result) == errors
    assert result.values == values


def test_step_validates_only_that_steps_fields_but_refuses_tampering_everywhere():
    f = parse_form(
        {
            "type": "default",
            "components": [
                {
                    "type": "group",
                    "id": "s1",
                    "components": [
                        {"type": "textfield", "key": "a", "validate": {"required": True}}
                    ],
                },
                {
                    "type": "group",
                    "id": "s2",
                    "components": [
                        {"type": "textfield", "key": "b", "validate": {"required": True}}
                    ],
                },
            ],
        }
    )
    assert codes(validate_submission(f, {}, step=0)) == [("a", "required")]
    assert codes(validate_submission(f, {}, step=f.steps[1])) == [("b", "required")]
    assert codes(validate_submission(f, {"a": "x", "zz": 1}, step=0)) == [("zz", "unknown_field")]


def test_expression_variables_follow_form_js():
    from verka.engine.forms.expressions import expression_variables

    variables = expression_variables(
        data={"this": "a field called this", "x": 1}, this={"y": 2}, parent=None, indexes=(2, 1)
    )
    assert variables["this"] == "a field called this"
    assert variables["_this_"] == {"y": 2}
    assert variables["x"] == 1
    assert variables["_i_"] == [Decimal(2), Decimal(1)]
    assert variables["parent"] is None


def test_condition_that_fails_to_evaluate_shows_the_field():
    f = form(
        {
            "type": "textfield",
            "key": "a",
            "validate": {"required": True},
            "conditional": {"hide": '=1 + "x" = 2'},
        }
    )
    # 1 + "x" is null, null = 2 is false: the field is shown and required.
    assert codes(validate_submission(f, {})) == [("a", "required")]
