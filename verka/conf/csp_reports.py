"""Where browsers report what the content security policy refused: one short log line each.

A refused script on a real page is either an attack or a page that broke, and either is worth
knowing. The reports come from anyone's browser, so they are small, limited per address, and
logged without query strings or samples (a URL's query or a refused inline text can carry
personal data).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from verka.conf.network import client_address

log = logging.getLogger("verka.security")

MAX_BYTES = 16 * 1024
PER_MINUTE = 30
# The keywords a report puts in place of a URL for inline code, eval and the like.
_KEYWORDS = {"inline", "eval", "wasm-eval", "data", "blob", "self", "trusted-types-policy"}


def _where(value: Any, keep: str = "origin") -> str:
    """A URL cut down to its origin, its path or both: never a query or a fragment."""
    text = str(value or "")[:2000]
    if text in _KEYWORDS:
        return text
    parts = urlsplit(text)
    if not parts.scheme:
        return ""
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else parts.scheme
    return {"origin": origin, "path": parts.path, "url": origin + parts.path}[keep][:200]


def _violations(payload: Any) -> list[dict[str, Any]]:
    """The violations of a report-uri body ({"csp-report": ...}) or a Reporting API batch."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        old = payload["csp-report"]
        return [
            {
                "directive": old.get("effective-directive") or old.get("violated-directive"),
                "blocked": old.get("blocked-uri"),
                "page": old.get("document-uri"),
                "source": old.get("source-file"),
                "line": old.get("line-number"),
                "disposition": old.get("disposition", "enforce"),
            }
        ]
    if isinstance(payload, list):
        found = []
        for entry in payload[:10]:
            body = entry.get("body") if isinstance(entry, dict) else None
            if entry.get("type") == "csp-violation" and isinstance(body, dict):
                found.append(
                    {
                        "directive": body.get("effectiveDirective"),
                        "blocked": body.get("blockedURL"),
                        "page": body.get("documentURL"),
                        "source": body.get("sourceFile"),
                        "line": body.get("lineNumber"),
                        "disposition": body.get("disposition", "enforce"),
                    }
                )
        return found
    raise ValueError("not a CSP report")


def _allowed(request: HttpRequest) -> bool:
    key = f"verka:csp-reports:{client_address(request)}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=120):
        return True
    try:
        return cache.incr(key) <= PER_MINUTE
    except ValueError:  # expired between add and incr
        return True


@csrf_exempt  # browsers send reports without a token, and the view changes nothing
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BYTES:
        return HttpResponse(status=413)
    if not _allowed(request):
        return HttpResponse(status=429)
    try:
        violations = _violations(json.loads(request.body))
    except (ValueError, AttributeError, UnicodeDecodeError):
        return HttpResponse(status=400)
    for violation in violations:
        log.warning(
            "csp violation",
            extra={
                "directive": str(violation["directive"] or "")[:60],
                "blocked": _where(violation["blocked"]),
                "page": _where(violation["page"], "path"),
                "source": _where(violation["source"], "url"),
                "line": violation["line"] if isinstance(violation["line"], int) else None,
                "disposition": str(violation["disposition"])[:20],
                "client": client_address(request),
            },
        )
    return HttpResponse(status=204)
