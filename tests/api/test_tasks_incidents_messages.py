"""/user-tasks, /incidents, /messages and /signals."""

from __future__ import annotations

import pytest

from verka.processes.models import Incident, Job, Message, ProcessInstance, UserTask

from . import bpmn
from .conftest import fields, problem

pytestmark = pytest.mark.django_db


def status(key: str) -> str:
    return ProcessInstance.objects.get(key=key).status


def test_user_tasks_filter_and_complete(api):
    api.deploy(("review.bpmn", bpmn.USER_TASK))
    first, second = api.start("review"), api.start("review")
    UserTask.objects.filter(process_instance_id=second).update(assignee="eva")
    listed = api.get("user-tasks", state="CREATED", candidateGroup="bygglov").json()["items"]
    assert [t["processInstanceKey"] for t in listed] == [first, second]
    assert listed[0]["candidateGroups"] == ["bygglov"] and listed[0]["name"] == "Granska"
    assert [
        t["processInstanceKey"] for t in api.get("user-tasks", assignee="eva").json()["items"]
    ] == [second]
    by_instance = api.get("user-tasks", processInstanceKey=first).json()["items"]
    task_key = by_instance[0]["userTaskKey"]
    assert api.get(f"user-tasks/{task_key}").json()["state"] == "CREATED"
    bad = api.post(f"user-tasks/{task_key}/completion", {"variables": {"ok": True}, "extra": 1})
    assert fields(problem(bad, 400)) == {"extra": "unknown_field"}
    assert status(first) == "ACTIVE"
    done = api.post(f"user-tasks/{task_key}/completion", {"variables": {"approved": True}})
    assert done.status_code == 204, done.content
    assert status(first) == "COMPLETED"
    assert UserTask.objects.get(key=task_key).completed_by == "integrator"
    assert problem(api.post(f"user-tasks/{task_key}/completion"), 409)["detail"].endswith(
        "completed"
    )
    problem(api.post("user-tasks/12345/completion"), 404)
    assert api.get("user-tasks", state="COMPLETED").json()["items"][0]["userTaskKey"] == task_key
    page = api.get("user-tasks", limit=1).json()
    assert len(page["items"]) == 1 and page["next"]


def test_incidents_list_and_resolve_with_retries(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    key = api.start("one-task")
    job = api.post("jobs/activation", {"type": "work", "worker": "w"}).json()["jobs"][0]
    failed = api.post(f"jobs/{job['jobKey']}/failure", {"retries": 0, "errorMessage": "CRM down"})
    assert failed.status_code == 204, failed.content
    incidents = api.get("incidents", state="OPEN").json()["items"]
    assert len(incidents) == 1
    incident = incidents[0]
    assert (incident["processInstanceKey"], incident["errorType"], incident["message"]) == (
        key,
        "JOB_NO_RETRIES",
        "CRM down",
    )
    assert (
        api.get("process-instances", hasIncident="true").json()["items"][0]["processInstanceKey"]
        == key
    )
    assert api.get(f"incidents/{incident['incidentKey']}").json()["jobKey"] == job["jobKey"]
    assert fields(
        problem(api.post(f"incidents/{incident['incidentKey']}/resolution", {"retries": 0}), 400)
    ) == {"retries": "out_of_range"}
    resolved = api.post(f"incidents/{incident['incidentKey']}/resolution", {"retries": 2})
    assert resolved.status_code == 204, resolved.content
    assert Incident.objects.get(key=incident["incidentKey"]).state == "RESOLVED"
    again = api.post("jobs/activation", {"type": "work", "worker": "w"}).json()["jobs"]
    assert [j["retries"] for j in again] == [2]
    problem(api.post(f"incidents/{incident['incidentKey']}/resolution"), 409)
    problem(api.post("incidents/1/resolution"), 404)
    assert (
        api.get("incidents", state="RESOLVED", bpmnProcessId="one-task").json()["items"][0]["state"]
        == "RESOLVED"
    )


def test_publishing_correlates_buffers_and_ignores_repeated_message_ids(api):
    api.deploy(("waiter.bpmn", bpmn.MESSAGE_WAIT))
    early = api.post(
        "messages/publication",
        {
            "name": "answer",
            "correlationKey": "c-2",
            "variables": {"reply": "yes"},
            "timeToLive": "PT1H",
            "messageId": "m-1",
        },
    ).json()
    assert early == {
        "correlatedProcessInstanceKeys": [],
        "startedProcessInstanceKeys": [],
        "buffered": True,
        "duplicate": False,
    }
    repeat = api.post(
        "messages/publication",
        {"name": "answer", "correlationKey": "c-2", "timeToLive": "PT1H", "messageId": "m-1"},
    ).json()
    assert repeat["duplicate"] is True
    assert Message.objects.count() == 1
    waiting = api.start("waiter", {"caseId": "c-1"})
    buffered_for = api.start("waiter", {"caseId": "c-2"})
    assert status(buffered_for) == "COMPLETED"  # took the buffered message
    now = api.post("messages/publication", {"name": "answer", "correlationKey": "c-1"}).json()
    assert now["correlatedProcessInstanceKeys"] == [waiting]
    assert status(waiting) == "COMPLETED"


@pytest.mark.parametrize(
    ("ttl", "code"),
    [
        ("1 hour", "invalid_duration"),
        ("P1M", "invalid_duration"),
        ("-PT1S", "invalid_duration"),
        ("P9999D", "out_of_range"),
    ],
)
def test_time_to_live_must_be_a_sensible_duration(api, ttl, code):
    response = api.post("messages/publication", {"name": "answer", "timeToLive": ttl})
    assert fields(problem(response, 400)) == {"timeToLive": code}
    assert Message.objects.count() == 0


def test_correlation_says_when_nobody_waits(api):
    api.deploy(("waiter.bpmn", bpmn.MESSAGE_WAIT))
    body = problem(
        api.post("messages/correlation", {"name": "answer", "correlationKey": "nobody"}), 404
    )
    assert "no process instance waits" in body["detail"]
    key = api.start("waiter", {"caseId": "c-9"})
    done = api.post(
        "messages/correlation", {"name": "answer", "correlationKey": "c-9", "variables": {"a": 1}}
    )
    assert done.json()["correlatedProcessInstanceKeys"] == [key]
    assert fields(problem(api.post("messages/correlation", {"correlationKey": "x"}), 400)) == {
        "name": "required"
    }


def test_signal_broadcast(api):
    api.deploy(("signal.bpmn", bpmn.SIGNAL_WAIT))
    keys = [api.start("signalled"), api.start("signalled")]
    response = api.post(
        "signals/broadcast", {"signalName": "storm-warning", "variables": {"level": 3}}
    )
    assert response.json() == {"subscriptionsReached": 2}
    assert [status(k) for k in keys] == ["COMPLETED", "COMPLETED"]
    assert api.post("signals/broadcast", {"signalName": "nothing"}).json() == {
        "subscriptionsReached": 0
    }
    assert fields(problem(api.post("signals/broadcast", {"signalName": 5}), 400)) == {
        "signalName": "wrong_type"
    }
    assert Job.objects.count() == 0
