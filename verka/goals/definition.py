"""The indicator definition language: a small JSON document, validated with errors naming the field.

    {"kind": "duration", "processes": ["buildingPermit"],
     "start": {"instance": "start"}, "end": {"element": "decide", "event": "ELEMENT_COMPLETED"},
     "unit": "days" | "working_days" | "hours", "holidays": true,
     "pauses": ["supplementApplication"],
     "aggregate": "median" | "mean" | "p90" | "share_within" | "fee_reduction",
     "limit": {"weeks": 10}, "extension": {"weeks": 10, "when": "deadlineExtended = true"},
     "fee_variable": "fee", "cohort": "end" | "start", "period": "month" | "quarter" | "year"}

    {"kind": "share", "processes": [...], "condition": "<FEEL over case variables>",
     "at": <event>}                        (or "limit" with "start"/"end" like a duration)

    {"kind": "count", "processes": [...],
     "measure": "started" | "completed" | "open_at_end" | "arrival_rate" | "open_longer_than",
     "limit": {"months": 6}}

    {"kind": "eservice", "processes": [...], "measure": "digital_share" | "abandonment",
     "limit": {"days": 30}}        (cases that came in through an e-service; drafts given up)

An event is {"instance": "start" | "end"} or any of {"element": id, "event": EVENT_TYPE,
"element_type": type} with "occurrence": "first" | "last" (default first).
"""

from __future__ import annotations

from typing import Any

from verka.engine.feel import FeelError, parse_expression

from .models import GoalsError
from .workdays import PERIODS

KINDS = ("duration", "share", "count", "eservice")
UNITS = ("days", "working_days", "hours")
AGGREGATES = ("median", "mean", "p90", "share_within", "fee_reduction")
MEASURES = ("started", "completed", "open_at_end", "arrival_rate", "open_longer_than")
ESERVICE_MEASURES = ("digital_share", "abandonment")
EVENT_TYPES = (
    "ELEMENT_ACTIVATING",
    "ELEMENT_ACTIVATED",
    "ELEMENT_COMPLETING",
    "ELEMENT_COMPLETED",
    "ELEMENT_TERMINATING",
    "ELEMENT_TERMINATED",
    "SEQUENCE_FLOW_TAKEN",
    "VARIABLE_CREATED",
    "VARIABLE_UPDATED",
    "INCIDENT_CREATED",
    "INCIDENT_RESOLVED",
)
LIMIT_UNITS = ("days", "weeks", "months")


