"""Every API endpoint × every kind of caller × a case of the caller's group and of another group.

The endpoints come from the OpenAPI document: one without an entry in MATRIX fails
`test_every_endpoint_is_in_the_matrix`, so a new endpoint cannot ship without deciding who may
use it. Each caller's token has every scope, so what is tested is the owner's reach, not the
scopes (test_auth.py tests those). Reads of personal data that succeed are in the access log;
refused ones are not.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from verka.access import grants
from verka.accounts.services import create_user
from verka.api import services as api_services
from verka.api.models import ApiToken, Scope
from verka.cases.models import CaseAccess
from verka.eservices.models import EService, Submission
from verka.goals.models import Indicator
from verka.processes import services as processes
from verka.processes.models import Incident, Job, UserTask

from ..accounts.helpers import log_in_with_second_factor
from . import bpmn
from .conftest import Api

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
CITIZEN = "citizen"
OFFICER = "officer"  # the building permit group's officer
OTHER_OFFICER = "other-officer"  # the preschool group's officer
OPERATOR = "operator"  # the digitalisation team
SERVICE = "service"  # a service account granted the building permit's process, jobs, names
SERVICE_WITHOUT = "service-without-grants"
ROLES = [ANONYMOUS, CITIZEN, OFFICER, OTHER_OFFICER, OPERATOR, SERVICE, SERVICE_WITHOUT]

PERMIT = "permit"  # the building permit group's case
PRESCHOOL = "preschool"  # the preschool group's case
OBJECTS = [PERMIT, PRESCHOOL]
GROUPS = {PERMIT: "bygglov", PRESCHOOL: "förskola-placering"}


def case_process(name: str) -> bytes:
    """A case with everything the API reaches at once: a user task of the group, a job, an
    incident, and a message subscription."""
    return bpmn.bpmn(
        f"{name}-case",
        '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:userTask id="check" name="Granska"><bpmn:extensionElements><zeebe:userTask/>'
        f'<zeebe:assignmentDefinition candidateGroups="{GROUPS[name]}"/>'
        "</bpmn:extensionElements></bpmn:userTask>"
        + bpmn.service_task("work", f"{name}-job")
        + bpmn.service_task("broken", f"{name}-broken", retries=1)
        + '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:intermediateCatchEvent>"
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>'
        '<bpmn:endEvent id="e4"/>'
        + bpmn.flow("f0", "start", "fork")
        + bpmn.flow("f1", "fork", "check")
        + bpmn.flow("f2", "fork", "work")
        + bpmn.flow("f3", "fork", "broken")
        + bpmn.flow("f4", "fork", "wait")
        + bpmn.flow("g1", "check", "e1")
        + bpmn.flow("g2", "work", "e2")
        + bpmn.flow("g3", "broken", "e3")
        + bpmn.flow("g4", "wait", "e4"),
        extra=f'<bpmn:message id="m" name="{name}-answer"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=caseNumber"/></bpmn:extensionElements>'
        "</bpmn:message>",
    )


@dataclass
class Case:
    name: str
    process_id: str
    file: tuple[str, bytes]
    submission: Submission
    instance_key: int
    task_key: int
    job_key: int
    incident_key: int


def make_case(name: str) -> Case:
    process_id = f"{name}-case"
    file = (f"{name}.bpmn", case_process(name))
    processes.deploy([file])
    eservice = EService.objects.create(
        slug=name,
        title_sv=name,
        summary_sv=name,
        handling_time_sv="1 vecka",
        bpmn_process_id=process_id,
        start_form_id="",
        case_prefix=name[:3].upper(),
        published=True,
    )
    case_number = f"{name[:3].upper()}-2026-000001"
    instance = processes.start_instance(
        process_id, {"caseNumber": case_number, "applicant": "bertil"}, business_key=case_number
    )
    submission = Submission.objects.create(
        eservice=eservice,
        case_number=case_number,
        data={"name": "Bertil Bengtsson", "personalNumber": "19700101-1234"},
        submit_token=uuid.uuid4(),
        submitted_at=timezone.now(),
        process_instance_key=instance.key,
    )
    (broken,) = processes.activate_jobs(f"{name}-broken", "setup")
    processes.fail_job(broken.key, 0, "the register did not answer")
    return Case(
        name=name,
        process_id=process_id,
        file=file,
        submission=submission,
        instance_key=instance.key,
        task_key=UserTask.objects.get(process_instance_id=instance.key).key,
        job_key=Job.objects.get(process_instance_id=instance.key, type=f"{name}-job").key,
        incident_key=Incident.objects.get(process_instance_id=instance.key).key,
    )


def service(username: str, *given: tuple[str, str]) -> Any:
    user = create_user(username, None, kind="service")
    for kind, value in given:
        grants.grant(user, kind, value)
    return user


def tokens(people: dict[str, Any]) -> dict[str, str | None]:
    every = list(Scope.values)
    granted = service(
        "permit-integration",
        ("process", "permit-case"),
        ("eservice", "permit"),
        ("job-type", "permit-job"),
        ("job-type", "permit-broken"),
        ("message", "permit-answer"),
        ("signal", "permit-signal"),
        ("deploy", "*"),
        ("indicators", "*"),
    )
    owners = {
        OFFICER: people["officer"],
        OTHER_OFFICER: people["outsider"],
        OPERATOR: people["operator"],
        SERVICE: granted,
        SERVICE_WITHOUT: service("bare-integration"),
    }
    found: dict[str, str | None] = {
        role: api_services.create_token(role, owner, every).secret for role, owner in owners.items()
    }
    found[ANONYMOUS] = None
    # Citizens cannot be given tokens; a row made by hand stands for one made before the rule.
    secret = api_services.TOKEN_PREFIX + "citizen-" + "x" * 36
    ApiToken.objects.create(
        name="old",
        secret_hash=api_services.hash_secret(secret),
        prefix=secret[:10],
        owner=people["applicant"],
        scopes=every,
        created_at=timezone.now(),
    )
    found[CITIZEN] = secret
    return found


def owner_of(role: str, people: dict[str, Any]) -> Any:
    users = {
        OFFICER: people["officer"],
        OTHER_OFFICER: people["outsider"],
        OPERATOR: people["operator"],
        CITIZEN: people["applicant"],
    }
    return users.get(role)


# --- who may do what -------------------------------------------------------------------------


def reads(role: str, obj: str) -> bool:
    """Reads the case's process: its instances, definitions, tasks."""
    return (
        role == OPERATOR
        or (role == OFFICER and obj == PERMIT)
        or (role == OTHER_OFFICER and obj == PRESCHOOL)
        or (role == SERVICE and obj == PERMIT)
    )


