"""The worker records a batch of job outcomes in one transaction, each as its own command: one
outcome that is rejected or fails leaves the others recorded, and a job is completed once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from verka.processes import services, worker
from verka.processes.models import HistoryEvent, Job, ProcessInstance

from . import models as m

pytestmark = pytest.mark.django_db

SPEC = worker.HandlerSpec(
    "work", lambda job: {"done": True}, timedelta(minutes=1), timedelta(seconds=1)
)


def start(n: int) -> list[int]:
    services.deploy([("one-task.bpmn", m.ONE_TASK)])
    return [services.start_instance("one-task", {"amount": 5}).key for _ in range(n)]


def completions(instance_key: int) -> int:
    return HistoryEvent.objects.filter(
        process_instance_key=instance_key, element_id="work", event_type="ELEMENT_COMPLETED"
    ).count()


def test_a_batch_records_every_outcome_and_a_rejected_one_changes_nothing():
    keys = start(3)
    jobs = services.activate_jobs("work", "w", max_jobs=10)
    assert len(jobs) == 3
    # Another worker completed the first job meanwhile (its lease ran out and it was retaken).
    services.complete_job(jobs[0].key, {"done": True})

    worker.record([(job, worker.run_handler(SPEC, job)) for job in jobs])

    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.COMPLETED}
    assert set(ProcessInstance.objects.values_list("status", flat=True)) == {"COMPLETED"}
    assert [completions(key) for key in keys] == [1, 1, 1]


def test_an_outcome_that_fails_to_record_leaves_its_job_leased_and_the_others_done():
    start(3)
    jobs = services.activate_jobs("work", "w", max_jobs=10)

    def handler(job):  # type: ignore[no-untyped-def]
        # A value no variable can hold: the command fails while writing, after it has ended
        # the job row, so the whole command must roll back.
        return {"done": object() if job.key == jobs[1].key else True}

    spec = worker.HandlerSpec("work", handler, timedelta(minutes=1), timedelta(seconds=1))
    worker.record([(job, worker.run_handler(spec, job)) for job in jobs])

    states = dict(Job.objects.values_list("key", "state"))
    assert states[jobs[0].key] == states[jobs[2].key] == Job.State.COMPLETED
    assert states[jobs[1].key] == Job.State.ACTIVATED  # rolled back: runs again after its lease
    assert ProcessInstance.objects.get(key=jobs[1].process_instance_key).status == "ACTIVE"
    assert completions(jobs[1].process_instance_key) == 0
    assert completions(jobs[0].process_instance_key) == 1


def test_a_failing_handler_fails_its_job_within_the_batch():
    start(2)
    jobs = services.activate_jobs("work", "w", max_jobs=10)

    def handler(job):  # type: ignore[no-untyped-def]
        if job.key == jobs[0].key:
            raise worker.JobFailure("archive unavailable", retries=0)
        return {"done": True}

    spec = worker.HandlerSpec("work", handler, timedelta(minutes=1), timedelta(seconds=1))
    worker.record([(job, worker.run_handler(spec, job)) for job in jobs])

    first, second = (Job.objects.get(key=job.key) for job in jobs)
    assert (first.state, first.error_message) == (Job.State.FAILED, "archive unavailable")
    assert second.state == Job.State.COMPLETED


def test_completing_a_job_twice_is_rejected_and_changes_nothing():
    (key,) = start(1)
    (job,) = services.activate_jobs("work", "w")
    services.complete_job(job.key, {"done": True})
    with pytest.raises(services.CommandRejected, match="completed"):
        services.complete_job(job.key, {"done": False})
    with pytest.raises(services.CommandRejected, match="does not exist"):
        services.complete_job(123456789, {})
    assert completions(key) == 1


def test_activation_leases_each_due_job_once():
    start(5)
    first = services.activate_jobs("work", "a", max_jobs=3)
    second = services.activate_jobs("work", "b", max_jobs=10)
    assert len(first) == 3 and len(second) == 2
    assert not {job.key for job in first} & {job.key for job in second}
    assert dict(Job.objects.values_list("key", "worker")) == {
        **{job.key: "a" for job in first},
        **{job.key: "b" for job in second},
    }
    assert services.activate_jobs("work", "c") == []


def test_a_command_the_engine_refuses_leaves_its_job_as_it_was_and_the_others_complete():
    start(3)
    jobs = services.activate_jobs("work", "w", max_jobs=10)
    # The job's element is gone (as if its token had moved on): the engine refuses the command.
    Job.objects.filter(key=jobs[1].key).update(element_instance_key=987654321)

    rejected = services.complete_jobs([(job.key, {"done": True}) for job in jobs])

    assert list(rejected) == [jobs[1].key]
    refused = Job.objects.get(key=jobs[1].key)
    assert (refused.state, refused.ended_at) == (Job.State.ACTIVATED, None)
    assert completions(jobs[1].process_instance_key) == 0
    for job in (jobs[0], jobs[2]):
        assert Job.objects.get(key=job.key).state == Job.State.COMPLETED
        assert completions(job.process_instance_key) == 1


def test_bad_variables_reject_only_their_own_completion():
    start(2)
    jobs = services.activate_jobs("work", "w", max_jobs=10)
    rejected = services.complete_jobs([(jobs[0].key, ["not", "an", "object"]), (jobs[1].key, {})])
    assert list(rejected) == [jobs[0].key] and "object" in rejected[jobs[0].key]
    assert Job.objects.get(key=jobs[0].key).state == Job.State.ACTIVATED
    assert Job.objects.get(key=jobs[1].key).state == Job.State.COMPLETED


def test_one_activation_leases_every_type_for_its_own_timeout():
    other = m.single_task("other", "other-work")
    services.deploy([("one-task.bpmn", m.ONE_TASK), ("other.bpmn", other)])
    services.start_instance("one-task", {"amount": 5})
    services.start_instance("other", {"amount": 5})
    leases = {"work": timedelta(minutes=1), "other-work": timedelta(minutes=7)}

    jobs = services.activate_jobs("", "w", max_jobs=10, timeouts=leases)

    assert sorted(job.type for job in jobs) == ["other-work", "work"]
    for job in jobs:
        stored = Job.objects.get(key=job.key)
        assert stored.deadline == job.deadline
        assert abs((job.deadline - stored.created_at) - leases[job.type]) < timedelta(seconds=5)


def test_the_lease_size_follows_how_quick_the_handlers_are():
    size = worker.LeaseSize(first=20, most=200, target=0.25)
    size.ran(0, 0.0)  # a pass that found nothing tells nothing
    assert size.size == 20
    size.ran(20, 0.002)  # 0.1 ms a job: lease as many as allowed
    assert size.size == 200
    for _ in range(10):
        size.ran(4, 2.0)  # half a second a job: one at a time, the rest left to other workers
    assert size.size == 1
    size.ran(1, 0.0)  # one quick job after slow ones moves the average only part of the way
    assert size.size == 1
    for _ in range(30):
        size.ran(1, 0.0001)
    assert size.size == 200


@pytest.mark.parametrize("lease_again", [True, False])
def test_a_pass_leases_as_many_jobs_as_the_lease_size_allows(monkeypatch, lease_again):
    start(7)
    monkeypatch.setitem(worker._HANDLERS, "work", SPEC)
    monkeypatch.setattr(worker, "_lease_size", worker.LeaseSize(first=2, most=4))
    leases: list[int] = []
    complete_and_lease = services.complete_jobs_and_lease

    def spy(completions, lease):  # type: ignore[no-untyped-def]
        leases.append(lease.max_jobs if lease else 0)
        return complete_and_lease(completions, lease)

    monkeypatch.setattr(services, "complete_jobs_and_lease", spy)
    if lease_again:
        # The transaction that records a batch leases the next: one pass runs them all,
        # 2 (the size it starts with), then 4 (quick handlers: the most), then the last 1.
        assert worker.poll_jobs("w") == 7
        assert leases == [4, 4, 4]
    else:
        monkeypatch.setattr(worker, "LEASE_AGAIN_WITHIN", 0.0)
        assert [worker.poll_jobs("w") for _ in range(4)] == [2, 4, 1, 0]
        assert leases == [0, 0, 0]
    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.COMPLETED}
    assert set(Job.objects.values_list("worker", flat=True)) == {"w"}


def test_completing_a_batch_can_lease_the_next_in_the_same_transaction():
    start(3)
    first = services.activate_jobs("work", "w", max_jobs=1)
    lease = services.Lease("w2", 5, {"work": timedelta(minutes=1)})
    rejected, leased = services.complete_jobs_and_lease([(first[0].key, {"done": True})], lease)
    assert rejected == {}
    assert len(leased) == 2 and first[0].key not in {job.key for job in leased}
    assert dict(Job.objects.values_list("key", "state")) == {
        first[0].key: Job.State.COMPLETED,
        **{job.key: Job.State.ACTIVATED for job in leased},
    }
    assert {job.worker for job in Job.objects.filter(key__in=[j.key for j in leased])} == {"w2"}
    # Nothing to complete: a lease alone.
    assert services.complete_jobs_and_lease([], lease) == ({}, [])
