"""Outgoing webhooks: process events arrive signed, in order, once accepted; a failing receiver
is retried later without losing or repeating events."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from verka.connectors.models import Webhook
from verka.connectors.webhooks import batch_events, queue_due
from verka.processes import services
from verka.processes.clock import ManualClock, use_clock
from verka.processes.models import HistoryEvent
from verka.worker import outbox
from verka.worker.models import Effect

from ..processes import models as m
from ..worker.threads import running_workers, wait_until

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self) -> None:
        self.batches: list[dict] = []
        self.deliveries: list[str] = []
        self.fail = False
        self.delay = 0.0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = hmac.new(
                    b"s3cret",
                    self.headers["X-Verka-Timestamp"].encode() + b"." + body,
                    hashlib.sha256,
                ).hexdigest()
                signed = self.headers["X-Verka-Signature"] == f"sha256={expected}"
                if owner.fail or not signed:
                    self.send_response(503 if signed else 401)
                else:
                    time.sleep(owner.delay)
                    owner.batches.append(json.loads(body))
                    owner.deliveries.append(self.headers["X-Verka-Delivery"])
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def age_events() -> None:
    HistoryEvent.objects.update(
        timestamp=HistoryEvent.objects.first().timestamp - timedelta(seconds=5)
    )


def deliver_due(worker_name: str) -> int:
    """What a worker's passes do: cut the webhooks' next batches and send what is due, until
    nothing more goes; returns how many events the receiver accepted."""
    delivered = 0
    while True:
        queued = queue_due(worker_name)
        before = set(Effect.objects.filter(state="sent").values_list("pk", flat=True))
        attempted = outbox.send_due(worker_name)
        accepted = Effect.objects.filter(state="sent").exclude(pk__in=before)
        for effect in accepted:
            hook = Webhook.objects.get(pk=effect.payload["webhook"])
            delivered += len(batch_events(hook, effect.payload["first"], effect.payload["last"]))
        if not queued and not attempted or attempted and not accepted:
            return delivered


@override_settings(VERKA_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
def test_events_are_signed_ordered_filtered_and_retried(receiver):
    services.deploy([("one.bpmn", m.ONE_TASK)])
    services.start_instance("one-task", {"amount": 1})  # before the webhook: not sent
    Webhook.objects.create(
        name="case system", url=receiver.url, secret="s3cret", event_types="ELEMENT_COMPLETED"
    )
    instance = services.start_instance("one-task", {"amount": 2})
    for job in services.activate_jobs("work", "w"):
        services.complete_job(job.key)
    age_events()

    receiver.fail = True
    assert deliver_due("w") == 0
    hook = Webhook.objects.get()
    assert hook.failures == 1 and "503" in hook.last_error
    assert deliver_due("w") == 0  # backing off: not even tried
    assert hook.failures == 1 and Effect.objects.get().state == "pending"
    Effect.objects.update(due_at=Effect.objects.get().created_at)
    receiver.fail = False
    delivered = deliver_due("w")
    assert delivered > 0
    events = [e for batch in receiver.batches for e in batch["events"]]
    assert {e["eventType"] for e in events} == {"ELEMENT_COMPLETED"}
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    completed = {e["elementId"] for e in events if e["processInstanceKey"] == instance.key}
    assert {"start", "work", "gw"} <= completed
    assert deliver_due("w") == 0  # nothing twice
    assert Webhook.objects.get().failures == 0


@override_settings(VERKA_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
def test_a_wrong_secret_is_refused_by_the_receiver_and_nothing_moves(receiver):
    services.deploy([("one.bpmn", m.ONE_TASK)])
    Webhook.objects.create(name="x", url=receiver.url, secret="wrong")
    services.start_instance("one-task", {"amount": 1})
    age_events()
    assert deliver_due("w") == 0
    assert receiver.batches == []
    assert "401" in Webhook.objects.get().last_error
    batch = Effect.objects.get()  # waits in the outbox for the next attempt
    assert (batch.state, batch.attempts) == ("pending", 1) and "401" in batch.last_error


def test_a_private_address_is_not_called():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    Webhook.objects.create(name="x", url="http://10.0.0.1/hook", secret="s")
    with use_clock(ManualClock()):
        services.start_instance("one-task", {"amount": 1})
    age_events()
    assert deliver_due("w") == 0
    assert "private" in Webhook.objects.get().last_error


@pytest.mark.django_db(transaction=True)
@override_settings(VERKA_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
def test_two_workers_deliver_each_batch_once(receiver):
    services.deploy([("one.bpmn", m.ONE_TASK)])
    Webhook.objects.create(name="case system", url=receiver.url, secret="s3cret")
    for n in range(3):
        services.start_instance("one-task", {"amount": n})
    age_events()
    receiver.delay = 0.3  # a receiver that takes a moment to answer
    with running_workers(2):
        assert wait_until(lambda: receiver.batches, timeout=10)
        time.sleep(2)
    ids = Counter(e["id"] for batch in receiver.batches for e in batch["events"])
    assert ids and max(ids.values()) == 1, f"events delivered more than once: {ids}"
    assert len(set(receiver.deliveries)) == len(receiver.deliveries)