def runs(role: str, obj: str) -> bool:
    """Runs the engine on the case's process: starts, cancels, incidents, jobs, messages."""
    return role == OPERATOR or (role == SERVICE and obj == PERMIT)


def status_for(allowed: int, *, denied: int) -> Callable[[Callable[[str, str], bool]], Any]:
    def rule(test: Callable[[str, str], bool]) -> Callable[[str, str], int]:
        return lambda role, obj: allowed if test(role, obj) else denied

    return rule


def change_status(allowed: int) -> Callable[[str, str], int]:
    """Seen but not changeable: 403; not seen at all: 404, as if it did not exist."""
    return lambda role, obj: allowed if runs(role, obj) else 403 if reads(role, obj) else 404


def staff_or_granted(role: str, obj: str) -> bool:
    return role in (OFFICER, OTHER_OFFICER, OPERATOR, SERVICE)


def anyone(role: str, obj: str) -> bool:
    return True


def deployers(role: str, obj: str) -> bool:
    return role in (OPERATOR, SERVICE)


@dataclass(frozen=True)
class Entry:
    """How to call an endpoint on a case, and the status each caller gets."""

    call: Callable[[Api, Case], Any]
    status: Callable[[str, str], int]
    # A list: whether the case is in it (by this field of the items, compared with the value).
    listed: tuple[str, Callable[[Case], str]] | None = None
    # Reads personal data of the case: a 200 is in the access log, anything else is not.
    personal: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def get(path: Callable[[Case], str], **params: Any) -> Callable[[Api, Case], Any]:
    return lambda api, case: api.get(path(case), **params)


def send(
    method: str, path: Callable[[Case], str], body: Callable[[Case], Any]
) -> Callable[[Api, Case], Any]:
    return lambda api, case: api.call(method, path(case), body(case))


def upload(api: Api, case: Case) -> Any:
    data = {"resources": [SimpleUploadedFile(*case.file)]}
    return api.client.post("/api/v1/deployments", data, headers=api.headers())


