"""Public functions of the accounts app: creating users, placing them in groups, and mapping a
person vouched for by an identity provider to a user."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from .models import User


class AccountError(ValueError):
    """A user could not be created or changed; the message says why, `code` says it briefly."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


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


@dataclass(frozen=True)
class Identity:
    """A person as an identity provider vouches for them at one login."""

    issuer: str  # the key identities of this provider are stored under
    subject: str
    kind: str  # citizen or staff: what the provider is for
    claims: Mapping[str, Any] = field(default_factory=dict)
    personal_number_claim: str = ""  # store this claim's value, if the provider is set up to
    groups_claim: str = ""  # staff: the user's groups become exactly the ones listed here
    link_demo_user: bool = False  # demo IdP only: the subject is a demo user's username


@transaction.atomic
def sign_in_with_identity(identity: Identity) -> tuple[User, bool]:
    """The user for (issuer, subject), created at the first login, updated from the claims.

    Returns (user, created). Raises AccountError when the account may not log in this way.
    Messages never quote the subject or claims: for eID brokers the subject can be a personal
    identity number.
    """
    if not identity.issuer or not identity.subject:
        raise AccountError("the identity has no issuer or subject", "no_identity")
    user = (
        User.objects.select_for_update()
        .filter(identity_issuer=identity.issuer, identity_subject=identity.subject)
        .first()
    )
    if user is None and identity.link_demo_user:
        # The demo persona logs in as the demo user with the same username (see demo_idp).
        user = User.objects.filter(username=identity.subject, identity_subject="").first()
    created = user is None
    if user is None:
        user = User(username=_new_username(identity), kind=identity.kind)
        user.set_unusable_password()
    if user.kind != identity.kind:
        raise AccountError(f"a {user.kind} account cannot log in as {identity.kind}", "wrong_kind")
    if not user.is_active:
        raise AccountError("the account is deactivated", "inactive")
    user.identity_issuer = identity.issuer
    user.identity_subject = identity.subject
    if identity.kind == User.Kind.STAFF:
        user.is_staff = True
    _apply_claims(user, identity)
    user.save()
    if identity.kind == User.Kind.STAFF and identity.groups_claim:
        names = _group_names(identity.claims.get(identity.groups_claim))
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])
    return user, created


def _new_username(identity: Identity) -> str:
    if identity.link_demo_user and not User.objects.filter(username=identity.subject).exists():
        return identity.subject
    # Never derived from the subject, which may be a personal identity number.
    return f"{identity.kind}-{secrets.token_hex(6)}"


def _apply_claims(user: User, identity: Identity) -> None:
    claims = identity.claims
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("family_name") or "").strip()
    name = str(claims.get("name") or " ".join(part for part in (given, family) if part)).strip()
    if name:
        user.display_name = name[:200]
    if given:
        user.first_name = given[:150]
    if family:
        user.last_name = family[:150]
    email = str(claims.get("email") or "").strip()
    if email and claims.get("email_verified", True) is not False and "@" in email:
        user.email = email[:254]
    if identity.personal_number_claim:
        number = str(claims.get(identity.personal_number_claim) or "").strip()
        if number:
            user.personal_number = number[:32]


def _group_names(value: object) -> list[str]:
    if isinstance(value, str):
        items: list[object] = value.replace(",", " ").split()
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = []
    names = {str(item).strip()[:150] for item in items if str(item).strip()}
    return sorted(names)
