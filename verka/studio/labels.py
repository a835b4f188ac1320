"""Words for what the Studio shows: check rule titles, file kinds and the project log."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext
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
    "verka/regex-backtracking": _("Reguljärt uttryck som kan ta mycket lång tid"),
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


# The lint rules', unknown references' and risky patterns' messages in Swedish, by the key of
# their English template (MESSAGES in verka.engine.checks.lint, .references and .patterns;
# tests/studio check that every key has one, with the same values in braces). English pages
# show the engine's own message.
_REGEX_ADVICE_SV = (
    "; vissa indata får det att ta exponentiell tid, och då stoppas det vid tidsgränsen. Skriv"
    " om det så att ingen upprepad del kan matcha samma text på två sätt, till exempel"
    " ^[a-z]+( [a-z]+)*$ i stället för ^([a-z]+ ?)*$"
)
FINDING_TEXTS_SV = {
    "ad-hoc-sub-process/start": "En starthändelse är inte tillåten i en ad hoc-delprocess",
    "ad-hoc-sub-process/end": "En sluthändelse är inte tillåten i en ad hoc-delprocess",
    "conditional-flows": "Sekvensflödet saknar villkor: det lämnar {source}, vars andra flöden"
    " har villkor; lägg till ett villkor eller gör det till standardflöde",
    "end-event-required": "{kind} saknar sluthändelse",
    "start-event-required": "{kind} saknar starthändelse",
    "event-based-gateway/outgoing": "Den händelsebaserade grinden {gateway} behöver minst två"
    " utgående sekvensflöden",
    "event-based-gateway/condition": "Ett sekvensflöde från den händelsebaserade grinden"
    " '{gateway}' får inte ha något villkor",
    "event-sub-process-typed-start-event": "Starthändelsen i händelsedelprocessen '{subprocess}'"
    " saknar händelsedefinition (meddelande, timer, fel, signal, eskalering …)",
    "fake-join": "De inkommande flödena till {element} slås inte samman: vart och ett startar"
    " elementet igen; slå först samman dem med en grind",
    "global/unnamed": "{Kind} '{id}' saknar namn",
    "global/unused": "{Kind} '{id}' används inte",
    "global/duplicate-name": "Namnet '{name}' är inte unikt",
    "label-required/element": "Elementet '{id}' ({tag}) saknar namn",
    "label-required/flow": "Sekvensflödet '{id}' har ett villkor men saknar namn",
    "label-required/participant": "Deltagaren '{id}' saknar namn",
    "label-required/lane": "Banan '{id}' saknar namn",
    "link-event/unnamed": "Länkhändelsen {event} saknar länknamn",
    "link-event/no-catch": "Det finns ingen fångande länkhändelse med länknamnet '{name}' på"
    " samma nivå",
    "link-event/no-throw": "Det finns ingen kastande länkhändelse med länknamnet '{name}' på"
    " samma nivå",
    "link-event/duplicate-catch": "Flera fångande länkhändelser har länknamnet '{name}' på samma"
    " nivå",
    "no-bpmndi": "Elementet '{id}' ({tag}) finns inte i diagrammet (ingen BPMNDI-form eller"
    " -kant); bpmn-js kan inte rita det",
    "no-complex-gateway": "Den komplexa grinden {gateway} bör undvikas",
    "no-inclusive-gateway": "Den inkluderande grinden {gateway} bör undvikas",
    "no-disconnected": "Elementet {element} är inte anslutet: det har varken inkommande eller"
    " utgående sekvensflöden",
    "no-duplicate-sequence-flows/flow": "Sekvensflödet '{id}' är en kopia av ett annat flöde från"
    " '{source}' till '{target}'",
    "no-duplicate-sequence-flows/outgoing": "Dubbla utgående sekvensflöden",
    "no-duplicate-sequence-flows/incoming": "Dubbla inkommande sekvensflöden",
    "no-gateway-join-fork": "Grinden {gateway} både slår samman och delar upp flöden; använd en"
    " grind för vardera",
    "no-implicit-split": "Flödet delas underförstått vid {element}: det har {count} utgående"
    " flöden utan villkor; använd en parallell eller exklusiv grind",
    "no-implicit-end": "Elementet {element} är ett underförstått slut: det har inget utgående"
    " sekvensflöde; avsluta vägen med en sluthändelse",
    "no-implicit-start": "Elementet {element} är en underförstådd början: det har inget"
    " inkommande sekvensflöde; börja vägen med en starthändelse",
    "no-overlapping-elements/overlap": "Elementet '{id}' överlappar ett annat element",
    "no-overlapping-elements/outside": "Elementet '{id}' ligger utanför sin förälders gräns",
    "single-blank-start-event": "{kind} har flera tomma starthändelser ({ids})",
    "single-event-definition": "Händelsen {event} har flera händelsedefinitioner ({definitions})",
    "sub-process-blank-start-event": "Starthändelsen {event} i delprocessen '{subprocess}' måste"
    " vara tom (ingen händelsedefinition)",
    "superfluous-gateway": "Grinden {gateway} är överflödig: den har bara ett inkommande och ett"
    " utgående flöde",
    "superfluous-termination": "Avslutningen vid {event} är överflödig: den är enda sättet som"
    " {kind} slutar på; använd en vanlig sluthändelse",
    "unknown-reference": "{subject} hänvisar till det okända id:t '{ref}' ({target}): varken"
    " projektet eller det som redan är driftsatt har något med det id:t",
    "unknown-reference/close": "{subject} hänvisar till det okända id:t '{ref}' ({target}):"
    " varken projektet eller det som redan är driftsatt har något med det id:t (menade du"
    " '{close}'?)",
    "regex-backtracking/feel-nested": "Det reguljära uttrycket '{pattern}' i {function}() kan"
    " hamna i katastrofal backtracking: en upprepad del inuti en annan upprepning kan också"
    " matcha det som följer efter den" + _REGEX_ADVICE_SV,
    "regex-backtracking/feel-alternatives": "Det reguljära uttrycket '{pattern}' i {function}()"
    " kan hamna i katastrofal backtracking: det upprepar alternativ som kan matcha samma text"
    + _REGEX_ADVICE_SV,
    "regex-backtracking/field-nested": "Mönstret '{pattern}' för fältet '{field}' kan hamna i"
    " katastrofal backtracking: en upprepad del inuti en annan upprepning kan också matcha det"
    " som följer efter den" + _REGEX_ADVICE_SV,
    "regex-backtracking/field-alternatives": "Mönstret '{pattern}' för fältet '{field}' kan"
    " hamna i katastrofal backtracking: det upprepar alternativ som kan matcha samma text"
    + _REGEX_ADVICE_SV,
}
# Words the English messages take from the model, in Swedish, by the value's name.
_VALUES_SV = {
    "kind": {
        "Process": "Processen",
        "Sub process": "Delprocessen",
        "process": "processen",
        "sub process": "delprocessen",
    },
    "Kind": {
        "Message": "Meddelandet",
        "Error": "Felet",
        "Signal": "Signalen",
        "Escalation": "Eskaleringen",
    },
    "target": {"form": "formulär", "decision": "beslut", "process": "process"},
}


def finding_message(finding: Any) -> str:
    """The finding's message in the page's language: Swedish from FINDING_TEXTS_SV where its
    template has a Swedish text, else the engine's English message."""
    template = FINDING_TEXTS_SV.get(getattr(finding, "key", ""))
    if template is None or not (get_language() or "sv").startswith("sv"):
        return str(finding.message)
    values = {name: _VALUES_SV.get(name, {}).get(value, value) for name, value in finding.values}
    return template.format(**values)


def rule_title(rule: str) -> str:
    title = RULE_TITLES.get(rule)
    return str(title) if title is not None else rule


def finding_json(finding: Any) -> dict[str, Any]:
    return {
        "file": finding.file,
        "severity": finding.severity,
        "rule": finding.rule,
        "title": rule_title(finding.rule),
        "message": finding_message(finding),
        "element_id": finding.element_id,
        "line": finding.line,
    }


def event_text(action: str, detail: str = "") -> str:
    label = EVENT_LABELS.get(action)
    text = str(label) if label is not None else gettext("ändrade")
    return f"{text} {detail}" if detail and action in SHOWN_DETAILS else text
