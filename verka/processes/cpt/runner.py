"""Runs CPT test cases against the process engine: deploy the resources, then each case in its
own transaction (rolled back afterwards) on a manual clock, instruction by instruction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import clock, repository, services
from . import actions, checks
from .cases import (
    CptError,
    InstructionError,
    Mismatch,
    TestCase,
    TestFileError,
    check_instruction,
    load_test_file,
)
from .decisions import recording
from .session import Session

RESOURCE_SUFFIXES = (".bpmn", ".dmn", ".form")

Handler = Callable[[Session, Mapping[str, Any]], None]

HANDLERS: dict[str, Handler] = {
    "CREATE_PROCESS_INSTANCE": actions.create_process_instance,
    "EVALUATE_CONDITIONAL_START_EVENT": actions.evaluate_conditional_start_event,
    "UPDATE_VARIABLES": actions.update_variables,
    "COMPLETE_JOB": actions.complete_job,
    "THROW_BPMN_ERROR_FROM_JOB": actions.throw_bpmn_error_from_job,
    "MOCK_JOB_WORKER_COMPLETE_JOB": actions.mock_job_worker_complete_job,
    "MOCK_JOB_WORKER_THROW_BPMN_ERROR": actions.mock_job_worker_throw_bpmn_error,
    "RESOLVE_INCIDENT": actions.resolve_incident,
    "COMPLETE_USER_TASK": actions.complete_user_task,
    "PUBLISH_MESSAGE": actions.publish_message,
    "CORRELATE_MESSAGE": actions.correlate_message,
    "BROADCAST_SIGNAL": actions.broadcast_signal,
    "INCREASE_TIME": actions.increase_time,
    "SET_TIME": actions.set_time,
    "EVALUATE_DECISION": actions.evaluate_decision,
    "MOCK_DMN_DECISION": actions.mock_dmn_decision,
    "MOCK_CHILD_PROCESS": actions.mock_child_process,
    "COMPLETE_JOB_AD_HOC_SUB_PROCESS": actions.not_supported("Verka has no ad-hoc sub-processes"),
    "COMPLETE_JOB_USER_TASK_LISTENER": actions.not_supported("Verka has no user task listeners"),
    "ASSERT_VARIABLE": actions.not_supported(
        "judging a variable against a semantic expectation needs a language model; "
        "use ASSERT_VARIABLES with the expected value"
    ),
    "ASSERT_PROCESS_INSTANCE": checks.assert_process_instance,
    "ASSERT_PROCESS_INSTANCE_MESSAGE_SUBSCRIPTION": (
        checks.assert_process_instance_message_subscription
    ),
    "ASSERT_ELEMENT_INSTANCE": checks.assert_element_instance,
    "ASSERT_ELEMENT_INSTANCES": checks.assert_element_instances,
    "ASSERT_VARIABLES": checks.assert_variables,
    "ASSERT_USER_TASK": checks.assert_user_task,
    "ASSERT_DECISION": checks.assert_decision,
}


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test case; `message` says why it failed ("" when it passed)."""

    file: str
    name: str
    passed: bool
    message: str = ""

    def line(self) -> str:
        return f"PASS {self.name}" if self.passed else f"FAIL {self.name}: {self.message}"


class ResourceError(CptError):
    """The resources could not be deployed; nothing ran."""


def resource_files(resources_dir: Path) -> list[tuple[str, bytes]]:
    if not resources_dir.is_dir():
        raise ResourceError(f"{resources_dir}: not a directory")
    paths = sorted(
        p for p in resources_dir.iterdir() if p.is_file() and p.suffix.lower() in RESOURCE_SUFFIXES
    )
    return [(str(p.relative_to(resources_dir)), p.read_bytes()) for p in paths]


def deploy_resources(resources_dir: Path) -> int:
    """Deploy every .bpmn, .dmn and .form in the directory (not its subdirectories); returns
    how many."""
    files = resource_files(resources_dir)
    if not files:
        return 0
    try:
        services.deploy(files, name=f"cpt {resources_dir.name}", is_test=True)
    except services.DeploymentError as error:
        problems = "\n  ".join(error.problems)
        raise ResourceError(f"resources could not be deployed:\n  {problems}") from None
    return len(files)


def _failure(index: int, instruction: Any, why: str) -> str:
    kind = instruction.get("type") if isinstance(instruction, dict) else None
    return f"instruction #{index} {kind if isinstance(kind, str) else '?'}: {why}"


def _run_instructions(case: TestCase, session: Session) -> str:
    """Run the case's instructions; returns "" or the first failure."""
    for index, instruction in enumerate(case.instructions, start=1):
        try:
            kind = check_instruction(instruction)
            HANDLERS[kind](session, instruction)
            session.settle()
        except (Mismatch, InstructionError) as error:
            return _failure(index, instruction, str(error))
        except services.CommandRejected as error:
            return _failure(index, instruction, f"the engine rejected it: {error}")
        except LookupError as error:  # DeploymentMissing
            return _failure(index, instruction, str(error).strip("'\""))
        except ValueError as error:  # bad variables (codec), bad values
            return _failure(index, instruction, f"invalid value: {error}")
        except Exception as error:  # an engine bug must fail the case, not the whole run
            return _failure(index, instruction, f"unexpected {type(error).__name__}: {error}")
    return ""


def run_case(case: TestCase, file: str = "", *, start: datetime | None = None) -> CaseResult:
    """Run one case in a transaction that is rolled back, so the next case starts clean."""
    session = Session(clock.ManualClock(start or timezone.now().replace(microsecond=0)))
    try:
        with (
            clock.use_clock(session.clock),
            recording(session.decisions),
            transaction.atomic(),
        ):
            try:
                failure = _run_instructions(case, session)
            finally:
                transaction.set_rollback(True)
    finally:
        # Rolled-back rows may reuse ids of cached parsed resources (a mocked child process).
        repository.clear_caches()
    return CaseResult(file, case.name, not failure, failure)


def run_test_file(
    path: str | Path,
    resources_dir: str | Path | None = None,
    *,
    deploy: bool = True,
    start: datetime | None = None,
) -> list[CaseResult]:
    """Run every case of a CPT test file against the current database (which must be migrated;
    under pytest-django, the test database). Deploys `resources_dir` first unless `deploy` is
    false. A file that cannot be read gives one failed result named after the file."""
    path = Path(path)
    if deploy and resources_dir is not None:
        deploy_resources(Path(resources_dir))
    try:
        cases = load_test_file(path)
    except TestFileError as error:
        return [CaseResult(str(path), path.name, False, str(error))]
    return [run_case(case, str(path), start=start) for case in cases]


def summary(results: Sequence[CaseResult]) -> str:
    passed = sum(1 for result in results if result.passed)
    return f"{passed} passed, {len(results) - passed} failed"
