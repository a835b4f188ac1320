"""The interactive API documentation (Swagger UI) at /api/docs, served entirely from this
server: the Swagger UI files come from the installed django-ninja package, never from a CDN."""

from __future__ import annotations

import json
from pathlib import Path

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .problems import problem_response

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
}


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    openapi_url = reverse("api:v1:openapi-json")
    settings = {
        "url": openapi_url,
        "layout": "BaseLayout",
        "deepLinking": True,
        "persistAuthorization": True,
    }
    # `</` cannot end the JSON <script> block early.
    text = json.dumps(settings).replace("</", "<\\/")
    return render(request, "api/docs.html", {"swagger_settings": text, "openapi_url": openapi_url})


@require_safe
def asset(request: HttpRequest, name: str) -> HttpResponse:
    content_type = ASSETS.get(name)
    path = ASSET_DIR / name
    if content_type is None or not path.is_file():
        return problem_response(request, 404, "not-found", "Not found", "no such asset")
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


__all__ = ["asset", "docs"]
