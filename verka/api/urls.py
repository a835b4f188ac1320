"""URLs under /api/: the versioned REST API, its documentation, and problem JSON for the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import docs
from .api import api
from .problems import CONTENT_TYPE, problem_response

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


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = csrf_exempt(_as_problem(pattern.callback))
    return patterns


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(
        request, 404, "not-found", "Not found", f"no API endpoint at {request.path}"
    )


_v1_patterns, _v1_app, _v1_namespace = api.urls
urlpatterns: list[URLPattern | URLResolver] = [
    path("docs", docs.docs, name="docs"),
    path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
    path("v1/", include((_wrap(_v1_patterns), "v1"), namespace="v1")),
    re_path(r"^(?P<rest>.*)$", unknown, name="unknown"),
]

__all__ = ["CONTENT_TYPE", "urlpatterns"]
