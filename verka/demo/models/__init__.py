"""Exempelkommun's executable models: BPMN processes, DMN decisions, forms and their CPT tests.

`resources()` lists what to deploy (BPMN, DMN and forms; not the English sidecars or the CPT
test files, which are JSON too). See README.md for variables, job types, messages and audiences.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).parent
DEPLOYABLE_SUFFIXES = (".bpmn", ".dmn", ".form")


def resources() -> list[tuple[str, bytes]]:
    """(file name, content) of every deployable model, ready for `processes.services.deploy`."""
    return [
        (path.name, path.read_bytes())
        for path in sorted(MODELS_DIR.iterdir())
        if path.suffix in DEPLOYABLE_SUFFIXES
    ]


def english_labels(form_id: str) -> dict[str, dict[str, object]]:
    """The English sidecar of a form: component id -> label, description, text, option labels."""
    import json

    path = MODELS_DIR / f"{form_id}.en.json"
    if not path.is_file():
        return {}
    components = json.loads(path.read_text(encoding="utf-8")).get("components", {})
    return components if isinstance(components, dict) else {}
