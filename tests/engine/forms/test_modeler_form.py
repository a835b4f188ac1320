"""A form as Camunda Modeler saves it, end to end: parse, list, validate, report to the viewer."""

import json
from decimal import Decimal

from verka.engine.forms import parse_form, validate_submission

PRESCHOOL = json.dumps(
    {
        "components": [
            {
                "label": "Vårdnadshavare",
                "type": "group",
                "layout": {"row": "Row_0x1", "columns": None},
                "id": "Group_guardian",
                "path": "guardian",
                "showOutline": True,
                "components": [
                    {
                        "label": "Namn",
                        "type": "textfield",
                        "layout": {"row": "Row_0x2", "columns": 8},
                        "id": "Field_name",
                        "key": "name",
                        "validate": {"required": True, "maxLength": 80},
                    },
                    {
                        "label": "E-post",
                        "type": "textfield",
                        "layout": {"row": "Row_0x2", "columns": None},
                        "id": "Field_email",
                        "key": "email",
                        "validate": {"validationType": "email", "required": True},
                    },
                ],
            },
            {
                "label": "Barn",
                "type": "dynamiclist",
                "layout": {"row": "Row_0x3", "columns": None},
                "id": "List_children",
                "path": "children",
                "isRepeating": True,
                "allowAddRemove": True,
                "defaultRepetitions": 1,
                "showOutline": True,
                "nonCollapsedItems": 5,
                "components": [
                    {
                        "label": "Barnets namn",
                        "type": "textfield",
                        "id": "Field_child_name",
                        "key": "name",
                        "validate": {"required": True},
                    },
                    {
                        "label": "Önskat startdatum",
                        "type": "datetime",
                        "id": "Field_start",
                        "key": "start",
                        "subtype": "date",
                        "dateLabel": "Startdatum",
                        "disallowPassedDates": True,
                    },
                    {
                        "label": "Behov av särskilt stöd",
                        "type": "checkbox",
                        "id": "Field_support",
                        "key": "support",
                    },
                    {
                        "label": "Beskriv behovet",
                        "type": "textarea",
                        "id": "Field_support_text",
                        "key": "supportText",
                        "conditional": {"hide": "=not(this.support)"},
                        "validate": {"required": True},
                    },
                ],
            },
            {
                "label": "Förskola",
                "type": "select",
                "id": "Field_school",
                "key": "school",
                "valuesKey": "schools",
                "searchable": True,
                "validate": {"required": True},
            },
            {"label": "Skicka", "type": "button", "id": "Field_submit", "action": "submit"},
        ],
        "type": "default",
        "id": "preschool-application",
        "executionPlatform": "Camunda Cloud",
        "executionPlatformVersion": "8.6.0",
        "exporter": {"name": "Camunda Modeler", "version": "5.30.0"},
        "schemaVersion": 17,
    },
    indent=2,
)
CONTEXT = {"schools": [{"label": "Solrosen", "value": "F12"}, {"label": "Eken", "value": "F31"}]}


def test_modeler_form_lists_fields_and_steps():
    form = parse_form(PRESCHOOL)
    assert (form.id, form.schema_version) == ("preschool-application", 17)
    assert [f.path for f in form.fields] == [
        "guardian.name",
        "guardian.email",
        "children[].name",
        "children[].start",
        "children[].support",
        "children[].supportText",
        "school",
    ]
    assert [s.label for s in form.steps] == ["Vårdnadshavare", None]


def test_modeler_form_accepts_a_good_application():
    from datetime import date

    data = {
        "guardian": {"name": "Eva Ek", "email": "eva@example.se"},
        "children": [
            {"name": "Ada", "start": "2026-08-15", "support": False},
            {"name": "Bo", "start": "2026-08-15", "support": True, "supportText": "Allergi"},
        ],
        "school": "F31",
    }
    result = validate_submission(
        parse_form(PRESCHOOL), data, context=CONTEXT, today=date(2026, 3, 1)
    )
    assert result.errors == []
    assert result.values["children"][1] == {
        "name": "Bo",
        "start": "2026-08-15",
        "support": True,
        "supportText": "Allergi",
    }
    assert result.values["children"][0] == {"name": "Ada", "start": "2026-08-15", "support": False}


def test_modeler_form_reports_errors_the_way_the_viewer_keeps_them():
    data = {
        "guardian": {"name": "Eva Ek", "email": "eva(at)example.se"},
        "children": [{"name": "Ada", "support": True}, {"name": ""}],
        "school": "F99",
        "price": Decimal(0),
    }
    result = validate_submission(parse_form(PRESCHOOL), data, context=CONTEXT)
    assert [(e.path, e.code) for e in result.errors] == [
        ("price", "unknown_field"),
        ("guardian.email", "email"),
        ("children[0].supportText", "required"),
        ("children[1].name", "required"),
        ("school", "invalid_option"),
    ]
    assert result.viewer_errors("en") == {
        "Field_email": ["Enter a valid e-mail address."],
        "Field_support_text": {"0": ["This field is required."]},
        "Field_child_name": {"1": ["This field is required."]},
        "Field_school": ["Choose one of the options offered."],
    }
