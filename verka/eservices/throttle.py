"""How often one client may start drafts, autosave, upload and submit: fixed windows counted in
the database with one atomic upsert, so that the limit holds across every web process.

A limit is "<count>/<period>" with the period in seconds, minutes or hours ("30/h", "120/m",
"10/15m"); "off" turns it off. They are set by VERKA_RATE_* (docs/operations.md).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from verka.conf.network import client_address

from .models import RateCounter

_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """`"30/h"` → 30 per 3600 s; "off" (or "0/…") → None. Anything else is a setting error."""
    if text.strip().lower() in {"off", "none", ""}:
        return None
    match = _LIMIT.match(text)
    if match is None:
        raise ValueError(f"a rate limit looks like 30/h, 120/m or 10/15m, not {text!r}")
    count, amount, unit = int(match[1]), int(match[2] or 1), match[3]
    if count == 0:
        return None
    return Rate(count, max(amount, 1) * _UNIT[unit])


def rate_of(bucket: str) -> Rate | None:
    limits: dict[str, str] = getattr(settings, "VERKA_RATE_LIMITS", {})
    return parse_rate(limits.get(bucket, "off"))


def check_settings() -> None:
    """Refuse to start with a limit that cannot be read (rather than fail on a request)."""
    from django.core.exceptions import ImproperlyConfigured

    for bucket, text in getattr(settings, "VERKA_RATE_LIMITS", {}).items():
        try:
            parse_rate(text)
        except ValueError as error:
            name = f"VERKA_RATE_{bucket.upper().replace('-', '_')}"
            raise ImproperlyConfigured(f"{name}: {error}") from None


def client_of(request: HttpRequest) -> str:
    """Whom to count: the signed-in user, else the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_address(request) or 'unknown'}"


def _count(bucket: str, client: str, window_end: int) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        # One statement: on both SQLite and PostgreSQL the increment and the read are atomic,
        # so two processes counting the same request can never both see the old count.
        cursor.execute(
            f"INSERT INTO {table} (bucket, client, window_end, count) VALUES (%s, %s, %s, 1) "
            "ON CONFLICT (bucket, client, window_end) "
            f"DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [bucket, client[:80], window_end],
        )
        row = cursor.fetchone()
    return int(row[0])


def hit(request: HttpRequest, bucket: str, *, now: float | None = None) -> int | None:
    """Count one request; None while within the limit, else the seconds until it may retry."""
    rate = rate_of(bucket)
    if rate is None:
        return None
    moment = time.time() if now is None else now
    window_end = (math.floor(moment / rate.seconds) + 1) * rate.seconds
    if _count(bucket, client_of(request), window_end) <= rate.count:
        return None
    return max(1, math.ceil(window_end - moment))


def forget_old_windows(*, now: float | None = None) -> int:
    """Delete counters of windows that have ended (part of the periodic clean-up)."""
    moment = time.time() if now is None else now
    deleted, _ = RateCounter.objects.filter(window_end__lt=moment).delete()
    return deleted
