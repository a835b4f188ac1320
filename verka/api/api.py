"""The v1 API object: exact JSON in and out, problem JSON for every error, and the OpenAPI
document that says so."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

from verka.processes import codec, services

from . import openapi
from .problems import ApiProblem, field_errors, from_problem, problem_response

log = logging.getLogger(__name__)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class ExactJsonParser(Parser):
    """JSON numbers with a fraction become Decimal (no binary rounding of 0.1), NaN and
    Infinity are refused; integers stay int so that integer fields keep exact types."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if not request.body.strip():
            return {}  # an empty body is an empty object: all fields take their defaults
        data = json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data


class ExactJsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        try:
            return codec.to_json_text(data, plain=True)
        except codec.CodecError:
            return json.dumps(data, cls=NinjaJSONEncoder)


class VerkaApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return openapi.finish(super().get_openapi_schema(**kwargs))


api = VerkaApi(
    title="Verka API",
    version="1",
    description=openapi.DESCRIPTION,
    urls_namespace="api:v1",
    docs_url=None,
    parser=ExactJsonParser(),
    renderer=ExactJsonRenderer(),
)


# --- every error as problem JSON ----------------------------------------------------------


def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return from_problem(request, exc)


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        request,
        400,
        "validation",
        "Invalid request",
        "The request has invalid fields; see errors.",
        errors=field_errors(exc.errors),
    )


def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        request,
        401,
        "unauthenticated",
        "Unauthenticated",
        "send a valid token: Authorization: Bearer <token>",
        headers={"WWW-Authenticate": 'Bearer realm="verka"'},
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    if exc.status_code == 400:
        # The body could not be parsed (ninja wraps the parser's exception).
        detail = "the body is not a JSON object"
        if isinstance(cause, json.JSONDecodeError):
            detail = f"the body is not valid JSON: {cause.msg} at line {cause.lineno} column {cause.colno}"
        elif isinstance(cause, RecursionError):
            detail = "the body nests too deeply"
        elif isinstance(cause, ValueError | UnicodeDecodeError):
            detail = f"the body is not valid JSON: {cause}"
        return problem_response(request, 400, "malformed-body", "Malformed body", detail)
    return problem_response(request, exc.status_code, "error", str(exc.message))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) if isinstance(exc, services.DeploymentMissing) else "no such resource"
    return problem_response(request, 404, "not-found", "Not found", detail)


def _rejected(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 409, "rejected", "Rejected by the process engine", str(exc))


def _deployment_error(request: HttpRequest, exc: services.DeploymentError) -> HttpResponse:
    return problem_response(
        request,
        400,
        "deployment",
        "Deployment failed",
        "nothing was deployed; see problems",
        extra={"problems": exc.problems},
    )


def _codec_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 400, "validation", "Invalid value", str(exc))


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 413, "too-large", "Request too large", str(exc))


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) if isinstance(exc, MultiPartParserError) else "the request is malformed"
    return problem_response(request, 400, "malformed-body", "Malformed request", detail)


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its traceback for operators; the client sees no internals.
    log.exception("API request failed", extra={"path": request.path})
    return problem_response(
        request, 500, "internal", "Internal error", "the error was logged; try again later"
    )


for exc_class, handler in [
    (Exception, _unexpected),
    (ApiProblem, _problem),
    (ValidationError, _validation),
    (AuthenticationError, _unauthenticated),
    (HttpError, _http_error),
    (Http404, _not_found),
    (services.DeploymentMissing, _not_found),
    (services.CommandRejected, _rejected),
    (services.DeploymentError, _deployment_error),
    (codec.CodecError, _codec_error),
    (RequestDataTooBig, _too_big),
    (TooManyFilesSent, _too_big),
    (TooManyFieldsSent, _too_big),
    (MultiPartParserError, _bad_request),
    (BadRequest, _bad_request),
    (SuspiciousOperation, _bad_request),
]:
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def _register_routers() -> None:
    """One module per resource under v1/, each with a `router` holding its full paths. A new
    resource (e-services, submissions, indicators) is a new module with its own scope, added
    here; its errors are problem JSON through the handlers above without further work."""
    from .v1 import (
        definitions,
        deployments,
        eservices,
        incidents,
        instances,
        jobs,
        messages,
        user_tasks,
    )

    for module in (
        deployments,
        definitions,
        instances,
        user_tasks,
        incidents,
        messages,
        jobs,
        eservices,
    ):
        api.add_router("", module.router)


_register_routers()
