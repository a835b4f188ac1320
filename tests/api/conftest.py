"""Fixtures for the REST API tests: users, tokens with chosen scopes, an authenticated client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from verka.api import services as api_services
from verka.api.models import Scope

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="integrator", password="x-Long-pass-1")


@pytest.fixture
def make_token(user: Any) -> Any:
    def make(*scopes: str) -> str:
        return api_services.create_token("test", user, scopes or ALL_SCOPES).secret

    return make


class Api:
    """A Django test client that sends the token and JSON, and decodes the answer."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        send = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return send(url, params, headers=self.headers(headers))
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return send(url, data, content_type="application/json", headers=self.headers(headers))

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, **params)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)


@pytest.fixture
def api(client: Client, make_token: Any) -> Api:
    return Api(client, make_token())


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:verka:problem:")
    assert "Traceback" not in response.content.decode()
    return body


def fields(body: dict[str, Any]) -> dict[str, str]:
    return {error["field"]: error["code"] for error in body.get("errors", [])}
