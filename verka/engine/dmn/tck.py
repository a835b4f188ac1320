"""The DMN TCK runner: run TCK test directories and print how many test cases pass.

Each directory holding `*-test-*.xml` files is one row; one testCase counts as one test and passes
only when every resultNode matches by the comparison rule below. A resultNode with
errorResult="true" passes when the result is null and an error was reported. "errors" counts test
cases that could not run (the model did not load, or the engine raised). The last line is
`N passed, M failed`, errors counted as failed. The exit code is 0 whatever the results (this is
a measurement); 2 for usage errors.

Comparison rule (how an actual result is held against a TCK expected value):

- expected nil (xsi:nil, or no value at all) matches only null;
- numbers (xsd:decimal, xsd:double, ...) compare as Decimal equality after both are rounded to
  34 significant digits. Several TCK expected values were computed in binary floating point and
  written with at most 17 significant digits (2778.69354943277 for 2778.693549432766768...); an
  expected value that short also matches when the difference is below 1e-8 (the tolerance of the
  TCK's reference runner) or below 1e-14 of its magnitude. Longer expected values (such as
  0.3333333333333333333333333333333333) must match exactly. A boolean is never a number;
- strings compare exactly (no trimming, no case folding); booleans exactly;
- dates, times, dates and times and durations must be the same kind (a date never matches a date
  and time, a years-and-months duration never a days-and-time one) and equal by FEEL `=`;
- lists compare element-wise and must have the same length;
- contexts (components) must have the same keys, in any order, with matching values.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from lxml import etree

from verka.engine.dmn.compiled import CompiledBkm, CompiledService
from verka.engine.dmn.drg import DecisionModel
from verka.engine.dmn.errors import DmnError
from verka.engine.dmn.model import BusinessKnowledgeModel, DecisionService
from verka.engine.dmn.parser import parse_definitions
from verka.engine.dmn.runtime import run_at
from verka.engine.dmn.session import DecisionResult, Session
from verka.engine.dmn.tck_values import compare, read_value, show
from verka.engine.feel import temporal

Value = Any
USAGE = "usage: verka tck [--json] [--verbose] [--now=DATE-TIME] PATH..."


@dataclass(frozen=True)
class ExpectedResult:
    name: str
    namespace: str | None
    expected: Value
    error_result: bool


@dataclass(frozen=True)
class TestCase:
    case_id: str
    kind: str  # decision, bkm, decisionService
    invocable: str | None
    inputs: tuple[tuple[str, str | None, Value], ...]
    results: tuple[ExpectedResult, ...]


@dataclass(frozen=True)
class TestFile:
    path: Path
    model_name: str | None
    cases: tuple[TestCase, ...]


@dataclass
class DirectoryOutcome:
    path: str
    passed: int = 0
    failed: int = 0
    errors: int = 0
    failures: list[str] = field(default_factory=list)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def read_test_file(path: Path) -> TestFile:
    """Parse a TCK test file (testCases.xsd)."""
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    except etree.XMLSyntaxError as error:
        raise DmnError(f"malformed XML: {error.msg}", line=error.lineno, source=str(path)) from None
    model_names = _children(root, "modelName")
    model_name = (model_names[0].text or "").strip() if model_names else None
    cases = []
    for number, case in enumerate(_children(root, "testCase"), start=1):
        inputs = tuple(
            (node.get("name") or "", node.get("namespace"), read_value(node, str(path)))
            for node in _children(case, "inputNode")
        )
        results = []
        for node in _children(case, "resultNode"):
            expected_nodes = _children(node, "expected")
            expected = read_value(expected_nodes[0], str(path)) if expected_nodes else None
            results.append(
                ExpectedResult(
                    node.get("name") or "",
                    node.get("namespace"),
                    expected,
                    (node.get("errorResult") or "false").strip() == "true",
                )
            )
        cases.append(
            TestCase(
                case.get("id") or str(number),
                case.get("type") or "decision",
                case.get("invocableName"),
                inputs,
                tuple(results),
            )
        )
    return TestFile(path, model_name, tuple(cases))


def load_directory_models(directory: Path) -> list[Any]:
    return [
        parse_definitions(path.read_bytes(), str(path)) for path in sorted(directory.glob("*.dmn"))
    ]


def run_case(
    decision_model: DecisionModel, case: TestCase, now: datetime.datetime | None = None
) -> str | None:
    """None when the case passes, else the first failing expectation."""
    inputs: dict[str, Value] = {}
    for name, namespace, value in case.inputs:
        inputs[f"{{{namespace}}}{name}" if namespace else name] = value
    service_result: DecisionResult | None = None
    several_outputs = False
    if case.kind == "decisionService":
        _, service = decision_model.find(case.invocable or "", (DecisionService,))
        several_outputs = isinstance(service, CompiledService) and len(service.outputs) > 1
        service_result = decision_model.evaluate_service(case.invocable or "", inputs, now=now)
    for expected in case.results:
        if case.kind == "decisionService":
            assert service_result is not None
            result = service_result
            value = result.value
            if several_outputs and isinstance(value, dict):
                value = value.get(expected.name)
        elif case.kind == "bkm":
            result = _invoke_bkm(decision_model, case.invocable or expected.name, inputs, now)
            value = result.value
        else:
            result = decision_model.evaluate(
                expected.name, inputs, namespace=expected.namespace, now=now
            )
            value = result.value
        if expected.error_result:
            if value is not None:
                return f"{expected.name}: expected an error (null), got {show(value)}"
            if not result.messages:
                return f"{expected.name}: expected an error to be reported, got null without one"
            continue
        mismatch = compare(expected.expected, value)
        if mismatch is not None:
            detail = f" [{'; '.join(result.messages[:2])}]" if result.messages else ""
            return f"{expected.name}: {mismatch}{detail}"
    return None


def _invoke_bkm(
    decision_model: DecisionModel,
    name: str,
    arguments: Mapping[str, Value],
    now: datetime.datetime | None,
) -> DecisionResult:
    key, compiled = decision_model.find(name, (BusinessKnowledgeModel,))
    assert isinstance(compiled, CompiledBkm)
    session = Session(decision_model, {}, run_at(now))
    function = session.value_of(key)
    value = function.invoke(None, dict(arguments), session.run.diagnostics)
    return session.result(value)


def run_directory(
    directory: Path, label: str, now: datetime.datetime | None = None
) -> DirectoryOutcome:
    outcome = DirectoryOutcome(label)
    test_files = sorted(directory.glob("*-test-*.xml"))
    try:
        definitions = load_directory_models(directory)
    except DmnError as error:
        definitions = []
        load_error: str | None = str(error)
    else:
        load_error = None
    for test_path in test_files:
        try:
            test_file = read_test_file(test_path)
        except DmnError as error:
            outcome.errors += 1
            outcome.failures.append(f"{test_path.name}: {error}")
            continue
        decision_model: DecisionModel | None = None
        file_error = load_error
        if file_error is None:
            try:
                decision_model = DecisionModel(definitions)
                if test_file.model_name:
                    decision_model = decision_model.with_main(str(directory / test_file.model_name))
            except DmnError as error:
                file_error = str(error)
        for case in test_file.cases:
            if decision_model is None:
                outcome.errors += 1
                outcome.failures.append(f"{case.case_id}: model did not load: {file_error}")
                continue
            try:
                failure = run_case(decision_model, case, now)
            except (DmnError, RecursionError, ArithmeticError) as error:
                failure = f"raised {type(error).__name__}: {error}"
                outcome.errors += 1
                outcome.failures.append(f"{case.case_id}: {failure}")
                continue
            except Exception as error:  # an engine bug must not stop the measurement
                outcome.errors += 1
                outcome.failures.append(f"{case.case_id}: raised {type(error).__name__}: {error}")
                continue
            if failure is None:
                outcome.passed += 1
            else:
                outcome.failed += 1
                outcome.failures.append(f"{case.case_id}: {failure}")
    return outcome


def find_test_directories(path: Path) -> list[Path]:
    if path.is_dir() and any(path.glob("*-test-*.xml")):
        return [path]
    return sorted({test.parent for test in path.rglob("*-test-*.xml")})


def run(paths: Sequence[Path], now: datetime.datetime | None = None) -> list[DirectoryOutcome]:
    outcomes = []
    for root in paths:
        base = root.parent if any(root.glob("*-test-*.xml")) else root
        for directory in find_test_directories(root):
            label = str(directory.relative_to(base)) if directory != base else directory.name
            outcomes.append(run_directory(directory, label, now))
    return outcomes


def _totals(outcomes: Sequence[DirectoryOutcome]) -> tuple[int, int, int]:
    return (
        sum(o.passed for o in outcomes),
        sum(o.failed for o in outcomes),
        sum(o.errors for o in outcomes),
    )


def print_table(outcomes: Sequence[DirectoryOutcome], out: TextIO, verbose: bool) -> None:
    width = max([len("total"), *(len(o.path) for o in outcomes)]) + 2
    out.write(f"{'directory':<{width}}{'passed':>8}{'failed':>8}{'errors':>8}\n")
    for outcome in outcomes:
        out.write(
            f"{outcome.path:<{width}}{outcome.passed:>8}{outcome.failed:>8}{outcome.errors:>8}\n"
        )
        if verbose:
            for failure in outcome.failures:
                flat = " ".join(failure.split())
                out.write(f"    {flat}\n")
    groups: dict[str, list[DirectoryOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.path.split("/")[0], []).append(outcome)
    out.write("-" * (width + 24) + "\n")
    if len(groups) > 1 and len(groups) < len(outcomes):
        for group, members in groups.items():
            passed, failed, errors = _totals(members)
            out.write(f"{group:<{width}}{passed:>8}{failed:>8}{errors:>8}\n")
    passed, failed, errors = _totals(outcomes)
    out.write(f"{'total':<{width}}{passed:>8}{failed:>8}{errors:>8}\n")
    out.write(f"{passed} passed, {failed + errors} failed\n")


def as_json(outcomes: Sequence[DirectoryOutcome]) -> str:
    passed, failed, errors = _totals(outcomes)
    return json.dumps(
        {
            "directories": [
                {
                    "path": o.path,
                    "passed": o.passed,
                    "failed": o.failed,
                    "errors": o.errors,
                    "failures": o.failures,
                }
                for o in outcomes
            ],
            "total": {"passed": passed, "failed": failed, "errors": errors},
        },
        indent=2,
    )


def main(argv: list[str], *, now: datetime.datetime | None = None) -> int:
    """`verka tck PATH...`; returns the exit code.

    now (or --now=DATE-TIME) is the instant FEEL's now() and today() answer; the engine reads no
    clock itself, so without it those functions give null.
    """
    if "-h" in argv or "--help" in argv:
        sys.stdout.write(f"{USAGE}\n\n{__doc__}")
        return 0
    options = {arg.partition("=")[0] for arg in argv if arg.startswith("-")}
    unknown = options - {"--json", "--verbose", "-v", "--now"}
    paths = [Path(arg) for arg in argv if not arg.startswith("-")]
    if unknown or not paths:
        problem = f"unknown option {sorted(unknown)[0]}" if unknown else "no PATH given"
        sys.stderr.write(f"{problem}\n{USAGE}\n")
        return 2
    for arg in argv:
        if arg.startswith("--now"):
            now = temporal.parse_date_time(arg.partition("=")[2])
            if now is None:
                sys.stderr.write(
                    f"--now needs a date and time, like 2026-01-31T12:00:00Z\n{USAGE}\n"
                )
                return 2
    missing = [str(path) for path in paths if not path.is_dir()]
    if missing:
        sys.stderr.write(f"not a directory: {', '.join(missing)}\n{USAGE}\n")
        return 2
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    outcomes = run(paths, now)
    if "--json" in options:
        sys.stdout.write(as_json(outcomes) + "\n")
    else:
        print_table(outcomes, sys.stdout, verbose="--verbose" in options or "-v" in options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