def indicator_id(case: Case) -> int:
    return Indicator.objects.get().pk


ok_if = status_for(200, denied=404)
MATRIX: dict[tuple[str, str], Entry] = {
    ("POST", "/api/v1/deployments"): Entry(upload, status_for(201, denied=403)(deployers)),
    ("GET", "/api/v1/process-definitions"): Entry(
        get(lambda c: "process-definitions"),
        status_for(200, denied=200)(anyone),
        listed=("bpmnProcessId", lambda c: c.process_id),
    ),
    ("GET", "/api/v1/process-definitions/{bpmnProcessId}"): Entry(
        get(lambda c: f"process-definitions/{c.process_id}"), ok_if(reads)
    ),
    ("GET", "/api/v1/process-definitions/{bpmnProcessId}/xml"): Entry(
        get(lambda c: f"process-definitions/{c.process_id}/xml"), ok_if(reads)
    ),
    ("POST", "/api/v1/process-instances"): Entry(
        send("POST", lambda c: "process-instances", lambda c: {"bpmnProcessId": c.process_id}),
        status_for(201, denied=403)(runs),
    ),
    ("POST", "/api/v1/process-instances/batch"): Entry(
        send(
            "POST",
            lambda c: "process-instances/batch",
            lambda c: {"bpmnProcessId": c.process_id, "instances": [{}, {}]},
        ),
        status_for(201, denied=403)(runs),
    ),
    ("GET", "/api/v1/process-instances"): Entry(
        get(lambda c: "process-instances"),
        status_for(200, denied=200)(anyone),
        listed=("processInstanceKey", lambda c: str(c.instance_key)),
    ),
    ("GET", "/api/v1/process-instances/{key}"): Entry(
        get(lambda c: f"process-instances/{c.instance_key}"), ok_if(reads), personal=True
    ),
    ("POST", "/api/v1/process-instances/{key}/cancellation"): Entry(
        send("POST", lambda c: f"process-instances/{c.instance_key}/cancellation", lambda c: {}),
        change_status(204),
    ),
    ("PUT", "/api/v1/process-instances/{key}/variables"): Entry(
        send(
            "PUT",
            lambda c: f"process-instances/{c.instance_key}/variables",
            lambda c: {"variables": {"note": "checked"}},
        ),
        change_status(204),
    ),
    ("GET", "/api/v1/user-tasks"): Entry(
        get(lambda c: "user-tasks"),
        status_for(200, denied=200)(anyone),
        listed=("userTaskKey", lambda c: str(c.task_key)),
    ),
    ("GET", "/api/v1/user-tasks/{key}"): Entry(
        get(lambda c: f"user-tasks/{c.task_key}"), ok_if(reads), personal=True
    ),
    ("POST", "/api/v1/user-tasks/{key}/completion"): Entry(
        send("POST", lambda c: f"user-tasks/{c.task_key}/completion", lambda c: {}),
        status_for(204, denied=404)(reads),
    ),
    ("GET", "/api/v1/incidents"): Entry(
        get(lambda c: "incidents"),
        status_for(200, denied=200)(anyone),
        listed=("incidentKey", lambda c: str(c.incident_key)),
    ),
    ("GET", "/api/v1/incidents/{key}"): Entry(
        get(lambda c: f"incidents/{c.incident_key}"), ok_if(runs)
    ),
    ("POST", "/api/v1/incidents/{key}/resolution"): Entry(
        send("POST", lambda c: f"incidents/{c.incident_key}/resolution", lambda c: {}),
        status_for(204, denied=404)(runs),
    ),
    ("POST", "/api/v1/messages/publication"): Entry(
        send(
            "POST",
            lambda c: "messages/publication",
            lambda c: {"name": f"{c.name}-answer", "correlationKey": c.submission.case_number},
        ),
        status_for(200, denied=403)(runs),
    ),
    ("POST", "/api/v1/messages/correlation"): Entry(
        send(
            "POST",
            lambda c: "messages/correlation",
            lambda c: {"name": f"{c.name}-answer", "correlationKey": c.submission.case_number},
        ),
        status_for(200, denied=403)(runs),
    ),
    ("POST", "/api/v1/signals/broadcast"): Entry(
        send("POST", lambda c: "signals/broadcast", lambda c: {"signalName": f"{c.name}-signal"}),
        status_for(200, denied=403)(runs),
    ),
    ("POST", "/api/v1/jobs/activation"): Entry(
        send("POST", lambda c: "jobs/activation", lambda c: {"type": f"{c.name}-job"}),
        status_for(200, denied=403)(runs),
        personal=True,
    ),
    ("POST", "/api/v1/jobs/{key}/completion"): Entry(
        send("POST", lambda c: f"jobs/{c.job_key}/completion", lambda c: {}),
        status_for(204, denied=404)(runs),
    ),
    ("POST", "/api/v1/jobs/{key}/failure"): Entry(
        send("POST", lambda c: f"jobs/{c.job_key}/failure", lambda c: {"retries": 2}),
        status_for(204, denied=404)(runs),
    ),
    ("POST", "/api/v1/jobs/{key}/error"): Entry(
        send("POST", lambda c: f"jobs/{c.job_key}/error", lambda c: {"errorCode": "E"}),
        status_for(204, denied=404)(runs),
    ),
    ("PATCH", "/api/v1/jobs/{key}"): Entry(
        send("PATCH", lambda c: f"jobs/{c.job_key}", lambda c: {"changeset": {"retries": 2}}),
        status_for(204, denied=404)(runs),
    ),
    ("GET", "/api/v1/eservices"): Entry(
        get(lambda c: "eservices"),
        status_for(200, denied=200)(anyone),
        listed=("slug", lambda c: c.name),
        extra={"everyone_sees_it": True},
    ),
    ("GET", "/api/v1/eservices/{slug}"): Entry(
        get(lambda c: f"eservices/{c.name}"), status_for(200, denied=404)(anyone)
    ),
    ("GET", "/api/v1/submissions"): Entry(
        get(lambda c: "submissions"),
        status_for(200, denied=200)(anyone),
        listed=("caseNumber", lambda c: c.submission.case_number),
        personal=True,
    ),
    ("GET", "/api/v1/submissions/{case_number}"): Entry(
        get(lambda c: f"submissions/{c.submission.case_number}"), ok_if(reads), personal=True
    ),
    ("GET", "/api/v1/indicators"): Entry(
        get(lambda c: "indicators"), status_for(200, denied=403)(staff_or_granted)
    ),
    ("GET", "/api/v1/indicators/{indicator_id}/measurements"): Entry(
        get(lambda c: f"indicators/{indicator_id(c)}/measurements"),
        status_for(200, denied=403)(staff_or_granted),
    ),
    ("GET", "/api/v1/indicators/{indicator_id}/values"): Entry(
        get(lambda c: f"indicators/{indicator_id(c)}/values", months=1),
        status_for(200, denied=403)(staff_or_granted),
    ),
}


