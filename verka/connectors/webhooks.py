"""Delivers process events to webhooks: batches of history events as JSON, signed with
HMAC-SHA256 over the body (`X-Verka-Signature: sha256=<hex>`, plus `X-Verka-Timestamp` inside
the signed text so a captured request cannot be replayed later), in order, at least once.

A worker cuts a webhook's next batch into the outbox (verka.worker.outbox) once the previous one
was accepted; one worker sends it. A failing receiver is retried with exponential back-off (up
to an hour) without holding up the other webhooks; after the outbox's attempts the batch stays
failed, and the webhook waits (in order) until operations send it again."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import httpx
from django.db import connection
from django.db.models import F
from django.utils import timezone

from verka.processes.models import HistoryEvent
from verka.worker import outbox
from verka.worker.models import Effect

from .http import RefusedAddress, check_destination
from .models import Webhook
from .secrets import MissingSecret, resolve

log = logging.getLogger(__name__)
BATCH = 100
MAX_BACKOFF = timedelta(hours=1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# Ids are handed out before commit, so a transaction may commit after a later id is visible;
# events are only sent once they are this old, which closes that window in practice.
SETTLE = timedelta(seconds=2)


def _events(webhook: Webhook) -> list[HistoryEvent]:
    query = HistoryEvent.objects.filter(
        id__gt=webhook.delivered_up_to, timestamp__lte=timezone.now() - SETTLE
    ).order_by("id")
    types = [t.strip() for t in webhook.event_types.split(",") if t.strip()]
    processes = [p.strip() for p in webhook.bpmn_process_ids.split(",") if p.strip()]
    if types:
        query = query.filter(event_type__in=types)
    if processes:
        query = query.filter(bpmn_process_id__in=processes)
    return list(query[:BATCH])


def payload(events: list[HistoryEvent]) -> bytes:
    return json.dumps(
        {
            "events": [
                {
                    "id": e.id,
                    "timestamp": e.timestamp.isoformat(),
                    "processInstanceKey": e.process_instance_key,
                    "bpmnProcessId": e.bpmn_process_id,
                    "version": e.version,
                    "elementInstanceKey": e.element_instance_key,
                    "elementId": e.element_id,
                    "elementType": e.element_type,
                    "eventType": e.event_type,
                    "name": e.name,
                }
                for e in events
            ]
        },
        separators=(",", ":"),
    ).encode()


def queue_batch(webhook_id: int) -> bool:
    """Write the webhook's next batch to the outbox, unless one is still on its way (batches go
    one at a time, in order); True if one was written. The webhook row is locked (SKIP LOCKED
    on PostgreSQL; the writers' turn on SQLite) so that two workers cannot cut the same batch."""
    from verka.processes import rows

    with rows.write_transaction():
        query = Webhook.objects.filter(pk=webhook_id, active=True)
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        webhook = query.first()
        if webhook is None:
            return False
        group = f"webhook:{webhook.pk}"
        if Effect.objects.filter(group=group).exclude(state=Effect.State.SENT).exists():
            return False  # the previous batch is being sent, backing off, or failed
        events = _events(webhook)
        if not events:
            return False
        first, last = events[0].id, events[-1].id
        outbox.add(
            "webhook",
            f"webhook:{webhook.pk}:{first}-{last}",
            {"webhook": webhook.pk, "first": first, "last": last},
            group=group,
        )
        # The cursor moves when the batch is cut: from here on the outbox owns it.
        Webhook.objects.filter(pk=webhook.pk).update(delivered_up_to=last)
    return True


def queue_due(worker_name: str) -> int:
    """Worker source: cut the next batch of every active webhook that has none on its way."""
    return sum(
        queue_batch(pk) for pk in Webhook.objects.filter(active=True).values_list("pk", flat=True)
    )


def batch_events(webhook: Webhook, first: int, last: int) -> list[HistoryEvent]:
    """The events of a batch, the same every time it is sent (history events never change)."""
    query = HistoryEvent.objects.filter(id__gte=first, id__lte=last).order_by("id")
    types = [t.strip() for t in webhook.event_types.split(",") if t.strip()]
    processes = [p.strip() for p in webhook.bpmn_process_ids.split(",") if p.strip()]
    if types:
        query = query.filter(event_type__in=types)
    if processes:
        query = query.filter(bpmn_process_id__in=processes)
    return list(query)


@outbox.sender("webhook", attempts=30, first_backoff=timedelta(seconds=5), max_backoff=MAX_BACKOFF)
def deliver(effect: Effect) -> None:
    """The outbox's sender of one batch. `X-Verka-Delivery` names the batch: a batch sent
    again (a retry, or a worker killed before it recorded the answer) carries the same one."""
    webhook = Webhook.objects.filter(pk=effect.payload.get("webhook")).first()
    if webhook is None:
        raise outbox.Undeliverable("the webhook was deleted")
    first, last = int(effect.payload["first"]), int(effect.payload["last"])
    body = payload(batch_events(webhook, first, last))
    timestamp = str(int(time.time()))
    try:
        url = resolve(webhook.url)
        check_destination(url)
        secret = resolve(webhook.secret)
        response = httpx.post(
            url,
            content=body,
            timeout=10,
            headers={
                "Content-Type": "application/json",
                "X-Verka-Timestamp": timestamp,
                "X-Verka-Signature": signature(secret, timestamp, body),
                "X-Verka-Delivery": f"{webhook.pk}-{first}-{last}",
            },
        )
        error = "" if 200 <= response.status_code < 300 else f"answered {response.status_code}"
    except (httpx.HTTPError, RefusedAddress, MissingSecret) as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    if error:
        Webhook.objects.filter(pk=webhook.pk).update(failures=F("failures") + 1, last_error=error)
        log.warning("webhook delivery failed", extra={"webhook": webhook.pk, "error": error})
        raise DeliveryFailed(error)
    Webhook.objects.filter(pk=webhook.pk).update(failures=0, last_error="")


class DeliveryFailed(Exception):
    """The receiver did not accept the batch (not 2xx, unreachable, refused address)."""
