"""The outbox: effects that leave the system (e-mails, webhook batches) are written as rows in the
transaction of their cause and sent by exactly one worker, never from inside a request.

A cause calls `add` inside its transaction: the effect exists if and only if the cause
committed. A worker `claim`s due effects (FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers
never take the same row; on SQLite the writers' turn serialises the claim), commits the claim,
sends outside any transaction and records the outcome. A failed attempt is retried with
exponential back-off; after the sender's number of attempts the effect is left `failed`, where
operations staff see it (the admin's list of outgoing effects) and can send it again.

What remains at-least-once: a worker killed after the peer accepted an effect but before the
worker recorded it leaves the claim to run out, and another worker sends that one effect again.
Such a repeat carries the same identity (`Message-ID` of an e-mail, `X-Verka-Delivery` of a
webhook batch), so the receiver can recognise it.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import Effect

log = logging.getLogger(__name__)

OPEN = [Effect.State.PENDING, Effect.State.SENDING]
# Effects claimed per pass. Each is sent one after the other within its lease.
BATCH = 10


class Undeliverable(Exception):
    """Raise from a sender when trying again cannot help (the cause is gone, the address is
    invalid): the effect fails at once instead of after all its attempts."""


@dataclass(frozen=True)
class Sender:
    kind: str
    send: Callable[[Effect], None]
    attempts: int
    first_backoff: timedelta
    max_backoff: timedelta

    def backoff(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt: doubling, up to a cap."""
        return min(self.first_backoff * 2 ** min(attempts - 1, 20), self.max_backoff)


_SENDERS: dict[str, Sender] = {}


def sender(
    kind: str,
    *,
    attempts: int = 10,
    first_backoff: timedelta = timedelta(seconds=10),
    max_backoff: timedelta = timedelta(hours=1),
) -> Callable[[Callable[[Effect], None]], Callable[[Effect], None]]:
    """Register the function that sends effects of this kind (raise to fail the attempt)."""

    def decorate(send: Callable[[Effect], None]) -> Callable[[Effect], None]:
        _SENDERS[kind] = Sender(kind, send, attempts, first_backoff, max_backoff)
        return send

    return decorate


def lease() -> timedelta:
    """How long a claim lasts: longer than any one send may take (SMTP and HTTP time out well
    before), so that only a dead worker's claim runs out."""
    return timedelta(seconds=settings.VERKA_OUTBOX_LEASE_SECONDS)


# --- writing effects (inside the cause's transaction) --------------------------------------


