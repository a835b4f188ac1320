"""Inbound webhooks: a signed JSON POST from another system becomes a published message.

Signature: the same scheme Verka signs its own webhooks with — `X-Verka-Timestamp` (Unix
seconds, at most five minutes old) and `X-Verka-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>">`. The message id is the `Idempotency-Key` header when given, so a sender's
retry is published once. Errors answer RFC 7807 problem JSON and change nothing.
"""

from __future__ import annotations

import hmac
import time
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from verka.conf import inputs
from verka.engine.feel import FeelError, evaluate_camunda
from verka.processes import codec, services

from .models import InboundWebhook
from .secrets import MissingSecret, resolve
from .webhooks import signature

MAX_BODY = 256 * 1024
MAX_AGE_SECONDS = 300


def problem(status: int, title: str, detail: str = "") -> JsonResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JsonResponse(body, status=status, content_type="application/problem+json")


@inputs.answers_json
@csrf_exempt  # authenticated by the HMAC signature, not by a browser session
@require_POST
def receive(request: HttpRequest, slug: str) -> JsonResponse:
    hook = InboundWebhook.objects.filter(slug=slug, active=True).first()
    if hook is None:
        return problem(404, "Not Found", f"no inbound webhook '{slug}'")
    body = request.body
    if len(body) > MAX_BODY:
        return problem(413, "Payload Too Large", f"at most {MAX_BODY} bytes")
    timestamp = request.headers.get("X-Verka-Timestamp", "")
    given = request.headers.get("X-Verka-Signature", "")
    try:
        secret = resolve(hook.secret)
    except MissingSecret:
        return problem(500, "Webhook Not Configured", "the webhook's secret is missing")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        return problem(401, "Unauthorized", "X-Verka-Timestamp is missing or too old")
    if not hmac.compare_digest(given, signature(secret, timestamp, body)):
        return problem(401, "Unauthorized", "X-Verka-Signature does not match the body")
    try:
        payload = inputs.parse_json(body, where="body", max_bytes=MAX_BODY)
    except inputs.BadInput as error:
        return problem(400, "Bad Request", error.message)
    if not isinstance(payload, dict):
        return problem(400, "Bad Request", "the body must be a JSON object")
    context = codec.from_plain_json(payload)
    try:
        key = evaluate_camunda(hook.correlation_key, context)
        variables = evaluate_camunda(hook.variables, context) if hook.variables else context
    except FeelError as error:
        return problem(400, "Bad Request", f"the webhook's expressions failed: {error}")
    if key is None or isinstance(key, dict | list):
        return problem(400, "Bad Request", "the correlation key is missing from the body")
    if not isinstance(variables, dict):
        return problem(400, "Bad Request", "the webhook's variables expression must give a context")
    result = services.publish_message(
        hook.message_name,
        key if isinstance(key, str) else codec.to_json_text(key, plain=True),
        variables,
        time_to_live=timedelta(seconds=hook.time_to_live_seconds),
        message_id=request.headers.get("Idempotency-Key", "")[:255],
    )
    return JsonResponse(
        {
            "duplicate": result.duplicate,
            "correlatedInstances": [str(k) for k in result.correlated_instances],
            "startedInstances": [str(k) for k in result.started_instances],
            "buffered": result.buffered,
        },
        status=202,
    )


urlpatterns = [path("<slug:slug>/", receive, name="inbound-webhook")]
