"""The API app's public functions: create, find and revoke access tokens; the `verka token`
command (tokens, service accounts and their grants); clearing expired idempotency keys."""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from verka.access.callers import token_refusal

from .models import ApiToken, IdempotencyKey, Scope

TOKEN_PREFIX = "verka_"
# How often `last_used_at` is written: every request would make each read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token could not be created or revoked; the message says why."""


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once; only its hash is stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def check_scopes(scopes: Iterable[str]) -> list[str]:
    known = set(Scope.values)
    wanted = list(dict.fromkeys(scopes))
    unknown = [scope for scope in wanted if scope not in known]
    if unknown:
        raise TokenError(
            f"unknown scope {', '.join(unknown)} (expected one of {', '.join(Scope.values)})"
        )
    if not wanted:
        raise TokenError("a token needs at least one scope")
    return wanted


def create_token(
    name: str,
    owner: Any,
    scopes: Iterable[str],
    *,
    expires_at: datetime | None = None,
) -> CreatedToken:
    """Create a token for `owner` (a user); the returned secret is the only copy."""
    name = name.strip()
    if not name:
        raise TokenError("a token needs a name")
    if len(name) > 100:
        raise TokenError("a token name has at most 100 characters")
    if getattr(owner, "pk", None) is None:
        raise TokenError("a token needs an owner user")
    refusal = token_refusal(owner)
    if refusal:
        raise TokenError(refusal)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        secret_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        owner=owner,
        scopes=check_scopes(scopes),
        created_at=timezone.now(),
        expires_at=expires_at,
    )
    return CreatedToken(token, secret)


def revoke_token(token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise TokenError(f"no token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_token(secret: str) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired, owner active), or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("owner").filter(secret_hash=hash_secret(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.owner.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def purge_idempotency_keys(now: datetime | None = None) -> int:
    """Forget expired idempotency keys; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


_PURGE_EVERY = timedelta(minutes=10)
_last_purge: list[datetime] = []


def purge_idempotency_keys_now_and_then(worker_name: str) -> int:
    """The worker's work source: forget expired keys at most every ten minutes."""
    now = timezone.now()
    if _last_purge and now - _last_purge[0] < _PURGE_EVERY:
        return 0
    _last_purge[:] = [now]
    purge_idempotency_keys(now)
    # Returning 0: the purge is housekeeping, not work that should keep the worker busy.
    return 0


# --- the `verka token` command ------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verka token",
        description="Create, list and revoke API tokens (docs/api.md).",
    )
    commands = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = commands.add_parser(
        "create", help="create a token and print its secret once", description="Create a token."
    )
    create.add_argument("name", help="what the token is for, e.g. 'invoice worker'")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=Scope.values,
        help="a scope the token gets (repeatable)",
    )
    create.add_argument("--user", required=True, help="username of the token's owner")
    create.add_argument("--days", type=int, help="expires after this many days (default never)")
    commands.add_parser("list", help="list tokens (never their secrets)")
    revoke = commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    account = commands.add_parser(
        "service-account",
        help="create a service account (a program's user; it reaches only what it is granted)",
        description="Create a service account: no password, no web login, no groups.",
    )
    account.add_argument("username")
    account.add_argument("--name", default="", help="display name, e.g. 'Archive export'")
    for action, text in (("grant", "give"), ("ungrant", "take back")):
        command = commands.add_parser(
            action,
            help=f"{text} a service account's grant",
            description=f"{text.capitalize()} a grant: KIND is one of {', '.join(_grant_kinds())}; "
            "VALUE is a process id, e-service slug, job type, message or signal name, or * for "
            "all (deploy and indicators take no value).",
        )
        command.add_argument("--user", required=True, help="the service account's username")
        command.add_argument("kind", choices=_grant_kinds())
        command.add_argument("value", nargs="?", default="")
    grants = commands.add_parser("grants", help="list a service account's grants")
    grants.add_argument("--user", required=True)
    return parser


def _grant_kinds() -> list[str]:
    from verka.access.grants import KINDS

    return list(KINDS)


def _accounts(args: argparse.Namespace) -> int:
    """`service-account`, `grant`, `ungrant`, `grants`."""
    from django.contrib.auth import get_user_model

    from verka.access import grants
    from verka.accounts.services import AccountError, create_user

    if args.action == "service-account":
        try:
            user = create_user(args.username, None, kind="service", display_name=args.name)
        except AccountError as error:
            print(f"verka token: {error}", file=sys.stderr)
            return 2
        print(f"created service account {user.username!r}; give it grants with `verka token grant`")
        return 0
    user = get_user_model().objects.filter(username=args.user).first()
    if user is None:
        print(f"verka token: no user {args.user!r}", file=sys.stderr)
        return 2
    try:
        if args.action == "grant":
            found = grants.grant(user, args.kind, args.value)
            print(f"granted {user.username} {found.kind} {found.value}")
        elif args.action == "ungrant":
            removed = grants.revoke(user, args.kind, args.value)
            print(f"took back {removed} grant(s) from {user.username}")
        else:
            for kind, value in grants.grants_of(user):
                print(f"{kind}\t{value}")
    except grants.GrantError as error:
        print(f"verka token: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str]) -> int:
    """`verka token …`; Django must be set up by the caller."""
    args = _parser().parse_args(list(argv))
    from django.contrib.auth import get_user_model

    if args.action in ("service-account", "grant", "ungrant", "grants"):
        return _accounts(args)

    if args.action == "create":
        user = get_user_model().objects.filter(username=args.user).first()
        if user is None:
            print(f"verka token: no user {args.user!r}", file=sys.stderr)
            return 2
        if args.days is not None and args.days <= 0:
            print("verka token: --days must be positive", file=sys.stderr)
            return 2
        expires = timezone.now() + timedelta(days=args.days) if args.days else None
        try:
            created = create_token(args.name, user, args.scope, expires_at=expires)
        except TokenError as error:
            print(f"verka token: {error}", file=sys.stderr)
            return 2
        print(f"created token {created.token.pk} {created.token.name!r}")
        if getattr(user, "kind", "") == "service" and not user.service_grants.exists():
            print(
                "note: the service account has no grants yet and reaches nothing; see "
                "`verka token grant`",
                file=sys.stderr,
            )
        print(f"scopes: {' '.join(created.token.scopes)}")
        print("secret (shown only now, store it safely):")
        print(created.secret)
        return 0
    if args.action == "list":
        for token in ApiToken.objects.select_related("owner"):
            state = "revoked" if token.revoked_at else "active"
            if token.expires_at and token.expires_at <= timezone.now():
                state = "expired"
            if state == "active" and token_refusal(token.owner):
                state = "refused (owner is not a staff or service account)"
            print(
                f"{token.pk}\t{token.prefix}…\t{token.name}\t{token.owner.get_username()}\t"
                f"{' '.join(token.scopes)}\t{state}"
            )
        return 0
    try:
        token = revoke_token(args.id)
    except TokenError as error:
        print(f"verka token: {error}", file=sys.stderr)
        return 2
    print(f"revoked token {token.pk} {token.name!r}")
    return 0
