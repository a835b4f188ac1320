"""The Python client without a server: exact numbers on the wire, problems as exceptions."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from verka.client import VerkaApiError, VerkaClient


def recording_client(answer: httpx.Response) -> tuple[VerkaClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    return VerkaClient("http://verka.test/", "verka_t", transport=httpx.MockTransport(handle)), sent


def test_decimals_travel_with_every_digit_and_come_back_as_decimal():
    answer = httpx.Response(
        201,
        content=b'{"processInstanceKey": "7", "variables": {"x": 0.10000000000000000000001}}',
        headers={"Content-Type": "application/json"},
    )
    client, sent = recording_client(answer)
    result = client.start_instance(
        "p", {"amount": Decimal("0.1000000000000000000000000001"), "n": 3}, idempotency_key="k"
    )
    body = sent[0].content.decode()
    assert '"amount":0.1000000000000000000000000001' in body
    assert sent[0].headers["Authorization"] == "Bearer verka_t"
    assert sent[0].headers["Idempotency-Key"] == "k"
    assert str(sent[0].url) == "http://verka.test/api/v1/process-instances"
    assert result["variables"]["x"] == Decimal("0.10000000000000000000001")
    with pytest.raises(ValueError):
        client.start_instance("p", {"bad": Decimal("NaN")})


def test_problems_become_exceptions_with_their_fields():
    problem = {
        "type": "urn:verka:problem:validation",
        "title": "Invalid request",
        "status": 400,
        "detail": "see errors",
        "errors": [{"field": "bpmnProcessId", "code": "required", "message": "Field required"}],
    }
    answer = httpx.Response(
        400,
        content=json.dumps(problem).encode(),
        headers={"Content-Type": "application/problem+json"},
    )
    client, _ = recording_client(answer)
    with pytest.raises(VerkaApiError) as error:
        client.start_instance("")
    assert (error.value.status, error.value.type) == (400, "urn:verka:problem:validation")
    assert error.value.errors[0]["code"] == "required"


def test_query_filters_skip_none_and_write_booleans_as_json():
    answer = httpx.Response(200, json={"items": [], "next": None})
    client, sent = recording_client(answer)
    assert list(client.process_instances(hasIncident=True, status=None, bpmnProcessId="p")) == []
    assert sent[0].url.params == httpx.QueryParams({"hasIncident": "true", "bpmnProcessId": "p"})


def test_a_refused_completion_fails_the_job_with_the_reason():
    from verka.client import ActivatedJob, JobWorker

    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/completion"):
            problem = {
                "type": "urn:verka:problem:validation",
                "title": "Invalid request",
                "status": 400,
                "detail": "bad variables",
            }
            return httpx.Response(400, json=problem)
        return httpx.Response(204)

    client = VerkaClient("http://verka.test", "verka_t", transport=httpx.MockTransport(handle))
    job = ActivatedJob("5", "work", "1", "p", "task", "2", retries=3, deadline="")
    JobWorker(client, "work", lambda job: {"x": 1}).handle(job)
    assert [r.url.path for r in sent] == ["/api/v1/jobs/5/completion", "/api/v1/jobs/5/failure"]
    failure = json.loads(sent[1].content)
    assert failure["retries"] == 2 and "bad variables" in failure["errorMessage"]
