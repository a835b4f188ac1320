"""The verka-http connector against a stand-in maintenance system on loopback, and the demo
fault report's round trip: forwarded over HTTP, status back by message correlation."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.test import override_settings

from verka.connectors.http import RefusedAddress, call, check_destination
from verka.demo.eservices import deployable
from verka.processes import services
from verka.processes.models import Incident, Job, ProcessInstance, Variable
from verka.processes.worker import JobFailure, poll_jobs


class StandIn:
    """A tiny maintenance system: records requests, answers with the status it is told to."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 201
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                owner.requests.append(
                    {
                        "path": self.path,
                        "body": json.loads(self.rfile.read(length) or b"null"),
                        "idempotency": self.headers.get("Idempotency-Key"),
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                payload = json.dumps({"ticket": f"T-{len(owner.requests)}"}).encode()
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in(monkeypatch):  # type: ignore[no-untyped-def]
    system = StandIn()
    monkeypatch.setenv("VERKA_SECRET_MAINTENANCE_API_URL", system.url)
    monkeypatch.setenv("VERKA_SECRET_MAINTENANCE_TOKEN", "t0ken")
    yield system
    system.close()


def job(**headers: str) -> SimpleNamespace:
    return SimpleNamespace(key=42, retries=3, custom_headers=headers, variables={"body": {"a": 1}})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "file:///etc/passwd",
        "gopher://example.org/",
    ],
)
def test_private_loopback_and_odd_schemes_are_refused(url):
    with pytest.raises(RefusedAddress):
        check_destination(url)


@override_settings(VERKA_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
def test_a_call_sends_json_with_idempotency_key_and_secret(stand_in):
    result = call(
        job(
            method="POST",
            url="{{secrets.MAINTENANCE_API_URL}}/faults",
            resultVariable="answer",
            authorization="Bearer {{secrets.MAINTENANCE_TOKEN}}",
        )
    )
    assert result == {"answer": {"status": 201, "body": {"ticket": "T-1"}}}
    request = stand_in.requests[0]
    assert request["path"] == "/api/v1/faults"
    assert request["body"] == {"a": 1}
    assert request["idempotency"] == "verka-job-42"
    assert request["authorization"] == "Bearer t0ken"


@override_settings(VERKA_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
@pytest.mark.parametrize(("status", "retries"), [(503, None), (400, 0)])
def test_server_errors_retry_and_client_errors_do_not(stand_in, status, retries):
    stand_in.status = status
    with pytest.raises(JobFailure) as failure:
        call(job(method="POST", url="{{secrets.MAINTENANCE_API_URL}}/faults"))
    assert failure.value.retries == retries
    assert str(status) in str(failure.value)


def test_a_missing_secret_fails_without_retry():
    with pytest.raises(JobFailure, match="secret 'NOPE' is not configured") as failure:
        call(job(method="GET", url="{{secrets.NOPE}}/x"))
    assert failure.value.retries == 0


@pytest.mark.django_db
@override_settings(VERKA_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
def test_demo_fault_report_round_trip(stand_in):
    services.deploy(deployable())
    instance = services.start_instance(
        "faultReport",
        {
            "caseNumber": "FEL-2026-000001",
            "category": "streetLighting",
            "location": "Storgatan 1",
            "description": "Lampan är släckt",
            "contactEmail": "",
        },
    )
    assert poll_jobs("test-worker") >= 1
    sent = stand_in.requests[0]
    assert sent["body"]["faultId"] == "FEL-2026-000001"
    assert sent["body"]["location"] == "Storgatan 1"
    answer = json.loads(
        Variable.objects.get(process_instance=instance, name="maintenanceResponse").value
    )
    assert answer == {"status": 201, "body": {"ticket": "T-1"}}

    services.publish_message("fault-status", "FEL-2026-000001", {"faultStatus": "inProgress"})
    assert ProcessInstance.objects.get(key=instance.key).status == "ACTIVE"
    services.publish_message("fault-status", "FEL-2026-000001", {"faultStatus": "fixed"})
    poll_jobs("test-worker")  # a "fixed" notice goes out only when a contact address was given
    assert ProcessInstance.objects.get(key=instance.key).status == "COMPLETED"
    assert not Incident.objects.exists()
    assert Job.objects.filter(type="verka-http", state="COMPLETED").count() == 1
