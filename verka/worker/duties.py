"""Periodic duties that one worker at a time performs, however many run (indicator snapshots):
a row per duty, held by a lease that a conditional UPDATE takes, so that of two workers asking
at once one gets it; a worker that dies holding it lets the lease run out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from .models import Duty


def take(name: str, worker_name: str, lease: timedelta) -> bool:
    """Hold the duty for `lease` unless another worker holds it; True if this worker does."""
    return _claim(
        name, worker_name, lease, Q(held_until__lte=timezone.now()) | Q(held_by=worker_name)
    )


def take_period(name: str, worker_name: str, every: timedelta, now: datetime | None = None) -> bool:
    """Claim the next period of a duty done once per `every` (draft clean-up): True for the one
    worker whose claim finds the last period over, however many ask, the same worker too."""
    now = now or timezone.now()
    return _claim(name, worker_name, every, Q(held_until__lte=now), now=now)


def _claim(
    name: str, worker_name: str, lease: timedelta, free: Q, now: datetime | None = None
) -> bool:
    from verka.processes import rows

    now = now or timezone.now()
    with rows.one_statement():
        # On PostgreSQL a concurrent UPDATE waits for the first and then finds its condition
        # false; SQLite runs one writer at a time.
        taken = (
            Duty.objects.filter(name=name)
            .filter(free)
            .update(held_by=worker_name[:200], held_until=now + lease)
        )
    if taken:
        return True
    if Duty.objects.filter(name=name).exists():
        return False
    try:
        with rows.write_transaction():
            Duty.objects.create(name=name, held_by=worker_name[:200], held_until=now + lease)
    except IntegrityError:
        return False  # another worker made the row, and holds it, first
    return True


def release(name: str, worker_name: str) -> None:
    from verka.processes import rows

    with rows.one_statement():
        Duty.objects.filter(name=name, held_by=worker_name).update(held_until=timezone.now())


@contextlib.contextmanager
def held(name: str, worker_name: str, lease: timedelta) -> Iterator[bool]:
    """`with held(...) as mine:` — do the duty if `mine`; released at the end."""
    mine = take(name, worker_name, lease)
    try:
        yield mine
    finally:
        if mine:
            release(name, worker_name)