def documented_endpoints() -> set[tuple[str, str]]:
    from verka.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_endpoint_is_in_the_matrix():
    documented = documented_endpoints()
    assert documented - set(MATRIX) == set(), "endpoints nobody decided access for"
    assert set(MATRIX) - documented == set(), "matrix entries for endpoints that are gone"


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    from verka.goals import services as goals

    from ..goals.test_snapshots import DEFINITION

    goals.create_indicator("Median handläggningstid", DEFINITION)
    return {"tokens": tokens(people), "people": people}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=" ".join)
def test_who_reaches_what(client, world, endpoint, role):
    """Both cases are made first and called in turn: a change to one leaves the other as it
    was, and the setup is shared."""
    entry = MATRIX[endpoint]
    cases = {obj: make_case(obj) for obj in OBJECTS}
    api = Api(client, world["tokens"][role])
    for obj, case in cases.items():
        response = entry.call(api, case)
        expected = 401 if role == ANONYMOUS else 403 if role == CITIZEN else entry.status(role, obj)
        assert response.status_code == expected, (role, obj, response.content[:300])
        read_it = expected == 200
        if entry.listed is not None and expected == 200:
            name, value = entry.listed
            shown = {str(item[name]) for item in response.json()["items"]}
            visible = runs(role, obj) if name == "incidentKey" else reads(role, obj)
            if entry.extra.get("everyone_sees_it"):
                visible = True
            assert (value(case) in shown) == visible, (role, obj, shown)
            read_it = value(case) in shown
        if endpoint == ("POST", "/api/v1/jobs/activation") and expected == 200:
            read_it = bool(response.json()["jobs"])
        if entry.personal:
            check_access_log(world, role, obj, case, read_it)


