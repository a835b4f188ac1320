"""Random schemas and submissions: parse_form and validate_submission only ever answer in their terms."""

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verka.engine.forms import (
    Component,
    Form,
    FormSchemaError,
    ValidationResult,
    parse_form,
    validate_submission,
)
from verka.engine.forms.messages import MESSAGES

# VERKA_FUZZ_EXAMPLES=5000 digs deeper when changing the forms package.
FAST = settings(
    max_examples=int(os.environ.get("VERKA_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        ["", "a", "=", "=x", "=a > 1", "1.5", "NaN", "2026-01-01", "09:30", "files::1"]
    ),
    st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)

TYPES = [
    "textfield",
    "textarea",
    "number",
    "datetime",
    "checkbox",
    "checklist",
    "radio",
    "select",
    "taglist",
    "group",
    "dynamiclist",
    "iframe",
    "html",
    "text",
    "image",
    "spacer",
    "separator",
    "button",
    "filepicker",
    "expression",
    "table",
    "documentPreview",
    "slider",
    "default",
]
KEYS = ["a", "b", "c", "a.b", "x.y", "list", "this", "i"]
HIDES = [
    "=a",
    "=a > 1",
    "=not(b)",
    '=this.c = "x"',
    "=parent.a",
    "=_i_[1] = 2",
    "=b = null",
    "=[1, null]",
]


VALID = {
    "conditional": st.fixed_dictionaries({"hide": st.sampled_from(HIDES)}),
    "readonly": st.sampled_from([True, False, "=a", "=b > 2"]),
    "disabled": st.booleans(),
    "values": st.lists(st.sampled_from(["a", "b", 1, {"label": "L", "value": "v"}]), max_size=3),
    "valuesKey": st.sampled_from(["opts", "a"]),
    "valuesExpression": st.sampled_from(["=[1, 2]", "=opts", "=null"]),
    "validate": st.fixed_dictionaries(
        {},
        optional={
            "required": st.booleans(),
            "min": st.sampled_from([0, 1.5, "=a", '="x"']),
            "max": st.sampled_from([10, "=b"]),
            "minLength": st.sampled_from([1, "=2"]),
            "maxLength": st.sampled_from([3, "=a"]),
            "pattern": st.sampled_from(["^a", "\\d+", "(?<n>x)\\k<n>", "[^]"]),
            "validationType": st.sampled_from(["email", "phone", "custom"]),
        },
    ),
    "decimalDigits": st.sampled_from([0, 2]),
    "increment": st.sampled_from([0.5, "3", 1]),
    "subtype": st.sampled_from(["date", "time", "datetime"]),
    "timeSerializingFormat": st.sampled_from(["utc_offset", "utc_normalized", "no_timezone"]),
    "accept": st.sampled_from([".pdf", "=a", "{{a}}"]),
    "multiple": st.sampled_from([True, "=b"]),
    "expression": st.sampled_from(["=a + 1", "=b", "=this"]),
    "defaultValue": json_values,
    "isRepeating": st.booleans(),
    "allowAddRemove": st.booleans(),
    "defaultRepetitions": st.integers(0, 3),
    "label": st.text(max_size=5),
    "id": st.uuids().map(str),
}


PROPERTY_NAMES = [
    "conditional",
    "readonly",
    "disabled",
    "values",
    "valuesKey",
    "valuesExpression",
    "validate",
    "decimalDigits",
    "increment",
    "subtype",
    "timeSerializingFormat",
    "accept",
    "multiple",
    "expression",
    "defaultValue",
    "isRepeating",
    "allowAddRemove",
    "defaultRepetitions",
    "label",
    "id",
]


@st.composite
def component(draw: st.DrawFn, depth: int = 0) -> dict[str, object]:
    kind = draw(st.sampled_from(TYPES))
    # Mostly well-formed components, so that validation gets exercised; some chaos throughout.
    chaos = draw(st.integers(0, 9)) == 0
    made: dict[str, object] = {"type": kind}
    made["key" if kind not in ("group", "dynamiclist") else "path"] = draw(
        json_values if chaos else st.sampled_from(KEYS)
    )
    names = draw(st.lists(st.sampled_from(PROPERTY_NAMES), max_size=5, unique=True))
    for name in names:
        made[name] = draw(json_values if chaos or name not in VALID else VALID[name])
    if kind in ("group", "dynamiclist") and depth < 2:
        made["components"] = draw(st.lists(component(depth + 1), max_size=3))
    return made


schemas = st.fixed_dictionaries(
    {"type": st.just("default"), "components": st.lists(component(), max_size=5)}
)


@FAST
@given(json_values)
def test_random_json_is_a_form_or_a_schema_error(raw):
    for source in (raw, json.dumps(raw)):
        try:
            assert isinstance(parse_form(source), Form)
        except FormSchemaError as problem:
            assert problem.problem


@FAST
@given(st.binary(max_size=40) | st.text(max_size=40))
def test_random_text_is_a_form_or_a_schema_error(text):
    try:
        assert isinstance(parse_form(text), Form)
    except FormSchemaError as problem:
        assert problem.location


@FAST
@given(schemas, json_values, json_values)
def test_random_forms_and_submissions_give_only_field_errors(raw_schema, data, context):
    try:
        form = parse_form(raw_schema)
    except FormSchemaError:
        return
    submission = data if isinstance(data, dict) else {"a": data}
    result = validate_submission(
        form, submission, context=context if isinstance(context, dict) else None
    )
    assert isinstance(result, ValidationResult)
    for error in result.errors:
        assert error.code in MESSAGES
        assert error.message_sv and error.message_en
    assert_no_floats(result.values)


@FAST
@given(schemas, st.dictionaries(st.sampled_from(KEYS + ["opts", "zz"]), json_values, max_size=5))
def test_submissions_shaped_like_the_form(raw_schema, data):
    try:
        form = parse_form(raw_schema)
    except FormSchemaError:
        return
    shaped: dict[str, object] = {}
    for key, value in data.items():
        target = shaped
        *parents, last = key.split(".")
        for parent in parents:
            nested = target.setdefault(parent, {})
            target = nested if isinstance(nested, dict) else {}
        target[last] = value
    # The same shapes as what the form was opened with must not trip the server either.
    validate_submission(form, {}, context=shaped)
    result = validate_submission(form, shaped, context={"opts": ["a", "b"], "a": 2})
    known = top_level_names(form.root)
    assert set(result.values) <= known
    for error in result.errors:
        if error.code == "unknown_field" and len(error.segments) == 1:
            assert error.segments[0] not in known


def top_level_names(container: Component) -> set[str]:
    names: set[str] = set()
    for child in container.components:
        if child.binding:
            names.add(child.binding[0])
        elif child.type in ("group", "dynamiclist"):
            names |= top_level_names(child)
    return names


def assert_no_floats(value: object) -> None:
    assert not isinstance(value, float) or value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        for item in value.values():
            assert_no_floats(item)
    if isinstance(value, list):
        for item in value:
            assert_no_floats(item)
