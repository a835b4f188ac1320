"""The external job worker protocol: activate (with long polling), complete, fail with
back-off, throw a BPMN error, extend the lease — and at-least-once redelivery."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from verka.processes.clock import ManualClock, use_clock
from verka.processes.models import HistoryEvent, Job, ProcessInstance, Variable

from . import bpmn
from .conftest import fields, problem

pytestmark = pytest.mark.django_db


def activate(api, job_type="work", **more):
    response = api.post("jobs/activation", {"type": job_type, "worker": "w1", **more})
    assert response.status_code == 200, response.content
    return response.json()["jobs"]


def test_activation_hands_out_leased_jobs_with_variables_and_headers(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    keys = [api.start("one-task", {"amount": 1.25, "n": n}) for n in range(3)]
    jobs = activate(api, maxJobsToActivate=2, timeout=60_000)
    assert [j["processInstanceKey"] for j in jobs] == keys[:2]
    job = jobs[0]
    assert job["variables"] == {"amount": 1.25, "n": 0}
    assert job["customHeaders"] == {"target": "crm"}
    assert (job["type"], job["elementId"], job["retries"], job["worker"]) == (
        "work",
        "work",
        3,
        "w1",
    )
    assert job["deadline"].endswith("Z")
    assert Job.objects.get(key=job["jobKey"]).state == "ACTIVATED"
    rest = activate(api, fetchVariable=["n"])
    assert [j["variables"] for j in rest] == [{"n": 2}]
    assert activate(api) == []


def test_complete_merges_variables_and_a_second_completion_is_409(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    key = api.start("one-task")
    job = activate(api)[0]
    done = api.post(
        f"jobs/{job['jobKey']}/completion", {"variables": {"ticket": "T-1", "cost": 0.3}}
    )
    assert done.status_code == 204, done.content
    assert ProcessInstance.objects.get(key=key).status == "COMPLETED"
    assert Variable.objects.get(process_instance_id=key, name="cost").value == "0.3"
    assert "completed" in problem(api.post(f"jobs/{job['jobKey']}/completion"), 409)["detail"]
    problem(api.post("jobs/777/completion"), 404)


def test_failure_with_back_off_and_then_an_incident(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    api.start("one-task")
    clock = ManualClock()
    with use_clock(clock):
        job = activate(api)[0]
        response = api.post(
            f"jobs/{job['jobKey']}/failure",
            {
                "retries": 2,
                "errorMessage": "timeout",
                "retryBackOff": 30_000,
                "variables": {"tries": 1},
            },
        )
        assert response.status_code == 204, response.content
        assert activate(api) == []  # backing off
        clock.advance(timedelta(seconds=31))
        again = activate(api)
        assert [(j["jobKey"], j["retries"]) for j in again] == [(job["jobKey"], 2)]
        assert Variable.objects.filter(name="tries").values_list("value", flat=True)[0] == "1"
        api.post(f"jobs/{job['jobKey']}/failure", {"retries": 0, "errorMessage": "gave up"})
    assert Job.objects.get(key=job["jobKey"]).state == "FAILED"
    assert api.get("incidents").json()["items"][0]["message"] == "gave up"
    bad = api.post(f"jobs/{job['jobKey']}/failure", {"retries": -1, "retryBackOff": "soon"})
    assert fields(problem(bad, 400)) == {"retries": "out_of_range", "retryBackOff": "wrong_type"}


def test_a_bpmn_error_takes_the_boundary_event(api):
    api.deploy(("lookup.bpmn", bpmn.WITH_ERROR_BOUNDARY))
    key = api.start("lookup")
    job = activate(api, "find-person")[0]
    response = api.post(
        f"jobs/{job['jobKey']}/error", {"errorCode": "NOT_FOUND", "errorMessage": "no such person"}
    )
    assert response.status_code == 204, response.content
    assert ProcessInstance.objects.get(key=key).status == "COMPLETED"
    ends = HistoryEvent.objects.filter(process_instance_key=key, element_type="endEvent")
    assert {e.element_id for e in ends} == {"unknown"}
    assert fields(problem(api.post(f"jobs/{job['jobKey']}/error", {}), 400)) == {
        "errorCode": "required"
    }


def test_an_expired_lease_redelivers_the_job_unless_it_was_extended(api):
    """At least once: a worker that goes quiet loses the job to another."""
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    api.start("one-task")
    api.start("one-task")
    clock = ManualClock()
    with use_clock(clock):
        first, second = activate(api, timeout=10_000)
        extended = api.call("PATCH", f"jobs/{second['jobKey']}", {"changeset": {"timeout": 60_000}})
        assert extended.status_code == 204, extended.content
        clock.advance(timedelta(seconds=11))
        taken_over = api.post("jobs/activation", {"type": "work", "worker": "w2"}).json()["jobs"]
        assert [j["jobKey"] for j in taken_over] == [first["jobKey"]]
        assert Job.objects.get(key=first["jobKey"]).worker == "w2"
        # The first worker finishing late still counts; the job is done once.
        assert api.post(f"jobs/{first['jobKey']}/completion").status_code == 204
        problem(api.post(f"jobs/{first['jobKey']}/completion"), 409)
    retries = api.call("PATCH", f"jobs/{second['jobKey']}", {"changeset": {"retries": 7}})
    assert retries.status_code == 204
    assert Job.objects.get(key=second["jobKey"]).retries == 7
    bad = api.call("PATCH", f"jobs/{second['jobKey']}", {"changeset": {"timeout": 0, "owner": "x"}})
    assert fields(problem(bad, 400)) == {
        "changeset.timeout": "out_of_range",
        "changeset.owner": "unknown_field",
    }
    problem(api.call("PATCH", f"jobs/{first['jobKey']}", {"changeset": {"retries": 1}}), 409)
    problem(api.call("PATCH", "jobs/4242", {"changeset": {"retries": 1}}), 404)


def test_long_polling_waits_for_the_request_timeout_when_no_job_comes(api):
    started = time.monotonic()
    assert activate(api, "nothing", requestTimeout=600) == []
    waited = time.monotonic() - started
    assert 0.55 <= waited < 3


def test_long_polling_is_capped_by_the_setting(api, settings):
    settings.VERKA_API_MAX_LONG_POLL_MS = 300
    started = time.monotonic()
    assert activate(api, "nothing", requestTimeout=600_000) == []
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"type": "required"}),
        ({"type": "t", "maxJobsToActivate": 0}, {"maxJobsToActivate": "out_of_range"}),
        ({"type": "t", "timeout": "5m"}, {"timeout": "wrong_type"}),
        ({"type": "t", "requestTimeout": -1}, {"requestTimeout": "out_of_range"}),
        ({"type": "t", "fetchVariable": "a"}, {"fetchVariable": "wrong_type"}),
        ({"type": "t", "fetchVariables": ["a"]}, {"fetchVariables": "unknown_field"}),
    ],
)
def test_bad_activation_requests(api, body, expected):
    assert fields(problem(api.post("jobs/activation", body), 400)) == expected


def test_waiting_activations_wake_on_postgresql_notifications(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite polls")
    import psycopg

    from verka.api.v1.wakeups import JobWakeups

    params = connection.get_connection_params()
    wakeups = JobWakeups()
    try:
        assert wakeups.listening(params)
        seen = wakeups.generation()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_notify('verka_jobs', 'work')")
        started = time.monotonic()
        wakeups.wait(seen, 10)
        assert wakeups.generation() != seen
        assert time.monotonic() - started < 5
    finally:
        wakeups.close()
