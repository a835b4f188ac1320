"""Who may open what: groups decide tasks, tasks or process grants decide cases; the rest is 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.accounts.helpers import log_in_with_second_factor
from verka.cases.models import CaseAccess
from verka.workspace.models import ProcessAccess

from .conftest import open_task

pytestmark = pytest.mark.django_db


def test_an_officer_in_the_group_opens_the_task_and_the_case(client, people, permit_case):
    task = open_task(permit_case, "checkCompleteness")
    client.force_login(people["officer"])

    assert client.get(reverse("workspace:task", args=[task.key])).status_code == 200
    page = client.get(reverse("workspace:case", args=[permit_case.process_instance_key]))

    assert page.status_code == 200
    assert permit_case.case_number in page.content.decode()


def test_an_officer_without_the_group_gets_404_on_task_and_case(client, people, permit_case):
    task = open_task(permit_case, "checkCompleteness")
    client.force_login(people["outsider"])

    assert client.get(reverse("workspace:task", args=[task.key])).status_code == 404
    assert (
        client.get(reverse("workspace:case", args=[permit_case.process_instance_key])).status_code
        == 404
    )
    assert client.post(reverse("workspace:claim", args=[task.key])).status_code == 404
    assert not CaseAccess.objects.filter(user=people["outsider"]).exists()


def test_a_citizen_is_refused_and_a_visitor_sent_to_the_staff_login(client, people, permit_case):
    assert client.get(reverse("workspace:inbox")).status_code == 302
    assert "/konto/logga-in/personal/" in client.get(reverse("workspace:inbox"))["Location"]

    client.force_login(people["applicant"])
    task = open_task(permit_case, "checkCompleteness")
    assert client.get(reverse("workspace:inbox")).status_code == 403
    assert client.get(reverse("workspace:task", args=[task.key])).status_code == 403
    assert (
        client.get(reverse("workspace:case", args=[permit_case.process_instance_key])).status_code
        == 403
    )


def test_a_process_grant_opens_the_case_but_not_the_task(client, people, permit_case):
    task = open_task(permit_case, "checkCompleteness")
    ProcessAccess.objects.create(
        group=Group.objects.get(name="förskola-placering"), bpmn_process_id="buildingPermit"
    )
    client.force_login(people["outsider"])

    assert (
        client.get(reverse("workspace:case", args=[permit_case.process_instance_key])).status_code
        == 200
    )
    assert client.get(reverse("workspace:task", args=[task.key])).status_code == 404


def test_reading_a_case_or_task_is_written_to_the_access_log(client, people, permit_case):
    task = open_task(permit_case, "checkCompleteness")
    client.force_login(people["officer"])

    client.get(reverse("workspace:case", args=[permit_case.process_instance_key]))
    client.get(reverse("workspace:task", args=[task.key]))

    log = list(CaseAccess.objects.filter(user=people["officer"]).order_by("at", "id"))
    assert [(row.action, row.what.split(":")[0]) for row in log] == [
        ("read", "case_read"),
        ("read", "task_read"),
    ]
    assert all(row.submission_id == permit_case.pk for row in log)
    assert all(row.process_instance_key == permit_case.process_instance_key for row in log)


@pytest.mark.parametrize(
    "name", ["workspace:ops", "workspace:ops_instances", "workspace:ops_incidents"]
)
def test_operations_are_only_for_the_digitalisation_team(client, people, name):
    client.force_login(people["officer"])
    assert client.get(reverse(name)).status_code == 404
    log_in_with_second_factor(client, people["operator"])
    assert client.get(reverse(name)).status_code == 200


def test_the_digitalisation_team_sees_every_case(client, people, permit_case):
    log_in_with_second_factor(client, people["operator"])
    page = client.get(reverse("workspace:case", args=[permit_case.process_instance_key]))
    assert page.status_code == 200
    assert "Variabler (drift)" in page.content.decode()


def test_an_officer_sees_every_case_of_a_process_they_have_tasks_in(client, people, permit_case):
    from verka.processes.models import UserTaskCandidate

    from .conftest import submit_permit

    other = submit_permit(people["applicant"], number=2)
    # The other case's only task belongs to another group: the case is still the officer's
    # process, so it opens; for an officer of an unrelated group it does not exist.
    UserTaskCandidate.objects.filter(task__process_instance_id=other.process_instance_key).update(
        group="bygglov-granskning"
    )
    client.force_login(people["officer"])
    url = reverse("workspace:case", args=[other.process_instance_key])
    assert client.get(url).status_code == 200
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404


def test_process_grants_are_edited_in_the_django_admin(admin_client):
    response = admin_client.get(reverse("admin:workspace_processaccess_add"))
    assert response.status_code == 200
    assert 'name="bpmn_process_id"' in response.content.decode()
