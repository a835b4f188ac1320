"""Service accounts' grants: what a program using the API may reach (accounts.ServiceGrant)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from verka.accounts.models import ServiceGrant, User

KINDS = tuple(ServiceGrant.Kind.values)
# Kinds that name no id: the grant is of everything of its kind.
WHOLE_KINDS = (ServiceGrant.Kind.DEPLOY, ServiceGrant.Kind.INDICATORS)


class GrantError(ValueError):
    """A grant could not be given or taken back; the message says why."""


def _check(user: Any, kind: str, value: str) -> str:
    if getattr(user, "kind", "") != User.Kind.SERVICE:
        raise GrantError(
            f"{user.get_username()!r} is not a service account: staff reach what their groups "
            "reach (workspace process grants), citizens reach nothing through the API"
        )
    if kind not in KINDS:
        raise GrantError(f"unknown grant kind {kind!r} (expected one of {', '.join(KINDS)})")
    value = (value or "").strip()
    if kind in WHOLE_KINDS:
        value = ServiceGrant.EVERY
    if not value or len(value) > 255 or "\x00" in value:
        raise GrantError("a grant names an id of 1 to 255 characters, or *")
    return value


@transaction.atomic
def grant(user: Any, kind: str, value: str = "") -> ServiceGrant:
    value = _check(user, kind, value)
    found, _ = ServiceGrant.objects.get_or_create(user=user, kind=kind, value=value)
    return found


def revoke(user: Any, kind: str, value: str = "") -> int:
    value = _check(user, kind, value)
    deleted, _ = ServiceGrant.objects.filter(user=user, kind=kind, value=value).delete()
    return deleted


def grants_of(user: Any) -> list[tuple[str, str]]:
    return list(
        ServiceGrant.objects.filter(user=user)
        .order_by("kind", "value")
        .values_list("kind", "value")
    )
