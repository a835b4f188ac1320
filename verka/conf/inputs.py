"""What web endpoints accept from a request: JSON with limits on size and nesting, file names
made safe to store and show, and the 400 (or 429) answer in the endpoint's own format.

Python's JSON parser recurses once per level, so a body of 100,000 `[` is a RecursionError deep
inside the parser (a 500 with a traceback), and a few hundred levels that do parse blow up later
in code that walks the value. The depth is therefore measured before parsing, without recursion.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# Form answers, variables and definitions are written by people; nothing real nests this deep.
MAX_JSON_DEPTH = 64
MAX_JSON_BYTES = 1024 * 1024
MAX_FILE_NAME = 200
# Longer "extensions" are part of the name (e.g. "report.final version of the plan").
_MAX_EXTENSION = 16

# One JSON string (unrolled so that long strings cost one pass), a bracket, or a lone quote
# (a string that never ends: the parser reports that, the scan stops there).
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"', re.S)

# Control (Cc), format (Cf: bidi overrides and isolates, zero-width characters, BOM),
# surrogates (Cs) and line/paragraph separators (Zl, Zp) never belong in a file name: they
# hide or reorder what the reader sees ("invoice\u202efdp.exe" shows as "invoiceexe.pdf").
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class BadInput(ValueError):
    """Input that cannot be used; `message` is translated and safe to show, `where` names the
    field or part of the request."""

    def __init__(self, message: str, where: str = "", code: str = "bad-input") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.code = code


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit` (without parsing it)."""
    depth = 0
    for token in _TOKENS.finditer(text):
        first = text[token.start()]
        if first == "[" or first == "{":
            depth += 1
            if depth > limit:
                return True
        elif first == "]" or first == "}":
            depth -= 1
        elif token.end() - token.start() == 1:
            return False
    return False


