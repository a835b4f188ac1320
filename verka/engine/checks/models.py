"""Verka's own validation of one model file, as deployment runs it, turned into findings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree

from verka.engine.bpmn import BpmnValidationError, Problem, parse_bpmn
from verka.engine.checks.diagram import Diagram, DiagramError, read_diagram
from verka.engine.checks.findings import Finding, finding
from verka.engine.dmn.drg import DecisionModel
from verka.engine.dmn.errors import DmnError
from verka.engine.dmn.model import Decision
from verka.engine.dmn.parser import local_name, parse_definitions
from verka.engine.forms import Form, FormSchemaError, parse_form

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_UNREADABLE_DMN = ("malformed XML", "expected a DMN <definitions>", "unknown DMN namespace")
# The parser's messages for elements it refuses to run (complex gateways, transactions, ...).
_UNSUPPORTED = re.compile(r"\bnot supported\b|^choreographies are not executable")
_COMPONENT_ID = re.compile(r"\(id '((?:[^'\\]|\\.)*)'\)")


@dataclass
class BpmnFile:
    findings: list[Finding] = field(default_factory=list)
    diagram: Diagram | None = None


def check_bpmn(file: str, data: bytes) -> BpmnFile:
    """Parse errors and validation problems of the engine's BPMN parser; the diagram as drawn."""
    result = BpmnFile()
    try:
        result.diagram = read_diagram(data)
    except DiagramError as error:
        result.findings.append(finding(file, "verka/parse", str(error), line=error.line))
        return result
    try:
        definitions = parse_bpmn(data, file)
    except BpmnValidationError as error:
        result.findings += [_problem(file, problem) for problem in error.problems]
    except Exception as error:  # keep the lint findings of a file the parser chokes on
        message = f"the BPMN parser failed on this file ({type(error).__name__}: {error})"
        result.findings.append(finding(file, "verka/internal", message))
    else:
        result.findings += [
            finding(file, "verka/ignored", _text(warning), warning.element_id, warning.line)
            for warning in definitions.warnings
        ]
    return result


def _text(problem: Problem) -> str:
    return f"{problem.message} ({problem.suggestion})" if problem.suggestion else problem.message


def _problem(file: str, problem: Problem) -> Finding:
    if problem.message.startswith("FEEL syntax error"):
        rule = "verka/feel"
    elif _UNSUPPORTED.search(problem.message):
        rule = "verka/unsupported"
    else:
        rule = "verka/bpmn"
    return finding(file, rule, _text(problem), problem.element_id, problem.line)


@dataclass
class DmnFile:
    findings: list[Finding] = field(default_factory=list)
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (id, name)


def check_dmn(file: str, data: bytes) -> DmnFile:
    """What `load_models(..., strict=True)` refuses at deployment, every problem at once."""
    result = DmnFile()
    try:
        definitions = parse_definitions(data, file)
    except DmnError as error:
        rule = "verka/parse" if error.message.startswith(_UNREADABLE_DMN) else "verka/dmn"
        result.findings.append(
            finding(file, rule, error.message, error.element_id or "", error.line)
        )
        # The decisions are still there: references to them are not the problem to report.
        result.decisions = _decisions_as_written(data)
        return result
    result.decisions = [
        (element.element_id or "", element.name)
        for element in definitions.elements
        if isinstance(element, Decision) and element.element_id
    ]
    try:
        model = DecisionModel([definitions])
    except DmnError as error:
        result.findings.append(
            finding(file, "verka/dmn", error.message, error.element_id or "", error.line)
        )
        return result
    for problem in model.problems:
        rule = "verka/feel" if "not valid FEEL" in problem.message else "verka/dmn"
        result.findings.append(
            finding(file, rule, problem.message, problem.element_id or "", problem.line)
        )
    return result


def _decisions_as_written(data: bytes) -> list[tuple[str, str]]:
    try:
        root = etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return []
    return [
        (child.get("id", ""), child.get("name", ""))
        for child in root
        if local_name(child) == "decision" and child.get("id")
    ]


@dataclass
class FormFile:
    findings: list[Finding] = field(default_factory=list)
    form_id: str = ""
    form: Form | None = None
    raw: Any = None  # the JSON document, when it is one


def load_json(file: str, data: bytes) -> tuple[Any, Finding | None]:
    """The JSON document in data (numbers as Decimal), or a verka/parse finding."""
    try:
        return json.loads(data, parse_float=Decimal), None
    except UnicodeDecodeError:
        return None, finding(file, "verka/parse", "not valid JSON: the text is not UTF-8")
    except json.JSONDecodeError as error:
        return None, finding(file, "verka/parse", f"not valid JSON: {error.msg}", line=error.lineno)
    except RecursionError:
        return None, finding(file, "verka/parse", "not valid JSON: nested too deeply")


def check_form(file: str, data: bytes) -> FormFile:
    """What deployment refuses in a form-js schema: no id, or what `parse_form` refuses."""
    result = FormFile()
    raw, problem = load_json(file, data)
    if problem is not None:
        result.findings.append(problem)
        return result
    result.raw = raw
    form_id = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(form_id, str) and form_id:
        result.form_id = form_id
    elif isinstance(raw, dict):
        result.findings.append(
            finding(file, "verka/form", 'a form needs an "id" (user tasks reference it by id)')
        )
    try:
        result.form = parse_form(raw)
    except FormSchemaError as error:
        rule = "verka/feel" if "invalid FEEL" in error.problem else "verka/form"
        match = _COMPONENT_ID.search(error.location)
        result.findings.append(finding(file, rule, str(error), match.group(1) if match else ""))
    return result
