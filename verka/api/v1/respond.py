"""Responses built by hand (for idempotent replays), written like the API's own renderer."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Schema

from verka.processes import codec


def json_response(status: int, body: Schema) -> HttpResponse:
    return HttpResponse(
        codec.to_json_text(body.model_dump(), plain=True),
        status=status,
        content_type="application/json",
    )
