"""Indicator definitions: clear errors naming the field; edits make new versions."""

from __future__ import annotations

import pytest

from verka.goals import services
from verka.goals.definition import DefinitionError, validate

BASE = {"kind": "duration", "processes": ["p"], "end": {"element": "decide"}}


@pytest.mark.parametrize(
    ("definition", "field", "message"),
    [
        ([], "(definition)", "expected a JSON object"),
        ({"processes": ["p"]}, "kind", "expected one of duration, share, count, eservice, got ''"),
        ({"kind": "duration", "end": {"element": "x"}}, "processes",
         "expected a non-empty list of BPMN process ids"),
        ({"kind": "duration", "processes": []}, "processes",
         "expected a non-empty list of BPMN process ids"),
        ({"kind": "duration", "processes": ["p"]}, "end", "a duration needs an end event"),
        ({**BASE, "unit": "weeks"}, "unit",
         "expected one of days, working_days, hours, got 'weeks'"),
        ({**BASE, "end": {"element": "d", "event": "DONE"}}, "end.event",
         "expected one of ELEMENT_ACTIVATING, ELEMENT_ACTIVATED, ELEMENT_COMPLETING, "
         "ELEMENT_COMPLETED, ELEMENT_TERMINATING, ELEMENT_TERMINATED, SEQUENCE_FLOW_TAKEN, "
         "VARIABLE_CREATED, VARIABLE_UPDATED, INCIDENT_CREATED, INCIDENT_RESOLVED, got 'DONE'"),
        ({**BASE, "start": {"instance": "middle"}}, "start.instance",
         "expected start or end, got 'middle'"),
        ({**BASE, "start": {"elemnt": "x"}}, "start.elemnt", "unknown key"),
        ({**BASE, "aggregate": "share_within"}, "limit", "share_within needs a limit"),
        ({**BASE, "aggregate": "share_within", "limit": {"weeks": -1}}, "limit.weeks",
         "expected a number of at least 0"),
        ({**BASE, "aggregate": "share_within", "limit": {"weeks": 1, "days": 2}}, "limit",
         "expected exactly one of days, weeks, months"),
        ({**BASE, "unit": "working_days", "limit": {"months": 4}}, "limit.months",
         "months can only be used with unit days (calendar months)"),
        ({**BASE, "limit": {"weeks": 10}, "extension": {"weeks": 10}}, "extension.when",
         "expected a FEEL condition"),
        ({**BASE, "aggregate": "fee_reduction", "limit": {"weeks": 10}}, "fee_variable",
         "expected a variable name"),
        ({**BASE, "pauses": "supplement"}, "pauses", "expected a list of element ids"),
        ({**BASE, "period": "week"}, "period", "expected one of month, quarter, year, got 'week'"),
        ({**BASE, "colour": "red"}, "colour", "unknown key"),
        ({"kind": "share", "processes": ["p"]}, "condition", "a share needs a condition or a limit"),
        ({"kind": "count", "processes": ["p"], "measure": "sum"}, "measure",
         "expected one of started, completed, open_at_end, arrival_rate, open_longer_than, "
         "got 'sum'"),
        ({"kind": "count", "processes": ["p"], "measure": "open_longer_than"}, "limit",
         "open_longer_than needs a limit"),
    ],
)  # fmt: skip
def test_invalid_definitions_name_the_field(definition, field, message):
    with pytest.raises(DefinitionError) as raised:
        validate(definition)
    assert (raised.value.field, raised.value.message) == (field, message)
    assert str(raised.value) == f"{field}: {message}"


def test_a_bad_feel_condition_names_the_field_and_the_position():
    with pytest.raises(DefinitionError) as raised:
        validate({"kind": "share", "processes": ["p"], "condition": "(decision = 1"})
    assert raised.value.field == "condition"
    assert raised.value.message.startswith("invalid FEEL: unexpected end of input at line 1")
    assert "expected ')'" in raised.value.message


def test_defaults_are_filled_in():
    assert validate(BASE) == {
        "kind": "duration", "processes": ["p"], "period": "month",
        "start": {"instance": "start"},
        "end": {"element": "decide", "event": "ELEMENT_COMPLETED", "occurrence": "first"},
        "unit": "days", "holidays": True, "pauses": [], "aggregate": "median", "cohort": "end",
    }  # fmt: skip


@pytest.mark.django_db
def test_editing_a_definition_makes_a_new_version_and_keeps_the_old():
    indicator = services.create_indicator("Ledtid", BASE)
    assert not services.set_definition(indicator, BASE)  # unchanged: no new version
    assert services.set_definition(indicator, {**BASE, "aggregate": "p90"})
    versions = list(indicator.versions.values_list("number", "definition__aggregate"))
    assert versions == [(1, "median"), (2, "p90")]
    assert indicator.version == 2
    with pytest.raises(DefinitionError):
        services.set_definition(indicator, {**BASE, "unit": "weeks"})
    indicator.refresh_from_db()
    assert (indicator.version, indicator.definition["aggregate"]) == (2, "p90")
