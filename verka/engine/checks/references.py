"""References between the files of a project: forms, decisions and processes by id, the CPT
test files' selectors, and the form translations' component ids."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from verka.engine.bpmn.validation import closest
from verka.engine.checks.diagram import Diagram, Node
from verka.engine.checks.findings import Finding, Text, did_you_mean, finding
from verka.engine.checks.models import FormFile, load_json
from verka.engine.forms import Component

#: The texts of a component that Verka replaces with a translation (eservices.localized_schema).
TRANSLATED_TEXTS = ("label", "description", "text", "placeholder", "dateLabel", "timeLabel")


@dataclass
class ProjectIndex:
    """The ids the project's files define (id -> file), and those already deployed."""

    forms: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    processes: dict[str, str] = field(default_factory=dict)
    elements: set[str] = field(default_factory=set)  # flow node ids of the project's processes
    deployed_forms: frozenset[str] = frozenset()
    deployed_decisions: frozenset[str] = frozenset()
    deployed_processes: frozenset[str] = frozenset()


def _unknown(
    file: str,
    kind: str,
    ref: str,
    project: Mapping[str, str],
    deployed: Collection[str],
    subject: str,
    element_id: str = "",
    line: int | None = None,
) -> Finding | None:
    if ref in project or ref in deployed:
        return None
    close = closest(ref, sorted({*project, *deployed}))
    values = {"subject": subject, "target": kind, "ref": ref}
    message = (
        Text.of("unknown-reference/close", UNKNOWN_CLOSE, {**values, "close": close})
        if close
        else Text.of("unknown-reference", UNKNOWN, values)
    )
    return finding(file, f"verka/unknown-{kind}", message, element_id, line)


# The messages of unknown references, with keys for the Studio's Swedish texts.
UNKNOWN = (
    "{subject} references unknown {target} id '{ref}': no {target} in the project or already"
    " deployed has this id"
)
UNKNOWN_CLOSE = UNKNOWN + " (did you mean '{close}'?)"
MESSAGES = {"unknown-reference": UNKNOWN, "unknown-reference/close": UNKNOWN_CLOSE}


def _static(value: str) -> bool:
    """A reference given as text, not computed by a FEEL expression at run time."""
    return bool(value) and not value.startswith("=")


def bpmn_references(file: str, diagram: Diagram, index: ProjectIndex) -> list[Finding]:
    """Forms of user tasks and start events, decisions of business rule tasks, processes of
    call activities: each must be in the project or deployed."""
    found: list[Finding] = []
    for node in diagram.nodes():
        for problem in _node_references(file, node, index):
            if problem is not None:
                found.append(problem)
    return found


def _node_references(file: str, node: Node, index: ProjectIndex) -> Iterator[Finding | None]:
    subject = f"{node.tag} {node.label()}"
    form_id = node.zeebe.get("formDefinition", {}).get("formId", "")
    if node.tag in {"userTask", "startEvent"} and form_id:
        yield _unknown(
            file, "form", form_id, index.forms, index.deployed_forms, subject, node.id, node.line
        )
    decision_id = node.zeebe.get("calledDecision", {}).get("decisionId", "")
    if node.tag == "businessRuleTask" and _static(decision_id):
        yield _unknown(
            file,
            "decision",
            decision_id,
            index.decisions,
            index.deployed_decisions,
            subject,
            node.id,
            node.line,
        )
    process_id = node.zeebe.get("calledElement", {}).get("processId", "")
    if node.tag == "callActivity" and _static(process_id):
        yield _unknown(
            file,
            "process",
            process_id,
            index.processes,
            index.deployed_processes,
            subject,
            node.id,
            node.line,
        )


# --- CPT test files ---------------------------------------------------------------------------

# How deep a CPT instruction's selectors and variables are searched for ids.
_MAX_DEPTH = 64


def check_test_file(file: str, data: bytes, index: ProjectIndex) -> list[Finding]:
    """A CPT test file (schema cpt-test-cases): its shape, and the processes, decisions and
    elements its selectors name."""
    document, problem = load_json(file, data)
    if problem is not None:
        return [problem]
    cases = document.get("testCases") if isinstance(document, dict) else None
    if not isinstance(cases, list):
        return [finding(file, "verka/cpt", 'expected an object with a "testCases" array')]
    found: list[Finding] = []
    for number, case in enumerate(cases, start=1):
        where = f"test case #{number}"
        if not isinstance(case, dict):
            found.append(finding(file, "verka/cpt", f"{where}: expected an object"))
            continue
        name = case.get("name")
        if not isinstance(name, str) or not name:
            found.append(finding(file, "verka/cpt", f'{where}: needs a "name" string'))
        else:
            where = f"{where} ({name})"
        instructions = case.get("instructions")
        if not isinstance(instructions, list):
            found.append(finding(file, "verka/cpt", f'{where}: needs an "instructions" array'))
            continue
        for step, instruction in enumerate(instructions, start=1):
            here = f"{where}, instruction #{step}"
            if not isinstance(instruction, dict) or not isinstance(instruction.get("type"), str):
                found.append(
                    finding(file, "verka/cpt", f'{here}: expected an object with a "type"')
                )
                continue
            here = f"{here} ({instruction['type']})"
            found += _selector_references(file, here, instruction, index)
    return found


