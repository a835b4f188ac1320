"""What `verka worker` does for the process engine: fire due timers and run in-process job
handlers (built-in connectors and handlers that apps register by job type).

A job runs outside any transaction, then completes or fails in one. If the worker dies mid-job
the lease runs out and another worker takes the job again: at-least-once, so handlers must be
idempotent (they get the job key to use as an idempotency key).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from verka.worker.runner import WorkSource, register

from . import rows, services

log = logging.getLogger(__name__)


class JobFailure(Exception):
    """Raise from a handler to fail the job with a message (retries count down)."""

    def __init__(
        self, message: str, *, retries: int | None = None, backoff: timedelta | None = None
    ):
        super().__init__(message)
        self.retries = retries
        self.backoff = backoff


class BpmnErrorThrown(Exception):
    """Raise from a handler to throw a BPMN error that a boundary event can catch."""

    def __init__(self, code: str, message: str = "", variables: Mapping[str, Any] | None = None):
        super().__init__(message or code)
        self.code = code
        self.variables = dict(variables or {})


JobHandler = Callable[[services.ActivatedJob], Mapping[str, Any] | None]


@dataclass(frozen=True)
class HandlerSpec:
    job_type: str
    handler: JobHandler
    timeout: timedelta
    backoff: timedelta


_HANDLERS: dict[str, HandlerSpec] = {}


def job_handler(
    job_type: str,
    *,
    timeout: timedelta = timedelta(minutes=5),
    backoff: timedelta = timedelta(seconds=10),
) -> Callable[[JobHandler], JobHandler]:
    """Register a function that does the work of service tasks of this type in `verka worker`."""

    def decorate(handler: JobHandler) -> JobHandler:
        _HANDLERS[job_type] = HandlerSpec(job_type, handler, timeout, backoff)
        return handler

    return decorate


def handlers() -> dict[str, HandlerSpec]:
    return dict(_HANDLERS)


Outcome = Callable[[], None]

# Outcomes of quick handlers are recorded together in one transaction (one commit instead of
# one per job), at the latest about this long (seconds) after the first of them was ready.
RECORD_WITHIN = 0.05


def run_handler(spec: HandlerSpec, job: services.ActivatedJob) -> Outcome:
    """Run the handler (outside any transaction); returns the command that records its outcome."""
    try:
        variables = spec.handler(job)
    except BpmnErrorThrown as error:
        return partial(services.throw_error, job.key, error.code, str(error), error.variables)
    except JobFailure as failure:
        retries = failure.retries if failure.retries is not None else job.retries - 1
        return partial(
            services.fail_job,
            job.key,
            max(retries, 0),
            str(failure),
            backoff=failure.backoff or spec.backoff,
        )
    except Exception as error:
        # An unexpected error in a handler: the job fails with the error's summary, never with
        # a traceback that might contain data, and retries after the back-off.
        log.warning(
            "job handler failed",
            extra={"job_type": job.type, "job_key": job.key, "error": type(error).__name__},
        )
        summary = traceback.format_exception_only(type(error), error)[-1].strip()
        return partial(
            services.fail_job,
            job.key,
            max(job.retries - 1, 0),
            summary[:2000],
            backoff=spec.backoff,
        )
    return partial(services.complete_job, job.key, variables or {})


def run_job(spec: HandlerSpec, job: services.ActivatedJob) -> None:
    run_handler(spec, job)()


def record(outcomes: list[tuple[services.ActivatedJob, Outcome]]) -> None:
    """Record several jobs' outcomes in one transaction. Each is still its own command: it runs
    in a savepoint, so one that is rejected or fails changes nothing and leaves the others be.
    Killed before the commit, none is recorded: their leases run out and the jobs run again
    (at-least-once, as always)."""
    if len(outcomes) == 1:
        _record_one(*outcomes[0])  # its own transaction, no savepoint needed
    elif outcomes:
        with rows.write_transaction():
            for job, outcome in outcomes:
                _record_one(job, outcome)


def _record_one(job: services.ActivatedJob, outcome: Outcome) -> None:
    try:
        outcome()
    except services.CommandRejected as rejected:
        # The job was cancelled or taken over meanwhile; nothing left to do.
        log.info("job outcome rejected", extra={"job_key": job.key, "why": str(rejected)})
    except Exception:
        # Rolled back (to its savepoint in a batch); the job stays leased and runs again later.
        log.exception("recording a job outcome failed", extra={"job_key": job.key})


def poll_jobs(worker_name: str, batch: int = 20) -> int:
    done = 0
    for spec in list(_HANDLERS.values()):
        jobs = services.activate_jobs(
            spec.job_type, worker_name, max_jobs=batch, timeout=spec.timeout
        )
        pending: list[tuple[services.ActivatedJob, Outcome]] = []
        first_ready = 0.0
        for job in jobs:
            began = time.monotonic()
            outcome = run_handler(spec, job)
            ready = time.monotonic()
            if not pending:
                first_ready = ready
            pending.append((job, outcome))
            # Quick handlers share a commit; after a slow one (which held up the outcomes
            # before it) or once the batch is old enough, what is ready is recorded.
            if ready - first_ready >= RECORD_WITHIN or ready - began >= RECORD_WITHIN / 5:
                record(pending)
                pending = []
            done += 1
        record(pending)
    return done


def poll_timers(worker_name: str) -> int:
    return services.fire_due_timers()


def register_work_sources() -> None:
    register(WorkSource("timers", poll_timers))
    register(WorkSource("jobs", poll_jobs))
