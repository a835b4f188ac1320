"""JobWorker: a loop that activates jobs of one type with long polling and reports each
handler's outcome (complete, BPMN error, failure) — at least once, so handlers are idempotent."""

from __future__ import annotations

import logging
import random
import threading
import traceback
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import httpx

from .http import ActivatedJob, VerkaApiError, VerkaClient

log = logging.getLogger("verka.client")


class JobFailure(Exception):
    """Raise from a handler to fail the job with this message (retries count down by one
    unless `retries` is given; the job is retried after `retry_backoff_ms`)."""

    def __init__(
        self, message: str, *, retries: int | None = None, retry_backoff_ms: int | None = None
    ) -> None:
        super().__init__(message)
        self.retries = retries
        self.retry_backoff_ms = retry_backoff_ms


class BpmnError(Exception):
    """Raise from a handler to throw a BPMN error an error boundary event can catch."""

    def __init__(
        self, code: str, message: str = "", variables: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = dict(variables or {})


Handler = Callable[[ActivatedJob], Mapping[str, Any] | None]


class JobWorker:
    """Activates jobs of one type with long polling and runs `handler` on each.

    The handler returns the variables to complete the job with (or None), raises BpmnError to
    throw a BPMN error, JobFailure (or any other exception) to fail the job. Delivery is at
    least once — a job whose lease runs out, or whose completion is lost on the way, is handed
    out again — so the handler must be idempotent: use `job.key` as the idempotency key
    towards other systems. With `extend_lock_every` set, a long handler's lease is extended
    in the background so that no other worker takes the job meanwhile.
    """

    def __init__(
        self,
        client: VerkaClient,
        job_type: str,
        handler: Handler,
        *,
        worker_name: str = "python-worker",
        max_jobs: int = 5,
        timeout_ms: int = 60_000,
        request_timeout_ms: int = 20_000,
        retry_backoff_ms: int = 5_000,
        extend_lock_every: float | None = None,
        max_connection_backoff: float = 30.0,
    ) -> None:
        self.client = client
        self.job_type = job_type
        self.handler = handler
        self.worker_name = worker_name
        self.max_jobs = max_jobs
        self.timeout_ms = timeout_ms
        self.request_timeout_ms = request_timeout_ms
        self.retry_backoff_ms = retry_backoff_ms
        self.extend_lock_every = extend_lock_every
        self.max_connection_backoff = max_connection_backoff
        self._stop = threading.Event()
        self.handled = 0

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self, *, max_jobs_total: int | None = None) -> int:
        """Work until stop() (or until `max_jobs_total` jobs were handled); returns how many."""
        failures = 0
        while not self._stop.is_set():
            if max_jobs_total is not None and self.handled >= max_jobs_total:
                break
            remaining = None if max_jobs_total is None else max_jobs_total - self.handled
            try:
                handled = self.poll_once(limit=remaining)
                failures = 0
            except (httpx.TransportError, _ServerError) as error:
                failures += 1
                delay = min(self.max_connection_backoff, 0.5 * 2 ** min(failures, 10))
                delay *= random.uniform(0.5, 1.0)  # jitter: workers don't retry in step
                log.warning("Verka unreachable (%s); retrying in %.1fs", error, delay)
                self._stop.wait(delay)
                continue
            if not handled and self.request_timeout_ms < 100:
                # Without long polling an empty answer comes at once; don't spin.
                self._stop.wait(0.5)
        return self.handled

    def poll_once(self, *, limit: int | None = None) -> int:
        """One activation round (of at most `limit` jobs); returns how many were handled."""
        try:
            jobs = self.client.activate_jobs(
                self.job_type,
                self.worker_name,
                max_jobs=min(self.max_jobs, limit) if limit is not None else self.max_jobs,
                timeout_ms=self.timeout_ms,
                request_timeout_ms=self.request_timeout_ms,
            )
        except VerkaApiError as error:
            if error.status >= 500:
                raise _ServerError(str(error)) from error
            raise
        for job in jobs:
            if self._stop.is_set():
                break  # the lease runs out and another worker takes it
            self.handle(job)
        return len(jobs)

    def handle(self, job: ActivatedJob) -> None:
        """Run the handler, then report its outcome once: complete, throw or fail."""
        self._report(self._outcome(job), job)
        self.handled += 1

    def _outcome(self, job: ActivatedJob) -> Callable[[], None]:
        extender = _LeaseExtender(self, job) if self.extend_lock_every else None
        try:
            variables = self.handler(job)
        except BpmnError as error:
            return partial(
                self.client.throw_error, job.key, error.code, error.message, error.variables
            )
        except JobFailure as failure:
            retries = failure.retries if failure.retries is not None else job.retries - 1
            backoff = failure.retry_backoff_ms
            return partial(
                self.client.fail_job,
                job.key,
                max(retries, 0),
                str(failure),
                retry_backoff_ms=self.retry_backoff_ms if backoff is None else backoff,
            )
        except Exception as error:
            # The message says what went wrong without a traceback that might carry data.
            summary = traceback.format_exception_only(type(error), error)[-1].strip()
            log.warning("job %s of type %s failed: %s", job.key, job.type, summary)
            return partial(
                self.client.fail_job,
                job.key,
                max(job.retries - 1, 0),
                summary[:2000],
                retry_backoff_ms=self.retry_backoff_ms,
            )
        finally:
            if extender is not None:
                extender.stop()
        return partial(self.client.complete_job, job.key, variables or {})

    def _report(self, send: Callable[[], None], job: ActivatedJob, *, retry: bool = True) -> None:
        try:
            send()
        except VerkaApiError as error:
            if error.status in (404, 409):
                # Cancelled, timed out and taken by another worker, or already done.
                log.info("job %s outcome not accepted: %s", job.key, error.detail)
            elif error.status == 400 and retry:
                # The handler's result was refused (say, variables that cannot be stored): the
                # job fails with the reason, so that it shows up instead of silently timing out.
                log.warning("job %s outcome refused: %s", job.key, error)
                reason = f"{error.detail} {error.errors}"[:2000]
                fail = partial(self.client.fail_job, job.key, max(job.retries - 1, 0), reason)
                self._report(fail, job, retry=False)
            elif error.status in (401, 403):
                raise  # a configuration error: the worker cannot work at all
            else:
                log.warning("job %s outcome not delivered: %s", job.key, error)
        except httpx.TransportError as error:
            # The outcome is lost; the lease runs out and the job comes again (at least once).
            log.warning("job %s outcome not delivered: %s", job.key, error)


class _ServerError(Exception):
    pass


class _LeaseExtender:
    """Extends a job's lease every `extend_lock_every` seconds while its handler runs."""

    def __init__(self, worker: JobWorker, job: ActivatedJob) -> None:
        self._worker = worker
        self._job = job
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = float(self._worker.extend_lock_every or 0)
        while not self._done.wait(interval):
            try:
                self._worker.client.update_job(self._job.key, timeout_ms=self._worker.timeout_ms)
            except (VerkaApiError, httpx.TransportError) as error:
                log.warning("could not extend the lease of job %s: %s", self._job.key, error)

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)
