"""Fixtures for the REST API tests: users, tokens with chosen scopes, an authenticated client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from verka.api import services as api_services
from verka.api.models import Scope

# The workspace's people (officers in and out of the building permit's group, an operator, an
# applicant): the API must give each what the workspace gives them.
from ..workspace.conftest import fast_passwords, people  # noqa: F401

ALL_SCOPES = list(Scope.values)


@pytest.fixture(scope="session", autouse=True)
def job_wakeups_stop_before_the_test_database_goes(django_db_setup, django_db_blocker):
    """Long polls on PostgreSQL share one LISTEN connection per process; it must be closed
    before the test database can be dropped."""
    yield
    from verka.api.v1.wakeups import wakeups

    wakeups.close()
    _wait_for_other_sessions_to_end(django_db_blocker)


def _wait_for_other_sessions_to_end(django_db_blocker: Any) -> None:
    # A closed connection's server process ends a moment later; dropping the test database
    # before then fails with "being accessed by other users".
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        for _ in range(50):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, left(query, 100) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                others = cursor.fetchall()
            if not others:
                return
            time.sleep(0.1)
        print("sessions still open:", others)


def service_account(username: str, *grants: tuple[str, str]) -> Any:
    """A service account with these (kind, value) grants; every grant of every kind without."""
    from verka.access import grants as service_grants
    from verka.accounts.services import create_user

    user = create_user(username, None, kind="service")
    for kind, value in grants or [(kind, "*") for kind in service_grants.KINDS]:
        service_grants.grant(user, kind, value)
    return user


@pytest.fixture
def user(db: Any) -> Any:
    """The integration the API tests drive: a service account granted everything."""
    return service_account("integrator")


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

    def upload(self, *files: tuple[str, bytes], headers: dict[str, str] | None = None) -> Any:
        data = {"resources": [SimpleUploadedFile(name, content) for name, content in files]}
        return self.client.post("/api/v1/deployments", data, headers=self.headers(headers))

    def deploy(self, *files: tuple[str, bytes]) -> Any:
        response = self.upload(*files)
        assert response.status_code == 201, response.content
        return response.json()

    def start(self, process_id: str, variables: dict[str, Any] | None = None, **more: Any) -> str:
        body = {"bpmnProcessId": process_id, "variables": variables or {}, **more}
        response = self.post("process-instances", body)
        assert response.status_code == 201, response.content
        return str(response.json()["processInstanceKey"])


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
