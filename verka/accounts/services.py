"""Public functions of the accounts app: creating users and placing them in groups."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .models import User


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


@transaction.atomic
def create_user(
    username: str,
    password: str | None,
    *,
    kind: str = User.Kind.CITIZEN,
    display_name: str = "",
    email: str = "",
    groups: Iterable[str] = (),
    superuser: bool = False,
) -> User:
    username = username.strip()
    if not username:
        raise AccountError("username must not be empty")
    if kind not in User.Kind.values:
        raise AccountError(f"kind must be one of {', '.join(User.Kind.values)}, not {kind!r}")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        kind=kind,
        display_name=display_name,
        email=email,
        is_staff=superuser or kind == User.Kind.STAFF,
        is_superuser=superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    for name in groups:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


def ensure_user(username: str, password: str, **fields: object) -> User:
    """Create the user unless it exists; used by the demo, which may run many times."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return create_user(username, password, **fields)  # type: ignore[arg-type]
