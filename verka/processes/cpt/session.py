"""What one CPT test case carries from instruction to instruction (clock, mocked workers,
decisions, correlations), and settling the engine after each step: due timers fire and mocked
workers take their jobs until nothing moves any more."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .. import repository, services
from ..clock import ManualClock
from ..models import Job, ProcessInstance
from .cases import Mismatch
from .decisions import DecisionLog
from .lookup import CPT_WORKER, available_jobs, element_rows

# Long enough that INCREASE_TIME never hands a job leased by the test back to the pool.
LEASE = timedelta(days=365 * 100)
# A mocked worker whose jobs keep coming back (a loop in the model) must not spin forever.
MAX_SETTLE_ROUNDS = 1000
EXAMPLE_OUTPUT = "camundaModeler:exampleOutputJson"


@dataclass(frozen=True)
class MockWorker:
    job_type: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    use_example_data: bool = False
    error_code: str = ""  # set: the worker throws this BPMN error instead of completing
    error_message: str = ""


@dataclass(frozen=True)
class Correlation:
    instance_key: int
    message_name: str
    correlation_key: str


@dataclass
class Session:
    clock: ManualClock
    decisions: DecisionLog = field(default_factory=DecisionLog)
    workers: dict[str, MockWorker] = field(default_factory=dict)
    correlations: list[Correlation] = field(default_factory=list)
    published: set[tuple[str, str]] = field(default_factory=set)  # (name, correlation key)
    # (instance key, element id): end the instance once the element has completed.
    terminations: list[tuple[int, str]] = field(default_factory=list)

    def settle(self) -> None:
        for _round in range(MAX_SETTLE_ROUNDS):
            moved = services.fire_due_timers() > 0
            for worker in list(self.workers.values()):
                for job in available_jobs({"jobType": worker.job_type}):
                    run_worker(worker, job)
                    moved = True
            moved = self._terminate_where_due() or moved
            if not moved:
                return
        raise Mismatch(
            f"the engine did not settle after {MAX_SETTLE_ROUNDS} rounds of timers and mocked "
            "job workers (a loop in the model?)"
        )

    def _terminate_where_due(self) -> bool:
        ended = False
        for instance_key, element_id in list(self.terminations):
            instance = ProcessInstance.objects.filter(key=instance_key).first()
            if instance is None or instance.status != ProcessInstance.Status.ACTIVE:
                self.terminations.remove((instance_key, element_id))
                continue
            if any(row.state == "COMPLETED" for row in element_rows(instance, [element_id])):
                services.cancel_instance(instance_key)
                self.terminations.remove((instance_key, element_id))
                ended = True
        return ended


def lease(job: Job) -> int:
    """Activate the job for the CPT worker through the ordinary job protocol."""
    if job.state == Job.State.ACTIVATED:
        return job.key
    for _attempt in range(1000):
        leased = services.activate_jobs(job.type, CPT_WORKER, max_jobs=1, timeout=LEASE)
        if not leased:
            break
        if leased[0].key == job.key:
            return job.key
    raise Mismatch(
        f"job {job.key} of type '{job.type}' at '{job.element_id}' could not be activated"
    )


def example_data(job_or_task: Any) -> dict[str, Any]:
    """The element's example output (Camunda Modeler's zeebe:property exampleOutputJson).

    Like CPT, an element without usable example data completes with no variables.
    """
    instance = ProcessInstance.objects.select_related("definition").get(
        key=job_or_task.process_instance_id
    )
    process = repository.process_model(instance.definition)
    element = process.elements.get(job_or_task.element_id)
    text = element.properties.get(EXAMPLE_OUTPUT) if element is not None else None
    try:
        data = json.loads(text) if text else {}
    except json.JSONDecodeError:
        data = {}
    return data if isinstance(data, dict) else {}


def run_worker(worker: MockWorker, job: Job) -> None:
    key = lease(job)
    if worker.error_code:
        services.throw_error(key, worker.error_code, worker.error_message, worker.variables)
        return
    variables = example_data(job) if worker.use_example_data else worker.variables
    services.complete_job(key, variables)