def check_json_depth(text: str, *, where: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """BadInput naming `where` if the JSON text nests deeper than `max_depth`."""
    if json_depth_exceeds(text, max_depth):
        raise BadInput(
            _("%(where)s: JSON-värdet är nästlat i fler än %(depth)d nivåer.")
            % {"where": where, "depth": max_depth},
            where,
            "too-deep",
        )


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def parse_json(
    raw: str | bytes,
    *,
    where: str,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """The JSON value in `raw`, or BadInput naming `where` and what is wrong with it."""
    if len(raw) > max_bytes:
        raise BadInput(
            _("%(where)s: innehållet är större än %(size)s kB.")
            % {"where": where, "size": max_bytes // 1024},
            where,
            "too-large",
        )
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput(
                _("%(where)s: innehållet är inte UTF-8.") % {"where": where}, where, "not-utf8"
            ) from None
    check_json_depth(raw, where=where, max_depth=max_depth)
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise BadInput(
            _("%(where)s: innehållet är inte giltig JSON (rad %(line)d, kolumn %(column)d).")
            % {"where": where, "line": error.lineno, "column": error.colno},
            where,
            "malformed-json",
        ) from None
    except (ValueError, RecursionError):  # NaN/Infinity, or a depth the scan did not see
        raise BadInput(
            _("%(where)s: innehållet är inte giltig JSON.") % {"where": where},
            where,
            "malformed-json",
        ) from None


def json_body(request: HttpRequest, *, max_bytes: int = MAX_JSON_BYTES, empty: Any = None) -> Any:
    """The request body as JSON (`empty` for an empty body)."""
    try:
        body = request.body
    except RawPostDataException:  # the body was a multipart form, read as such already
        raise BadInput(
            _("Anropet ska ha JSON-innehåll (Content-Type: application/json)."),
            "body",
            "not-json",
        ) from None
    except RequestDataTooBig:
        raise BadInput(
            _("Anropet är större än %(size)s kB.") % {"size": max_bytes // 1024},
            "body",
            "too-large",
        ) from None
    if empty is not None and not body.strip():
        return empty
    return parse_json(body, where="body", max_bytes=max_bytes)


def json_field(
    data: Mapping[str, Any], name: str, *, max_bytes: int = MAX_JSON_BYTES, empty: Any = None
) -> Any:
    """A form field holding JSON (e.g. a form-js form's answers); `empty` when it is blank."""
    text = data.get(name)
    if not isinstance(text, str) or not text.strip():
        if empty is not None:
            return empty
        raise BadInput(_("%(where)s saknas.") % {"where": name}, name, "missing")
    return parse_json(text, where=name, max_bytes=max_bytes)


def int_field(
    data: Mapping[str, Any], name: str, *, default: int | None = None, maximum: int = 2**31 - 1
) -> int | None:
    """A form field holding a whole number (an id, a step), `default` when it is blank."""
    text = data.get(name)
    if not isinstance(text, str) or not text.strip():
        return default
    text = text.strip()
    if not text.isdigit() or len(text) > 10 or int(text) > maximum:
        raise BadInput(
            _("%(where)s ska vara ett heltal mellan 0 och %(max)d.")
            % {"where": name, "max": maximum},
            name,
            "not-a-number",
        )
    return int(text)


def file_name(name: str | None, *, max_length: int = MAX_FILE_NAME, where: str = "file") -> str:
    """A file name safe to store and show: NFC, without control and bidi/format characters,
    without folder parts, at most `max_length` characters with the extension kept."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _HIDDEN_CATEGORIES)
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if text.strip(".") == "":
        raise BadInput(_("Filen saknar namn."), where, "bad-file-name")
    if len(text) > max_length:
        dot = text.rfind(".")
        extension = text[dot:] if dot > 0 and len(text) - dot <= _MAX_EXTENSION else ""
        text = text[: max_length - len(extension)].rstrip() + extension
    return text


# --- answers in the endpoint's format ----------------------------------------------------


def problem(
    status: int,
    title: str,
    detail: str = "",
    *,
    code: str = "bad-input",
    where: str = "",
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """RFC 7807 problem JSON. `title` is also what the pages' scripts show to the user."""
    body: dict[str, Any] = {"type": f"urn:verka:problem:{code}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if where:
        body["errors"] = [{"field": where, "code": code, "message": detail or title}]
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def problem_page(
    request: HttpRequest,
    status: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The same answer as an HTML page, for endpoints that answer with pages."""
    titles = {400: _("Felaktig begäran"), 413: _("För stort"), 429: _("För många försök")}
    response = render(
        request,
        "portal/problem.html",
        {"title": titles.get(status, _("Felaktig begäran")), "message": message},
        status=status,
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


class TooManyRequests(Exception):
    """A client over its rate limit; `retry_after` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def answers_in(request: HttpRequest, view: Callable[..., Any] | None = None) -> str:
    """ "json" or "html": the format the endpoint answers in (views say so with answers_json)."""
    if request.path.startswith("/api/"):
        return "json"
    if view is None:
        match = getattr(request, "resolver_match", None)
        view = match.func if match is not None else None
    return getattr(view, "verka_answers", "html")


def refusal(request: HttpRequest, error: Exception, answers: str) -> HttpResponse:
    """The 400, 413 or 429 for BadInput, TooManyRequests or an unreadable request body."""
    if isinstance(error, TooManyRequests):
        status, code, where = 429, "too-many-requests", ""
        message = _("För många försök på kort tid. Försök igen om %(seconds)d sekunder.") % {
            "seconds": error.retry_after
        }
        headers = {"Retry-After": str(error.retry_after)}
    elif isinstance(error, BadInput):
        status, code, where, message, headers = 400, error.code, error.where, error.message, {}
    elif isinstance(error, RequestDataTooBig):
        status, code, where, headers = 413, "too-large", "body", {}
        message = _("Anropet är för stort.")
    else:  # a form body that cannot be parsed
        status, code, where, headers = 400, "malformed-body", "body", {}
        message = _("Formulärdata i anropet kunde inte läsas.")
    log.warning(
        "request refused",
        extra={"status": status, "code": code, "where": where, "path": request.path},
    )
    if answers == "json":
        return problem(status, message, code=code, where=where, headers=headers)
    return problem_page(request, status, message, headers=headers)


class InputLimitsMiddleware:
    """Reads a form body before any view or CSRF check does, so that a body Django cannot
    parse (too many fields, too large, broken multipart) is a 400 in the endpoint's format with
    one log line, not Django's bare page with a traceback in the log; and answers BadInput and
    TooManyRequests raised by any view. Sits before CsrfViewMiddleware. The API (under /api/)
    has its own problem handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method in {"GET", "HEAD", "OPTIONS"} or request.path.startswith("/api/"):
            return None
        try:
            request.POST  # noqa: B018 - parses the body (and the files) now
            request.FILES  # noqa: B018
            if request.content_type == "application/json" or request.content_type.endswith("+json"):
                # Every JSON body, also for views that parse it themselves (django-otp-webauthn's
                # passkey endpoints): a recursive parser would fail on deep nesting with a 500.
                check_json_depth(request.body.decode("utf-8", errors="replace"), where="body")
        except (SuspiciousOperation, MultiPartParserError, BadInput) as error:
            return refusal(request, error, answers_in(request, view))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadInput | TooManyRequests) and not request.path.startswith(
            "/api/"
        ):
            return refusal(request, exception, answers_in(request))
        return None


def answers_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view that answers in JSON: its BadInput, TooManyRequests and unreadable bodies
    become problem JSON (InputLimitsMiddleware reads the mark, as does the test over every
    endpoint)."""
    view.verka_answers = "json"  # type: ignore[attr-defined]
    return view
