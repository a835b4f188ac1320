"""The process engine on a real database: deploy, run, wait, fail, resolve — one transaction
per command, only changed rows written, nothing lost on bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from verka.processes import codec, services
from verka.processes.clock import ManualClock, use_clock
from verka.processes.models import (
    ElementInstance,
    HistoryEvent,
    Incident,
    Job,
    Message,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Timer,
    UserTask,
    UserTaskCandidate,
    Variable,
)

from . import models as m

pytestmark = pytest.mark.django_db


def variables(instance_key: int) -> dict:
    return {
        v.name: codec.from_json_text(v.value)
        for v in Variable.objects.filter(process_instance_id=instance_key, scope_key=instance_key)
    }


def status(instance_key: int) -> str:
    return ProcessInstance.objects.get(key=instance_key).status


def only_job(job_type: str) -> services.ActivatedJob:
    jobs = services.activate_jobs(job_type, "test-worker")
    assert len(jobs) == 1, jobs
    return jobs[0]


# --- deployment ---------------------------------------------------------------------------


def test_redeploying_unchanged_xml_keeps_the_version_and_a_change_makes_a_new_one():
    first = services.deploy([("one.bpmn", m.ONE_TASK)])
    again = services.deploy([("one.bpmn", m.ONE_TASK)])
    changed = services.deploy(
        [("one.bpmn", m.ONE_TASK.replace(b'id="high"', b'id="big"').replace(b'"high"', b'"big"'))]
    )
    assert first.resources[0].ids == [("one-task", 1)]
    assert again.resources[0].ids == [("one-task", 1)]
    assert changed.resources[0].ids == [("one-task", 2)]


def test_a_running_instance_keeps_its_version_after_redeployment():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    old = services.start_instance("one-task", {"amount": 5})
    services.deploy(
        [("one.bpmn", m.ONE_TASK.replace(b'id="low"', b'id="small"').replace(b'"low"', b'"small"'))]
    )
    new = services.start_instance("one-task", {"amount": 5})
    assert (old.version, new.version) == (1, 2)
    for job in services.activate_jobs("work", "w", max_jobs=5):
        services.complete_job(job.key)
    ends = dict(
        HistoryEvent.objects.filter(
            event_type="ELEMENT_COMPLETED", element_type="endEvent"
        ).values_list("process_instance_key", "element_id")
    )
    assert ends == {old.key: "low", new.key: "small"}


def test_invalid_bpmn_names_file_and_line_and_deploys_nothing():
    broken = m.ONE_TASK.replace(b'targetRef="gw"', b'targetRef="gateway"')
    with pytest.raises(services.DeploymentError) as error:
        services.deploy([("ok.bpmn", m.USER_TASK), ("broken.bpmn", broken)])
    message = str(error.value)
    assert "broken.bpmn:" in message
    assert "gateway" in message
    assert ProcessDefinition.objects.count() == 0


def test_malformed_xml_is_a_deployment_error():
    with pytest.raises(services.DeploymentError) as error:
        services.deploy([("bad.bpmn", b"<bpmn:definitions")])
    assert "bad.bpmn" in str(error.value)


def test_unknown_file_type_is_refused():
    with pytest.raises(services.DeploymentError, match="unknown resource type"):
        services.deploy([("notes.txt", b"hello")])


def test_starting_an_undeployed_process_says_so():
    with pytest.raises(services.DeploymentMissing, match="no process 'nope'"):
        services.start_instance("nope")


# --- service task, gateway, history -------------------------------------------------------


def test_service_task_job_completes_and_the_gateway_routes_on_job_variables():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    instance = services.start_instance("one-task", {"amount": 10, "who": "Anna"})
    job = only_job("work")
    assert job.variables == {"amount": Decimal(10), "who": "Anna"}
    assert job.element_id == "work"
    services.complete_job(job.key, {"amount": 5000})
    assert status(instance.key) == "COMPLETED"
    assert variables(instance.key) == {"amount": Decimal(5000), "who": "Anna"}
    taken = HistoryEvent.objects.filter(
        process_instance_key=instance.key, event_type="SEQUENCE_FLOW_TAKEN"
    ).values_list("element_id", flat=True)
    assert list(taken) == ["f1", "f2", "toHigh"]
    assert Job.objects.get(key=job.key).state == Job.State.COMPLETED
    assert not ElementInstance.objects.filter(process_instance=instance, is_live=True).exists()


def test_numbers_keep_their_precision_through_the_database():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    instance = services.start_instance("one-task", {"amount": "x", "exact": Decimal("0.1")})
    job = only_job("work")
    services.complete_job(job.key, {"big": Decimal("12345678901234567890.123456789")})
    stored = variables(instance.key)
    assert stored["exact"] == Decimal("0.1")
    assert stored["big"] == Decimal("12345678901234567890.123456789")


def test_a_completed_job_cannot_be_completed_again():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    services.start_instance("one-task", {"amount": 1})
    job = only_job("work")
    services.complete_job(job.key)
    with pytest.raises(services.CommandRejected, match="completed"):
        services.complete_job(job.key)


def test_bad_variables_payload_is_rejected_and_changes_nothing():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    instance = services.start_instance("one-task", {"amount": 1})
    job = only_job("work")
    with pytest.raises(services.CommandRejected, match="must be an object"):
        services.complete_job(job.key, ["not", "an", "object"])  # type: ignore[arg-type]
    assert Job.objects.get(key=job.key).state == Job.State.ACTIVATED
    assert status(instance.key) == "ACTIVE"


# --- job failures and incidents -----------------------------------------------------------


def test_failed_job_retries_after_backoff_then_raises_an_incident_that_resolves():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    clock = ManualClock(datetime(2026, 3, 1, 8, tzinfo=UTC))
    with use_clock(clock):
        instance = services.start_instance("one-task", {"amount": 1})
        job = only_job("work")
        services.fail_job(job.key, 1, "system down", backoff=timedelta(minutes=5))
        assert services.activate_jobs("work", "w") == []  # backing off
        clock.advance(timedelta(minutes=6))
        job = only_job("work")
        services.fail_job(job.key, 0, "still down")
        incident = Incident.objects.get(process_instance=instance)
        assert incident.state == Incident.State.OPEN
        assert "still down" in incident.message
        assert ProcessInstance.objects.get(key=instance.key).has_incident

        services.resolve_incident(incident.key, retries=2)
        job = only_job("work")
        assert job.retries == 2
        services.complete_job(job.key)
    assert status(instance.key) == "COMPLETED"
    assert Incident.objects.get(key=incident.key).state == Incident.State.RESOLVED
    assert not ProcessInstance.objects.get(key=instance.key).has_incident


def test_an_expired_lease_hands_the_job_to_another_worker():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    clock = ManualClock(datetime(2026, 3, 1, 8, tzinfo=UTC))
    with use_clock(clock):
        services.start_instance("one-task", {"amount": 1})
        first = services.activate_jobs("work", "a", timeout=timedelta(seconds=30))
        assert services.activate_jobs("work", "b") == []
        clock.advance(timedelta(seconds=31))
        second = services.activate_jobs("work", "b")
    assert [j.key for j in second] == [first[0].key]
    assert Job.objects.get(key=first[0].key).worker == "b"


# --- user tasks ---------------------------------------------------------------------------


def test_user_task_rows_carry_form_groups_and_due_date():
    services.deploy([("review.bpmn", m.USER_TASK)])
    instance = services.start_instance("review", {"caseId": "B-1"})
    task = UserTask.objects.get(process_instance=instance)
    assert (task.name, task.form_id, task.state) == ("Granska", "review-form", "CREATED")
    assert task.due_date == datetime(2030, 1, 1, 10, tzinfo=UTC)
    assert list(UserTaskCandidate.objects.filter(task=task).values_list("group", flat=True)) == [
        "bygglov"
    ]
    services.complete_user_task(task.key, {"approved": True}, user="olle")
    task.refresh_from_db()
    assert (task.state, task.completed_by) == ("COMPLETED", "olle")
    assert status(instance.key) == "COMPLETED"
    assert variables(instance.key)["approved"] is True
    with pytest.raises(services.CommandRejected):
        services.complete_user_task(task.key)


# --- messages -----------------------------------------------------------------------------


def test_message_correlates_by_key_to_the_waiting_instance_only():
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])
    a = services.start_instance("waiter", {"caseId": "A"})
    b = services.start_instance("waiter", {"caseId": "B"})
    result = services.publish_message("answer", "B", {"reply": "yes"})
    assert result.correlated_instances == [b.key]
    assert (status(a.key), status(b.key)) == ("ACTIVE", "COMPLETED")
    assert variables(b.key)["reply"] == "yes"
    assert MessageSubscription.objects.filter(process_instance=a).count() == 1


def test_buffered_message_waits_for_its_ttl_and_is_deduplicated_by_id():
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])
    clock = ManualClock(datetime(2026, 3, 1, 8, tzinfo=UTC))
    with use_clock(clock):
        first = services.publish_message(
            "answer", "C", {"n": 1}, time_to_live=timedelta(hours=1), message_id="msg-1"
        )
        duplicate = services.publish_message(
            "answer", "C", {"n": 2}, time_to_live=timedelta(hours=1), message_id="msg-1"
        )
        assert first.buffered and duplicate.duplicate
        assert Message.objects.count() == 1
        early = services.start_instance("waiter", {"caseId": "C"})
        assert status(early.key) == "COMPLETED"
        assert variables(early.key)["n"] == 1
        clock.advance(timedelta(hours=2))
        late = services.start_instance("waiter", {"caseId": "C"})
    assert status(late.key) == "ACTIVE"


def test_correlate_without_a_waiting_instance_is_an_error():
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])
    with pytest.raises(services.CommandRejected, match="no process instance waits"):
        services.correlate_message("answer", "nobody")


def test_message_start_event_starts_one_instance_per_correlation_key():
    services.deploy([("fault.bpmn", m.MESSAGE_START)])
    first = services.publish_message("fault-reported", "lamp-7", {"where": "Storgatan"})
    again = services.publish_message("fault-reported", "lamp-7", {"where": "Storgatan"})
    assert len(first.started_instances) == 1
    assert again.started_instances == []
    started = ProcessInstance.objects.get(key=first.started_instances[0])
    assert started.bpmn_process_id == "fault-report"
    assert variables(started.key)["where"] == "Storgatan"


# --- timers -------------------------------------------------------------------------------


def test_timer_boundary_fires_when_due_and_cancels_the_task():
    services.deploy([("timed.bpmn", m.TIMER_BOUNDARY)])
    clock = ManualClock(datetime(2026, 3, 1, 8, tzinfo=UTC))
    with use_clock(clock):
        instance = services.start_instance("timed")
        timer = Timer.objects.get(process_instance=instance)
        assert timer.due_at == datetime(2026, 3, 1, 9, tzinfo=UTC)
        assert services.fire_due_timers() == 0
        clock.advance(timedelta(hours=1))
        assert services.fire_due_timers() == 1
    assert status(instance.key) == "COMPLETED"
    ends = HistoryEvent.objects.filter(
        process_instance_key=instance.key, event_type="ELEMENT_COMPLETED", element_type="endEvent"
    ).values_list("element_id", flat=True)
    assert list(ends) == ["escalated"]
    assert Job.objects.get(process_instance=instance).state == Job.State.CANCELED
    assert not Timer.objects.exists()


def test_completing_the_task_in_time_removes_the_timer():
    services.deploy([("timed.bpmn", m.TIMER_BOUNDARY)])
    instance = services.start_instance("timed")
    services.complete_job(only_job("slow").key)
    assert status(instance.key) == "COMPLETED"
    assert not Timer.objects.exists()


# --- call activities and cancellation -----------------------------------------------------


def test_call_activity_runs_the_child_and_takes_its_variables_back():
    services.deploy([("one.bpmn", m.ONE_TASK), ("caller.bpmn", m.CALLER)])
    parent = services.start_instance("caller", {"amount": 2000})
    child = ProcessInstance.objects.get(parent_instance_key=parent.key)
    assert child.bpmn_process_id == "one-task"
    assert variables(child.key)["amount"] == Decimal(2000)
    services.complete_job(only_job("work").key, {"result": "ok"})
    assert status(child.key) == "COMPLETED"
    assert status(parent.key) == "COMPLETED"
    assert variables(parent.key)["result"] == "ok"


def test_cancelling_the_parent_cancels_the_child_and_its_job():
    services.deploy([("one.bpmn", m.ONE_TASK), ("caller.bpmn", m.CALLER)])
    parent = services.start_instance("caller", {"amount": 1})
    child = ProcessInstance.objects.get(parent_instance_key=parent.key)
    services.cancel_instance(parent.key)
    assert (status(parent.key), status(child.key)) == ("TERMINATED", "TERMINATED")
    assert Job.objects.get(process_instance=child).state == Job.State.CANCELED
    with pytest.raises(services.CommandRejected):
        services.cancel_instance(parent.key)
