"""A token acts as its owner: citizens hold none, an officer reaches through the API exactly the
cases they reach on the web, and every API read of a case is in the same access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from verka.api import services as api_services
from verka.api.models import ApiToken
from verka.cases.models import CaseAccess

from ..workspace.conftest import deploy_demo, submit_permit
from .conftest import Api, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(people: dict[str, Any]) -> dict[str, Any]:
    """The building permit case of Bertil, and Anna, a citizen with nothing to do with it."""
    from verka.accounts.services import create_user

    deploy_demo()
    people["anna"] = create_user("anna", "pw-anna-1", kind="citizen", display_name="Anna")
    people["case"] = submit_permit(people["applicant"])
    return people


def token_for(user: Any, *scopes: str) -> str:
    return api_services.create_token("test", user, scopes).secret


def smuggled_token(user: Any, *scopes: str) -> str:
    """A token row made without the service's checks (an old row, or one written by hand)."""
    secret = api_services.TOKEN_PREFIX + "smuggled-" + user.username + "-" + "x" * 30
    ApiToken.objects.create(
        name="old",
        secret_hash=api_services.hash_secret(secret),
        prefix=secret[:10],
        owner=user,
        scopes=list(scopes),
        created_at=timezone.now(),
    )
    return secret


def test_a_citizen_cannot_be_given_a_token(demo):
    with pytest.raises(api_services.TokenError, match="citizen"):
        api_services.create_token("mine", demo["anna"], ["eservices:read"])
    assert not ApiToken.objects.filter(owner=demo["anna"]).exists()


def test_the_token_command_refuses_a_citizen(demo, capsys):
    code = api_services.main(
        ["create", "mine", "--scope", "eservices:read", "--user", demo["anna"].username]
    )
    assert code == 2
    assert "citizen" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_an_existing_citizen_token_reads_nothing(client, demo):
    api = Api(client, smuggled_token(demo["anna"], "eservices:read"))
    body = problem(api.get("submissions"), 403)
    assert "citizen" in body["detail"]
    problem(api.get(f"submissions/{demo['case'].case_number}"), 403)
    assert not CaseAccess.objects.exists()


def test_another_groups_officer_lists_and_reads_no_building_permit(client, demo):
    api = Api(client, token_for(demo["outsider"], "eservices:read"))
    assert api.get("submissions").json()["items"] == []
    problem(api.get(f"submissions/{demo['case'].case_number}"), 404)
    assert not CaseAccess.objects.exists()


def test_the_building_officer_reads_the_case_and_the_read_is_logged(client, demo):
    case = demo["case"]
    api = Api(client, token_for(demo["officer"], "eservices:read"))
    listed = api.get("submissions").json()["items"]
    assert [item["caseNumber"] for item in listed] == [case.case_number]
    one = api.get(f"submissions/{case.case_number}")
    assert one.status_code == 200
    assert one.json()["answers"]["propertyDesignation"] == "Exempelby 1:23"
    log = list(CaseAccess.objects.order_by("id"))
    assert [(row.user, row.action, row.submission_id) for row in log] == [
        (demo["officer"], "read", case.pk),
        (demo["officer"], "read", case.pk),
    ]
    token = ApiToken.objects.get(owner=demo["officer"])
    assert all(f"api-token {token.pk}" in row.what for row in log)


def test_reading_an_instances_variables_is_logged(client, demo):
    case = demo["case"]
    api = Api(client, token_for(demo["officer"], "processes:read"))
    response = api.get(f"process-instances/{case.process_instance_key}")
    assert response.status_code == 200
    assert response.json()["variables"]["applicant"] == "bertil"
    row = CaseAccess.objects.get()
    assert (row.user, row.action, row.submission_id) == (demo["officer"], "read", case.pk)
    outsider = Api(client, token_for(demo["outsider"], "processes:read"))
    problem(outsider.get(f"process-instances/{case.process_instance_key}"), 404)
    assert CaseAccess.objects.count() == 1
