"""Submissions no browser would send: unknown keys, wrong shapes, foreign options."""

from decimal import Decimal

import pytest

from verka.engine.forms import parse_form, validate_submission

FORM = parse_form(
    {
        "type": "default",
        "components": [
            {"type": "textfield", "key": "name"},
            {"type": "textfield", "key": "contact.email"},
            {
                "type": "group",
                "path": "address",
                "components": [{"type": "textfield", "key": "street"}],
            },
            {
                "type": "dynamiclist",
                "path": "items",
                "components": [{"type": "select", "key": "kind", "values": ["a", "b"]}],
            },
            {"type": "text", "text": "Information"},
            {"type": "button", "action": "submit"},
        ],
    }
)


def codes(result):
    return [(error.path, error.code) for error in result.errors]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"isAdmin": True}, [("isAdmin", "unknown_field")]),
        ({"contact": {"email": "a@b.se", "phone": "1"}}, [("contact.phone", "unknown_field")]),
        (
            {"address": {"street": "Storgatan 1", "zip": "12345"}},
            [("address.zip", "unknown_field")],
        ),
        ({"items": [{"kind": "a", "price": 0}]}, [("items[0].price", "unknown_field")]),
        ({"items": [{"kind": "c"}]}, [("items[0].kind", "invalid_option")]),
        ({"address": "Storgatan 1"}, [("address", "invalid_type")]),
        ({"items": {"kind": "a"}}, [("items", "invalid_type")]),
        ({"items": ["a"]}, [("items[0]", "invalid_type")]),
        ({"contact": ["x"]}, [("contact", "invalid_type")]),
        # Display components hold no data, so their ids or keys are unknown too.
        (
            {"text": "x", "button": "submit"},
            [("text", "unknown_field"), ("button", "unknown_field")],
        ),
    ],
)
def test_tampered_data_is_refused_with_a_field_error(data, errors):
    assert codes(validate_submission(FORM, data)) == errors


def test_unknown_keys_never_reach_the_values():
    result = validate_submission(
        FORM, {"name": "Anna", "isAdmin": True, "address": {"street": "S", "zip": "1"}}
    )
    assert result.values == {
        "name": "Anna",
        "contact": {"email": ""},
        "address": {"street": "S"},
        "items": [{"kind": None}],
    }
    assert not result.is_valid


def test_values_of_options_not_offered_are_dropped():
    result = validate_submission(FORM, {"items": [{"kind": "a"}, {"kind": "evil"}]})
    assert result.values["items"] == [{"kind": "a"}, {"kind": None}]


def test_data_that_is_not_an_object_is_one_error():
    result = validate_submission(FORM, ["name"])  # type: ignore[arg-type]
    assert codes(result) == [("", "invalid_type")]
    assert result.values == {}


def test_the_context_is_never_echoed_into_the_values():
    result = validate_submission(FORM, {}, context={"secret": "s", "name": "Anna"})
    assert "secret" not in result.values
    assert result.values["name"] == "Anna"


def test_numbers_from_python_callers_are_decimals_too():
    f = parse_form({"type": "default", "components": [{"type": "number", "key": "n"}]})
    assert validate_submission(f, {"n": 3}).values == {"n": Decimal(3)}
    assert codes(validate_submission(f, {"n": float("nan")})) == [("n", "not_a_number")]
    assert codes(validate_submission(f, {"n": float("inf")})) == [("n", "not_a_number")]


def test_context_of_the_wrong_shape_is_overridden_not_trusted():
    result = validate_submission(
        FORM, {"address": {"street": "S"}}, context={"address": [1, 2], "contact": "x", "items": 3}
    )
    assert result.errors == []
    assert result.values == {
        "name": "",
        "contact": {"email": ""},
        "address": {"street": "S"},
        "items": [{"kind": None}],
    }
