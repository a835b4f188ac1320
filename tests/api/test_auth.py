"""Tokens: bearer authentication, scopes, expiry and revocation, and the `verka token` command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from verka.api import services as api_services
from verka.api.models import ApiToken

from .conftest import Api, problem

pytestmark = pytest.mark.django_db

# (method, path, body, scope the endpoint needs)
ENDPOINTS = [
    ("GET", "process-definitions", None, "processes:read"),
    ("GET", "process-instances", None, "processes:read"),
    ("POST", "process-instances", {"bpmnProcessId": "x"}, "processes:write"),
    (
        "POST",
        "process-instances/batch",
        {"bpmnProcessId": "x", "instances": [{}]},
        "processes:write",
    ),
    ("POST", "process-instances/1/cancellation", {}, "processes:write"),
    ("PUT", "process-instances/1/variables", {"variables": {}}, "processes:write"),
    ("GET", "user-tasks", None, "tasks"),
    ("POST", "user-tasks/1/completion", {}, "tasks"),
    ("GET", "incidents", None, "processes:read"),
    ("POST", "incidents/1/resolution", {}, "processes:write"),
    ("POST", "messages/publication", {"name": "m"}, "messages"),
    ("POST", "messages/correlation", {"name": "m"}, "messages"),
    ("POST", "signals/broadcast", {"signalName": "s"}, "messages"),
    ("POST", "jobs/activation", {"type": "t"}, "jobs"),
    ("POST", "jobs/1/completion", {}, "jobs"),
    ("POST", "jobs/1/failure", {}, "jobs"),
    ("POST", "jobs/1/error", {"errorCode": "E"}, "jobs"),
    ("PATCH", "jobs/1", {"changeset": {}}, "jobs"),
]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_every_endpoint_wants_a_token_and_its_scope(client, make_token, method, path, body, scope):
    anonymous = Api(client, None).call(method, path, body)
    assert problem(anonymous, 401)["type"] == "urn:verka:problem:unauthenticated"
    assert anonymous["WWW-Authenticate"].startswith("Bearer")

    others = [s for s in api_services.Scope.values if s != scope]
    forbidden = Api(client, make_token(*others)).call(method, path, body)
    body403 = problem(forbidden, 403)
    assert body403["requiredScope"] == scope

    allowed = Api(client, make_token(scope)).call(method, path, body)
    assert allowed.status_code not in (401, 403), allowed.content


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer verka_" + "x" * 43, "Basic dXNlcjpwYXNz", "Bearer", "verka_abc"],
)
def test_a_wrong_token_is_401(client, header):
    response = client.get("/api/v1/process-instances", headers={"Authorization": header})
    problem(response, 401)


def test_revoked_and_expired_tokens_and_inactive_owners_are_refused(client, user):
    revoked = api_services.create_token("old", user, ["processes:read"])
    api_services.revoke_token(revoked.token.pk)
    expired = api_services.create_token(
        "short", user, ["processes:read"], expires_at=timezone.now() - timedelta(seconds=1)
    )
    live = api_services.create_token("live", user, ["processes:read"])
    assert Api(client, revoked.secret).get("process-instances").status_code == 401
    assert Api(client, expired.secret).get("process-instances").status_code == 401
    assert Api(client, live.secret).get("process-instances").status_code == 200
    user.is_active = False
    user.save()
    assert Api(client, live.secret).get("process-instances").status_code == 401


def test_only_a_hash_of_the_secret_is_stored_and_use_is_recorded(client, user):
    created = api_services.create_token("ci", user, ["processes:read"])
    row = ApiToken.objects.get(pk=created.token.pk)
    assert created.secret.startswith("verka_")
    assert created.secret not in str(row.__dict__)
    assert row.secret_hash == api_services.hash_secret(created.secret)
    assert row.last_used_at is None
    Api(client, created.secret).get("process-instances")
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [
        ("", ["deploy"], "needs a name"),
        ("x", [], "at least one scope"),
        ("x", ["deploy", "root"], "unknown scope root"),
        ("x" * 101, ["deploy"], "at most 100"),
    ],
)
def test_token_creation_checks_its_input(user, name, scopes, message):
    with pytest.raises(api_services.TokenError, match=message):
        api_services.create_token(name, user, scopes)
    assert ApiToken.objects.count() == 0


def test_the_token_command_creates_lists_and_revokes(user, capsys):
    code = api_services.main(
        [
            "create",
            "invoice worker",
            "--scope",
            "jobs",
            "--scope",
            "messages",
            "--user",
            user.username,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    secret = out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.scopes == ["jobs", "messages"]
    assert api_services.find_token(secret) == token
    assert api_services.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "invoice worker" in listing and secret not in listing and "active" in listing
    assert api_services.main(["revoke", str(token.pk)]) == 0
    assert api_services.find_token(secret) is None
    assert api_services.main(["create", "x", "--scope", "jobs", "--user", "nobody"]) == 2
    assert api_services.main(["revoke", "999"]) == 2
    with pytest.raises(SystemExit):
        api_services.main(["create", "x", "--scope", "everything", "--user", user.username])


def test_expiring_tokens_from_the_command(user, capsys):
    assert (
        api_services.main(
            ["create", "t", "--scope", "jobs", "--user", user.username, "--days", "30"]
        )
        == 0
    )
    token = ApiToken.objects.get()
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert (
        api_services.main(
            ["create", "t", "--scope", "jobs", "--user", user.username, "--days", "0"]
        )
        == 2
    )


def test_the_admin_lists_tokens_without_secrets_and_revokes_them(admin_client, user):
    created = api_services.create_token("crm sync", user, ["jobs"])
    page = admin_client.get("/admin/api/apitoken/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "crm sync" in text and created.secret not in text
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403
    admin_client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [created.token.pk]},
    )
    assert api_services.find_token(created.secret) is None
