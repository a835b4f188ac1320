"""validate_submission per component type and validation rule: cleaned values and error codes."""

from datetime import date
from decimal import Decimal

import pytest

from verka.engine.forms import parse_form, validate_submission

_ABSENT = object()


def run(component, value=_ABSENT, *, context=None, today=None):
    """Validate a one-field form; returns (cleaned value, [error codes])."""
    form = parse_form({"type": "default", "components": [{"key": "f", **component}]})
    data = {} if value is _ABSENT else {"f": value}
    result = validate_submission(form, data, context=context, today=today)
    assert all(error.path == "f" for error in result.errors)
    return result.values.get("f", _ABSENT), [error.code for error in result.errors]


TEXT = {"type": "textfield"}
REQUIRED_TEXT = {"type": "textfield", "validate": {"required": True}}

CASES = [
    # textfield / textarea
    ("text kept", TEXT, "Anna", "Anna", []),
    ("text absent is empty", TEXT, _ABSENT, "", []),
    ("text null is empty", TEXT, None, "", []),
    ("text line breaks become spaces", TEXT, "a\nb\tc", "a b c", []),
    ("textarea keeps line breaks", {"type": "textarea"}, "a\nb", "a\nb", []),
    ("text must be text", TEXT, 12, None, ["invalid_type"]),
    ("required text empty", REQUIRED_TEXT, "", "", ["required"]),
    ("required text absent", REQUIRED_TEXT, _ABSENT, "", ["required"]),
    ("required text of spaces passes as in form-js", REQUIRED_TEXT, "  ", "  ", []),
    ("min length", {"type": "textfield", "validate": {"minLength": 3}}, "ab", "ab", ["too_short"]),
    (
        "min length trims",
        {"type": "textfield", "validate": {"minLength": 3}},
        " ab ",
        " ab ",
        ["too_short"],
    ),
    ("min length skips empty", {"type": "textfield", "validate": {"minLength": 3}}, "", "", []),
    (
        "max length",
        {"type": "textarea", "validate": {"maxLength": 3}},
        "abcd",
        "abcd",
        ["too_long"],
    ),
    (
        "max length counts UTF-16 units",
        {"type": "textfield", "validate": {"maxLength": 3}},
        "ab😀",
        "ab😀",
        ["too_long"],
    ),
    ("max length at limit", {"type": "textfield", "validate": {"maxLength": 3}}, "åäö", "åäö", []),
    (
        "pattern finds anywhere",
        {"type": "textfield", "validate": {"pattern": "[0-9]{3}"}},
        "ab123cd",
        "ab123cd",
        [],
    ),
    (
        "pattern fails",
        {"type": "textfield", "validate": {"pattern": "^[0-9]+$"}},
        "12a",
        "12a",
        ["pattern"],
    ),
    ("pattern skips empty", {"type": "textfield", "validate": {"pattern": "^[0-9]+$"}}, "", "", []),
    (
        "pattern $ is the very end",
        {"type": "textarea", "validate": {"pattern": "^a$"}},
        "a\n",
        "a\n",
        ["pattern"],
    ),
    (
        "email ok",
        {"type": "textfield", "validate": {"validationType": "email"}},
        "anna@example.se",
        "anna@example.se",
        [],
    ),
    (
        "email bad",
        {"type": "textfield", "validate": {"validationType": "email"}},
        "anna@",
        "anna@",
        ["email"],
    ),
    (
        "email trailing dot",
        {"type": "textfield", "validate": {"validationType": "email"}},
        "a@b.",
        "a@b.",
        ["email"],
    ),
    (
        "phone ok",
        {"type": "textfield", "validate": {"validationType": "phone"}},
        "+46701234567",
        "+46701234567",
        [],
    ),
    (
        "phone with 00",
        {"type": "textfield", "validate": {"validationType": "phone"}},
        "0046701234567",
        "0046701234567",
        [],
    ),
    (
        "phone national",
        {"type": "textfield", "validate": {"validationType": "phone"}},
        "0701234567",
        "0701234567",
        ["phone"],
    ),
    (
        "phone with spaces",
        {"type": "textfield", "validate": {"validationType": "phone"}},
        "+46 70 123 45 67",
        "+46 70 123 45 67",
        ["phone"],
    ),
    (
        "phone unknown country",
        {"type": "textfield", "validate": {"validationType": "phone"}},
        "+2801234567",
        "+2801234567",
        ["phone"],
    ),
    (
        "phone national part starts 0",
        {"type": "textfield", "validate": {"validationType": "phone"}},
        "+4607012345",
        "+4607012345",
        ["phone"],
    ),
    (
        "several rules at once",
        {"type": "textfield", "validate": {"minLength": 5, "pattern": "^x"}},
        "abc",
        "abc",
        ["pattern", "too_short"],
    ),
    # number
    ("number from JSON int", {"type": "number"}, 42, Decimal(42), []),
    ("number from float keeps its digits", {"type": "number"}, 0.1, Decimal("0.1"), []),
    (
        "number as text (serializeToString)",
        {"type": "number", "serializeToString": True},
        "12.50",
        Decimal("12.50"),
        [],
    ),
    ("number absent is null", {"type": "number"}, _ABSENT, None, []),
    ("number text not a number", {"type": "number"}, "tolv", None, ["not_a_number"]),
    ("number NaN", {"type": "number"}, "NaN", None, ["not_a_number"]),
    ("number boolean", {"type": "number"}, True, None, ["not_a_number"]),
    (
        "number required",
        {"type": "number", "validate": {"required": True}},
        None,
        None,
        ["required"],
    ),
    (
        "number zero is a value",
        {"type": "number", "validate": {"required": True, "min": 0}},
        0,
        Decimal(0),
        [],
    ),
    ("number min", {"type": "number", "validate": {"min": 18}}, 17, Decimal(17), ["min"]),
    ("number min on zero", {"type": "number", "validate": {"min": 1}}, 0, Decimal(0), ["min"]),
    ("number max", {"type": "number", "validate": {"max": "2.5"}}, 2.51, Decimal("2.51"), ["max"]),
    ("number in range", {"type": "number", "validate": {"min": 1, "max": 3}}, 3, Decimal(3), []),
    (
        "decimal digits",
        {"type": "number", "decimalDigits": 2},
        1.234,
        Decimal("1.234"),
        ["decimal_digits"],
    ),
    (
        "decimal digits ignore trailing zeros",
        {"type": "number", "decimalDigits": 1},
        "1.50",
        Decimal("1.50"),
        [],
    ),
    (
        "integer only",
        {"type": "number", "decimalDigits": 0},
        1.5,
        Decimal("1.5"),
        ["not_an_integer"],
    ),
    ("increment ok", {"type": "number", "increment": "0.25"}, 1.75, Decimal("1.75"), []),
    ("increment off", {"type": "number", "increment": 5}, 12, Decimal(12), ["increment"]),
    # checkbox
    ("checkbox true", {"type": "checkbox"}, True, True, []),
    ("checkbox absent is false", {"type": "checkbox"}, _ABSENT, False, []),
    (
        "checkbox required unchecked",
        {"type": "checkbox", "validate": {"required": True}},
        False,
        False,
        ["required"],
    ),
    ("checkbox text", {"type": "checkbox"}, "true", None, ["invalid_type"]),
    # select / radio
    (
        "select offered",
        {"type": "select", "values": [{"label": "Ja", "value": "yes"}]},
        "yes",
        "yes",
        [],
    ),
    (
        "select not offered",
        {"type": "select", "values": [{"label": "Ja", "value": "yes"}]},
        "maybe",
        None,
        ["invalid_option"],
    ),
    (
        "select absent",
        {"type": "select", "values": [{"label": "Ja", "value": "yes"}]},
        _ABSENT,
        None,
        [],
    ),
    (
        "select required",
        {"type": "select", "values": ["a"], "validate": {"required": True}},
        None,
        None,
        ["required"],
    ),
    (
        "radio number option",
        {"type": "radio", "values": [{"label": "Ett", "value": 1}]},
        1,
        Decimal(1),
        [],
    ),
    (
        "radio number is not text",
        {"type": "radio", "values": [{"label": "Ett", "value": 1}]},
        "1",
        None,
        ["invalid_option"],
    ),
    (
        "radio boolean is not number",
        {"type": "radio", "values": [{"label": "Ett", "value": 1}]},
        True,
        None,
        ["invalid_option"],
    ),
    (
        "radio object option",
        {"type": "radio", "values": [{"label": "K", "value": {"id": 7}}]},
        {"id": 7},
        {"id": Decimal(7)},
        [],
    ),
    ("radio default single option", {"type": "radio"}, "value", "value", []),
    # checklist / taglist
    (
        "checklist offered",
        {"type": "checklist", "values": ["a", "b", "c"]},
        ["c", "a"],
        ["c", "a"],
        [],
    ),
    ("checklist absent is empty list", {"type": "checklist", "values": ["a"]}, _ABSENT, [], []),
    (
        "checklist not offered",
        {"type": "checklist", "values": ["a", "b"]},
        ["a", "x"],
        ["a"],
        ["invalid_option"],
    ),
    (
        "checklist duplicate",
        {"type": "checklist", "values": ["a", "b"]},
        ["a", "a"],
        ["a"],
        ["duplicate_option"],
    ),
    ("checklist not a list", {"type": "checklist", "values": ["a"]}, "a", None, ["invalid_type"]),
    (
        "checklist required",
        {"type": "checklist", "values": ["a"], "validate": {"required": True}},
        [],
        [],
        ["required"],
    ),
    ("taglist offered", {"type": "taglist", "values": ["sv", "en"]}, ["en"], ["en"], []),
    (
        "taglist not offered",
        {"type": "taglist", "values": ["sv", "en"]},
        ["de"],
        [],
        ["invalid_option"],
    ),
    # datetime
    ("date ok", {"type": "datetime", "subtype": "date"}, "2026-02-28", "2026-02-28", []),
    (
        "date impossible",
        {"type": "datetime", "subtype": "date"},
        "2026-02-30",
        None,
        ["invalid_date"],
    ),
    (
        "date with time",
        {"type": "datetime", "subtype": "date"},
        "2026-02-28T10:00",
        None,
        ["invalid_date"],
    ),
    ("date not text", {"type": "datetime"}, 20260228, None, ["invalid_type"]),
    (
        "date required",
        {"type": "datetime", "validate": {"required": True}},
        None,
        None,
        ["required"],
    ),
    ("time plain", {"type": "datetime", "subtype": "time"}, "09:30", "09:30", []),
    ("time out of range", {"type": "datetime", "subtype": "time"}, "24:10", None, ["invalid_time"]),
    (
        "time offset",
        {"type": "datetime", "subtype": "time", "timeSerializingFormat": "utc_offset"},
        "09:30+01:00",
        "09:30+01:00",
        [],
    ),
    (
        "time offset missing",
        {"type": "datetime", "subtype": "time", "timeSerializingFormat": "utc_offset"},
        "09:30",
        None,
        ["invalid_time"],
    ),
    (
        "time normalized",
        {"type": "datetime", "subtype": "time", "timeSerializingFormat": "utc_normalized"},
        "08:30Z",
        "08:30Z",
        [],
    ),
    (
        "datetime ok",
        {"type": "datetime", "subtype": "datetime"},
        "2026-03-01T08:15",
        "2026-03-01T08:15",
        [],
    ),
    (
        "datetime bad",
        {"type": "datetime", "subtype": "datetime"},
        "2026-03-01 08:15",
        None,
        ["invalid_datetime"],
    ),
    # filepicker
    ("file key", {"type": "filepicker"}, "files::abc", "files::abc", []),
    ("file absent", {"type": "filepicker"}, _ABSENT, None, []),
    (
        "file required",
        {"type": "filepicker", "validate": {"required": True}},
        None,
        None,
        ["required"],
    ),
    ("file wrong type", {"type": "filepicker"}, 5, None, ["invalid_type"]),
    (
        "document references",
        {"type": "filepicker", "multiple": True, "accept": ".pdf"},
        [{"documentId": "d1", "metadata": {"fileName": "a.pdf", "contentType": "application/pdf"}}],
        [{"documentId": "d1", "metadata": {"fileName": "a.pdf", "contentType": "application/pdf"}}],
        [],
    ),
    (
        "document reference of a type not accepted",
        {"type": "filepicker", "accept": ".pdf"},
        [
            {
                "documentId": "d1",
                "metadata": {"fileName": "a.exe", "contentType": "application/x-msdownload"},
            }
        ],
        [
            {
                "documentId": "d1",
                "metadata": {"fileName": "a.exe", "contentType": "application/x-msdownload"},
            }
        ],
        ["file_type"],
    ),
    (
        "two documents for a single picker",
        {"type": "filepicker"},
        [{"documentId": "d1"}, {"documentId": "d2"}],
        [{"documentId": "d1"}, {"documentId": "d2"}],
        ["too_many_files"],
    ),
]


