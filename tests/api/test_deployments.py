"""POST /deployments and the process definition reads: all or nothing, hostile files refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from verka.processes.models import Deployment, ProcessDefinition

from . import bpmn
from .conftest import fields, problem

pytestmark = pytest.mark.django_db

FORM = b'{"id": "review-form", "type": "default", "components": []}'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="lol" isExecutable="true" name="&lol4;"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="xxe" isExecutable="true" name="&secret;"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""


def test_deploying_bpmn_and_form_together_returns_ids_and_versions(api):
    body = api.deploy(("one.bpmn", bpmn.ONE_TASK), ("review.form", FORM))
    assert body["deploymentKey"]
    assert body["resources"] == [
        {"name": "one.bpmn", "kind": "bpmn", "definitions": [{"id": "one-task", "version": 1}]},
        {
            "name": "review.form",
            "kind": "form",
            "definitions": [{"id": "review-form", "version": 1}],
        },
    ]
    again = api.deploy(("one.bpmn", bpmn.ONE_TASK))
    assert again["resources"][0]["definitions"] == [{"id": "one-task", "version": 1}]
    assert Deployment.objects.get(pk=body["deploymentKey"]).created_by.username == "integrator"


def test_a_pattern_that_can_backtrack_deploys_with_a_warning_naming_where(api):
    script = (
        '<bpmn:scriptTask id="check-name"><bpmn:extensionElements>'
        '<zeebe:script expression="=matches(name, &quot;^([A-Za-z]+\\s?)*$&quot;)" '
        'resultVariable="ok"/></bpmn:extensionElements></bpmn:scriptTask>'
    )
    model = bpmn.bpmn(
        "names",
        '<bpmn:startEvent id="start"/>'
        + script
        + '<bpmn:endEvent id="end"/>'
        + bpmn.flow("f1", "start", "check-name")
        + bpmn.flow("f2", "check-name", "end"),
    )
    form = (
        b'{"id": "name-form", "type": "default", "components": [{"id": "f", "key": "name",'
        b' "type": "textfield", "label": "Namn", "validate": {"pattern": "^(a+)+$"}}]}'
    )
    body = api.deploy(("names.bpmn", model), ("name.form", form), ("review.form", FORM))
    assert [r["definitions"][0]["id"] for r in body["resources"]] == [
        "names",
        "name-form",
        "review-form",
    ]
    warnings = {(w["file"], w["elementId"], w["rule"]) for w in body["warnings"]}
    assert warnings == {
        ("names.bpmn", "check-name", "verka/regex-backtracking"),
        ("name.form", "f", "verka/regex-backtracking"),
    }
    assert all("backtrack catastrophically" in w["message"] for w in body["warnings"])


def test_an_invalid_file_deploys_nothing_and_names_file_and_element(api):
    broken = bpmn.ONE_TASK.replace(b'targetRef="end"', b'targetRef="nowhere"')
    response = api.upload(("ok.bpmn", bpmn.USER_TASK), ("broken.bpmn", broken))
    body = problem(response, 400)
    assert body["type"] == "urn:verka:problem:deployment"
    assert any("broken.bpmn:" in line and "nowhere" in line for line in body["problems"])
    assert ProcessDefinition.objects.count() == 0


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("notes.txt", b"hello")], {"resources[0]": "unknown_type"}),
        ([("latin.bpmn", "<x>åäö</x>".encode("latin-1"))], {"resources[0]": "not_utf8"}),
        ([("a.bpmn", bpmn.ONE_TASK), ("a.bpmn", bpmn.ONE_TASK)], {"resources[1]": "duplicate"}),
        ([], {"resources": "required"}),
    ],
)
def test_unacceptable_files_are_field_errors(api, files, expected):
    body = problem(api.upload(*files), 400)
    assert fields(body) == expected
    assert ProcessDefinition.objects.count() == 0


def test_a_path_in_a_file_name_is_dropped(api):
    body = api.deploy(("../../etc/x.bpmn", bpmn.ONE_TASK))
    assert body["resources"][0]["name"] == "x.bpmn"


@pytest.mark.parametrize("content", [BILLION_LAUGHS, XXE, b"<bpmn:definitions", b"\x00\x01binary"])
def test_hostile_and_broken_xml_is_refused(api, content):
    body = problem(api.upload(("evil.bpmn", content)), 400)
    assert "root:" not in str(body)  # no file contents leak
    assert ProcessDefinition.objects.count() == 0


def test_size_and_count_limits(api, settings):
    settings.VERKA_API_MAX_RESOURCE_BYTES = 1000
    body = problem(api.upload(("big.bpmn", bpmn.ONE_TASK + b" " * 2000)), 400)
    assert fields(body) == {"resources[0]": "too_large"}
    settings.VERKA_API_MAX_RESOURCE_BYTES = 100_000
    settings.VERKA_API_MAX_RESOURCES = 2
    many = [(f"f{i}.bpmn", bpmn.ONE_TASK) for i in range(3)]
    assert fields(problem(api.upload(*many), 400))["resources"] == "too_many"
    settings.VERKA_API_MAX_RESOURCE_BYTES = 10
    settings.VERKA_API_MAX_RESOURCES = 1
    huge = problem(api.upload(("huge.bpmn", b"x" * 2_000_000)), 413)
    assert huge["type"] == "urn:verka:problem:too-large"
    assert ProcessDefinition.objects.count() == 0


def test_wrong_content_types_and_malformed_multipart(api):
    as_json = api.post("deployments", {"resources": []})
    assert problem(as_json, 415)["type"] == "urn:verka:problem:unsupported-media-type"
    broken = api.client.generic(
        "POST",
        "/api/v1/deployments",
        b'--xyz\r\nContent-Disposition: form-data; name="resources"; filename="a.bpmn"\r\n\r\n<x',
        content_type="multipart/form-data; boundary=xyz",
        headers=api.headers(),
    )
    assert broken.status_code == 400, broken.content
    problem(broken, 400)
    no_boundary = api.client.generic(
        "POST",
        "/api/v1/deployments",
        b"abc",
        content_type="multipart/form-data",
        headers=api.headers(),
    )
    problem(no_boundary, 400)
    unknown_field = api.client.post(
        "/api/v1/deployments",
        {"resources": [SimpleUploadedFile("one.bpmn", bpmn.ONE_TASK)], "force": "yes"},
        headers=api.headers(),
    )
    assert fields(problem(unknown_field, 400)) == {"force": "unknown_field"}
    assert ProcessDefinition.objects.count() == 0


def test_deployments_accept_an_idempotency_key(api):
    headers = {"Idempotency-Key": "deploy-1"}
    first = api.upload(("one.bpmn", bpmn.ONE_TASK), headers=headers)
    repeat = api.upload(("one.bpmn", bpmn.ONE_TASK), headers=headers)
    assert first.status_code == repeat.status_code == 201
    assert repeat.json() == first.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert Deployment.objects.count() == 1
    other = api.upload(("two.bpmn", bpmn.USER_TASK), headers=headers)
    problem(other, 422)


def test_process_definitions_list_get_and_xml(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    api.deploy(
        ("one.bpmn", bpmn.ONE_TASK.replace(b'id="end"', b'id="done"').replace(b'"end"', b'"done"'))
    )
    api.deploy(("review.bpmn", bpmn.USER_TASK))
    listed = api.get("process-definitions").json()
    assert [(d["bpmnProcessId"], d["version"]) for d in listed["items"]] == [
        ("one-task", 1),
        ("one-task", 2),
        ("review", 1),
    ]
    assert listed["next"] is None
    only = api.get("process-definitions", bpmnProcessId="review").json()["items"]
    assert [d["resourceName"] for d in only] == ["review.bpmn"]
    latest = api.get("process-definitions/one-task").json()
    assert latest["version"] == 2
    by_key = api.get(f"process-definitions/{listed['items'][0]['processDefinitionKey']}").json()
    assert (by_key["bpmnProcessId"], by_key["version"]) == ("one-task", 1)
    problem(api.get("process-definitions/99999999999999999999999"), 404)
    assert api.get("process-definitions/one-task", version=1).json()["version"] == 1
    xml = api.get("process-definitions/one-task/xml", version=1)
    assert xml["Content-Type"].startswith("application/xml")
    assert xml.content == bpmn.ONE_TASK
    problem(api.get("process-definitions/one-task", version=3), 404)
    problem(api.get("process-definitions/nope/xml"), 404)
