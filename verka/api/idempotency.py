"""`Idempotency-Key` handling: a repeated request gets the first response again instead of
doing the work twice; the same key with a different request is refused (422).

The key's record is written in the work's own transaction, with its response: the work and the
record commit together or not at all. A web process that dies anywhere in between leaves
neither behind, so the repeat does the work once; there is never a record of work whose outcome
is unknown. A repeat that comes while the first is still at work waits for its commit and gets
its response (on PostgreSQL at most IN_PROGRESS_WAIT, then 409 with Retry-After; on SQLite the
writers take turns anyway)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from verka.processes import services

from .auth import token_of
from .models import ApiToken, IdempotencyKey
from .problems import ApiProblem, FieldError, invalid

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# How long a repeat waits for the first request's commit before it is told to come back.
IN_PROGRESS_WAIT = timedelta(seconds=5)
_LOCK_NOT_AVAILABLE = "55P03"


def lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "VERKA_API_IDEMPOTENCY_HOURS", 24))


def run(request: HttpRequest, material: bytes, work: Callable[[], HttpResponse]) -> HttpResponse:
    """Do `work` once per key, in one transaction with the key's record. Only successful (2xx)
    responses are remembered: after an error nothing of the work stays, and the client may fix
    things and retry with the same key."""
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    if not _KEY.match(key):
        raise invalid(
            [FieldError(HEADER, "invalid_format", "1 to 255 visible ASCII characters")],
        )
    token = token_of(request)
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + material
    ).hexdigest()
    now = timezone.now()
    # Most repeats find the stored response: answered by a plain read, with no writer's turn.
    done = IdempotencyKey.objects.filter(token=token, key=key, expires_at__gt=now).first()
    if done is not None:
        return _replay(done, key, fingerprint)
    with services.unit_of_work():
        IdempotencyKey.objects.filter(token=token, key=key, expires_at__lte=now).delete()
        row = _claim(token, key, fingerprint, now)
        if not isinstance(row, IdempotencyKey):
            return row  # another request with this key committed first
        # An error (ApiProblem or any other) leaves the block: the work and the claim go.
        response = work()
        if 200 <= response.status_code < 300:
            row.status = response.status_code
            row.response = response.content.decode("utf-8")
            row.content_type = response.get("Content-Type", "application/json")
            row.save(update_fields=["status", "response", "content_type"])
        else:
            row.delete()
    return response


def _claim(
    token: ApiToken, key: str, fingerprint: str, now: datetime
) -> IdempotencyKey | HttpResponse:
    """Insert the key's record (its response follows before the commit), or the answer for a
    key another request holds. On PostgreSQL an insert of a key that another open transaction
    inserted waits for that transaction: it commits (the key is taken: its response is
    replayed) or rolls back (the insert goes through and this request does the work)."""
    try:
        # A savepoint: a lost race leaves the transaction usable for reading the winner's row.
        with transaction.atomic(), _waiting_at_most(IN_PROGRESS_WAIT):
            return IdempotencyKey.objects.create(
                token=token,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + lifetime(),
            )
    except IntegrityError:
        pass
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        raise _in_progress(key) from None
    row = IdempotencyKey.objects.filter(token=token, key=key).first()
    if row is None:  # expired and purged between the insert and now: rare; the client retries
        raise _in_progress(key)
    return _replay(row, key, fingerprint)


@contextmanager
def _waiting_at_most(wait: timedelta) -> Iterator[None]:
    """On PostgreSQL, lock waits inside the block give up after `wait` (lock_timeout, for this
    transaction only); the setting before is restored after. Only inside a savepoint: a wait
    given up aborts it, and rolling it back restores the setting too."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
            [f"{int(wait.total_seconds() * 1000)}ms"],
        )
        (previous, _) = cursor.fetchone()
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _in_progress(key: str) -> ApiProblem:
    return ApiProblem(
        409,
        "idempotency-in-progress",
        "Request in progress",
        f"a request with the key '{key}' is still running; repeat it to get its response",
        headers={"Retry-After": "1"},
    )


def _replay(row: IdempotencyKey, key: str, fingerprint: str) -> HttpResponse:
    if row.fingerprint != fingerprint:
        raise ApiProblem(
            422,
            "idempotency-key-reused",
            "Idempotency key reused",
            f"the key '{key}' was used for a different request",
        )
    if row.status is None:
        # Written by an earlier version, which recorded the key apart from the work: whether
        # the work committed is unknown, so it is not done again while the key lives.
        raise _in_progress(key)
    response = HttpResponse(row.response, status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response
