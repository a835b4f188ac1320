"""Ready indicator templates for Swedish legal clocks (DOMAIN.md): the law gives the limit, the
organisation's process gives the element ids. Applying one creates an ordinary indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Template:
    slug: str
    name_sv: str
    name_en: str
    law: Any
    direction: str
    unit: str
    # Parameter name → default value; the definition is built from them by `build`.
    parameters: dict[str, str] = field(default_factory=dict)

    def build(self, values: dict[str, str]) -> dict[str, Any]:
        p = {**self.parameters, **{k: v for k, v in values.items() if v}}
        return BUILDERS[self.slug](p)


def _preschool_offer(p: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "duration",
        "processes": [p["process"]],
        "start": {"instance": "start"},
        "end": {"element": p["offer_element"], "event": "ELEMENT_COMPLETED"},
        "unit": "days",
        "aggregate": "share_within",
        "limit": {"months": 4},
    }


def _preschool_desired_date(p: dict[str, str]) -> dict[str, Any]:
    offered, desired = p["offered_variable"], p["desired_variable"]
    return {
        "kind": "share",
        "processes": [p["process"]],
        "condition": (
            f"{offered} != null and {desired} != null and date({offered}) <= date({desired})"
        ),
        "at": {"element": p["placed_element"], "event": "ELEMENT_COMPLETED"},
    }


def _permit_clock(p: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "duration",
        "processes": [p["process"]],
        "start": {"instance": "start"},
        "end": {"element": p["decision_element"], "event": "ELEMENT_COMPLETED"},
        "unit": "days",
        "pauses": [p["completion_element"]],
        "limit": {"weeks": 10},
        "extension": {"weeks": 10, "when": f"{p['extension_variable']} = true"},
    }


def _permit_in_time(p: dict[str, str]) -> dict[str, Any]:
    return {**_permit_clock(p), "aggregate": "share_within"}


def _permit_fee_reduction(p: dict[str, str]) -> dict[str, Any]:
    return {**_permit_clock(p), "aggregate": "fee_reduction", "fee_variable": p["fee_variable"]}


def _open_six_months(p: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "count",
        "processes": [p["process"]],
        "measure": "open_longer_than",
        "limit": {"months": 6},
    }


BUILDERS = {
    "preschool-offer-4-months": _preschool_offer,
    "preschool-desired-date": _preschool_desired_date,
    "building-permit-10-weeks": _permit_in_time,
    "building-permit-fee-reduction": _permit_fee_reduction,
    "open-over-6-months": _open_six_months,
}

PRESCHOOL = {"process": "preschoolPlacement"}
PERMIT = {
    "process": "buildingPermit",
    "decision_element": "decide",
    "completion_element": "supplementApplication",
    "extension_variable": "deadlineExtended",
}

TEMPLATES = [
    Template(
        "preschool-offer-4-months",
        "Andel som erbjudits förskoleplats inom fyra månader",
        "Share offered a preschool place within four months",
        _("Skollagen 8 kap. 14 §: plats ska erbjudas inom fyra månader från ansökan."),
        "higher",
        "%",
        {**PRESCHOOL, "offer_element": "offerPlace"},
    ),
    Template(
        "preschool-desired-date",
        "Andel placerade på önskat datum",
        "Share placed on the desired date",
        _("Kolada U11401: andel barn som fått plats på önskat placeringsdatum."),
        "higher",
        "%",
        {
            **PRESCHOOL,
            "placed_element": "childPlaced",
            "offered_variable": "offeredStartDate",
            "desired_variable": "desiredStartDate",
        },
    ),
    Template(
        "building-permit-10-weeks",
        "Andel bygglov beslutade inom tidsfristen",
        "Share of building permits decided in time",
        _(
            "PBL 9 kap. 27 §: beslut inom tio veckor från komplett ansökan, en förlängning "
            "med tio veckor; kompletteringstid räknas inte."
        ),
        "higher",
        "%",
        dict(PERMIT),
    ),
    Template(
        "building-permit-fee-reduction",
        "Avgiftsreduktion för sena bygglovsbeslut",
        "Fee reductions for late building-permit decisions",
        _("PBL 12 kap. 8 a §: avgiften sänks med en femtedel per påbörjad vecka över fristen."),
        "lower",
        "kr",
        {**PERMIT, "fee_variable": "baseFee"},
    ),
    Template(
        "open-over-6-months",
        "Öppna ärenden äldre än sex månader",
        "Open cases older than six months",
        _("Förvaltningslagen 12 §: efter sex månader får sökanden begära att ärendet avgörs."),
        "lower",
        "ärenden",
        {"process": "buildingPermit"},
    ),
]

BY_SLUG = {t.slug: t for t in TEMPLATES}
