"""Messages and signals: publishing one reaches every instance waiting for its name, so a name is
granted to a service account (`message`, `signal`) or held by the digitalisation team."""

from __future__ import annotations

from typing import Any

from .callers import granted


def may_publish(user: Any, message_name: str) -> bool:
    return message_name in granted(user, "message")


def may_broadcast(user: Any, signal_name: str) -> bool:
    return signal_name in granted(user, "signal")
