"""The engine stays framework-free: nothing under verka/engine may import Django or a database."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "verka" / "engine"

# The engine is pure computation; these belong to the layers around it.
FORBIDDEN = (
    "django",
    "psycopg",
    "psycopg2",
    "sqlite3",
    "dj_database_url",
    "httpx",
    "requests",
    "urllib.request",
    "socket",
    "verka.conf",
    "verka.accounts",
    "verka.portal",
    "verka.worker",
    "verka.processes",
    "verka.eservices",
    "verka.cases",
    "verka.goals",
    "verka.insight",
    "verka.studio",
    "verka.api",
)


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: the engine must not import {self.module}"


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def find_violations(root: Path) -> list[Violation]:
    violations = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in imported_modules(tree):
            if any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN):
                violations.append(Violation(path, line, module))
    return violations


def test_engine_imports_no_framework_or_database():
    violations = find_violations(ENGINE)
    assert not violations, "\n".join(map(str, violations))


def test_check_catches_a_violation(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "clean.py").write_text("import decimal\nfrom lxml import etree\n")
    (tmp_path / "pkg" / "bad.py").write_text(
        "import json\nfrom django.db import models\nimport psycopg\n"
        "import importlib\nimportlib.import_module('verka.processes.models')\n"
    )
    violations = find_violations(tmp_path)
    assert [(v.path.name, v.line, v.module) for v in violations] == [
        ("bad.py", 2, "django.db"),
        ("bad.py", 3, "psycopg"),
        ("bad.py", 5, "verka.processes.models"),
    ]