class DefinitionError(GoalsError):
    """An indicator definition is invalid; `field` is the JSON path of the problem."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _expect(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise DefinitionError(field, message)


def _choice(data: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    value = data.get(key, default)
    _expect(
        isinstance(value, str) and value in choices,
        key,
        f"expected one of {', '.join(choices)}, got {value!r}",
    )
    return str(value)


def _event(value: Any, field: str) -> dict[str, Any]:
    _expect(isinstance(value, dict), field, 'expected an object such as {"element": "decide"}')
    known = {"instance", "element", "event", "element_type", "occurrence"}
    unknown = sorted(set(value) - known)
    _expect(not unknown, f"{field}.{unknown[0] if unknown else ''}", "unknown key")
    if "instance" in value:
        _expect(
            value["instance"] in ("start", "end"),
            f"{field}.instance",
            f"expected start or end, got {value['instance']!r}",
        )
        _expect(len(value) == 1, field, "an instance event takes no other keys")
        return dict(value)
    _expect(
        any(key in value for key in ("element", "event", "element_type")),
        field,
        "expected instance, element, event or element_type",
    )
    for key in ("element", "element_type"):
        if key in value:
            _expect(
                isinstance(value[key], str) and value[key] != "",
                f"{field}.{key}",
                "expected a non-empty text",
            )
    if "event" in value:
        _expect(
            value["event"] in EVENT_TYPES,
            f"{field}.event",
            f"expected one of {', '.join(EVENT_TYPES)}, got {value['event']!r}",
        )
    if "occurrence" in value:
        _expect(
            value["occurrence"] in ("first", "last"),
            f"{field}.occurrence",
            f"expected first or last, got {value['occurrence']!r}",
        )
    result = dict(value)
    result.setdefault("event", "ELEMENT_COMPLETED")
    result.setdefault("occurrence", "first")
    return result


def _feel(value: Any, field: str) -> str:
    _expect(isinstance(value, str) and value.strip() != "", field, "expected a FEEL expression")
    text = value[1:] if value.startswith("=") else value
    try:
        parse_expression(text)
    except FeelError as error:
        raise DefinitionError(field, f"invalid FEEL: {error}") from error
    return text


def _limit(value: Any, field: str, unit: str) -> dict[str, Any]:
    _expect(isinstance(value, dict), field, 'expected an object such as {"weeks": 10}')
    amounts = [key for key in value if key in LIMIT_UNITS]
    extra = sorted(set(value) - set(LIMIT_UNITS) - {"when"})
    _expect(not extra, f"{field}.{extra[0] if extra else ''}", "unknown key")
    _expect(len(amounts) == 1, field, "expected exactly one of days, weeks, months")
    amount = value[amounts[0]]
    _expect(
        isinstance(amount, int | float) and not isinstance(amount, bool) and amount >= 0,
        f"{field}.{amounts[0]}",
        "expected a number of at least 0",
    )
    _expect(
        not (amounts[0] == "months" and unit != "days"),
        f"{field}.months",
        "months can only be used with unit days (calendar months)",
    )
    result: dict[str, Any] = {amounts[0]: amount}
    return result


def validate(data: Any) -> dict[str, Any]:
    """Check a definition and return it with its defaults filled in; DefinitionError if invalid."""
    _expect(isinstance(data, dict), "(definition)", "expected a JSON object")
    kind = _choice(data, "kind", KINDS, "")
    processes = data.get("processes")
    _expect(
        isinstance(processes, list)
        and processes != []
        and all(isinstance(p, str) and p for p in processes),
        "processes",
        "expected a non-empty list of BPMN process ids",
    )
    result: dict[str, Any] = {"kind": kind, "processes": list(processes)}
    if "versions" in data:
        versions = data["versions"]
        _expect(
            isinstance(versions, list)
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in versions),
            "versions",
            "expected a list of process version numbers",
        )
        result["versions"] = list(versions)
    result["period"] = _choice(data, "period", PERIODS, "month")
    if kind == "duration" or (kind == "share" and "limit" in data):
        result.update(_duration(data, kind))
    elif kind == "share":
        _expect("condition" in data, "condition", "a share needs a condition or a limit")
        result["condition"] = _feel(data["condition"], "condition")
        result["at"] = _event(data.get("at", {"instance": "end"}), "at")
    elif kind == "eservice":
        result["measure"] = _choice(data, "measure", ESERVICE_MEASURES, "")
        if result["measure"] == "abandonment":
            result["limit"] = _limit(data.get("limit", {"days": 30}), "limit", "days")
    else:
        result["measure"] = _choice(data, "measure", MEASURES, "")
        if result["measure"] == "open_longer_than":
            _expect("limit" in data, "limit", "open_longer_than needs a limit")
            result["limit"] = _limit(data["limit"], "limit", "days")
    known = {
        "kind", "processes", "versions", "period", "start", "end", "unit", "holidays", "pauses",
        "aggregate", "limit", "extension", "fee_variable", "cohort", "condition", "at", "measure",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    _expect(not unknown, unknown[0] if unknown else "", "unknown key")
    return result


def _duration(data: dict[str, Any], kind: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "start": _event(data.get("start", {"instance": "start"}), "start"),
    }
    _expect("end" in data, "end", "a duration needs an end event")
    result["end"] = _event(data["end"], "end")
    unit = result["unit"] = _choice(data, "unit", UNITS, "days")
    holidays = data.get("holidays", True)
    _expect(isinstance(holidays, bool), "holidays", "expected true or false")
    result["holidays"] = holidays
    pauses = data.get("pauses", [])
    _expect(
        isinstance(pauses, list) and all(isinstance(p, str) and p for p in pauses),
        "pauses",
        "expected a list of element ids",
    )
    result["pauses"] = list(pauses)
    default = "share_within" if kind == "share" else "median"
    aggregate = result["aggregate"] = _choice(data, "aggregate", AGGREGATES, default)
    _expect(
        kind != "share" or aggregate == "share_within",
        "aggregate",
        "a share with a limit counts cases within it (share_within)",
    )
    result["cohort"] = _choice(data, "cohort", ("end", "start"), "end")
    if aggregate in ("share_within", "fee_reduction"):
        _expect("limit" in data, "limit", f"{aggregate} needs a limit")
    if "limit" in data:
        result["limit"] = _limit(data["limit"], "limit", unit)
    if "extension" in data:
        _expect("limit" in data, "extension", "an extension needs a limit")
        extension = data["extension"]
        result["extension"] = _limit(extension, "extension", unit)
        _expect("when" in extension, "extension.when", "expected a FEEL condition")
        result["extension"]["when"] = _feel(extension["when"], "extension.when")
    if aggregate == "fee_reduction":
        fee = data.get("fee_variable")
        _expect(isinstance(fee, str) and fee != "", "fee_variable", "expected a variable name")
        _expect(
            "months" not in result["limit"], "limit.months", "a fee reduction counts weeks or days"
        )
        result["fee_variable"] = fee
    return result


def unit_label(definition: dict[str, Any]) -> str:
    """The unit the computed value is in, for a new indicator built from a definition."""
    kind = definition["kind"]
    if kind == "count":
        return "ärenden/vecka" if definition["measure"] == "arrival_rate" else "ärenden"
    if kind == "eservice":
        return "%"
    if kind == "share" or definition.get("aggregate") == "share_within":
        return "%"
    if definition.get("aggregate") == "fee_reduction":
        return "kr"
    return {"days": "dagar", "working_days": "arbetsdagar", "hours": "timmar"}[definition["unit"]]
