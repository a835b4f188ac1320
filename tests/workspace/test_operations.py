"""Operations: versions with running instances, incidents resolved with retries, a cancelled
instance and an edited variable — each confirmed by a POST and written to the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.accounts.helpers import log_in_with_second_factor
from verka.cases.models import CaseAccess
from verka.processes import codec
from verka.processes import services as processes
from verka.processes.models import Incident, Job, ProcessInstance, Variable

from ..processes import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken(people):  # type: ignore[no-untyped-def]
    """An instance whose service task failed for good: an open incident."""
    processes.deploy([("one.bpmn", m.ONE_TASK)])
    instance = processes.start_instance("one-task", {"amount": 5})
    job = processes.activate_jobs("work", "test")[0]
    processes.fail_job(job.key, 0, "connection refused by the archive")
    return instance


def audit_of(instance) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [
        (row.user.username, row.action, row.what)
        for row in CaseAccess.objects.filter(process_instance_key=instance.key).order_by("id")
    ]


def test_versions_list_running_instances_and_incidents(client, people, broken):
    processes.start_instance("one-task", {"amount": 1})
    log_in_with_second_factor(client, people["operator"])
    page = client.get(reverse("workspace:ops"))
    rows = {row.definition.bpmn_process_id: row for row in page.context["versions"]}
    assert (rows["one-task"].running, rows["one-task"].incidents) == (2, 1)


def test_an_incident_is_shown_with_its_error_and_resolved_with_retries(client, people, broken):
    log_in_with_second_factor(client, people["operator"])
    incident = Incident.objects.get(process_instance_id=broken.key)
    listing = client.get(reverse("workspace:ops_incidents")).content.decode()
    assert "connection refused by the archive" in listing

    confirm = client.get(reverse("workspace:ops_resolve", args=[incident.key]))
    assert confirm.status_code == 200 and 'name="retries"' in confirm.content.decode()
    bad = client.post(reverse("workspace:ops_resolve", args=[incident.key]), {"retries": "0"})
    assert bad.status_code == 400
    done = client.post(reverse("workspace:ops_resolve", args=[incident.key]), {"retries": "2"})

    assert done.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "RESOLVED"
    fresh = Job.objects.filter(process_instance_id=broken.key, state="ACTIVATABLE").get()
    assert fresh.retries == 2
    assert audit_of(broken) == [
        ("dora", "change", "incident_resolved:work JOB_NO_RETRIES retries=2")
    ]


def test_the_waiting_page_lists_jobs(client, people, broken):
    processes.start_instance("one-task", {"amount": 1})
    log_in_with_second_factor(client, people["operator"])
    page = client.get(reverse("workspace:ops_waiting")).content.decode()
    assert "work" in page and "connection refused" in page


def test_cancelling_an_instance_needs_a_reason_and_is_audited(client, people, broken):
    log_in_with_second_factor(client, people["operator"])
    url = reverse("workspace:ops_cancel", args=[broken.key])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert ProcessInstance.objects.get(key=broken.key).status == "ACTIVE"

    client.post(url, {"reason": "Dubbelregistrerad ansökan"})

    assert ProcessInstance.objects.get(key=broken.key).status == "TERMINATED"
    assert audit_of(broken) == [("dora", "change", "instance_canceled:Dubbelregistrerad ansökan")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("NaN", "not allowed"),
    ],
)
def test_a_variable_edit_with_bad_json_is_refused(client, people, broken, text, message):
    log_in_with_second_factor(client, people["operator"])
    url = reverse("workspace:ops_variable", args=[broken.key])
    response = client.post(url, {"name": "amount", "value": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    stored = Variable.objects.get(process_instance_id=broken.key, name="amount").value
    assert codec.from_json_text(stored) == Decimal(5)
    assert audit_of(broken) == []


def test_a_variable_edit_is_typed_stored_and_audited(client, people, broken):
    log_in_with_second_factor(client, people["operator"])
    url = reverse("workspace:ops_variable", args=[broken.key])
    form = client.get(url, {"name": "amount"})
    assert form.context["value"] == "5"

    client.post(url, {"name": "amount", "value": "1500.5"})
    client.post(url, {"name": "address", "value": '{"city": "Exempelby", "zip": 12345}'})

    values = {
        v.name: codec.from_json_text(v.value)
        for v in Variable.objects.filter(process_instance_id=broken.key, scope_key=broken.key)
    }
    assert values["amount"] == Decimal("1500.5")
    assert values["address"] == {"city": "Exempelby", "zip": Decimal(12345)}
    assert audit_of(broken) == [
        ("dora", "read", "variable_read:amount"),
        ("dora", "change", "variable_changed:amount"),
        ("dora", "change", "variable_changed:address"),
    ]


def test_officers_cannot_reach_the_repairs(client, people, broken):
    incident = Incident.objects.get(process_instance_id=broken.key)
    client.force_login(people["officer"])
    assert (
        client.post(reverse("workspace:ops_resolve", args=[incident.key]), {"retries": "1"})
    ).status_code == 404
    assert client.post(
        reverse("workspace:ops_cancel", args=[broken.key]), {"reason": "x"}
    ).status_code == (404)
    assert ProcessInstance.objects.get(key=broken.key).status == "ACTIVE"


def test_repairs_need_the_csrf_token(people, broken):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    log_in_with_second_factor(client, people["operator"])
    response = client.post(reverse("workspace:ops_cancel", args=[broken.key]), {"reason": "x"})
    assert response.status_code == 403
    assert ProcessInstance.objects.get(key=broken.key).status == "ACTIVE"


def test_the_instance_list_filters_by_process_status_and_incident(client, people, broken):
    healthy = processes.start_instance("one-task", {"amount": 1})
    log_in_with_second_factor(client, people["operator"])

    def listed(**query: str) -> list[int]:
        page = client.get(reverse("workspace:ops_instances"), query)
        return [instance.key for instance in page.context["page"]]

    assert listed(process="one-task") == [healthy.key, broken.key]
    assert listed(incidents="1") == [broken.key]
    assert listed(status="COMPLETED") == []
