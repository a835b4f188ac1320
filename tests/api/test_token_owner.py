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


def test_an_existing_citizen_token_reads_nothing(client, demo, caplog):
    secret = smuggled_token(demo["anna"], "eservices:read")
    api = Api(client, secret)
    body = problem(api.get("submissions"), 403)
    assert "citizen" in body["detail"]
    problem(api.get(f"submissions/{demo['case'].case_number}"), 403)
    assert not CaseAccess.objects.exists()
    refused = [r for r in caplog.records if r.getMessage() == "API token of a citizen refused"]
    assert len(refused) == 2 and secret not in caplog.text


def test_another_groups_officer_lists_and_reads_no_building_permit(client, demo):
    api = Api(client, token_for(demo["outsider"], "eservices:read"))
    assert api.get("submissions").json()["items"] == []
    problem(api.get(f"submissions/{demo['case'].case_number}"), 404)
    assert not CaseAccess.objects.exists()


def test_the_building_officer_reads_the_case_and_the_read_is_logged(client, demo):
    case = demo["case"]
    secret = token_for(demo["officer"], "eservices:read")
    api = Api(client, secret)
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
    assert not any(secret[6:14] in row.what for row in log)  # the token's id, never its secret


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


def test_service_accounts_and_their_grants_from_the_command(demo, capsys):
    from verka.access import grants

    assert api_services.main(["service-account", "archive", "--name", "Archive export"]) == 0
    assert api_services.main(["create", "t", "--scope", "eservices:read", "--user", "archive"]) == 0
    assert "no grants yet" in capsys.readouterr().err
    assert api_services.main(["grant", "--user", "archive", "eservice", "bygglov"]) == 0
    assert api_services.main(["grant", "--user", "archive", "deploy"]) == 0
    assert api_services.main(["grants", "--user", "archive"]) == 0
    out = capsys.readouterr().out
    assert "eservice\tbygglov" in out and "deploy\t*" in out
    archive = type(demo["officer"]).objects.get(username="archive")
    assert archive.kind == "service" and not archive.has_usable_password()
    assert not archive.is_staff
    assert api_services.main(["ungrant", "--user", "archive", "deploy"]) == 0
    assert grants.grants_of(archive) == [("eservice", "bygglov")]
    # Staff reach what their groups reach; grants are for service accounts only.
    assert api_services.main(["grant", "--user", "olle", "process", "x"]) == 2
    assert "not a service account" in capsys.readouterr().err
    assert api_services.main(["grant", "--user", "nobody", "process", "x"]) == 2


def test_a_service_account_reads_only_its_granted_eservices_cases(client, demo):
    from verka.access import grants

    from .conftest import service_account

    archive = service_account("archive", ("eservice", "förskola"))
    api = Api(client, token_for(archive, "eservices:read"))
    assert api.get("submissions").json()["items"] == []
    problem(api.get(f"submissions/{demo['case'].case_number}"), 404)
    grants.grant(archive, "eservice", "bygglov")
    api = Api(client, token_for(archive, "eservices:read"))
    assert [s["caseNumber"] for s in api.get("submissions").json()["items"]] == [
        demo["case"].case_number
    ]
    row = CaseAccess.objects.get()
    assert (row.user, row.submission) == (archive, demo["case"])


def test_the_admin_keeps_a_tokens_owner_and_grants_only_service_accounts(admin_client, demo):
    from verka.accounts.models import ServiceGrant

    created = api_services.create_token("crm", demo["officer"], ["tasks"])
    page = admin_client.get(f"/admin/api/apitoken/{created.token.pk}/change/")
    assert page.status_code == 200
    assert 'name="owner"' not in page.content.decode()  # shown, not editable
    form = admin_client.get("/admin/accounts/servicegrant/add/").content.decode()
    assert 'name="user"' in form and "olle" not in form and "anna" not in form
    response = admin_client.post(
        "/admin/accounts/servicegrant/add/",
        {"user": demo["anna"].pk, "kind": "process", "value": "x"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not ServiceGrant.objects.exists()


def test_a_worker_granted_one_job_type_works_on_it_and_nothing_else(client, db):
    from verka.processes import services as processes

    from . import bpmn
    from .conftest import service_account

    processes.deploy([("one.bpmn", bpmn.ONE_TASK), ("lookup.bpmn", bpmn.WITH_ERROR_BOUNDARY)])
    processes.start_instance("one-task", {"amount": 5})
    processes.start_instance("lookup", {})
    worker = service_account("worker", ("job-type", "work"))
    api = Api(client, token_for(worker, "jobs"))
    jobs = api.post("jobs/activation", {"type": "work"}).json()["jobs"]
    assert [job["type"] for job in jobs] == ["work"]
    assert (
        api.post(f"jobs/{jobs[0]['jobKey']}/completion", {"variables": {"x": 1}}).status_code == 204
    )
    body = problem(api.post("jobs/activation", {"type": "find-person"}), 403)
    assert "find-person" in body["detail"]
    (other,) = processes.activate_jobs("find-person", "someone else")
    problem(api.post(f"jobs/{other.key}/completion", {}), 404)
    # The worker's job carried the instance's variables: read, and its answer changed them.
    assert list(CaseAccess.objects.order_by("id").values_list("action", flat=True)) == [
        "read",
        "change",
    ]


def test_starting_instances_with_data_is_in_the_access_log(api, user):
    from . import bpmn

    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    key = api.start("one-task", {"name": "Anna Andersson"})
    api.start("one-task")  # nothing given, nothing logged
    batch = api.post(
        "process-instances/batch",
        {"bpmnProcessId": "one-task", "instances": [{"variables": {"a": 1}}, {}]},
    ).json()["items"]
    rows = list(CaseAccess.objects.order_by("id"))
    assert [(row.user, row.action) for row in rows] == [(user, "change"), (user, "change")]
    assert [row.process_instance_key for row in rows] == [
        int(key),
        int(batch[0]["processInstanceKey"]),
    ]
    assert all(row.what.startswith("variable_changed:start, api-token ") for row in rows)
