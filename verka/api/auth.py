"""Bearer-token authentication with scopes: each endpoint names the scope it needs."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from . import services
from .models import ApiToken, Scope
from .problems import ApiProblem


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a live token without the scope gets 403."""

    openapi_scheme = "bearer"

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = services.find_token(token)
        if found is None:
            return None
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
