"""URLs under /api/: the versioned REST API, its documentation, and problem JSON for the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path, reverse
from django.views.decorators.csrf import csrf_exempt

from . import docs
from .api import api
from .problems import problem_response

app_name = "api"


def _as_problem(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a plain 405; the API answers with problem JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return problem_response(
                request,
                405,
                "method-not-allowed",
                "Method not allowed",
                f"{request.method} is not allowed here; allowed: {allowed}",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


def _index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """GET /api/v1/: where the description of this API version is."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "openapi": reverse("api:v1:openapi-json"),
            "docs": reverse("api:docs"),
        }
    )


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                # Ninja's root view is a 404 without docs; keep the name (ninja reverses it).
                pattern.callback = _index
            # Exempt from ATOMIC_REQUESTS: engine services commit one command per transaction,
            # and a long-polling activation must hold no transaction while it waits.
            pattern.callback = transaction.non_atomic_requests(
                csrf_exempt(_as_problem(pattern.callback))
            )
    return patterns


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(
        request, 404, "not-found", "Not found", f"no API endpoint at {request.path}"
    )


_v1_patterns, _, _ = api.urls
urlpatterns: list[URLPattern | URLResolver] = [
    path("docs", docs.docs, name="docs"),
    path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
    path("v1/", include((_wrap(_v1_patterns), "v1"), namespace="v1")),
    re_path(r"^(?P<rest>.*)$", unknown, name="unknown"),
]
