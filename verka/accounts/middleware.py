"""Session limits and the second-factor gate, for every page rather than per view.

`SessionTimeoutMiddleware` ends a login after a time without requests (idle) and, however
active, after a fixed time since the login (absolute). `SecondFactorMiddleware` keeps a person
who needs a second factor (verka.accounts.mfa) away from every page but the login, second-factor
and logout pages until one has verified the session, so no staff area (the Studio, the
workspace and operations, goals, the Django admin) can be reached with a password alone, and no
new view can forget to ask.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import mfa

log = logging.getLogger("verka.accounts.session")

LOGIN_AT = "verka_login_at"
SEEN_AT = "verka_seen_at"
# The last-seen time is written at most this often (seconds): a session write per request
# would cost a database write per page.
SEEN_RESOLUTION = 60


def idle_limit(user: Any) -> int:
    """Seconds without a request after which the login ends."""
    if mfa.is_staff_person(user):
        return int(settings.VERKA_STAFF_SESSION_IDLE_SECONDS)
    return int(settings.VERKA_CITIZEN_SESSION_IDLE_SECONDS)


def absolute_limit() -> int:
    return int(settings.VERKA_SESSION_MAX_SECONDS)


def start(request: HttpRequest, user: Any) -> None:
    """At every login (user_logged_in): the clocks start, and the session row expires when
    the idle limit would end it, so expired sessions can be cleared from the database."""
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session.set_expiry(min(idle_limit(user), absolute_limit()))


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: Any) -> None:
        now = time.time()
        session = request.session
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
            # A session from before these limits: its clocks start now.
            start(request, user)
            return
        idle, absolute = idle_limit(user), absolute_limit()
        reason = ""
        if now - seen_at > idle:
            reason = "idle"
        elif now - login_at > absolute:
            reason = "absolute"
        if reason:
            log.info("session expired", extra={"user_id": user.pk, "reason": reason})
            logout(request)
            messages.info(
                request,
                _("Du har loggats ut eftersom du inte har använt tjänsten på en stund.")
                if reason == "idle"
                else _("Du har loggats ut eftersom inloggningen har varat länge. Logga in igen."),
            )
            return
        if now - seen_at >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
            session.set_expiry(int(min(idle, absolute - (now - login_at))) + 1)


# Paths that need no second factor: public machinery with no person's data behind a login.
OPEN_PREFIXES = ("/static/", "/health", "/api/", "/webhooks/", "/demo-idp/", "/demo-drift/")
# URL namespaces a half-logged-in person may use: logging in, the second factor, logging out.
OPEN_NAMESPACES = {"accounts", "otp_webauthn"}


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        blocked = self._gate(request)
        return blocked if blocked is not None else self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        path = request.path_info
        if path.startswith(OPEN_PREFIXES) or path.startswith(settings.STATIC_URL):
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None  # a 404 shows nothing
        namespace = match.namespaces[0] if match.namespaces else ""
        if namespace in OPEN_NAMESPACES or match.url_name == "set_language":
            return None
        needed = mfa.needs_second_factor(user) or (
            namespace == "admin" and mfa.is_staff_person(user)
        )
        if not needed or mfa.is_verified(request):
            return None
        return self._ask(request, user)

    def _ask(self, request: HttpRequest, user: Any) -> HttpResponse:
        target = reverse("accounts:mfa_verify" if mfa.has_device(user) else "accounts:mfa_setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        accepts = request.headers.get("Accept", "")
        if "application/json" in accepts and "text/html" not in accepts:
            return JsonResponse(
                {"detail": "a second factor is needed", "verify": target}, status=401
            )
        return HttpResponseRedirect(target)
