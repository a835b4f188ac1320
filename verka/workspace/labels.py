"""Words for what the workspace shows: audit and history entries, task states, element kinds."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import services as s

CHANGE_LABELS = {
    s.CLAIMED: _("tog uppgiften"),
    s.UNCLAIMED: _("släppte uppgiften"),
    s.ASSIGNED: _("tilldelade uppgiften till"),
    s.DRAFT_SAVED: _("sparade ett utkast av"),
    s.COMPLETED: _("slutförde"),
    s.COMPLETION_REQUESTED: _("begärde komplettering"),
    s.MESSAGE_SENT: _("skickade ett meddelande till sökanden"),
    s.INSTANCE_CANCELED: _("avbröt ärendets process"),
    s.INCIDENT_RESOLVED: _("löste en incident"),
    s.VARIABLE_CHANGED: _("ändrade en variabel"),
    s.READ_CASE: _("läste ärendet"),
    s.READ_TASK: _("öppnade uppgiften"),
    s.READ_DOCUMENT: _("öppnade en fil"),
    s.READ_VARIABLE: _("läste en variabel"),
}

STEP_LABELS = {
    "ELEMENT_ACTIVATED": _("startade"),
    "ELEMENT_COMPLETED": _("klar"),
    "ELEMENT_TERMINATED": _("avbruten"),
    "INCIDENT_CREATED": _("incident"),
    "INCIDENT_RESOLVED": _("incident löst"),
}

STEP_STATES = {
    "active": _("pågår"),
    "completed": _("klar"),
    "terminated": _("avbruten"),
}

MESSAGE_LABELS = {
    "from_applicant": _("Meddelande från sökanden"),
    "from_staff": _("Meddelande till sökanden"),
}

SORT_LABELS = {
    "due": _("Förfallodag, tidigast först"),
    "-due": _("Förfallodag, senast först"),
    "created": _("Skapad, äldst först"),
    "-created": _("Skapad, nyast först"),
    "priority": _("Prioritet, högst först"),
}

STATE_LABELS = {
    "open": _("Alla öppna i mina grupper"),
    "mine": _("Tilldelade mig"),
    "unassigned": _("Ej tilldelade"),
}


def change_label(code: str) -> str:
    return str(CHANGE_LABELS.get(code, code))
