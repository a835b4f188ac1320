"""External workers against a running server: the Python client's JobWorker and the
JavaScript example (examples/workers/worker.mjs) complete jobs of a process end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from verka.client import BpmnError, JobFailure, JobWorker, VerkaApiError, VerkaClient

from . import bpmn

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def verka(live_server, make_token):
    with VerkaClient(live_server.url, make_token(), timeout=10) as client:
        yield client


def run_in_thread(worker: JobWorker, total: int) -> threading.Thread:
    thread = threading.Thread(target=worker.run, kwargs={"max_jobs_total": total}, daemon=True)
    thread.start()
    return thread


def test_the_python_job_worker_completes_jobs_that_appear_while_it_long_polls(verka):
    verka.deploy({"one.bpmn": bpmn.ONE_TASK})
    seen = []

    def double(job):
        seen.append(job.key)
        return {"amount": job.variables["amount"] * 2, "header": job.custom_headers["target"]}

    worker = JobWorker(verka, "work", double, request_timeout_ms=5_000, worker_name="py")
    thread = run_in_thread(worker, 3)
    time.sleep(0.3)  # the worker is waiting inside a long poll now
    keys = [
        verka.start_instance("one-task", {"amount": Decimal("0.1")})["processInstanceKey"]
        for _ in range(3)
    ]
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert len(seen) == len(set(seen)) == 3
    for key in keys:
        instance = verka.process_instance(key)
        assert instance["status"] == "COMPLETED"
        assert instance["variables"] == {"amount": Decimal("0.2"), "header": "crm"}
    completed = [i["processInstanceKey"] for i in verka.process_instances(status="COMPLETED")]
    assert completed == keys


def test_bpmn_errors_failures_and_lease_extension_from_the_python_worker(verka):
    verka.deploy({"lookup.bpmn": bpmn.WITH_ERROR_BOUNDARY, "one.bpmn": bpmn.ONE_TASK})
    lookup = verka.start_instance("lookup", {"name": "nobody"})["processInstanceKey"]

    def not_found(job):
        raise BpmnError("NOT_FOUND", "no such person")

    run_in_thread(JobWorker(verka, "find-person", not_found, request_timeout_ms=1000), 1).join(10)
    assert verka.process_instance(lookup)["status"] == "COMPLETED"

    failing = verka.start_instance("one-task", {"amount": 1})["processInstanceKey"]
    attempts = []

    def flaky(job):
        attempts.append(job.retries)
        if len(attempts) == 1:
            raise JobFailure("CRM busy", retry_backoff_ms=0)
        time.sleep(0.5)  # long enough for one lease extension
        return {"ok": True}

    worker = JobWorker(
        verka, "work", flaky, request_timeout_ms=1000, timeout_ms=2_000, extend_lock_every=0.2
    )
    run_in_thread(worker, 2).join(15)
    assert attempts == [3, 2]
    assert verka.process_instance(failing)["variables"]["ok"] is True


def test_the_python_client_reports_problems_and_pages(verka):
    with pytest.raises(VerkaApiError) as error:
        verka.start_instance("missing")
    assert (error.value.status, error.value.type) == (404, "urn:verka:problem:not-found")
    verka.deploy({"review.bpmn": bpmn.USER_TASK})
    keys = [
        verka.start_instance("review", business_key=f"b{n}")["processInstanceKey"] for n in range(4)
    ]
    tasks = list(verka.user_tasks(state="CREATED"))
    assert [t["processInstanceKey"] for t in tasks] == keys
    verka.complete_user_task(tasks[0]["userTaskKey"], {"approved": True})
    assert verka.process_instance(keys[0])["status"] == "COMPLETED"
    # Pagination: a page size smaller than the result still visits everything once.
    page = verka.request("GET", "process-instances", params={"limit": 1})
    assert len(page["items"]) == 1 and page["next"]
    assert "<bpmn:userTask" in verka.process_definition_xml("review")
    # Clients are closed: the live server holds a database connection per open HTTP connection.
    with (
        VerkaClient(verka.base_url, "verka_wrong") as stranger,
        pytest.raises(VerkaApiError) as unauthorised,
    ):
        stranger.process_instance(keys[0])
    assert unauthorised.value.status == 401


def test_the_job_worker_backs_off_while_verka_is_unreachable():
    calls = []

    def refuse(request):
        calls.append(time.monotonic())
        raise httpx.ConnectError("connection refused", request=request)

    client = VerkaClient("http://verka.invalid", "verka_x", transport=httpx.MockTransport(refuse))
    worker = JobWorker(client, "work", lambda job: None, max_connection_backoff=0.4)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    time.sleep(1.5)
    worker.stop()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert 2 <= len(calls) <= 8  # retried, but with pauses, not in a tight loop
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert min(gaps) >= 0.1


def test_the_javascript_worker_completes_a_fault_report_process(live_server, make_token, request):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is needed for the JavaScript worker example")
        pytest.skip("node is not installed")
    client = VerkaClient(
        live_server.url, make_token("jobs", "processes:read", "processes:write", "deploy")
    )
    request.addfinalizer(client.close)
    client.deploy({"fault.bpmn": bpmn.FAULT_REPORT})
    keys = [
        client.start_instance(
            "fault-report-api", {"description": f"Broken lamp {n}", "address": "Storgatan 1"}
        )["processInstanceKey"]
        for n in range(2)
    ]
    result = subprocess.run(
        [node, str(ROOT / "examples" / "workers" / "worker.mjs")],
        env={
            **os.environ,
            "VERKA_URL": live_server.url,
            "VERKA_TOKEN": make_token("jobs"),
            "MAX_JOBS": "4",
            "WORKER_NAME": "node-test",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "handled 4 jobs" in result.stdout
    for key in keys:
        instance = client.process_instance(key)
        assert instance["status"] == "COMPLETED", instance
        ticket = instance["variables"]["maintenanceTicket"]
        assert ticket.startswith("MT-")
        assert instance["variables"]["ticketRecorded"] == ticket
        assert instance["variables"]["forwardedBy"] == "node-test"
