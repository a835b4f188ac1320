"""Bearer-token authentication with scopes: each endpoint names the scope it needs, and the token
acts as its owner, who must be a staff or service account (verka.access decides what the owner
reaches)."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from verka.access.callers import token_refusal

from . import services
from .models import ApiToken, Scope
from .problems import ApiProblem, forbidden

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a live token of a citizen, or without the scope, gets
    403."""

    openapi_scheme = "bearer"

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = services.find_token(token)
        if found is None:
            return None
        # Tokens made before citizens were refused them, or whose owner became a citizen.
        refusal = token_refusal(found.owner)
        if refusal:
            # For the operators: a token that should not exist is in use (the id, no secret).
            log.warning("API token of a citizen refused", extra={"token_id": found.pk})
            raise forbidden(refusal)
        if not found.has_scope(self.scope):
            raise ApiProblem(
                403,
                "forbidden",
                "Missing scope",
                f"this token lacks the scope '{self.scope}'",
                extra={"requiredScope": self.scope},
            )
        request.user = found.owner  # type: ignore[attr-defined]
        return found


@cache
def needs(scope: Scope) -> list[Any]:
    """The `auth=` value for an endpoint that needs `scope`."""
    return [TokenAuth(scope.value)]


def token_of(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def owner_of(request: HttpRequest) -> Any:
    """The user the request's token acts for: every access decision is about them."""
    return token_of(request).owner


def via(request: HttpRequest) -> str:
    """The access log's note of the token a request used."""
    from verka.access.log import via_token

    return via_token(token_of(request))
