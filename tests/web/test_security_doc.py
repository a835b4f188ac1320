"""docs/security.md stays complete and true: every OWASP ASVS 4.0.3 level-2 requirement has a row,
and every test it names as proof exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
IDS = Path(__file__).with_name("asvs_level2_ids.txt")

# A table row's first cell: | V5.2.4 | ...
ROW = re.compile(r"^\|\s*(V\d+\.\d+\.\d+)\s*\|", re.MULTILINE)
# tests/a/test_b.py::test_name, optionally with a class and a parametrised id: ::Class::name[x]
NAMED_TEST = re.compile(r"(tests/[\w/]+\.py)((?:::\w+)+)(?:\[[^\]\s]*\])?")


def level2_ids() -> list[str]:
    lines = IDS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def defined_names(path: Path) -> dict[str, set[str]]:
    """Top-level functions and classes of a test file, and the methods of each class."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.setdefault(node.name, set())
        elif isinstance(node, ast.ClassDef):
            names[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
    return names


def missing_tests(text: str) -> list[str]:
    missing = []
    cache: dict[str, dict[str, set[str]]] = {}
    for match in NAMED_TEST.finditer(text):
        file, parts = match.group(1), match.group(2).split("::")[1:]
        path = ROOT / file
        if not path.is_file():
            missing.append(match.group(0) + " (no such file)")
            continue
        names = cache.setdefault(file, defined_names(path))
        first, rest = parts[0], parts[1:]
        if first not in names or (rest and rest[0] not in names[first]):
            missing.append(match.group(0))
    return sorted(set(missing))


def test_every_level2_requirement_has_a_row():
    expected = level2_ids()
    assert len(expected) == 259  # ASVS 4.0.3 has 259 level-2 requirements
    found = ROW.findall(DOC.read_text(encoding="utf-8"))
    assert sorted(set(expected) - set(found)) == []
    assert sorted(set(found) - set(expected)) == []  # no level-1/3-only or mistyped ids
    assert len(found) == len(set(found)), "a requirement has two rows"


def test_every_test_named_as_proof_exists():
    text = DOC.read_text(encoding="utf-8")
    assert len(NAMED_TEST.findall(text)) > 100
    assert missing_tests(text) == []


def test_a_missing_test_or_class_method_is_noticed():
    here = "tests/web/test_security_doc.py"
    assert missing_tests(f"{here}::test_every_test_named_as_proof_exists") == []
    assert missing_tests(f"{here}::test_every_test_named_as_proof_exists[sqlite]") == []
    assert missing_tests(f"{here}::test_no_such_thing") == [f"{here}::test_no_such_thing"]
    assert missing_tests("tests/web/test_gone.py::test_x") == [
        "tests/web/test_gone.py::test_x (no such file)"
    ]
