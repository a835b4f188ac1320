"""Job handlers that the worker subprocesses of test_worker_processes.py load (via
VERKA_WORKER_MODULES). Every call is logged to a file so the test can count executions."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from verka.processes.worker import job_handler

LEASE = timedelta(seconds=float(os.environ.get("VERKA_TEST_LEASE_SECONDS", "300")))


def _log(line: str) -> None:
    with open(os.environ["VERKA_TEST_JOB_LOG"], "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@job_handler("crash-test", timeout=LEASE, backoff=timedelta(0))
def crash_test(job):  # type: ignore[no-untyped-def]
    _log(f"start {job.key} {os.getpid()}")
    hang = os.environ.get("VERKA_TEST_HANG_FILE")
    while hang and os.path.exists(hang):
        time.sleep(0.05)  # the test kills the worker here, in the middle of the job
    _log(f"done {job.key} {os.getpid()}")
    return {"handledBy": os.getpid()}


@job_handler("many-workers", timeout=LEASE)
def many_workers(job):  # type: ignore[no-untyped-def]
    _log(f"done {job.key} {os.getpid()}")
    return {"worker": os.getpid()}
