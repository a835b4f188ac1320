"""Field error texts: every code in Swedish and English, parameters filled in."""

import pytest

from verka.engine.forms import parse_form, validate_submission
from verka.engine.forms.messages import MESSAGES, render
from verka.engine.forms.result import field_error


def only_error(component, value):
    form = parse_form({"type": "default", "components": [{"key": "f", **component}]})
    (error,) = validate_submission(form, {"f": value}).errors
    return error


@pytest.mark.parametrize(
    ("component", "value", "swedish", "english"),
    [
        (
            {"type": "textfield", "validate": {"required": True}},
            "",
            "Fältet är obligatoriskt.",
            "This field is required.",
        ),
        (
            {"type": "number", "validate": {"min": 2.5}},
            1,
            "Värdet måste vara minst 2,5.",
            "The value must be at least 2.5.",
        ),
        (
            {"type": "number", "validate": {"max": 10}},
            11,
            "Värdet får vara högst 10.",
            "The value must be at most 10.",
        ),
        (
            {"type": "textfield", "validate": {"maxLength": 3}},
            "abcd",
            "Skriv högst 3 tecken.",
            "Enter at most 3 characters.",
        ),
        (
            {"type": "textfield", "validate": {"minLength": 2}},
            "a",
            "Skriv minst 2 tecken.",
            "Enter at least 2 characters.",
        ),
        (
            {"type": "number", "increment": 0.5},
            1.2,
            "Välj ett giltigt värde. De närmaste giltiga värdena är 1 och 1,5.",
            "Choose a valid value. The nearest valid values are 1 and 1.5.",
        ),
        (
            {"type": "number", "increment": 0.05},
            3.1689,
            "Välj ett giltigt värde. De närmaste giltiga värdena är 3,15 och 3,2.",
            "Choose a valid value. The nearest valid values are 3.15 and 3.2.",
        ),
        (
            {"type": "number", "validate": {"min": "10000000000000000001"}},
            "10000000000000000000",
            "Värdet måste vara minst 10000000000000000001.",
            "The value must be at least 10000000000000000001.",
        ),
        (
            {"type": "number", "decimalDigits": 2},
            1.234,
            "Ange högst 2 decimaler.",
            "Enter at most 2 decimal places.",
        ),
        (
            {"type": "textfield", "validate": {"validationType": "email"}},
            "x",
            "Ange en giltig e-postadress.",
            "Enter a valid e-mail address.",
        ),
    ],
)
def test_messages_in_both_languages(component, value, swedish, english):
    error = only_error(component, value)
    assert (error.message_sv, error.message_en) == (swedish, english)
    assert error.message("sv-SE") == swedish
    assert error.message("en") == english


def test_the_forms_own_pattern_message_is_shown_in_both_languages():
    error = only_error(
        {
            "type": "textfield",
            "validate": {"pattern": "^\\d{6}$", "patternErrorMessage": "Sex siffror, tack."},
        },
        "12",
    )
    assert (error.code, error.message_sv, error.message_en) == (
        "pattern",
        "Sex siffror, tack.",
        "Sex siffror, tack.",
    )
    assert error.params == {"pattern": "^\\d{6}$"}


def test_unknown_field_message_names_the_path():
    form = parse_form({"type": "default", "components": []})
    (error,) = validate_submission(form, {"x": {"y": 1}}).errors
    assert error.message_en == "The form has no field called “x”."
    assert error.message_sv == "Formuläret har inget fält som heter ”x”."


def test_every_code_has_both_texts_and_renders_with_its_parameters():
    params = {
        "min": 1,
        "max": 2,
        "min_length": 3,
        "max_length": 4,
        "decimal_digits": 2,
        "previous": 1,
        "next": 2,
        "key": "k",
        "expected": 2,
        "accept": ".pdf",
        "max_size": 10,
    }
    for code, (swedish, english) in MESSAGES.items():
        assert swedish and english and swedish != english, code
        rendered_sv, rendered_en = render(code, params)
        assert "{" not in rendered_sv + rendered_en, code


def test_missing_parameters_stay_visible_instead_of_failing():
    error = field_error(("a",), "min", {})
    assert error.message_en == "The value must be at least {min}."
