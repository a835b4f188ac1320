"""Delivers process events to webhooks: batches of history events as JSON, signed with
HMAC-SHA256 over the body (`X-Verka-Signature: sha256=<hex>`, plus `X-Verka-Timestamp` inside
the signed text so a captured request cannot be replayed later), in order, at least once.
A failing receiver is retried with exponential back-off (up to an hour) without holding up the
other webhooks; its cursor only moves when a batch was accepted (2xx)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import httpx
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from verka.processes.models import HistoryEvent

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


def deliver(webhook: Webhook) -> int:
    """Send the next batch; returns how many events were delivered."""
    events = _events(webhook)
    if not events:
        return 0
    now = timezone.now()
    body = payload(events)
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
                "X-Verka-Delivery": f"{webhook.pk}-{events[0].id}-{events[-1].id}",
            },
        )
        ok = 200 <= response.status_code < 300
        error = "" if ok else f"answered {response.status_code}"
    except (httpx.HTTPError, RefusedAddress, MissingSecret) as failure:
        ok, error = False, f"{type(failure).__name__}: {failure}"[:500]
    with transaction.atomic():
        if ok:
            Webhook.objects.filter(pk=webhook.pk).update(
                delivered_up_to=events[-1].id, failures=0, retry_at=None, last_error=""
            )
            return len(events)
        backoff = min(timedelta(seconds=5 * 2 ** min(webhook.failures, 12)), MAX_BACKOFF)
        Webhook.objects.filter(pk=webhook.pk).update(
            failures=webhook.failures + 1, retry_at=now + backoff, last_error=error
        )
    log.warning("webhook delivery failed", extra={"webhook": webhook.pk, "error": error})
    return 0


def deliver_due(worker_name: str) -> int:
    """Worker source: one batch for every active webhook that is not backing off."""
    now = timezone.now()
    due = Webhook.objects.filter(active=True).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    return sum(deliver(webhook) for webhook in due)
