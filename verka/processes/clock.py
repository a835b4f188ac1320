"""The process engine's clock: real time, or a manual clock that tests and CPT runs move forward."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.utils import timezone


class ManualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or timezone.now()

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


_clock: ContextVar[ManualClock | None] = ContextVar("verka_clock", default=None)


def now() -> datetime:
    manual = _clock.get()
    return manual() if manual is not None else timezone.now()


@contextlib.contextmanager
def use_clock(clock: ManualClock) -> Iterator[ManualClock]:
    token = _clock.set(clock)
    try:
        yield clock
    finally:
        _clock.reset(token)
