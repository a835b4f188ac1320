"""/jobs: the external job worker protocol, modelled on Camunda 8's REST API.

Activation leases jobs for `timeout` ms and can wait (long polling) up to `requestTimeout` ms
for jobs to appear. Delivery is at least once: a job whose lease runs out before completion is
handed out again, so workers must be idempotent (the job key is a good idempotency key).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from ninja import Field, Path, Router, Status

from verka.access import jobs as access
from verka.access import log
from verka.processes import services
from verka.processes.models import Job
from verka.workspace.services import READ_VARIABLE, VARIABLE_CHANGED

from ..auth import needs, owner_of, via
from ..models import Scope
from ..problems import forbidden, not_found
from .common import (
    MAX_KEY,
    Input,
    LongText,
    Name,
    Output,
    Variables,
    check_variables,
    timestamp,
    variables_out,
)
from .wakeups import wakeups

router = Router(tags=["jobs"])

JobKey = Path(..., ge=0, le=MAX_KEY, description="jobKey")
# SQLite has no LISTEN/NOTIFY: a waiting activation looks again this often.
POLL_INTERVAL = 0.2
# With LISTEN a notification wakes the request; this bounds the wait should one be missed.
LISTEN_INTERVAL = 2.0
MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000


def max_request_timeout_ms() -> int:
    return int(getattr(settings, "VERKA_API_MAX_LONG_POLL_MS", 60_000))


class ActivateJobs(Input):
    type: Name
    worker: str = Field("", max_length=255, pattern=r"^[^\x00]*$")
    timeout: int = Field(
        300_000, ge=1, le=MAX_TIMEOUT_MS, description="lease in ms; after it the job returns"
    )
    maxJobsToActivate: int = Field(10, ge=1, le=1000)
    requestTimeout: int = Field(
        0, ge=0, le=600_000, description="long polling: wait up to this many ms for jobs"
    )
    fetchVariable: list[Name] | None = Field(
        None, max_length=1000, description="only these variables (default all)"
    )


class ActivatedJobOut(Output):
    jobKey: str
    type: str
    processInstanceKey: str
    bpmnProcessId: str
    elementId: str
    elementInstanceKey: str
    customHeaders: dict[str, str]
    worker: str
    retries: int
    deadline: str
    variables: Variables


class ActivatedJobs(Output):
    jobs: list[ActivatedJobOut]


class CompleteJob(Input):
    variables: Variables | None = None


class FailJob(Input):
    retries: int = Field(0, ge=0, le=1000, description="retries left; 0 raises an incident")
    errorMessage: LongText = ""
    retryBackOff: int = Field(0, ge=0, le=MAX_TIMEOUT_MS, description="ms before the retry")
    variables: Variables | None = None


class ThrowJobError(Input):
    errorCode: Name
    errorMessage: LongText = ""
    variables: Variables | None = None


class JobChangeset(Input):
    retries: int | None = Field(None, ge=1, le=1000)
    timeout: int | None = Field(
        None, ge=1, le=MAX_TIMEOUT_MS, description="new lease in ms, counted from now"
    )


class UpdateJob(Input):
    changeset: JobChangeset


@router.post(
    "/jobs/activation",
    auth=needs(Scope.JOBS),
    response=ActivatedJobs,
    summary="Activate jobs of a type (long polling)",
    description="Leases up to `maxJobsToActivate` jobs for `timeout` ms. With `requestTimeout` "
    "the request waits that long for jobs to appear before answering with an empty list. "
    "At-least-once: a job not completed within its lease is activated again. 403 unless the "
    "token's owner is granted the job type; the activated jobs' instances are written to the "
    "access log. Scope: jobs.",
)
def activate(request: HttpRequest, payload: ActivateJobs) -> Any:
    owner = owner_of(request)
    if not access.may_work_on(owner, payload.type):
        raise forbidden(f"the token's owner is not granted the job type '{payload.type}'")
    wait_ms = min(payload.requestTimeout, max_request_timeout_ms())
    give_up = time.monotonic() + wait_ms / 1000
    listening = tried_listening = False
    while True:
        seen = wakeups.generation()
        jobs = services.activate_jobs(
            payload.type,
            payload.worker,
            max_jobs=payload.maxJobsToActivate,
            timeout=timedelta(milliseconds=payload.timeout),
        )
        remaining = give_up - time.monotonic()
        if jobs or remaining <= 0:
            break
        # No transaction spans this wait: services commit per call, and the API's views are
        # exempt from ATOMIC_REQUESTS (urls.py).
        if not tried_listening and connection.vendor == "postgresql" and remaining > POLL_INTERVAL:
            tried_listening = True
            listening = wakeups.listening(connection.get_connection_params())
            if listening:
                continue  # listening now: look once more, then sleep until notified
        if listening:
            wakeups.wait(seen, min(remaining, LISTEN_INTERVAL))
        else:
            time.sleep(min(remaining, POLL_INTERVAL))
    wanted = set(payload.fetchVariable) if payload.fetchVariable is not None else None
    if jobs:
        # The jobs carry their instances' variables: each instance's case is read.
        what = log.entry(READ_VARIABLE, f"job type {payload.type}"[:100], via(request))
        log.record_instances(owner, log.READ, what, [job.process_instance_key for job in jobs])
    return ActivatedJobs(
        jobs=[
            ActivatedJobOut(
                jobKey=str(job.key),
                type=job.type,
                processInstanceKey=str(job.process_instance_key),
                bpmnProcessId=job.bpmn_process_id,
                elementId=job.element_id,
                elementInstanceKey=str(job.element_instance_key),
                customHeaders={str(k): str(v) for k, v in job.custom_headers.items()},
                worker=payload.worker,
                retries=job.retries,
                deadline=timestamp(job.deadline) or "",
                variables=variables_out(
                    {
                        name: value
                        for name, value in job.variables.items()
                        if wanted is None or name in wanted
                    }
                ),
            )
            for job in jobs
        ]
    )


def _job_or_404(request: HttpRequest, key: int) -> Job:
    """The job if its type is granted to the token's owner; 404 alike for one that does not
    exist."""
    job = access.job_for(owner_of(request), key)
    if job is None:
        raise not_found(f"job {key} does not exist")
    return job


def _log_change(request: HttpRequest, job: Job, variables: dict[str, Any]) -> None:
    """Variables a worker hands back change the case's data."""
    if variables:
        what = log.entry(VARIABLE_CHANGED, ", ".join(sorted(variables))[:150], via(request))
        log.record(owner_of(request), log.CHANGE, what, instance_key=job.process_instance_id)


