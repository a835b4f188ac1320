"""POST /process-instances/batch: many starts of one process in one request and one
transaction, all or none, and `VerkaClient.start_instances` against a running server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from verka.api.models import IdempotencyKey
from verka.client import VerkaApiError, VerkaClient
from verka.processes import services
from verka.processes.models import ProcessInstance, Variable

from . import bpmn
from .conftest import Api, fields, problem

pytestmark = pytest.mark.django_db

BATCH = "process-instances/batch"


@pytest.fixture
def deployed(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    return api


def batch(*instances, process="one-task", **more):
    return {"bpmnProcessId": process, "instances": list(instances), **more}


def test_a_batch_starts_every_instance_and_answers_in_request_order(deployed):
    raw = (
        '{"bpmnProcessId": "one-task", "instances": ['
        '{"variables": {"amount": 0.1000000000000000000000000000001}, "businessKey": "A-1"},'
        ' {"variables": {"amount": 7}}, {"businessKey": "A-3"}, {}]}'
    )
    response = deployed.post(BATCH, raw=raw)
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert [item["businessKey"] for item in items] == ["A-1", "", "A-3", ""]
    assert {(item["bpmnProcessId"], item["version"], item["status"]) for item in items} == {
        ("one-task", 1, "ACTIVE")
    }
    keys = [int(item["processInstanceKey"]) for item in items]
    assert len(set(keys)) == 4
    stored = dict(ProcessInstance.objects.values_list("key", "business_key"))
    assert stored == dict(zip(keys, ["A-1", "", "A-3", ""], strict=True))
    amounts = dict(
        Variable.objects.filter(name="amount").values_list("process_instance_id", "value")
    )
    assert amounts == {keys[0]: "0.1000000000000000000000000000001", keys[1]: "7"}
    # Each is an instance like any other: readable on its own.
    detail = deployed.get(f"process-instances/{keys[2]}").json()
    assert [e["elementId"] for e in detail["elementInstances"]] == ["one-task", "start", "work"]


def test_version_and_start_event_apply_to_every_start(deployed):
    deployed.deploy(("one.bpmn", bpmn.ONE_TASK.replace(b'id="end"/>', b'id="end" name="Klar"/>')))
    latest = deployed.post(BATCH, batch({}, {})).json()["items"]
    assert [item["version"] for item in latest] == [2, 2]
    items = deployed.post(BATCH, batch({}, {}, version=1, startAt="start")).json()["items"]
    assert [item["version"] for item in items] == [1, 1]


@pytest.mark.parametrize(
    ("instances", "expected"),
    [
        ([{}, {}, {"variables": ["not", "an object"]}], {"instances[2].variables": "wrong_type"}),
        ([{}, {"businessKey": "k" * 101}], {"instances[1].businessKey": "too_long"}),
        ([{"variables": {"a": 1}, "colour": "red"}], {"instances[0].colour": "unknown_field"}),
        ([{}, {"variables": {"": 1}}], {"instances[1].variables.": "invalid_name"}),
        ([{}, {"businessKey": 5}], {"instances[1].businessKey": "wrong_type"}),
        ([{}, "not an object"], {"instances[1]": "wrong_type"}),
    ],
)
def test_a_bad_start_is_named_by_its_position_and_nothing_starts(deployed, instances, expected):
    found = problem(deployed.post(BATCH, batch(*instances)), 400)
    assert found["type"] == "urn:verka:problem:validation"
    assert fields(found) == expected
    assert not ProcessInstance.objects.exists()


def test_variables_too_deep_are_named_in_every_start_they_occur_in(deployed):
    value: object = 1
    for _ in range(70):
        value = {"a": value}
    instances = [{"variables": {"v": value}}, {}, {"variables": {"w": value}}]
    found = problem(deployed.post(BATCH, batch(*instances)), 400)
    assert fields(found) == {
        "instances[0].variables.v" + ".a" * 64: "too_deep",
        "instances[2].variables.w" + ".a" * 64: "too_deep",
    }
    assert not ProcessInstance.objects.exists()


def test_an_engine_refusal_is_a_409_naming_the_start(deployed):
    found = problem(deployed.post(BATCH, batch({}, {}, startAt="nowhere")), 409)
    assert found["type"] == "urn:verka:problem:rejected"
    assert found["detail"].startswith("start 0: ")
    assert "nowhere" in found["detail"]
    assert not ProcessInstance.objects.exists()


def test_a_batch_holds_one_to_a_thousand_starts(deployed):
    limit = services.MAX_BATCH_STARTS
    too_many = problem(deployed.post(BATCH, batch(*[{}] * (limit + 1))), 400)
    assert fields(too_many) == {"instances": "too_long"}
    assert fields(problem(deployed.post(BATCH, batch()), 400)) == {"instances": "too_short"}
    assert fields(problem(deployed.post(BATCH, {"bpmnProcessId": "one-task"}), 400)) == {
        "instances": "required"
    }
    assert not ProcessInstance.objects.exists()
    items = deployed.post(BATCH, batch(*[{"variables": {"n": n}} for n in range(limit)]))
    assert len(items.json()["items"]) == limit
    assert ProcessInstance.objects.count() == limit


def test_an_unknown_process_or_version_is_refused_as_a_single_start_is(deployed):
    for body in ({"bpmnProcessId": "not-deployed"}, {"bpmnProcessId": "one-task", "version": 9}):
        single = problem(deployed.post("process-instances", body), 404)
        found = problem(deployed.post(BATCH, {**body, "instances": [{}]}), 404)
        assert (found["type"], found["detail"]) == (single["type"], single["detail"])
    assert not ProcessInstance.objects.exists()


def test_a_batch_needs_a_token_with_processes_write(deployed, client, make_token):
    assert problem(Api(client, None).post(BATCH, batch({})), 401)
    forbidden = problem(
        Api(client, make_token("processes:read", "jobs")).post(BATCH, batch({})), 403
    )
    assert forbidden["requiredScope"] == "processes:write"
    assert Api(client, make_token("processes:write")).post(BATCH, batch({})).status_code == 201
    assert ProcessInstance.objects.count() == 1


def test_the_batch_path_is_not_taken_for_an_instance_key(deployed):
    key = deployed.start("one-task")
    response = deployed.get(BATCH)
    assert problem(response, 405)["detail"].startswith("GET is not allowed")
    assert response["Allow"] == "POST"
    assert deployed.get(f"process-instances/{key}").status_code == 200


def test_the_same_idempotency_key_and_body_start_the_batch_once(deployed):
    body = batch({"variables": {"amount": 5}}, {"variables": {"amount": 6}})
    headers = {"Idempotency-Key": "intake-2026-11-23"}
    first = deployed.post(BATCH, body, headers=headers)
    second = deployed.post(BATCH, body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert ProcessInstance.objects.count() == 2
    changed = deployed.post(BATCH, batch({"variables": {"amount": 5}}), headers=headers)
    assert problem(changed, 422)["type"] == "urn:verka:problem:idempotency-key-reused"
    # The same key on the single start is another request too.
    single = deployed.post("process-instances", {"bpmnProcessId": "one-task"}, headers=headers)
    assert problem(single, 422)["type"] == "urn:verka:problem:idempotency-key-reused"
    assert ProcessInstance.objects.count() == 2


def test_a_refused_batch_does_not_use_up_its_idempotency_key(deployed):
    headers = {"Idempotency-Key": "retry-me"}
    problem(deployed.post(BATCH, batch({}, process="later"), headers=headers), 404)
    assert not IdempotencyKey.objects.filter(key="retry-me").exists()
    deployed.deploy(("later.bpmn", bpmn.ONE_TASK.replace(b'"one-task"', b'"later"')))
    assert deployed.post(BATCH, batch({}, process="later"), headers=headers).status_code == 201


# --- the Python client against a running server ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_client_starts_a_batch_and_raises_the_problem_of_a_bad_one(live_server, make_token):
    with VerkaClient(live_server.url, make_token(), timeout=10) as verka:
        verka.deploy({"one.bpmn": bpmn.ONE_TASK})
        items = verka.start_instances(
            "one-task",
            [
                {"variables": {"amount": Decimal("0.1")}, "businessKey": "B-1"},
                {"businessKey": "B-2"},
            ],
            version=1,
            start_at="start",
            idempotency_key="client-batch",
        )
        assert [item["businessKey"] for item in items] == ["B-1", "B-2"]
        first = verka.process_instance(items[0]["processInstanceKey"])
        assert first["variables"] == {"amount": Decimal("0.1")}
        again = verka.start_instances(
            "one-task",
            [
                {"variables": {"amount": Decimal("0.1")}, "businessKey": "B-1"},
                {"businessKey": "B-2"},
            ],
            version=1,
            start_at="start",
            idempotency_key="client-batch",
        )
        assert again == items
        with pytest.raises(VerkaApiError) as error:
            verka.start_instances("one-task", [{}, {"variables": [1]}])
        assert error.value.status == 400
        assert error.value.errors[0]["field"] == "instances[1].variables"
        assert len(list(verka.process_instances())) == 2
