"""Camunda Process Test (CPT) JSON test cases, schema cpt-test-cases 8.9, run on Verka's engine.

`main(argv)` is the `verka test` command; `run_test_file(path, resources_dir)` runs a file from
pytest against the test database. Importing this package needs no Django setup; the runner is
loaded on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .command import main

if TYPE_CHECKING:
    from .runner import CaseResult

__all__ = ["CaseResult", "main", "run_test_file"]


def run_test_file(
    path: str | Path, resources_dir: str | Path | None = None, **options: Any
) -> list[CaseResult]:
    from .runner import run_test_file as run

    return run(path, resources_dir, **options)


def __getattr__(name: str) -> Any:
    if name == "CaseResult":
        from .runner import CaseResult

        return CaseResult
    raise AttributeError(name)
