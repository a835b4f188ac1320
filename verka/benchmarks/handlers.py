"""The job handler `verka bench` runs in its worker processes: it completes at once."""

from __future__ import annotations

from datetime import timedelta

from verka.processes.worker import job_handler


@job_handler("bench-work", timeout=timedelta(minutes=1))
def bench_work(job):  # type: ignore[no-untyped-def]
    return {"handled": True}
