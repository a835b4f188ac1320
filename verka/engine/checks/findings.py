"""What a check reports: one finding per problem, and every rule id with its severity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from verka.engine.bpmn.validation import did_you_mean as closest_hint

ERROR = "error"
WARNING = "warning"


class Text(str):
    """A finding's message: the English text itself (so whatever shows a message keeps working),
    with the key of its template and the values filled in, for a front end that shows it in
    another language."""

    key: str
    values: Mapping[str, str]

    @classmethod
    def of(cls, key: str, template: str, values: Mapping[str, object]) -> Text:
        filled = {name: str(value) for name, value in values.items()}
        made = cls(template.format(**filled))
        made.key = key
        made.values = MappingProxyType(filled)
        return made


@dataclass(frozen=True)
class Finding:
    """One problem in one project file; errors block publishing, warnings do not."""

    file: str  # file name in the project, e.g. "preschool-placement.bpmn"
    severity: str  # "error" or "warning"
    rule: str  # stable id, e.g. "verka/parse", "bpmnlint/no-disconnected"
    message: str  # English: what is wrong and where
    element_id: str = ""  # BPMN/DMN element id, or form component id
    line: int | None = None
    # For messages made from a template (Text): its key and values, to show it translated.
    key: str = ""
    values: tuple[tuple[str, str], ...] = ()


# Severities follow bpmnlint's "recommended" configuration (bpmnlint 11.13) for its rules.
_BPMNLINT: dict[str, str] = {
    "ad-hoc-sub-process": ERROR,
    "conditional-flows": ERROR,
    "end-event-required": ERROR,
    "event-based-gateway": ERROR,
    "event-sub-process-typed-start-event": ERROR,
    "fake-join": WARNING,
    "global": WARNING,
    "label-required": ERROR,
    "link-event": ERROR,
    "no-bpmndi": ERROR,
    "no-complex-gateway": ERROR,
    "no-disconnected": ERROR,
    "no-duplicate-sequence-flows": ERROR,
    "no-gateway-join-fork": ERROR,
    "no-implicit-split": ERROR,
    "no-implicit-end": ERROR,
    "no-implicit-start": ERROR,
    "no-inclusive-gateway": WARNING,
    "no-overlapping-elements": WARNING,
    "single-blank-start-event": ERROR,
    "single-event-definition": ERROR,
    "start-event-required": ERROR,
    "sub-process-blank-start-event": ERROR,
    "superfluous-gateway": WARNING,
    "superfluous-termination": WARNING,
}

_VERKA: dict[str, str] = {
    "parse": ERROR,  # the file cannot be read: malformed XML or JSON, wrong root element
    "bpmn": ERROR,  # Verka's BPMN validation refuses the model
    "unsupported": ERROR,  # an element Verka does not execute
    "feel": ERROR,  # a FEEL syntax error in a BPMN, DMN or form expression
    "ignored": WARNING,  # an element or extension Verka reads past without executing
    "dmn": ERROR,  # the DMN model cannot be loaded or compiled
    "form": ERROR,  # the form-js schema is refused
    "unknown-form": ERROR,
    "unknown-decision": ERROR,
    "unknown-process": ERROR,
    "duplicate-id": ERROR,  # two project files define the same process, decision or form id
    "translation": WARNING,  # a translation names a component, option or text the form lacks
    "cpt": ERROR,  # a CPT test file that is not shaped like one
    "cpt-unknown-element": WARNING,  # a CPT selector names an element no project process has
    "unknown-file": ERROR,
    # a regular expression that some inputs make run until the time limit stops it
    "regex-backtracking": WARNING,
    "internal": ERROR,  # the checker itself failed on this file
}

#: Every rule id that check_files can report, with its severity.
RULES: Mapping[str, str] = MappingProxyType(
    {
        **{f"verka/{rule}": severity for rule, severity in _VERKA.items()},
        **{f"bpmnlint/{rule}": severity for rule, severity in _BPMNLINT.items()},
    }
)


def finding(
    file: str, rule: str, message: str, element_id: str = "", line: int | None = None
) -> Finding:
    """A finding of `rule`, with the severity RULES gives it."""
    if isinstance(message, Text):
        return Finding(
            file,
            RULES[rule],
            rule,
            str(message),
            element_id or "",
            line,
            message.key,
            tuple(message.values.items()),
        )
    return Finding(file, RULES[rule], rule, message, element_id or "", line)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" naming the closest candidate, or "" when none is close."""
    hint = closest_hint(name, sorted(set(candidates)))
    return f" ({hint})" if hint else ""
