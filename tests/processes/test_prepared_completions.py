"""On SQLite a worker's completions are computed before their transaction and written under
the lock only if nothing changed the jobs or their instances meanwhile; otherwise they run
again inside the transaction."""

from __future__ import annotations

import pytest

from verka.processes import rows, services
from verka.processes.models import ElementInstance, Job, ProcessInstance

from . import models as m

pytestmark = [
    pytest.mark.django_db(transaction=True),  # no test transaction: completions are prepared
]


@pytest.fixture(autouse=True)
def _sqlite_only(monkeypatch: pytest.MonkeyPatch) -> None:
    if rows.is_postgresql():
        pytest.skip("PostgreSQL locks the rows instead; only SQLite prepares completions")
    # Prepared from the first job on, not only for the large batches of a busy worker.
    monkeypatch.setattr(services, "PREPARE_COMPLETIONS_FROM", 1)


def test_a_few_jobs_go_straight_into_the_transaction(monkeypatch):
    monkeypatch.setattr(services, "PREPARE_COMPLETIONS_FROM", 2)
    services.deploy([("one.bpmn", m.ONE_TASK)])
    services.start_instance("one-task", {"amount": 5})
    (job,) = services.activate_jobs("work", "w")
    monkeypatch.setattr(services._PreparedCompletions, "compute", None)  # must not be called
    assert services.complete_jobs([(job.key, {"done": True})]) == {}
    assert Job.objects.get(key=job.key).state == Job.State.COMPLETED


def ended_at(instance_key: int) -> str:
    return ElementInstance.objects.get(
        process_instance_id=instance_key, element_type="endEvent"
    ).element_id


def test_prepared_completions_are_written_when_nothing_changed(monkeypatch):
    services.deploy([("one.bpmn", m.ONE_TASK)])
    keys = [services.start_instance("one-task", {"amount": 5}).key for _ in range(3)]
    jobs = services.activate_jobs("work", "w", max_jobs=10)
    prepared: list[bool] = []
    still_current = services._PreparedCompletions.still_current

    def spy(self):  # type: ignore[no-untyped-def]
        prepared.append(still_current(self))
        return prepared[-1]

    monkeypatch.setattr(services._PreparedCompletions, "still_current", spy)
    services.complete_job(jobs[0].key, {"done": True})  # completed before the batch
    rejected = services.complete_jobs([(job.key, {"done": True}) for job in jobs])
    assert prepared == [True, True]
    assert list(rejected) == [jobs[0].key]
    assert set(ProcessInstance.objects.filter(key__in=keys).values_list("status", flat=True)) == {
        "COMPLETED"
    }
    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.COMPLETED}


def test_a_command_between_preparing_and_writing_makes_the_batch_run_again(monkeypatch):
    services.deploy([("one.bpmn", m.ONE_TASK)])
    instance = services.start_instance("one-task", {"amount": 5})
    (job,) = services.activate_jobs("work", "w")
    compute = services._PreparedCompletions.compute

    def meanwhile(*args):  # type: ignore[no-untyped-def]
        prepared = compute(*args)
        # Another command commits on the instance after the completion was computed (with
        # amount 5, on its way to the "low" end): the gateway must see the new amount.
        services.set_variables(instance.key, {"amount": 5000})
        return prepared

    monkeypatch.setattr(services._PreparedCompletions, "compute", meanwhile)
    assert services.complete_jobs([(job.key, {"done": True})]) == {}
    assert ProcessInstance.objects.get(key=instance.key).status == "COMPLETED"
    assert ended_at(instance.key) == "high"


def test_a_job_taken_back_meanwhile_is_refused_not_completed_twice(monkeypatch):
    services.deploy([("one.bpmn", m.ONE_TASK)])
    instance = services.start_instance("one-task", {"amount": 5})
    (job,) = services.activate_jobs("work", "w")
    compute = services._PreparedCompletions.compute

    def meanwhile(*args):  # type: ignore[no-untyped-def]
        prepared = compute(*args)
        services.cancel_instance(instance.key)
        return prepared

    monkeypatch.setattr(services._PreparedCompletions, "compute", meanwhile)
    rejected = services.complete_jobs([(job.key, {"done": True})])
    assert "canceled" in rejected[job.key]
    assert ProcessInstance.objects.get(key=instance.key).status == "TERMINATED"