def _selector_references(
    file: str, where: str, instruction: Mapping[str, Any], index: ProjectIndex
) -> list[Finding]:
    found: list[Finding] = []
    for key, value in _string_values(instruction):
        problem: Finding | None = None
        if key == "processDefinitionId":
            problem = _unknown(
                file, "process", value, index.processes, index.deployed_processes, where
            )
        elif key == "decisionDefinitionId":
            problem = _unknown(
                file, "decision", value, index.decisions, index.deployed_decisions, where
            )
        elif key == "elementId" and index.processes and value not in index.elements:
            problem = finding(
                file,
                "verka/cpt-unknown-element",
                f"{where} selects element '{value}', which no process in the project has"
                f"{did_you_mean(value, index.elements)}",
            )
        if problem is not None:
            found.append(problem)
    return found


def _string_values(instruction: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, text) of every selector property in the instruction, variables excepted."""
    stack: list[tuple[Any, int]] = [(instruction, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "variables":
                    continue  # process data, whatever its keys are called
                if isinstance(inner, str):
                    yield str(key), inner
                else:
                    stack.append((inner, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


# --- form translations ------------------------------------------------------------------------


def check_translation(
    file: str, data: bytes, language: str, form_file: str, form: FormFile | None
) -> list[Finding]:
    """A form's translation sidecar, `<form>.<language>.json`: {"id", "language", "components":
    {component id: {"label": …, "values": {option value: label}}}}, as the demo loads it."""
    document, problem = load_json(file, data)
    if problem is not None:
        return [problem]
    if not isinstance(document, dict):
        return [finding(file, "verka/parse", 'expected a JSON object with "components"')]
    found: list[Finding] = []

    def warn(message: str, element_id: str = "") -> None:
        found.append(finding(file, "verka/translation", message, element_id))

    if form is None:
        warn(f"there is no form {form_file} in the project for this translation")
    stated = document.get("language")
    if stated is not None and stated != language:
        warn(f"the file name says language '{language}' but \"language\" is {stated!r}")
    stated_id = document.get("id")
    if form is not None and form.form_id and stated_id is not None and stated_id != form.form_id:
        warn(f"\"id\" is {stated_id!r} but the form {form_file} has the id '{form.form_id}'")
    components = document.get("components", {})
    if not isinstance(components, dict):
        warn('expected "components" to be an object: component id -> texts')
        return found
    known = {c.id: c for c in form.form.root.walk()} if form is not None and form.form else None
    for component_id, texts in components.items():
        component = known.get(component_id) if known is not None else None
        if known is not None and component is None:
            warn(
                f"component '{component_id}' is not in the form {form_file}"
                f"{did_you_mean(component_id, known)}",
                component_id,
            )
            continue
        if not isinstance(texts, dict):
            warn(f"the texts of component '{component_id}' must be an object", component_id)
            continue
        for key, text in texts.items():
            if key == "values":
                found += _option_labels(file, component_id, component, text)
            elif key not in TRANSLATED_TEXTS:
                warn(
                    f"component '{component_id}': '{key}' is not translated (Verka translates"
                    f" {', '.join(TRANSLATED_TEXTS)} and option values)",
                    component_id,
                )
            elif not isinstance(text, str):
                warn(f"component '{component_id}': '{key}' must be text", component_id)
    return found


def _option_labels(
    file: str, component_id: str, component: Component | None, labels: Any
) -> list[Finding]:
    def warn(message: str) -> Finding:
        return finding(
            file, "verka/translation", f"component '{component_id}': {message}", component_id
        )

    if not isinstance(labels, dict):
        return [warn('"values" must be an object: option value -> label')]
    if component is None:
        return []
    static = component.options.static if component.options is not None else None
    if static is None:
        return [warn("the component has no fixed options to translate")]
    values = [str(option.value) for option in static]
    found = []
    for value, label in labels.items():
        if value not in values:
            found.append(
                warn(
                    f"the form has no option with the value '{value}'{did_you_mean(value, values)}"
                )
            )
        elif not isinstance(label, str):
            found.append(warn(f"the label of option '{value}' must be text"))
    return found
