"""Inbound webhooks: a signed POST correlates a message; anything unsigned, stale, replayed or
malformed is refused with problem JSON and changes nothing."""

from __future__ import annotations

import json
import time

import pytest

from verka.connectors.models import InboundWebhook
from verka.connectors.webhooks import signature
from verka.processes import services
from verka.processes.models import Message, ProcessInstance

from ..processes import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook():  # type: ignore[no-untyped-def]
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])
    return InboundWebhook.objects.create(
        slug="case-system",
        secret="s3cret",
        message_name="answer",
        correlation_key="=case.id",
        variables="={reply: status}",
    )


def post(client, body: object, *, secret: str = "s3cret", age: int = 0, **headers: str):  # type: ignore[no-untyped-def]
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()) - age)
    return client.post(
        "/webhooks/case-system/",
        data=raw,
        content_type="application/json",
        HTTP_X_VERKA_TIMESTAMP=stamp,
        HTTP_X_VERKA_SIGNATURE=signature(secret, stamp, raw),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


def test_a_signed_post_correlates_to_the_waiting_instance(client, hook):
    instance = services.start_instance("waiter", {"caseId": "B-7"})
    response = post(
        client, {"case": {"id": "B-7"}, "status": "approved"}, **{"Idempotency-Key": "d-1"}
    )
    assert response.status_code == 202
    assert response.json()["correlatedInstances"] == [str(instance.key)]
    assert ProcessInstance.objects.get(key=instance.key).status == "COMPLETED"
    again = post(
        client, {"case": {"id": "B-7"}, "status": "approved"}, **{"Idempotency-Key": "d-1"}
    )
    assert again.json()["duplicate"] is True


@pytest.mark.parametrize(
    ("kwargs", "status", "detail"),
    [
        ({"secret": "wrong"}, 401, "Signature"),
        ({"age": 3600}, 401, "too old"),
    ],
)
def test_bad_signatures_are_refused(client, hook, kwargs, status, detail):
    response = post(client, {"case": {"id": "X"}, "status": "x"}, **kwargs)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], {"status": "no key"}, {"case": {"id": ["a"]}}])
def test_bodies_without_a_usable_key_are_refused(client, hook, body):
    response = post(client, body)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_unknown_or_inactive_webhooks_are_404(client, hook):
    hook.active = False
    hook.save()
    assert post(client, {"case": {"id": "B-7"}}).status_code == 404
