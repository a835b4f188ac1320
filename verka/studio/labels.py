"""Words for what the Studio shows: check rule titles, file kinds and the project log."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services as s

# One title per rule of verka.engine.checks.RULES (tests/studio check that none is missing).
RULE_TITLES = {
    "verka/parse": _("Filen kan inte läsas"),
    "verka/bpmn": _("Processen kan inte köras"),
    "verka/unsupported": _("Elementet stöds inte av Verka"),
    "verka/feel": _("Fel i FEEL-uttryck"),
    "verka/ignored": _("Verka bortser från detta"),
    "verka/dmn": _("Beslutstabellen kan inte läsas"),
    "verka/form": _("Formuläret kan inte läsas"),
    "verka/unknown-form": _("Okänt formulär"),
    "verka/unknown-decision": _("Okänt beslut"),
    "verka/unknown-process": _("Okänd process"),
    "verka/duplicate-id": _("Samma id på flera ställen"),
    "verka/translation": _("Översättningen stämmer inte med formuläret"),
    "verka/cpt": _("Testfilen är inte en CPT-testfil"),
    "verka/cpt-unknown-element": _("Testet nämner ett okänt element"),
    "verka/unknown-file": _("Okänd filtyp"),
    "verka/internal": _("Kontrollen misslyckades"),
    "bpmnlint/ad-hoc-sub-process": _("Ad hoc-delprocess"),
    "bpmnlint/conditional-flows": _("Flöde utan villkor"),
    "bpmnlint/end-event-required": _("Sluthändelse saknas"),
    "bpmnlint/event-based-gateway": _("Fel i händelsebaserad grind"),
    "bpmnlint/event-sub-process-typed-start-event": _("Händelsedelprocess utan starthändelsetyp"),
    "bpmnlint/fake-join": _("Dold sammanslagning"),
    "bpmnlint/global": _("Globalt element används inte"),
    "bpmnlint/label-required": _("Namn saknas"),
    "bpmnlint/link-event": _("Fel i länkhändelse"),
    "bpmnlint/no-bpmndi": _("Elementet saknas i diagrammet"),
    "bpmnlint/no-complex-gateway": _("Komplex grind"),
    "bpmnlint/no-disconnected": _("Elementet är inte anslutet"),
    "bpmnlint/no-duplicate-sequence-flows": _("Dubbla sekvensflöden"),
    "bpmnlint/no-gateway-join-fork": _("Grinden både slår ihop och delar"),
    "bpmnlint/no-implicit-split": _("Dold förgrening"),
    "bpmnlint/no-implicit-end": _("Dolt slut"),
    "bpmnlint/no-implicit-start": _("Dold start"),
    "bpmnlint/no-inclusive-gateway": _("Inkluderande grind"),
    "bpmnlint/no-overlapping-elements": _("Element överlappar"),
    "bpmnlint/single-blank-start-event": _("Flera tomma starthändelser"),
    "bpmnlint/single-event-definition": _("Flera händelsedefinitioner"),
    "bpmnlint/start-event-required": _("Starthändelse saknas"),
    "bpmnlint/sub-process-blank-start-event": _("Delprocessens starthändelse ska vara tom"),
    "bpmnlint/superfluous-gateway": _("Överflödig grind"),
    "bpmnlint/superfluous-termination": _("Överflödig avslutande händelse"),
}

SEVERITY_LABELS = {"error": _("Fel"), "warning": _("Varning")}

KIND_LABELS = {
    "bpmn": _("Process (BPMN)"),
    "dmn": _("Beslutstabell (DMN)"),
    "form": _("Formulär"),
    "test": _("CPT-test"),
    "translation": _("Översättning"),
}

EVENT_LABELS = {
    s.CREATED: _("skapade projektet"),
    s.IMPORTED: _("läste in ett arkiv"),
    s.FILE_ADDED: _("lade till filen"),
    s.FILE_SAVED: _("sparade filen"),
    s.FILE_RENAMED: _("bytte namn på filen"),
    s.FILE_DELETED: _("tog bort filen"),
    s.SETTINGS_CHANGED: _("ändrade e-tjänstens inställningar"),
    s.VERSION_SAVED: _("sparade version"),
    s.PUBLISHED: _("publicerade version"),
    s.ROLLED_BACK: _("gick tillbaka till version"),
    s.TESTS_RUN: _("körde testerna"),
    s.TEST_STARTED: _("startade testinstansen"),
}

# Codes whose detail (a file name, a version number, a count) means something to a reader.
SHOWN_DETAILS = {
    s.FILE_ADDED,
    s.FILE_SAVED,
    s.FILE_RENAMED,
    s.FILE_DELETED,
    s.VERSION_SAVED,
    s.PUBLISHED,
    s.ROLLED_BACK,
    s.TESTS_RUN,
    s.TEST_STARTED,
}

STATUS_LABELS = {"added": _("ny"), "removed": _("borttagen"), "changed": _("ändrad")}


def rule_title(rule: str) -> str:
    title = RULE_TITLES.get(rule)
    return str(title) if title is not None else rule


def finding_json(finding: Any) -> dict[str, Any]:
    return {
        "file": finding.file,
        "severity": finding.severity,
        "rule": finding.rule,
        "title": rule_title(finding.rule),
        "message": finding.message,
        "element_id": finding.element_id,
        "line": finding.line,
    }


def event_text(action: str, detail: str = "") -> str:
    label = EVENT_LABELS.get(action)
    text = str(label) if label is not None else gettext("ändrade")
    return f"{text} {detail}" if detail and action in SHOWN_DETAILS else text
