"""Password guessing: django-axes counts failed logins and refuses further tries for a while.

Axes records each failure by (username, client address, user agent) and refuses an account once
its failures within the cool-off reach AXES_FAILURE_LIMIT (VERKA_LOGIN_ACCOUNT_FAILURE_LIMIT),
from any address. `LockoutHandler` adds the second limit axes has no separate number for: one
client address (VERKA_LOGIN_ADDRESS_FAILURE_LIMIT, higher, since an office may share one
address) trying many accounts. Addresses come from verka.conf.network.client_address, so only
trusted proxies can name them. Both locks are soft: they lift by themselves after the cool-off,
and an admin lifts one sooner by deleting its access attempts in the Django admin.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verka.conf.network import client_address

log = logging.getLogger("verka.accounts.login")

LOCKED_HEADING = _("För många misslyckade inloggningar")


def address_limit() -> int:
    return int(getattr(settings, "VERKA_LOGIN_ADDRESS_FAILURE_LIMIT", 50))


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with a separate, higher limit per client address."""

    def address_failures(self, request: HttpRequest) -> int:
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
        return int(total or 0)

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self.address_failures(request) >= address_limit()

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.address_failures(request) >= address_limit():
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=credentials.get(settings.AXES_USERNAME_FORM_FIELD, ""),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The staff login page with a message that says nothing of whether the account exists
    (axes counts names that have no account just the same), answered 429."""
    from .views import login_page_context

    minutes = 0
    if settings.AXES_COOLOFF_TIME is not None:
        minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = login_page_context(request)
    context.update(locked_out=True, locked_heading=LOCKED_HEADING, cool_off_minutes=minutes)
    return render(request, "accounts/login.html", context, status=429)


def cool_off_ended_before() -> Any:
    """Attempts older than this no longer count (None: they count until an admin resets)."""
    if settings.AXES_COOLOFF_TIME is None:
        return None
    return timezone.now() - settings.AXES_COOLOFF_TIME


def forget_old_attempts() -> int:
    """Delete access attempts whose cool-off has passed (the worker's housekeeping)."""
    threshold = cool_off_ended_before()
    if threshold is None:
        return 0
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=threshold).delete()
    return int(deleted)


# --- structured log lines for every failure, lockout and success --------------------------------


def _username(credentials: dict[str, Any] | None) -> str:
    # What the person typed as a username (never the password), cut short in case a password
    # was typed into the username field by mistake and is long.
    value = str((credentials or {}).get("username") or "")
    return value[:150]


def log_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    log.warning(
        "login failed",
        extra={
            "username": _username(credentials),
            "client_address": client_address(request) if request is not None else "",
            "path": getattr(request, "path", ""),
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


def log_lockout(sender: Any, request: Any = None, username: Any = "", **kwargs: Any) -> None:
    log.warning(
        "login locked out",
        extra={
            "username": str(username or "")[:150],
            "client_address": client_address(request) if request is not None else "",
        },
    )


def log_success(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    log.info(
        "login succeeded",
        extra={
            "user_id": getattr(user, "pk", None),
            "client_address": client_address(request) if request is not None else "",
        },
    )
