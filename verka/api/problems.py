"""RFC 7807 problem JSON: the one shape of every error the API returns.

Titles are English on purpose: the API is read by programs, and clients branch on `type`, `status`
and each field error's `code`, never on text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:verka:problem:"

# pydantic error types → the stable codes the API documents.
_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "string_too_short": "too_short",
    "too_long": "too_long",
    "too_short": "too_short",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "string_pattern_mismatch": "invalid_format",
    "literal_error": "invalid_choice",
    "enum": "invalid_choice",
    "json_invalid": "invalid_json",
}
_TYPE_ERRORS = ("_type", "_parsing", "_from_float", "_from_str")


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ApiProblem(Exception):
    """Raise anywhere in an endpoint: the request ends with this problem response."""

    def __init__(
        self,
        status: int,
        kind: str,
        title: str,
        detail: str = "",
        *,
        errors: Sequence[FieldError] = (),
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.errors = list(errors)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def problem_response(
    request: HttpRequest | None,
    status: int,
    kind: str,
    title: str,
    detail: str = "",
    *,
    errors: Iterable[FieldError] = (),
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + kind, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
    listed = [error.as_dict() for error in errors]
    if listed:
        body["errors"] = listed
    body.update(extra or {})
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    return problem_response(
        request,
        problem.status,
        problem.kind,
        problem.title,
        problem.detail,
        errors=problem.errors,
        extra=problem.extra,
        headers=problem.headers,
    )


def invalid(errors: Sequence[FieldError], detail: str = "") -> ApiProblem:
    return ApiProblem(
        400,
        "validation",
        "Invalid request",
        detail or "The request has invalid fields; see errors.",
        errors=errors,
    )


def not_found(detail: str) -> ApiProblem:
    return ApiProblem(404, "not-found", "Not found", detail)


def forbidden(detail: str) -> ApiProblem:
    """The token's owner may not do this at all (an operation, not an object: objects the
    owner may not see are 404, so that their keys cannot be probed)."""
    return ApiProblem(403, "forbidden", "Forbidden", detail)


# --- pydantic / ninja validation errors -----------------------------------------------------


def field_path(location: Sequence[Any]) -> str:
    """('body', 'payload', 'variables', 'amount') → 'variables.amount'; list indexes in []."""
    parts = list(location)
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        source = parts.pop(0)
        # Body schemas are nested under the view's parameter name, which the client never sees.
        if source in {"body", "form"} and len(parts) > 1 and parts[0] == "payload":
            parts.pop(0)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def field_code(error_type: str) -> str:
    if error_type in _CODES:
        return _CODES[error_type]
    if error_type.endswith(_TYPE_ERRORS) or error_type in {"model_type", "dict_type"}:
        return "wrong_type"
    return error_type or "invalid"


def field_errors(pydantic_errors: Iterable[dict[str, Any]]) -> list[FieldError]:
    found: list[FieldError] = []
    for error in pydantic_errors:
        path = field_path(error.get("loc", ()))
        message = str(error.get("msg", "invalid value"))
        code = field_code(str(error.get("type", "")))
        if code == "unknown_field":
            message = "unknown field"
        found.append(FieldError(path, code, message))
    return found
