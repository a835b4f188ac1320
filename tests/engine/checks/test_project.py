"""The demo e-services pass the checks; the rule table covers every rule the checks report."""

from __future__ import annotations

import re
from pathlib import Path

from verka.engine import checks
from verka.engine.checks import RULES, check_files
from verka.engine.checks.lint import RULE_CHECKS

from .builders import CLEAN, bpmn

MODELS = Path(checks.__file__).resolve().parents[2] / "demo" / "models"
PROJECT_SUFFIXES = (".bpmn", ".dmn", ".form", ".json")


def demo_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in MODELS.iterdir() if p.name.endswith(PROJECT_SUFFIXES)}


def test_demo_models_have_no_errors():
    files = demo_files()
    assert {"preschool-placement.bpmn", "building-permit.bpmn", "fault-report.bpmn"} <= set(files)
    assert any(name.endswith(".en.json") for name in files)
    assert any(name.endswith(".test.json") for name in files)

    findings = check_files(files)

    assert [f for f in findings if f.severity == "error"] == []


def test_demo_references_break_when_a_file_is_missing():
    files = demo_files()
    del files["queue-priority.dmn"]

    findings = check_files(files)

    assert {(f.file, f.rule, f.element_id) for f in findings} == {
        ("preschool-placement.bpmn", "verka/unknown-decision", "determineQueuePriority"),
        ("preschool-placement.test.json", "verka/unknown-decision", ""),
    }


def test_output_is_deterministic():
    files = demo_files()
    files["app.bpmn"] = bpmn(CLEAN.replace(' name="Do it"', "") + "<bpmn:task id='x'/>")

    first = check_files(files)

    assert first == check_files(dict(reversed(list(files.items()))))
    assert first == sorted(first, key=lambda f: (f.file, f.line or 0, f.element_id, f.rule))


def test_rules_table_names_every_rule_the_package_reports():
    source = "\n".join(p.read_text() for p in Path(checks.__file__).parent.glob("*.py"))
    literal = set(re.findall(r'"((?:verka|bpmnlint)/[a-z-]+)"', source))
    reported = literal | {f"bpmnlint/{name}" for name in RULE_CHECKS}
    reported |= {f"verka/unknown-{kind}" for kind in ("form", "decision", "process")}

    assert reported - set(RULES) == set()
    assert set(RULES) - reported == set()


def test_a_failing_check_becomes_a_finding(monkeypatch):
    def broken(diagram, file):
        raise KeyError("boom")

    monkeypatch.setattr(checks, "lint", broken)

    findings = check_files({"app.bpmn": bpmn(CLEAN)})

    assert [(f.rule, f.severity, f.file) for f in findings] == [
        ("verka/internal", "error", "app.bpmn")
    ]
    assert "KeyError" in findings[0].message
