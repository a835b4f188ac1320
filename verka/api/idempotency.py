"""`Idempotency-Key` handling: a repeated request gets the first response again instead of
doing the work twice; the same key with a different request is refused (422)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .auth import token_of
from .models import IdempotencyKey
from .problems import ApiProblem, FieldError, from_problem, invalid

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
# A request still marked running after this long died half-way; its key may be used again.
ABANDONED_AFTER = timedelta(minutes=5)


def lifetime() -> timedelta:
    return timedelta(hours=getattr(settings, "VERKA_API_IDEMPOTENCY_HOURS", 24))


def run(request: HttpRequest, material: bytes, work: Callable[[], HttpResponse]) -> HttpResponse:
    """Do `work` once per key. Only successful (2xx) responses are remembered: after an error
    the client may fix things and retry with the same key."""
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
    IdempotencyKey.objects.filter(token=token, key=key, expires_at__lte=now).delete()
    IdempotencyKey.objects.filter(
        token=token, key=key, status__isnull=True, created_at__lte=now - ABANDONED_AFTER
    ).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                token=token,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + lifetime(),
            )
    except IntegrityError:
        return _replay(request, token.pk, key, fingerprint)
    try:
        try:
            response = work()
        except ApiProblem as problem:
            response = from_problem(request, problem)
    except BaseException:
        row.delete()
        raise
    if 200 <= response.status_code < 300:
        row.status = response.status_code
        row.response = response.content.decode("utf-8")
        row.content_type = response.get("Content-Type", "application/json")
        row.save(update_fields=["status", "response", "content_type"])
    else:
        row.delete()
    return response


def _replay(request: HttpRequest, token_id: int, key: str, fingerprint: str) -> HttpResponse:
    row = IdempotencyKey.objects.filter(token_id=token_id, key=key).first()
    if row is None:  # expired between the insert and now: rare; the client simply retries
        raise ApiProblem(409, "idempotency-in-progress", "Retry", "please repeat the request")
    if row.fingerprint != fingerprint:
        raise ApiProblem(
            422,
            "idempotency-key-reused",
            "Idempotency key reused",
            f"the key '{key}' was used for a different request",
        )
    if row.status is None:
        raise ApiProblem(
            409,
            "idempotency-in-progress",
            "Request in progress",
            f"a request with the key '{key}' is still running",
            headers={"Retry-After": "1"},
        )
    response = HttpResponse(row.response, status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response
