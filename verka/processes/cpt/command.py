"""`verka test FILE.test.json... --resources DIR`: CPT test files against a throwaway database."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from .cases import CptError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verka test",
        description=(
            "Run Camunda Process Test JSON test cases (schema cpt-test-cases 8.9) against "
            "Verka's process engine, on a temporary SQLite database."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.test.json")
    parser.add_argument(
        "--resources",
        type=Path,
        metavar="DIR",
        help="directory whose .bpmn, .dmn and .form files are deployed first "
        "(default: the first test file's directory)",
    )
    return parser


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """A fresh, migrated SQLite database in a temporary directory, removed afterwards.

    Before Django is set up, settings are pointed at the temporary directory. If the caller
    already set Django up, Django's test-database machinery makes a separate database instead.
    """
    from django.apps import apps

    if apps.ready:
        from django.db import connection

        test_settings = connection.settings_dict.setdefault("TEST", {})
        previous = test_settings.get("NAME")
        scratch = tempfile.mkdtemp(prefix="verka-cpt-")
        # Never the configured test database: a pytest run may be using it right now.
        test_settings["NAME"] = (
            str(Path(scratch) / "cpt.sqlite3")
            if connection.vendor == "sqlite"
            else f"test_verka_cpt_{os.getpid()}"
        )
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            test_settings["NAME"] = previous
            shutil.rmtree(scratch, ignore_errors=True)
        return
    directory = tempfile.mkdtemp(prefix="verka-cpt-")
    try:
        os.environ["VERKA_VAR_DIR"] = directory
        os.environ["DATABASE_URL"] = ""  # the embedded SQLite under VERKA_VAR_DIR
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verka.conf.settings")
        os.environ.setdefault("VERKA_LOG_LEVEL", "WARNING")  # engine info logs are noise here
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        yield
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        shutil.rmtree(directory, ignore_errors=True)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Exit status: 0 when every case passed, 1 when any failed, 2 on usage errors."""
    out = out or sys.stdout
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"verka test: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    resources: Path = args.resources or args.files[0].parent
    if not resources.is_dir():
        print(f"verka test: --resources {resources}: not a directory", file=sys.stderr)
        return 2
    with throwaway_database():
        from .runner import CaseResult, deploy_resources, run_test_file, summary

        try:
            deploy_resources(resources)
        except CptError as error:
            print(f"FAIL {resources}: {error}", file=out)
            print("0 passed, 1 failed", file=out)
            return 1
        results: list[CaseResult] = []
        for path in args.files:
            print(str(path), file=out)
            for result in run_test_file(path, deploy=False):
                print(result.line(), file=out)
                results.append(result)
        print(summary(results), file=out)
    return 0 if all(result.passed for result in results) else 1