@pytest.mark.parametrize(
    ("component", "value", "cleaned", "codes"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_component_values(component, value, cleaned, codes):
    got_value, got_codes = run(component, value)
    assert got_codes == codes
    assert got_value == cleaned
    if isinstance(cleaned, Decimal):
        assert isinstance(got_value, Decimal)


def test_default_value_is_used_when_nothing_is_submitted():
    assert run({"type": "textfield", "defaultValue": "Sverige"}) == ("Sverige", [])
    assert run({"type": "number", "defaultValue": 3}) == (Decimal(3), [])
    assert run({"type": "checklist", "values": ["a", "b"], "defaultValue": ["b"]}) == (["b"], [])


def test_context_prefills_before_the_default():
    value, codes = run({"type": "textfield", "defaultValue": "x"}, context={"f": "från processen"})
    assert (value, codes) == ("från processen", [])


def test_options_from_the_context_key():
    component = {"type": "select", "valuesKey": "municipalities"}
    context = {"municipalities": [{"label": "Umeå", "value": "2480"}, "0180"]}
    assert run(component, "2480", context=context) == ("2480", [])
    assert run(component, "0180", context=context) == ("0180", [])
    assert run(component, "9999", context=context) == (None, ["invalid_option"])
    # The submission cannot bring its own options.
    form = parse_form({"type": "default", "components": [{"key": "f", **component}]})
    result = validate_submission(form, {"f": "9999", "municipalities": ["9999"]})
    assert [e.code for e in result.errors] == ["unknown_field", "invalid_option"]


def test_options_from_a_feel_expression():
    component = {
        "type": "checklist",
        "valuesExpression": '=for n in 1..limit return "opt" + string(n)',
    }
    assert run(component, ["opt2"], context={"limit": 3}) == (["opt2"], [])
    assert run(component, ["opt4"], context={"limit": 3}) == ([], ["invalid_option"])


def test_feel_bounds_use_the_data():
    component = {"type": "number", "validate": {"max": "=limit * 2"}}
    assert run(component, 10, context={"limit": 5}) == (Decimal(10), [])
    assert run(component, 11, context={"limit": 5}) == (Decimal(11), ["max"])
    # A bound that evaluates to null is no bound, as in form-js.
    assert run(component, 11) == (Decimal(11), [])


def test_feel_bound_that_is_not_a_number_is_reported():
    assert run({"type": "number", "validate": {"min": '="ten"'}}, 3) == (
        Decimal(3),
        ["invalid_constraint"],
    )


def test_feel_length_bounds():
    component = {"type": "textfield", "validate": {"maxLength": "=size"}}
    assert run(component, "abcd", context={"size": 3}) == ("abcd", ["too_long"])


def test_passed_dates_need_today():
    component = {"type": "datetime", "subtype": "date", "disallowPassedDates": True}
    assert run(component, "2026-01-01", today=date(2026, 1, 2)) == ("2026-01-01", ["date_in_past"])
    assert run(component, "2026-01-02", today=date(2026, 1, 2)) == ("2026-01-02", [])
    assert run(component, "2020-01-01") == ("2020-01-01", [])


def test_expression_field_is_computed_on_the_server():
    form = parse_form(
        {
            "type": "default",
            "components": [
                {"type": "number", "key": "price"},
                {"type": "number", "key": "count"},
                {"type": "expression", "key": "total", "expression": "=price * count"},
            ],
        }
    )
    result = validate_submission(form, {"price": 12.5, "count": 2, "total": 1})
    assert result.errors == []
    assert result.values == {"price": Decimal("12.5"), "count": Decimal(2), "total": Decimal(25)}
