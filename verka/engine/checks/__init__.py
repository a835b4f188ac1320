"""Checks before publishing: every problem in a project's files, as findings at the element.

`check_files({"x.bpmn": data, ...}, deployed_forms=...)` runs Verka's own validation (the
parsers deployment uses), the references between files, and bpmnlint's recommended rules; it
never raises, whatever the bytes. RULES maps every rule id to its severity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

from verka.engine.checks.findings import RULES, Finding, finding
from verka.engine.checks.lint import lint
from verka.engine.checks.models import (
    BpmnFile,
    DmnFile,
    FormFile,
    check_bpmn,
    check_dmn,
    check_form,
)
from verka.engine.checks.patterns import form_findings, xml_findings
from verka.engine.checks.references import (
    ProjectIndex,
    bpmn_references,
    check_test_file,
    check_translation,
)

__all__ = ["RULES", "Finding", "check_files"]

_TRANSLATION = re.compile(r"^(?P<form>.+)\.(?P<language>[a-z]{2,3}(?:-[A-Za-z]{2,4})?)\.json$")
T = TypeVar("T")
_KNOWN = ".bpmn, .dmn, .form, .test.json (CPT tests) and <form>.<language>.json (translations)"


def check_files(
    files: Mapping[str, bytes],
    *,
    deployed_forms: Collection[str] = (),
    deployed_decisions: Collection[str] = (),
    deployed_processes: Collection[str] = (),
) -> list[Finding]:
    """Every finding in the project's files, sorted by file, line, element and rule.

    A reference to a form, decision or process id is fine when the project defines it or when
    it is among the deployed ids given.
    """
    index = ProjectIndex(
        deployed_forms=frozenset(deployed_forms),
        deployed_decisions=frozenset(deployed_decisions),
        deployed_processes=frozenset(deployed_processes),
    )
    found: list[Finding] = []
    bpmn: dict[str, BpmnFile] = {}
    forms: dict[str, FormFile] = {}
    test_files: list[tuple[str, bytes]] = []
    translations: list[tuple[str, bytes, str, str]] = []
    for name in sorted(files):
        data = bytes(files[name])
        if name.endswith(".bpmn"):
            bpmn[name] = _safely(name, found, BpmnFile(), check_bpmn, name, data)
            found += bpmn[name].findings
            found += _safely(name, found, [], xml_findings, name, data)
        elif name.endswith(".dmn"):
            dmn = _safely(name, found, DmnFile(), check_dmn, name, data)
            found += dmn.findings
            found += _safely(name, found, [], xml_findings, name, data)
            _define(found, name, "decision", [d for d, _ in dmn.decisions], index.decisions)
        elif name.endswith(".form"):
            forms[name] = _safely(name, found, FormFile(), check_form, name, data)
            found += forms[name].findings
            if forms[name].raw is not None:
                found += _safely(name, found, [], form_findings, name, forms[name].raw)
            if forms[name].form_id:
                _define(found, name, "form", [forms[name].form_id], index.forms)
        elif name.endswith(".test.json"):
            test_files.append((name, data))
        elif (match := _TRANSLATION.match(name)) is not None:
            translations.append((name, data, match["language"], match["form"] + ".form"))
        else:
            message = f"Verka does not know what '{name}' is; project files are {_KNOWN}"
            found.append(finding(name, "verka/unknown-file", message))
    for name, checked in bpmn.items():
        if checked.diagram is not None:
            process_ids = [p.id for p in checked.diagram.processes if p.id]
            _define(found, name, "process", process_ids, index.processes)
            index.elements.update(node.id for node in checked.diagram.nodes() if node.id)
    for name, checked in bpmn.items():
        if checked.diagram is not None:
            found += _safely(name, found, [], bpmn_references, name, checked.diagram, index)
            found += _safely(name, found, [], lint, checked.diagram, name)
    for name, data in test_files:
        found += _safely(name, found, [], check_test_file, name, data, index)
    for name, data, language, form_file in translations:
        form = forms.get(form_file)
        found += _safely(name, found, [], check_translation, name, data, language, form_file, form)
    return sorted(set(found), key=_order)


def _define(
    found: list[Finding], file: str, kind: str, ids: list[str], defined: dict[str, str]
) -> None:
    """Record the ids a file defines; an id that another project file defines is an error."""
    for element_id in ids:
        if element_id in defined and defined[element_id] != file:
            found.append(
                finding(
                    file,
                    "verka/duplicate-id",
                    f"{kind} id '{element_id}' is also defined in {defined[element_id]};"
                    " publishing both would make one a new version of the other",
                    element_id,
                )
            )
        else:
            defined.setdefault(element_id, file)


def _safely(
    file: str, found: list[Finding], fallback: T, check: Callable[..., T], *args: object
) -> T:
    """Run one check; if it fails on input nobody foresaw, say so instead of failing the lot."""
    try:
        return check(*args)
    except Exception as error:  # the contract: never raise, report
        found.append(
            finding(
                file,
                "verka/internal",
                f"the check could not finish on this file ({type(error).__name__}: {error})",
            )
        )
        return fallback


def _order(item: Finding) -> tuple[str, int, str, str, str, str]:
    return (item.file, item.line or 0, item.element_id, item.rule, item.severity, item.message)
