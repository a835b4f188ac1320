"""Every error is RFC 7807 problem JSON that names the field and changes nothing; the
documentation and the OpenAPI document are served without any network."""

from __future__ import annotations

import json

import pytest

from verka.processes.models import ProcessInstance

from . import bpmn
from .conftest import fields, problem

pytestmark = pytest.mark.django_db


def test_unknown_api_paths_are_404_problems(api):
    for path in ["/api/", "/api/v2/instances", "/api/v1/nope", "/api/v1/process-instances/1/x"]:
        body = problem(api.client.get(path, headers=api.headers()), 404)
        assert body["instance"] == path


def test_the_version_root_says_where_the_description_is(client):
    assert client.get("/api/v1/").json() == {
        "title": "Verka API",
        "version": "1",
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/docs",
    }
    problem(client.post("/api/v1/"), 405)


def test_a_wrong_method_is_a_405_problem_with_allow(api):
    response = api.call("DELETE", "process-instances")
    assert problem(response, 405)["detail"].startswith("DELETE is not allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


# (body, expected field → code)
BAD_START_BODIES = [
    ({}, {"bpmnProcessId": "required"}),
    ({"bpmnProcessId": 7}, {"bpmnProcessId": "wrong_type"}),
    ({"bpmnProcessId": ""}, {"bpmnProcessId": "too_short"}),
    ({"bpmnProcessId": "p", "version": "1"}, {"version": "wrong_type"}),
    ({"bpmnProcessId": "p", "version": 1.5}, {"version": "wrong_type"}),
    ({"bpmnProcessId": "p", "version": 0}, {"version": "out_of_range"}),
    ({"bpmnProcessId": "p", "variables": []}, {"variables": "wrong_type"}),
    ({"bpmnProcessId": "p", "variables": "x"}, {"variables": "wrong_type"}),
    ({"bpmnProcessId": "p", "businessKey": "k" * 101}, {"businessKey": "too_long"}),
    ({"bpmnProcessId": "p", "colour": "red"}, {"colour": "unknown_field"}),
    ({"bpmnProcessId": "p", "variables": {"": 1}}, {"variables.": "invalid_name"}),
    ({"bpmnProcessId": "a\x00b"}, {"bpmnProcessId": "invalid_format"}),
]


@pytest.mark.parametrize(("body", "expected"), BAD_START_BODIES)
def test_bad_start_bodies_name_the_field_and_start_nothing(api, body, expected):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    response = api.post("process-instances", body)
    found = problem(response, 400)
    assert found["type"] == "urn:verka:problem:validation"
    assert fields(found) == expected
    assert ProcessInstance.objects.count() == 0


def test_deeply_nested_variables_name_the_path(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    value: object = 1
    for _ in range(70):
        value = {"a": value}
    body = problem(
        api.post("process-instances", {"bpmnProcessId": "one-task", "variables": {"v": value}}), 400
    )
    assert fields(body) == {"variables.v" + ".a" * 64: "too_deep"}
    too_deep_for_json = "[" * 100_000 + "]" * 100_000
    problem(
        api.post("process-instances", raw=f'{{"variables": {{"v": {too_deep_for_json}}}}}'), 400
    )
    assert ProcessInstance.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('"text"', "JSON object"),
        ('{"bpmnProcessId": "p", "variables": {"x": NaN}}', "not a JSON number"),
        ('{"bpmnProcessId": "p", "variables": {"x": Infinity}}', "not a JSON number"),
        ("\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_json_is_a_400_problem(api, raw, detail):
    body = problem(api.post("process-instances", raw=raw), 400)
    assert body["type"] == "urn:verka:problem:malformed-body"
    assert detail in body["detail"]


def test_a_huge_body_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"bpmnProcessId": "p", "variables": {"blob": "x" * 20_000}}
    assert (
        problem(api.post("process-instances", body), 413)["type"] == "urn:verka:problem:too-large"
    )


def test_engine_rejections_are_409_with_the_reason(api):
    api.deploy(("one.bpmn", bpmn.ONE_TASK))
    key = api.start("one-task")
    assert api.post(f"process-instances/{key}/cancellation").status_code == 204
    body = problem(api.post(f"process-instances/{key}/cancellation"), 409)
    assert body["type"] == "urn:verka:problem:rejected"
    assert body["detail"]


def test_unexpected_errors_are_500_without_internals(api, monkeypatch, caplog):
    from verka.processes import services

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "start_instance", explode)
    response = api.post("process-instances", {"bpmnProcessId": "p"})
    body = problem(response, 500)
    assert "secret" not in response.content.decode()
    assert body["type"] == "urn:verka:problem:internal"
    assert any("API request failed" in record.message for record in caplog.records)


def test_path_keys_out_of_range_are_field_errors(api):
    for path, code in [
        ("process-instances/abc", "wrong_type"),
        (f"process-instances/{2**64}", "out_of_range"),
        ("jobs/-1/completion", "out_of_range"),
    ]:
        method = "POST" if path.endswith("completion") else "GET"
        assert fields(problem(api.call(method, path, {}), 400)) == {"key": code}


def test_nul_characters_never_reach_the_database(api):
    # PostgreSQL refuses NUL in text; the API refuses it first, with the field named.
    assert fields(problem(api.get("process-definitions/a%00b"), 400)) == {
        "bpmnProcessId": "invalid_format"
    }
    assert fields(problem(api.get("process-instances", businessKey="a\x00b"), 400)) == {
        "businessKey": "invalid_format"
    }


def test_query_filters_are_checked(api):
    assert fields(problem(api.get("process-instances", status="RUNNING"), 400)) == {
        "status": "invalid_choice"
    }
    assert fields(problem(api.get("process-instances", limit=0), 400)) == {"limit": "out_of_range"}
    assert fields(problem(api.get("user-tasks", processInstanceKey="x"), 400)) == {
        "processInstanceKey": "wrong_type"
    }


def no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), keys  # YAML parsers (Swagger UI) refuse duplicates
    return dict(pairs)


def test_the_openapi_document_describes_every_endpoint_and_its_problems(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=no_duplicate_keys)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/api/v1/jobs/activation" in paths and "/api/v1/deployments" in paths
    start = paths["/api/v1/process-instances"]["post"]
    assert set(start["responses"]) >= {"201", "400", "401", "403", "404", "409", "422", "500"}
    assert "application/problem+json" in start["responses"]["400"]["content"]
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert "multipart/form-data" in paths["/api/v1/deployments"]["post"]["requestBody"]["content"]
    xml = paths["/api/v1/process-definitions/{bpmnProcessId}/xml"]["get"]["responses"]["200"]
    assert list(xml["content"]) == ["application/xml"]


def test_the_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://" not in html and "https://" not in html and "cdn" not in html.lower()
    settings = json.loads(html.split('id="swagger-settings">')[1].split("</script>")[0])
    assert settings["url"] == "/api/v1/openapi.json"
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"]:
        assert f"/api/docs/assets/{asset}" in html
        response = client.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)
    problem(client.get("/api/docs/assets/..%2Fsettings.py"), 404)
    problem(client.get("/api/docs/assets/nope.js"), 404)
