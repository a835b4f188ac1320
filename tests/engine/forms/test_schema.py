"""parse_form: what a form-js schema becomes, and the errors a broken schema gets."""

import json
from decimal import Decimal

import pytest

from verka.engine.forms import Form, FormSchemaError, parse_form


def schema(*components: dict[str, object], **extra: object) -> dict[str, object]:
    return {"type": "default", "id": "Form_1", "components": list(components), **extra}


APPLICATION = schema(
    {
        "type": "group",
        "id": "applicant",
        "label": "Sökande",
        "path": "applicant",
        "components": [
            {"type": "textfield", "id": "name", "key": "name", "label": "Namn"},
            {"type": "textfield", "id": "email", "key": "contact.email", "label": "E-post"},
        ],
    },
    {"type": "text", "text": "# Barn"},
    {
        "type": "group",
        "id": "children_step",
        "label": "Barn",
        "components": [
            {
                "type": "dynamiclist",
                "id": "children",
                "path": "children",
                "components": [
                    {
                        "type": "textfield",
                        "id": "child_name",
                        "key": "name",
                        "label": "Barnets namn",
                    },
                    {"type": "filepicker", "id": "photo", "key": "photo", "accept": ".jpg,.png"},
                ],
            }
        ],
    },
    {"type": "checkbox", "id": "consent", "key": "consent", "label": "Jag godkänner"},
)


def test_parse_accepts_json_text_bytes_and_mappings():
    text = json.dumps(APPLICATION)
    for source in (text, text.encode(), APPLICATION):
        form = parse_form(source)
        assert isinstance(form, Form)
        assert form.id == "Form_1"
        assert [f.path for f in form.fields] == [
            "applicant.name",
            "applicant.contact.email",
            "children[].name",
            "children[].photo",
            "consent",
        ]


def test_fields_carry_type_label_and_whether_they_repeat():
    form = parse_form(APPLICATION)
    summary = [(f.path, f.type, f.label, f.repeated) for f in form.fields]
    assert summary == [
        ("applicant.name", "textfield", "Namn", False),
        ("applicant.contact.email", "textfield", "E-post", False),
        ("children[].name", "textfield", "Barnets namn", True),
        ("children[].photo", "filepicker", None, True),
        ("consent", "checkbox", "Jag godkänner", False),
    ]
    assert form.field("children[].name").id == "child_name"
    assert form.field("consent").segments == ("consent",)
    assert form.field("children[].photo").segments == ("children", "[]", "photo")


def test_top_level_groups_are_steps_and_loose_fields_form_their_own():
    form = parse_form(APPLICATION)
    assert [(s.index, s.id, s.label) for s in form.steps] == [
        (0, "applicant", "Sökande"),
        (1, "children_step", "Barn"),
        (2, None, None),
    ]
    assert [f.path for f in form.steps[1].fields] == ["children[].name", "children[].photo"]
    assert form.steps[2].field_ids == frozenset({"consent"})


def test_a_form_without_groups_is_one_step():
    form = parse_form(schema({"type": "textfield", "key": "a"}, {"type": "number", "key": "b"}))
    assert len(form.steps) == 1
    assert [f.key for f in form.steps[0].fields] == ["a", "b"]


def test_a_group_marked_as_no_step_stays_with_the_fields_around_it():
    coordinates = {
        "type": "group",
        "id": "coordinates",
        "label": "Koordinater",
        "path": "position",
        "properties": {"verka:step": "false"},
        "components": [{"type": "number", "key": "lat"}, {"type": "number", "key": "lon"}],
    }
    contact = {
        "type": "group",
        "id": "contact",
        "label": "Kontakt",
        "properties": {"verka:step": "true"},
        "components": [{"type": "textfield", "key": "email"}],
    }
    form = parse_form(
        schema(
            {"type": "textfield", "key": "place"},
            coordinates,
            {"type": "textarea", "key": "what"},
            contact,
        )
    )
    assert [(s.id, [f.path for f in s.fields]) for s in form.steps] == [
        (None, ["place", "position.lat", "position.lon", "what"]),
        ("contact", ["email"]),
    ]


