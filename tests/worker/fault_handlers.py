"""The job handler that the `verka worker` subprocesses of test_faults.py load (through
VERKA_WORKER_MODULES): quick work, with a short lease so that a killed worker's jobs come
back soon."""

from __future__ import annotations

import os
from datetime import timedelta

from verka.processes.worker import job_handler

LEASE = timedelta(seconds=float(os.environ.get("VERKA_TEST_LEASE_SECONDS", "300")))


@job_handler("fault-work", timeout=LEASE, backoff=timedelta(0))
def fault_work(job):  # type: ignore[no-untyped-def]
    return {"worked": True}
