"""`Idempotency-Key` on every endpoint that accepts it: the remembered response is written in the
work's own transaction, so a failure between the work and its record leaves neither behind, and
a repeat after it does the work once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models.signals import pre_save

from verka.api.models import IdempotencyKey
from verka.processes.models import Deployment, Message, ProcessInstance

from . import bpmn

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    name: str
    send: Callable[[Any, dict[str, str]], Any]
    # What the work leaves behind, counted: it must change once, whatever happens.
    done: Callable[[], int]
    status: int
    units: int = 1


def completed() -> int:
    return ProcessInstance.objects.filter(status="COMPLETED").count()


ENDPOINTS = [
    Endpoint(
        "start",
        lambda api, headers: api.post(
            "process-instances", {"bpmnProcessId": "one-task"}, headers=headers
        ),
        lambda: ProcessInstance.objects.filter(bpmn_process_id="one-task").count(),
        201,
    ),
    Endpoint(
        "batch start",
        lambda api, headers: api.post(
            "process-instances/batch",
            {
                "bpmnProcessId": "one-task",
                "instances": [{"businessKey": f"B-{n}"} for n in range(3)],
            },
            headers=headers,
        ),
        lambda: ProcessInstance.objects.filter(bpmn_process_id="one-task").count(),
        201,
        units=3,
    ),
    Endpoint(
        "message publication",
        lambda api, headers: api.post(
            "messages/publication",
            {"name": "answer", "correlationKey": "nobody-yet", "timeToLive": "PT1H"},
            headers=headers,
        ),
        lambda: Message.objects.count(),
        200,
    ),
    Endpoint(
        "signal broadcast",
        lambda api, headers: api.post(
            "signals/broadcast", {"signalName": "storm-warning"}, headers=headers
        ),
        completed,
        200,
    ),
    Endpoint(
        "deployment",
        lambda api, headers: api.upload(("review.bpmn", bpmn.USER_TASK), headers=headers),
        lambda: Deployment.objects.count(),
        201,
    ),
]


@pytest.fixture
def deployed(api):
    api.deploy(
        ("one.bpmn", bpmn.ONE_TASK),
        ("waiter.bpmn", bpmn.MESSAGE_WAIT),
        ("signalled.bpmn", bpmn.SIGNAL_WAIT),
    )
    api.start("signalled")
    return api


class StoringFails(Exception):
    """What a web process dying while it stores the response looks like to the database."""


def fail_when_the_response_is_stored(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender is IdempotencyKey and instance.status is not None:
        raise StoringFails


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_a_failure_storing_the_response_undoes_the_work_and_the_repeat_does_it_once(
    deployed, endpoint
):
    headers = {"Idempotency-Key": endpoint.name.replace(" ", "-")}
    before = endpoint.done()
    pre_save.connect(fail_when_the_response_is_stored)
    try:
        failed = endpoint.send(deployed, headers)
    finally:
        pre_save.disconnect(fail_when_the_response_is_stored)
    assert failed.status_code == 500
    # Work and record share one transaction: neither stayed.
    assert endpoint.done() == before
    assert not IdempotencyKey.objects.filter(key=headers["Idempotency-Key"]).exists()

    first = endpoint.send(deployed, headers)
    assert first.status_code == endpoint.status, first.content
    assert endpoint.done() == before + endpoint.units
    again = endpoint.send(deployed, headers)
    assert again.status_code == endpoint.status
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert endpoint.done() == before + endpoint.units
