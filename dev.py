#!/usr/bin/env python3
"""Set up and run Verka from a fresh clone: `python3 dev.py demo` and `python3 dev.py test`.

Both commands first make sure the virtual environment (.venv), the Python packages, the npm
packages and the compiled translations are current, redoing only what changed since last time.
`test` also installs Debian's Chromium for the browser tests when it is missing.
Standard library only: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMPS = VENV / "verka-stamps"
RESULTS = ROOT / "var" / "test-results"
STUDIO_BUNDLE = ROOT / "verka" / "studio" / "static" / "studio" / "build" / "studio.js"
POSTGRES_URL = os.environ.get("VERKA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def say(message: str) -> None:
    print(f"[verka] {message}", flush=True)


def run(*command: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    completed = subprocess.run([str(part) for part in command], cwd=ROOT, env=env)
    if check and completed.returncode != 0:
        say(f"failed ({completed.returncode}): {' '.join(str(p) for p in command)}")
        sys.exit(completed.returncode)
    return completed.returncode


def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in paths:
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def up_to_date(name: str, value: str) -> bool:
    stamp = STAMPS / name
    return stamp.exists() and stamp.read_text() == value


def mark(name: str, value: str) -> None:
    STAMPS.mkdir(parents=True, exist_ok=True)
    (STAMPS / name).write_text(value)


def setup_python() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before the venv exists
        sys.exit("Verka needs Python 3.11 or newer; this is " + sys.version.split()[0])
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        run(sys.executable, "-m", "venv", VENV)
    value = fingerprint(ROOT / "pyproject.toml")
    if not up_to_date("python", value):
        say("installing Python packages")
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        mark("python", value)


def setup_node() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("Verka needs Node.js with npm for its front-end libraries; install Node.js 18+.")
    value = fingerprint(ROOT / "package.json", ROOT / "package-lock.json")
    if not up_to_date("npm", value) or not (ROOT / "node_modules").is_dir():
        say("installing npm packages")
        run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
        mark("npm", value)
    # The studio's editors are one bundle built from frontend/studio (git-ignored output).
    sources = sorted(path for path in (ROOT / "frontend").rglob("*") if path.is_file())
    for bundled in ("form-texts.js", "form-viewer.js"):  # bundled too
        sources.append(ROOT / "verka" / "portal" / "static" / "verka" / bundled)
    value = fingerprint(ROOT / "package.json", ROOT / "package-lock.json", *sources)
    if not up_to_date("frontend", value) or not STUDIO_BUNDLE.exists():
        say("building the studio's editors (frontend/studio)")
        # Asset names carry content hashes; start empty so old builds do not pile up.
        shutil.rmtree(STUDIO_BUNDLE.parent, ignore_errors=True)
        run(npm, "run", "build", "--silent")
        mark("frontend", value)


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def setup_chromium() -> str:
    found = chromium_path()
    if found:
        return found
    say("installing Debian's chromium for the browser tests")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(*sudo, "apt-get", "update", "-qq", env=env)
    run(*sudo, "apt-get", "install", "-y", "-qq", "chromium", env=env)
    found = chromium_path()
    if not found:
        sys.exit("chromium could not be installed; the browser tests need it")
    return found


def setup() -> None:
    setup_python()
    setup_node()
    run(PYTHON, "-c", "from verka.i18n import compile_catalogs; compile_catalogs()")


def postgres_reachable(url: str) -> bool:
    # postgres://user@host:port/db — only host and port matter for the reachability check.
    netloc = url.split("//", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = netloc.partition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 5432)), timeout=3):
            return True
    except OSError:
        return False


def junit_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a pytest JUnit XML report."""
    if not path.exists():
        return 0, 0, 0
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


def tree_changes() -> set[str] | None:
    """Files git sees as changed or new (ignored ones excluded); None outside a git checkout."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return None
    listed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return set(listed.stdout.splitlines()) if listed.returncode == 0 else None


def command_test(pytest_args: list[str]) -> int:
    started = time.monotonic()
    setup()
    chromium = setup_chromium()
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    base_env = dict(
        os.environ, VERKA_CHROMIUM=chromium, PYTHONDONTWRITEBYTECODE="1", VERKA_LOG_LEVEL="WARNING"
    )
    base_env.pop("DATABASE_URL", None)

    say("ruff (lint and format)")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    say("mypy --strict verka/engine")
    run(BIN / "mypy")

    RESULTS.mkdir(parents=True, exist_ok=True)
    for stale in RESULTS.glob("*.xml"):
        stale.unlink()
    before = tree_changes()
    pytest = [str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider"]
    if not any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        # One test process per core (pytest-xdist), a test file's tests kept together so that
        # module fixtures are built once; `python3 dev.py test -n 0` runs them one by one.
        pytest += ["-n", str(min(os.cpu_count() or 1, 4)), "--dist", "loadfile"]
    failures = 0

    say("pytest on SQLite (all tests)")
    sqlite_report = RESULTS / "sqlite.xml"
    failures += run(*pytest, f"--junitxml={sqlite_report}", *pytest_args, env=base_env, check=False)

    say(f"pytest on PostgreSQL (persistence tests) at {POSTGRES_URL}")
    postgres_report = RESULTS / "postgres.xml"
    if postgres_reachable(POSTGRES_URL):
        env = dict(base_env, DATABASE_URL=POSTGRES_URL, VERKA_TEST_PERSISTENCE_ONLY="1")
        failures += run(
            *pytest, f"--junitxml={postgres_report}", *pytest_args, env=env, check=False
        )
    elif ci:
        say("PostgreSQL is unreachable and CI is set: the persistence tests must run on it")
        failures += 1
    else:
        say("PostgreSQL is unreachable: skipping its run (CI would fail here)")

    after = tree_changes()
    if before is not None and after is not None and after - before:
        # Tests must clean up after themselves (tmp_path, test databases): a file left in the
        # working tree would end up in someone's commit.
        say("the tests left files behind in the working tree:")
        for line in sorted(after - before):
            print("   ", line)
        failures += 1

    passed = failed = skipped = 0
    for report in (sqlite_report, postgres_report):
        p, f, s = junit_counts(report)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if failures and not failed:
        failed = 1  # a run that failed before reporting (collection error, unreachable database)
    minutes = (time.monotonic() - started) / 60
    say(f"whole suite took {minutes:.1f} min (SQLite and PostgreSQL runs together)")
    print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 1 if failures or failed else 0


def command_demo(args: list[str]) -> int:
    setup()
    os.execv(str(BIN / "verka"), [str(BIN / "verka"), "demo", *args])
    return 0  # not reached


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        print("usage: python3 dev.py demo [verka demo options]")
        print("       python3 dev.py test [pytest options]")
        print("       python3 dev.py setup")
        return 0 if argv and argv[0] in {"-h", "--help"} else 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        return command_demo(rest)
    if command == "setup":
        setup()
        return 0
    return command_test(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