def check_access_log(world: dict[str, Any], role: str, obj: str, case: Case, read_it: bool) -> None:
    logged = CaseAccess.objects.filter(submission=case.submission, action="read")
    owner = owner_of(role, world["people"])
    if read_it:
        assert logged.exists(), f"{role} read {obj}'s personal data without an access log line"
        if owner is not None:
            assert logged.filter(user=owner).exists()
        token = ApiToken.objects.get(name=role)
        assert all(f"api-token {token.pk}" in row.what for row in logged)
    else:
        assert not logged.exists(), f"{role} was refused {obj} but the log says it read it"


@pytest.mark.parametrize("obj", OBJECTS)
@pytest.mark.parametrize("role", [OFFICER, OTHER_OFFICER, OPERATOR])
def test_the_api_and_the_workspace_agree(client, world, role, obj):
    """The same person gets the same answer about the same case on the web and through the
    API: both ask verka.access."""
    case = make_case(obj)
    api = Api(client, world["tokens"][role])
    through_api = api.get(f"process-instances/{case.instance_key}").status_code
    task_through_api = api.get(f"user-tasks/{case.task_key}").status_code
    log_in_with_second_factor(client, owner_of(role, world["people"]))
    on_the_web = client.get(reverse("workspace:case", args=[case.instance_key])).status_code
    task_on_the_web = client.get(reverse("workspace:task", args=[case.task_key])).status_code
    assert through_api == on_the_web == (200 if reads(role, obj) else 404)
    assert task_through_api == task_on_the_web


def test_a_lists_access_log_names_each_case_listed_once(client, world):
    permit, preschool = make_case(PERMIT), make_case(PRESCHOOL)
    api = Api(client, world["tokens"][OPERATOR])
    listed = api.get("submissions").json()["items"]
    assert {item["caseNumber"] for item in listed} == {
        permit.submission.case_number,
        preschool.submission.case_number,
    }
    rows = CaseAccess.objects.filter(user=world["people"]["operator"], action="read")
    assert sorted(rows.values_list("submission_id", flat=True)) == sorted(
        [permit.submission.pk, preschool.submission.pk]
    )


def test_list_filtering_costs_the_same_few_queries_for_one_case_or_many(
    client, world, django_assert_max_num_queries
):
    """Visibility is a condition of the list's own statement, not a check per row."""
    make_case(PERMIT)
    api = Api(client, world["tokens"][OFFICER])
    for path in ("process-instances", "user-tasks", "process-definitions"):
        with django_assert_max_num_queries(8):
            assert api.get(path).status_code == 200
    for number in range(2, 12):
        processes.start_instance("permit-case", {"caseNumber": f"PER-2026-{number:06d}"})
    for path in ("process-instances", "user-tasks", "process-definitions"):
        with django_assert_max_num_queries(8):
            assert len(api.get(path).json()["items"]) >= 1


def test_a_token_stops_reaching_what_its_owner_lost(client, world):
    """A token acts as its owner now, not as the owner was when it was made."""
    case = make_case(PERMIT)
    officer = world["people"]["officer"]
    api = Api(client, world["tokens"][OFFICER])
    assert api.get(f"submissions/{case.submission.case_number}").status_code == 200
    officer.groups.clear()
    assert api.get(f"submissions/{case.submission.case_number}").status_code == 404
    officer.kind = "citizen"
    officer.save()
    assert api.get("eservices").status_code == 403


def test_expired_tokens_of_service_accounts_are_refused(client, world):
    account = service("short-lived", ("process", "*"))
    created = api_services.create_token(
        "t", account, ["processes:read"], expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Api(client, created.secret).get("process-instances").status_code == 401


def test_job_activation_hands_out_only_granted_types_and_logs_each_case(client, world):
    permit = make_case(PERMIT)
    api = Api(client, world["tokens"][SERVICE])
    jobs = api.post("jobs/activation", {"type": "permit-job"}).json()["jobs"]
    assert [job["processInstanceKey"] for job in jobs] == [str(permit.instance_key)]
    row = CaseAccess.objects.get()
    assert (row.submission_id, row.action) == (permit.submission.pk, "read")
    assert json.loads(json.dumps(jobs[0]["variables"]))["applicant"] == "bertil"