@router.post(
    "/jobs/{key}/completion",
    auth=needs(Scope.JOBS),
    response={204: None},
    summary="Complete a job",
    description="The variables are merged into the process. 409 if the job was completed, "
    "cancelled or errored meanwhile. Scope: jobs.",
)
def complete(request: HttpRequest, payload: CompleteJob | None = None, key: int = JobKey) -> Any:
    variables = check_variables(payload.variables if payload else None)
    job = _job_or_404(request, key)
    services.complete_job(key, variables)
    _log_change(request, job, variables)
    return Status(204, None)


@router.post(
    "/jobs/{key}/failure",
    auth=needs(Scope.JOBS),
    response={204: None},
    summary="Fail a job",
    description="With retries left the job is activatable again after `retryBackOff` ms; with "
    "0 retries an incident is raised. Scope: jobs.",
)
def fail(request: HttpRequest, payload: FailJob, key: int = JobKey) -> Any:
    variables = check_variables(payload.variables)
    job = _job_or_404(request, key)
    services.fail_job(
        key,
        payload.retries,
        payload.errorMessage,
        backoff=timedelta(milliseconds=payload.retryBackOff) if payload.retryBackOff else None,
        variables=variables,
    )
    _log_change(request, job, variables)
    return Status(204, None)


@router.post(
    "/jobs/{key}/error",
    auth=needs(Scope.JOBS),
    response={204: None},
    summary="Throw a BPMN error from a job",
    description="An error boundary or event subprocess catching `errorCode` takes over; if "
    "none does, an incident is raised. Scope: jobs.",
)
def throw_error(request: HttpRequest, payload: ThrowJobError, key: int = JobKey) -> Any:
    variables = check_variables(payload.variables)
    job = _job_or_404(request, key)
    services.throw_error(key, payload.errorCode, payload.errorMessage, variables)
    _log_change(request, job, variables)
    return Status(204, None)


@router.patch(
    "/jobs/{key}",
    auth=needs(Scope.JOBS),
    response={204: None},
    summary="Extend a job's lease or change its retries",
    description="`changeset.timeout` sets the lease to end that many ms from now (for long "
    "work); `changeset.retries` sets the retries. Scope: jobs.",
)
def update(request: HttpRequest, payload: UpdateJob, key: int = JobKey) -> Any:
    _job_or_404(request, key)
    timeout = payload.changeset.timeout
    services.update_job(
        key,
        retries=payload.changeset.retries,
        timeout=timedelta(milliseconds=timeout) if timeout is not None else None,
    )
    return Status(204, None)
