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


@dataclass(frozen=True)
class Completion:
    """The outcome of a handler that did its work: complete the job with these variables.
    Recorded in batches (`record`); calling it records it alone."""

    job_key: int
    variables: Mapping[str, Any]

    def __call__(self) -> None:
        services.complete_job(self.job_key, self.variables)


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
    return Completion(job.key, variables or {})


def run_job(spec: HandlerSpec, job: services.ActivatedJob) -> None:
    run_handler(spec, job)()


def record(
    outcomes: list[tuple[services.ActivatedJob, Outcome]],
    then_lease: services.Lease | None = None,
) -> list[services.ActivatedJob]:
    """Record several jobs' outcomes. Completions go together: one transaction, one read of
    the jobs and their instances, one write (`services.complete_jobs`); each is still its own
    command, so one that is rejected leaves the others be. Should the batch fail as a whole,
    each completion is recorded alone. Failures and errors thrown are rarer: each runs in a
    savepoint of one shared transaction. Killed before a commit, what it held is not
    recorded: the leases run out and the jobs run again (at-least-once, as always).
    With `then_lease`, the completions' transaction also leases the next jobs, returned."""
    completions = [(job, o) for job, o in outcomes if isinstance(o, Completion)]
    others = [(job, o) for job, o in outcomes if not isinstance(o, Completion)]
    leased: list[services.ActivatedJob] = []
    if completions:
        leased = _record_completions(completions, then_lease)
    if len(others) == 1:
        _record_one(*others[0])  # its own transaction, no savepoint needed
    elif others:
        with rows.write_transaction():
            for job, outcome in others:
                _record_one(job, outcome)
    return leased


def _record_completions(
    completions: list[tuple[services.ActivatedJob, Completion]],
    then_lease: services.Lease | None,
) -> list[services.ActivatedJob]:
    try:
        rejected, leased = services.complete_jobs_and_lease(
            [(c.job_key, c.variables) for _, c in completions], then_lease
        )
    except Exception:
        # Rolled back whole; one of them is at fault, and alone each fares as it would have.
        log.warning("a batch of job completions failed, recording them one by one")
        for job, completion in completions:
            _record_one(job, completion)
        return []
    for key, why in rejected.items():
        # The job was cancelled or taken over meanwhile; nothing left to do.
        log.info("job outcome rejected", extra={"job_key": key, "why": why})
    return leased


def _record_one(job: services.ActivatedJob, outcome: Outcome) -> None:
    try:
        outcome()
    except services.CommandRejected as rejected:
        # The job was cancelled or taken over meanwhile; nothing left to do.
        log.info("job outcome rejected", extra={"job_key": job.key, "why": str(rejected)})
    except Exception:
        # Rolled back (to its savepoint in a batch); the job stays leased and runs again later.
        log.exception("recording a job outcome failed", extra={"job_key": job.key})


class LeaseSize:
    """How many jobs a pass leases at once. Quick handlers (a computation, a row written) are
    best leased by the hundred: one lease and one commit then serve them all, and a worker's
    cost per job falls by half or more. A slow handler (an HTTP call) holds up every job
    leased after it, and those jobs wait in this worker while others idle; so the size
    follows how long handlers have been taking, aiming at `target` seconds of handler work
    per lease, between 1 and `most`."""

    def __init__(self, first: int = 20, most: int = 200, target: float = 0.25) -> None:
        self.size = first
        self.most = most
        self.target = target
        self.per_job: float | None = None

    def ran(self, jobs: int, seconds: float) -> None:
        """A pass ran `jobs` handlers in `seconds`."""
        if jobs == 0:
            return
        took = seconds / jobs
        # A moving average: one odd pass (a cold cache, a slow reply) moves it only a little.
        self.per_job = took if self.per_job is None else 0.7 * self.per_job + 0.3 * took
        self.size = max(1, min(self.most, int(self.target / max(self.per_job, 1e-6))))


_lease_size = LeaseSize()


# A busy worker's pass goes on leasing the next jobs in the transaction that records the last
# ones, for up to this long (seconds); then the other work sources get their turn.
LEASE_AGAIN_WITHIN = 0.5


def poll_jobs(worker_name: str, batch: int | None = None) -> int:
    """Lease due jobs of every registered type in one statement (each for its handler's
    timeout), run them and record their outcomes; while jobs keep coming (for up to
    LEASE_AGAIN_WITHIN), the transaction that records a batch leases the next. Without
    `batch`, each lease is as large as `LeaseSize` finds right for how quick the handlers
    are. Returns how many jobs ran."""
    specs = dict(_HANDLERS)
    if not specs:
        return 0
    timeouts = {job_type: spec.timeout for job_type, spec in specs.items()}
    began = time.monotonic()
    jobs = services.activate_jobs(
        "", worker_name, max_jobs=batch or _lease_size.size, timeouts=timeouts
    )
    done = 0
    while jobs:
        done += len(jobs)
        again = time.monotonic() - began < LEASE_AGAIN_WITHIN
        jobs = _run_jobs(jobs, specs, worker_name if again else None, batch, timeouts)
    return done


def _run_jobs(
    jobs: list[services.ActivatedJob],
    specs: Mapping[str, HandlerSpec],
    lease_for: str | None,
    batch: int | None,
    timeouts: Mapping[str, timedelta],
) -> list[services.ActivatedJob]:
    """Run the jobs' handlers and record their outcomes; with `lease_for` (the worker's
    name), lease the next jobs while recording, and return them."""
    pending: list[tuple[services.ActivatedJob, Outcome]] = []
    first_ready = 0.0
    handling = 0.0
    for job in jobs:
        began = time.monotonic()
        outcome = run_handler(specs[job.type], job)
        ready = time.monotonic()
        handling += ready - began
        if not pending:
            first_ready = ready
        pending.append((job, outcome))
        # Quick handlers share a commit; after a slow one (which held up the outcomes before
        # it) or once the batch is old enough, what is ready is recorded.
        if ready - first_ready >= RECORD_WITHIN or ready - began >= RECORD_WITHIN / 5:
            record(pending)
            pending = []
    _lease_size.ran(len(jobs), handling)
    then_lease = None
    if lease_for is not None:
        then_lease = services.Lease(lease_for, batch or _lease_size.size, timeouts)
    return record(pending, then_lease)


def poll_timers(worker_name: str) -> int:
    return services.fire_due_timers()


def register_work_sources() -> None:
    register(WorkSource("timers", poll_timers))
    register(WorkSource("jobs", poll_jobs))