def test_file_pickers_are_listed_with_accept_and_multiple():
    form = parse_form(
        schema(
            {"type": "filepicker", "key": "cv", "accept": ".pdf", "validate": {"required": True}},
            {"type": "filepicker", "key": "photos", "accept": "image/*", "multiple": True},
        )
    )
    pickers = [(p.path, p.accept, p.multiple, p.required) for p in form.file_pickers]
    assert pickers == [("cv", ".pdf", False, True), ("photos", "image/*", True, False)]


def test_defaults_follow_the_viewer():
    form = parse_form(
        schema(
            {"type": "select", "key": "s"},
            {"type": "dynamiclist", "path": "rows", "components": []},
            {"type": "datetime", "key": "d"},
            {"type": "number", "key": "n", "increment": "0.5", "validate": {"min": 1.5}},
        )
    )
    select, rows, when, number = form.components
    assert select.options is not None and [o.value for o in select.options.static or ()] == [
        "value"
    ]
    assert (rows.is_repeating, rows.allow_add_remove, rows.default_repetitions) == (True, True, 1)
    assert when.subtype == "date"
    assert number.increment == Decimal("0.5")
    assert number.validate.min == Decimal("1.5")


def test_options_keep_the_viewers_precedence_and_drop_unusable_entries():
    form = parse_form(
        schema(
            {"type": "radio", "key": "a", "valuesKey": "choices", "values": [{"value": "x"}]},
            {
                "type": "radio",
                "key": "b",
                "values": ["x", 3, "", None, {"label": "L"}, {"value": 0}],
            },
            {"type": "radio", "key": "c", "valuesExpression": "=[1, 2]"},
        )
    )
    a, b, c = form.components
    assert a.options is not None and a.options.input_key == "choices"
    assert b.options is not None and [o.value for o in b.options.static or ()] == ["x", 3, 0]
    assert c.options is not None and c.options.expression == "=[1, 2]"


def test_form_is_immutable():
    form = parse_form(APPLICATION)
    with pytest.raises(AttributeError):
        form.id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        form.components[0].key = "x"  # type: ignore[misc]