def add(kind: str, key: str, payload: Mapping[str, Any], *, group: str = "") -> None:
    """Record an effect in the current transaction; a key already recorded adds nothing.
    Waiting workers are woken when the transaction commits."""
    now = timezone.now()
    Effect.objects.bulk_create(
        [
            Effect(
                kind=kind,
                key=key[:200],
                group=group,
                payload=dict(payload),
                due_at=now,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    _wake_workers()


def _wake_workers() -> None:
    from . import wakeup

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Delivered at commit, and not at all if the transaction rolls back.
            cursor.execute("SELECT pg_notify(%s, 'outbox')", [wakeup.CHANNEL])
    else:
        wakeup.nudge_after_commit()


# --- sending (the worker) ----------------------------------------------------------------


def claim(worker_name: str, limit: int = BATCH, now: datetime | None = None) -> list[Effect]:
    """Take up to `limit` due effects of kinds this process can send, for this worker, for one
    lease; the claim is committed before anything is sent."""
    from verka.processes import rows

    now = now or timezone.now()
    kinds = list(_SENDERS)
    if not kinds:
        return []
    with rows.write_transaction():
        query = Effect.objects.filter(state__in=OPEN, due_at__lte=now, kind__in=kinds).order_by(
            "due_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        effects = list(query[:limit])
        if not effects:
            return []
        until = now + lease()
        Effect.objects.filter(pk__in=[e.pk for e in effects]).update(
            state=Effect.State.SENDING,
            claimed_by=worker_name[:200],
            due_at=until,
            attempts=F("attempts") + 1,
        )
    for effect in effects:
        effect.state, effect.claimed_by, effect.due_at = Effect.State.SENDING, worker_name, until
        effect.attempts += 1
    return effects


def send_due(worker_name: str, limit: int = BATCH) -> int:
    """Worker source: claim due effects, send each and record how it went; returns how many
    were attempted."""
    now = timezone.now()
    # Most passes find nothing: a plain read, before any write transaction (on SQLite a
    # write transaction queues behind every engine writer).
    if not Effect.objects.filter(state__in=OPEN, due_at__lte=now, kind__in=list(_SENDERS)).exists():
        return 0
    effects = claim(worker_name, limit, now)
    for effect in effects:
        send_one(effect)
    return len(effects)


def send_one(effect: Effect) -> bool:
    """Send a claimed effect and record the outcome; True if it went out."""
    from verka.processes import rows

    spec = _SENDERS[effect.kind]
    try:
        spec.send(effect)
    except Exception as error:
        permanent = isinstance(error, Undeliverable)
        summary = traceback.format_exception_only(type(error), error)[-1].strip()[:500]
        failed = permanent or effect.attempts >= spec.attempts
        log.warning(
            "outgoing effect failed",
            extra={
                "effect": effect.key,
                "attempt": effect.attempts,
                "error": type(error).__name__,
                "final": failed,
            },
        )
        with rows.one_statement():
            Effect.objects.filter(pk=effect.pk, state=Effect.State.SENDING).update(
                state=Effect.State.FAILED if failed else Effect.State.PENDING,
                due_at=timezone.now() + spec.backoff(effect.attempts),
                last_error=summary,
            )
        return False
    with rows.one_statement():
        Effect.objects.filter(pk=effect.pk).exclude(state=Effect.State.SENT).update(
            state=Effect.State.SENT, sent_at=timezone.now(), last_error=""
        )
    return True


def send_again(effect_ids: list[int]) -> int:
    """Operations: give failed effects a fresh round of attempts; returns how many."""
    return Effect.objects.filter(pk__in=effect_ids, state=Effect.State.FAILED).update(
        state=Effect.State.PENDING, attempts=0, due_at=timezone.now(), last_error=""
    )


# --- keeping the table small --------------------------------------------------------------

PRUNE_EVERY = 3600.0  # seconds between a worker's looks at what may go
_next_prune = 0.0


def prune_sent(worker_name: str, now: datetime | None = None) -> int:
    """Worker source: delete effects sent more than VERKA_OUTBOX_KEEP_DAYS ago (their payloads
    hold addresses and letters); one worker at a time, about once an hour. Failed and pending
    effects stay until they are sent."""
    from verka.processes import rows

    from . import duties

    global _next_prune
    moment = time.monotonic()
    if now is None and moment < _next_prune:
        return 0
    _next_prune = moment + PRUNE_EVERY
    cutoff = (now or timezone.now()) - timedelta(days=settings.VERKA_OUTBOX_KEEP_DAYS)
    with duties.held("outbox-prune", worker_name, timedelta(minutes=10)) as mine:
        if not mine:
            return 0
        with rows.one_statement():
            deleted, _ = Effect.objects.filter(state=Effect.State.SENT, sent_at__lt=cutoff).delete()
    return deleted


# --- identities the receiver can recognise a repeat by --------------------------------------


def message_id(effect: Effect) -> str:
    """The same Message-ID every time this effect is sent (RFC 5322 §3.6.4)."""
    digest = hashlib.sha256(effect.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "verka.invalid"
    return f"<{digest}.{effect.kind}@{domain}>"


def header_text(text: str, limit: int = 200) -> str:
    """One line for a header: a line break in what someone typed must not start a new header."""
    return " ".join(str(text).split())[:limit]


def email(effect: Effect, subject: str, body: str, to: list[str]) -> EmailMessage:
    """A plain-text e-mail for an effect, with its stable Message-ID."""
    return EmailMessage(
        subject=header_text(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Message-ID": message_id(effect)},
    )


# --- e-mails written out in full when their cause commits --------------------------------


def add_email(key: str, subject: str, body: str, to: list[str], **payload: Any) -> None:
    """Record a plain-text e-mail, rendered now, to be sent by a worker (kind "email")."""
    add("email", key, {**payload, "subject": header_text(subject), "body": body, "to": to})


@sender("email")
def send_email(effect: Effect) -> None:
    to = [str(address) for address in effect.payload.get("to") or []]
    if not to:
        raise Undeliverable("the e-mail has no recipient")
    email(effect, effect.payload["subject"], effect.payload["body"], to).send()
