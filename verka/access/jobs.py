"""Jobs and the external worker protocol: a job is reached through its type, granted to a service
account (`job-type`) or held by the digitalisation team; officers never run jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from verka.processes.models import Job

from .callers import Reach, granted


def job_types(user: Any) -> Reach:
    return granted(user, "job-type")


def may_work_on(user: Any, job_type: str) -> bool:
    return job_type in job_types(user)


def jobs_for(user: Any) -> QuerySet[Job]:
    return job_types(user).filter(Job.objects.all(), "type")


def job_for(user: Any, job_key: int) -> Job | None:
    """The job with this key if its type is the user's, else None (the caller answers 404)."""
    return jobs_for(user).filter(key=job_key).first()