BROKEN = [
    ("not json", "{", "line 1, column 2", "not valid JSON"),
    ("not an object", "[1, 2]", "schema", "expected a JSON object"),
    ("wrong root type", {"type": "group", "components": []}, "schema", "expected type 'default'"),
    (
        "components not a list",
        {"type": "default", "components": {}},
        "schema",
        "'components' to be a list",
    ),
    (
        "component not an object",
        schema("textfield"),
        "components[0]",
        "expected a component object",
    ),
    ("missing type", schema({"key": "a"}), "components[0] (key 'a')", "expected a string 'type'"),
    (
        "unknown type",
        schema({"type": "slider", "id": "s1", "key": "a"}),
        "components[0] (id 's1')",
        "unknown component type 'slider'",
    ),
    (
        "missing key",
        schema({"type": "textfield", "id": "t1"}),
        "components[0] (id 't1')",
        "a textfield needs a 'key'",
    ),
    (
        "empty key part",
        schema({"type": "number", "key": "a..b"}),
        "components[0] (key 'a..b')",
        "expected 'key' to be a name",
    ),
    (
        "dynamic list without path",
        schema({"type": "dynamiclist", "components": []}),
        "components[0]",
        "a dynamiclist needs a 'path'",
    ),
    (
        "duplicate key",
        schema({"type": "textfield", "key": "a"}, {"type": "number", "key": "a"}),
        "components[1] (key 'a')",
        "data path 'a' is already used",
    ),
    (
        "key below a value",
        schema({"type": "textfield", "key": "a"}, {"type": "textfield", "key": "a.b"}),
        "components[1] (key 'a.b')",
        "runs through a value field",
    ),
    (
        "group path on a value",
        schema({"type": "textfield", "key": "a"}, {"type": "group", "path": "a", "components": []}),
        "components[1]",
        "already used",
    ),
    (
        "key into someone else's list",
        schema(
            {"type": "dynamiclist", "path": "rows", "components": []},
            {"type": "textfield", "key": "rows.x"},
        ),
        "components[1] (key 'rows.x')",
        "already used by a dynamic list",
    ),
    (
        "duplicate id",
        schema({"type": "text", "id": "x"}, {"type": "text", "id": "x"}),
        "components[1] (id 'x')",
        "duplicate id; components[0] has the same id",
    ),
    (
        "nested position",
        schema({"type": "group", "components": [{"type": "text"}, {"type": "number"}]}),
        "components[0].components[1]",
        "a number needs a 'key'",
    ),
    (
        "bad regex",
        schema({"type": "textfield", "key": "a", "validate": {"pattern": "[a-"}}),
        "components[0] (key 'a')",
        "is not a valid regular expression",
    ),
    (
        "bad regex group",
        schema({"type": "textfield", "key": "a", "validate": {"pattern": "(ab"}}),
        "components[0] (key 'a')",
        "'validate.pattern' '(ab'",
    ),
    (
        "bad FEEL in hide",
        schema({"type": "textfield", "key": "a", "conditional": {"hide": "=a >"}}),
        "components[0] (key 'a')",
        "'conditional.hide': invalid FEEL",
    ),
    (
        "hide without =",
        schema({"type": "textfield", "key": "a", "conditional": {"hide": "a > 1"}}),
        "components[0] (key 'a')",
        "starting with '='",
    ),
    (
        "empty FEEL",
        schema({"type": "textfield", "key": "a", "conditional": {"hide": "="}}),
        "components[0] (key 'a')",
        "after '=' is empty",
    ),
    (
        "bad FEEL in readonly",
        schema({"type": "textfield", "key": "a", "readonly": "=(("}),
        "components[0] (key 'a')",
        "'readonly': invalid FEEL",
    ),
    (
        "bad FEEL in min",
        schema({"type": "number", "key": "a", "validate": {"min": "=1 +"}}),
        "components[0] (key 'a')",
        "'validate.min': invalid FEEL",
    ),
    (
        "bad FEEL in options",
        schema({"type": "select", "key": "a", "valuesExpression": "=[1,"}),
        "components[0] (key 'a')",
        "'valuesExpression': invalid FEEL",
    ),
    (
        "bad FEEL in expression",
        schema({"type": "expression", "key": "a", "expression": "=if"}),
        "components[0] (key 'a')",
        "'expression': invalid FEEL",
    ),
    (
        "min not a number",
        schema({"type": "number", "key": "a", "validate": {"min": "ten"}}),
        "components[0] (key 'a')",
        "'validate.min' to be a number or FEEL",
    ),
    (
        "negative maxLength",
        schema({"type": "textfield", "key": "a", "validate": {"maxLength": -1}}),
        "components[0] (key 'a')",
        "'validate.maxLength' to be a whole number",
    ),
    (
        "required not boolean",
        schema({"type": "textfield", "key": "a", "validate": {"required": "yes"}}),
        "components[0] (key 'a')",
        "'validate.required' to be true or false",
    ),
    (
        "unknown validation type",
        schema({"type": "textfield", "key": "a", "validate": {"validationType": "zip"}}),
        "components[0] (key 'a')",
        "email, phone or custom",
    ),
    (
        "zero increment",
        schema({"type": "number", "key": "a", "increment": 0}),
        "components[0] (key 'a')",
        "'increment' to be a number above 0",
    ),
    (
        "fractional decimalDigits",
        schema({"type": "number", "key": "a", "decimalDigits": 1.5}),
        "components[0] (key 'a')",
        "'decimalDigits' to be a whole number",
    ),
    (
        "bad subtype",
        schema({"type": "datetime", "key": "a", "subtype": "week"}),
        "components[0] (key 'a')",
        "'subtype' to be one of date, time, datetime",
    ),
    (
        "values not a list",
        schema({"type": "select", "key": "a", "values": "a,b"}),
        "components[0] (key 'a')",
        "'values' to be a list",
    ),
    (
        "disabled not boolean",
        schema({"type": "textfield", "key": "a", "disabled": "=true"}),
        "components[0] (key 'a')",
        "'disabled' to be true or false",
    ),
    (
        "conditional not an object",
        schema({"type": "textfield", "key": "a", "conditional": "=true"}),
        "components[0] (key 'a')",
        "'conditional' to be an object",
    ),
]


