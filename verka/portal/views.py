"""The public start page and the health endpoint."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

import verka

log = logging.getLogger(__name__)


def start(request: HttpRequest) -> HttpResponse:
    from verka.eservices.services import catalogue

    return render(request, "portal/start.html", {"eservices": list(catalogue()[:12])})


def localized_path(path: str, language: str) -> str:
    """The same page in another language: Swedish has no URL prefix, other languages do."""
    codes = {code for code, _name in settings.LANGUAGES}
    first, _, rest = path.lstrip("/").partition("/")
    bare = "/" + rest if first in codes else path
    if language == settings.LANGUAGE_CODE:
        return bare or "/"
    return f"/{language}{bare}"


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Remember the visitor's language and show the page they were on in it.

    Django's own set_language cannot map a prefixed URL back to the unprefixed default language,
    so Verka does the (simple) rewrite itself.
    """
    language = request.POST.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    next_path = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_path, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not next_path.startswith("/"):
        next_path = "/"
    response = HttpResponseRedirect(localized_path(next_path, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not healthy"; the reason goes to the log
        log.error("health check failed", extra={"error": type(exc).__name__})
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse(
        {"status": "ok", "database": connection.vendor, "version": verka.__version__}
    )
