"""/process-instances: start with exact variables, idempotency keys, filters and cursor
pagination, details, cancellation and variables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from verka.api.models import IdempotencyKey
from verka.processes.models import ProcessInstance, Variable

from . import bpmn
from .conftest import fields, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployed(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK), ("review.bpmn", bpmn.USER_TASK))
    return api


def test_numbers_keep_every_digit_both_ways(deployed):
    raw = (
        '{"bpmnProcessId": "one-task", "variables": {"amount": 0.1000000000000000000000000000001,'
        ' "count": 12345678901234567890, "nested": {"list": [1.5, 2, "x", null, true]}}}'
    )
    response = deployed.post("process-instances", raw=raw)
    assert response.status_code == 201, response.content
    key = response.json()["processInstanceKey"]
    stored = Variable.objects.get(process_instance_id=key, name="amount").value
    assert stored == "0.1000000000000000000000000000001"
    detail = deployed.get(f"process-instances/{key}")
    text = detail.content.decode()
    assert '"amount":0.1000000000000000000000000000001' in text
    assert '"count":12345678901234567890' in text
    assert detail.json()["variables"]["nested"] == {"list": [1.5, 2, "x", None, True]}


def test_the_detail_lists_element_instances_and_temporals_as_iso_text(deployed):
    key = deployed.start("one-task", {"who": "Anna"})
    from verka.processes import services

    services.set_variables(int(key), {})
    Variable.objects.filter(process_instance_id=key, name="who").update(
        value='{"@date":"2026-01-31"}'
    )
    detail = deployed.get(f"process-instances/{key}").json()
    assert detail["variables"] == {"who": "2026-01-31"}
    assert detail["status"] == "ACTIVE"
    assert [(e["elementId"], e["state"]) for e in detail["elementInstances"]] == [
        ("one-task", "ACTIVE"),
        ("start", "COMPLETED"),
        ("work", "ACTIVE"),
    ]
    problem(deployed.get("process-instances/424242"), 404)


def test_a_version_and_a_business_key_can_be_given(deployed):
    body = deployed.post(
        "process-instances",
        {"bpmnProcessId": "one-task", "version": 1, "businessKey": "case-7"},
    ).json()
    assert (body["version"], body["businessKey"]) == (1, "case-7")
    missing = problem(
        deployed.post("process-instances", {"bpmnProcessId": "one-task", "version": 9}), 404
    )
    assert "version 9" in missing["detail"]


# --- idempotency ----------------------------------------------------------------------------


def test_the_same_idempotency_key_and_body_start_one_instance(deployed):
    body = {"bpmnProcessId": "one-task", "variables": {"amount": 5}}
    headers = {"Idempotency-Key": "order-17"}
    first = deployed.post("process-instances", body, headers=headers)
    second = deployed.post("process-instances", body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert ProcessInstance.objects.count() == 1
    changed = deployed.post(
        "process-instances", {**body, "variables": {"amount": 6}}, headers=headers
    )
    assert problem(changed, 422)["type"] == "urn:verka:problem:idempotency-key-reused"
    assert ProcessInstance.objects.count() == 1
    other_key = deployed.post("process-instances", body, headers={"Idempotency-Key": "order-18"})
    assert other_key.status_code == 201
    without = deployed.post("process-instances", body)
    assert without.status_code == 201
    assert ProcessInstance.objects.count() == 3


def test_idempotency_keys_are_per_token_expire_and_forget_failures(deployed, make_token, client):
    from .conftest import Api

    body = {"bpmnProcessId": "one-task"}
    headers = {"Idempotency-Key": "k1"}
    deployed.post("process-instances", body, headers=headers)
    Api(client, make_token()).post("process-instances", body, headers=headers)
    assert ProcessInstance.objects.count() == 2
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    deployed.post("process-instances", body, headers=headers)
    assert ProcessInstance.objects.count() == 3
    failing = {"bpmnProcessId": "not-yet"}
    problem(deployed.post("process-instances", failing, headers={"Idempotency-Key": "k2"}), 404)
    assert not IdempotencyKey.objects.filter(key="k2").exists()
    bad = deployed.post("process-instances", body, headers={"Idempotency-Key": "x" * 300})
    assert fields(problem(bad, 400)) == {"Idempotency-Key": "invalid_format"}


def test_a_key_recorded_without_its_response_is_a_409_until_it_expires(deployed, user):
    """Only an earlier version wrote a key apart from its work (the record, then the work,
    then the response): whether that work committed is unknown, so it is never done again
    under the key, not even after a while; the key is free once it expires."""
    from verka.api.models import ApiToken

    body = {"bpmnProcessId": "one-task"}
    deployed.post("process-instances", body, headers={"Idempotency-Key": "slow"})
    row = IdempotencyKey.objects.get(key="slow")
    assert row.token == ApiToken.objects.get()
    row.status = None
    row.save()
    response = deployed.post("process-instances", body, headers={"Idempotency-Key": "slow"})
    assert problem(response, 409)["type"] == "urn:verka:problem:idempotency-in-progress"
    assert response["Retry-After"] == "1"
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    again = deployed.post("process-instances", body, headers={"Idempotency-Key": "slow"})
    assert problem(again, 409)["type"] == "urn:verka:problem:idempotency-in-progress"
    assert ProcessInstance.objects.count() == 1
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = deployed.post("process-instances", body, headers={"Idempotency-Key": "slow"})
    assert expired.status_code == 201
    assert ProcessInstance.objects.count() == 2


# --- lists and pagination -------------------------------------------------------------------


def test_cursor_pagination_visits_every_instance_once_in_key_order(deployed):
    keys = [deployed.start("one-task", {"n": n}) for n in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = deployed.get("process-instances", **params).json()
        seen += [item["processInstanceKey"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
        deployed.start("review")  # new rows don't disturb the order of the walk
    assert seen[:7] == keys
    assert len(seen) == len(set(seen))
    assert pages == 3
    assert fields(problem(deployed.get("process-instances", cursor="garbage!"), 400)) == {
        "cursor": "invalid_cursor"
    }


def test_instance_filters(deployed):
    a = deployed.start("one-task", businessKey="A")
    b = deployed.start("one-task", businessKey="B")
    r = deployed.start("review")
    deployed.post(f"process-instances/{b}/cancellation")
    ProcessInstance.objects.filter(key=r).update(has_incident=True)

    def keys(**filters):
        return [
            i["processInstanceKey"]
            for i in deployed.get("process-instances", **filters).json()["items"]
        ]

    assert keys(bpmnProcessId="one-task") == [a, b]
    assert keys(status="TERMINATED") == [b]
    assert keys(status="ACTIVE", bpmnProcessId="one-task") == [a]
    assert keys(businessKey="A") == [a]
    assert keys(hasIncident="true") == [r]
    assert keys(hasIncident="false") == [a, b]


# --- cancel and variables -------------------------------------------------------------------


def test_cancel_and_set_variables(deployed):
    key = deployed.start("one-task", {"amount": 1})
    response = deployed.call(
        "PUT", f"process-instances/{key}/variables", {"variables": {"amount": 2.50, "note": "ok"}}
    )
    assert response.status_code == 204, response.content
    values = {v.name: v.value for v in Variable.objects.filter(process_instance_id=key)}
    assert values == {"amount": "2.5", "note": '"ok"'}
    bad = deployed.call(
        "PUT", f"process-instances/{key}/variables", {"variables": {"x": 1}, "scope": 1}
    )
    assert fields(problem(bad, 400)) == {"scope": "unknown_field"}
    assert fields(problem(deployed.call("PUT", f"process-instances/{key}/variables", {}), 400)) == {
        "variables": "required"
    }
    assert deployed.post(f"process-instances/{key}/cancellation").status_code == 204
    assert ProcessInstance.objects.get(key=key).status == "TERMINATED"
    problem(
        deployed.call("PUT", f"process-instances/{key}/variables", {"variables": {"a": 1}}), 409
    )
    problem(deployed.post("process-instances/999999/cancellation"), 404)
    problem(deployed.call("PUT", "process-instances/999999/variables", {"variables": {}}), 404)
    assert Decimal(
        deployed.get(f"process-instances/{key}").json()["variables"]["amount"]
    ) == Decimal("2.5")


def test_the_worker_purges_expired_idempotency_keys_now_and_then(deployed):
    from verka.api import services as api_services
    from verka.worker.runner import registered_sources

    assert "api-idempotency-keys" in {source.name for source in registered_sources()}
    deployed.post(
        "process-instances", {"bpmnProcessId": "one-task"}, headers={"Idempotency-Key": "a"}
    )
    deployed.post(
        "process-instances", {"bpmnProcessId": "one-task"}, headers={"Idempotency-Key": "b"}
    )
    IdempotencyKey.objects.filter(key="a").update(expires_at=timezone.now() - timedelta(seconds=1))
    api_services._last_purge.clear()
    api_services.purge_idempotency_keys_now_and_then("w")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    api_services.purge_idempotency_keys_now_and_then("w")  # too soon: left for next time
    assert IdempotencyKey.objects.count() == 1