@pytest.mark.parametrize(
    ("source", "location", "problem"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_schemas_name_the_component_and_the_problem(source, location, problem):
    with pytest.raises(FormSchemaError) as caught:
        parse_form(source)
    assert caught.value.location == location
    assert problem in caught.value.problem
    assert str(caught.value).startswith(location)


def test_feel_syntax_errors_carry_the_feel_position():
    with pytest.raises(FormSchemaError) as caught:
        parse_form(schema({"type": "textfield", "key": "a", "conditional": {"hide": "=a >"}}))
    assert "line 1, column 4" in caught.value.problem


def test_two_groups_may_share_a_path():
    form = parse_form(
        schema(
            {
                "type": "group",
                "path": "address",
                "components": [{"type": "textfield", "key": "street"}],
            },
            {
                "type": "group",
                "path": "address",
                "components": [{"type": "textfield", "key": "city"}],
            },
        )
    )
    assert [f.path for f in form.fields] == ["address.street", "address.city"]


def test_components_without_id_get_a_stable_one():
    form = parse_form(schema({"type": "textfield", "key": "a"}))
    assert form.fields[0].id == "Field_components[0]"
    assert parse_form(schema({"type": "textfield", "key": "a"})).fields[0].id == form.fields[0].id


DISPLAY = [
    {"type": "text", "text": "# Rubrik"},
    {"type": "html", "content": "<p>Hej</p>"},
    {"type": "image", "source": "https://example.se/a.png", "alt": "A"},
    {"type": "spacer", "height": 60},
    {"type": "separator"},
    {"type": "button", "action": "reset", "label": "Rensa"},
    {"type": "iframe", "url": "https://example.se", "security": {"allowScripts": True}},
    {"type": "table", "dataSource": "=rows", "columns": [{"label": "Namn", "key": "name"}]},
    {"type": "documentPreview", "dataSource": "=documents", "maxHeight": 400},
]


@pytest.mark.parametrize("component", DISPLAY, ids=[c["type"] for c in DISPLAY])
def test_display_components_hold_no_values(component):
    form = parse_form(schema(component, {"type": "textfield", "key": "a"}))
    assert [f.path for f in form.fields] == ["a"]
    assert form.components[0].type == component["type"]
    assert not form.components[0].keyed


def test_absurd_nesting_is_a_schema_error_not_a_crash():
    deep: dict[str, object] = {"type": "textfield", "key": "a"}
    for _ in range(60):
        deep = {"type": "group", "components": [deep]}
    with pytest.raises(FormSchemaError, match="nested more than 40 deep"):
        parse_form(schema(deep))
    nested: object = 1
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(FormSchemaError, match="'defaultValue' is nested too deeply"):
        parse_form(schema({"type": "textfield", "key": "a", "defaultValue": nested}))
    with pytest.raises(FormSchemaError, match="not valid JSON"):
        parse_form("[" * 100_000)
    with pytest.raises(FormSchemaError, match="not a valid regular expression"):
        parse_form(
            schema(
                {"type": "textfield", "key": "a", "validate": {"pattern": "(" * 5000 + ")" * 5000}}
            )
        )


def test_schema_data_inside_the_form_is_read_only():
    form = parse_form(
        schema({"type": "checklist", "key": "a", "values": ["x", "y"], "defaultValue": ["x"]})
    )
    (checklist,) = form.components
    assert checklist.default_value == ("x",)
    with pytest.raises(TypeError):
        checklist.properties["key"] = "b"  # type: ignore[index]
    assert checklist.properties["values"] == ("x", "y")
