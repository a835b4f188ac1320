"""Every web endpoint answers hostile input (JSON nested 100,000 levels deep, as a body, in every
form field a view reads and in an uploaded model file) with a 400 in its own format — problem
JSON where the view is marked `answers_json`, else an HTML page — or with its ordinary answer,
and never with a 500 or a traceback in the log.

The endpoints are enumerated from the URL resolver and the field names from the views' source,
so a new endpoint or a new field is covered without touching this file. Django's admin is
Django's own and left out.
"""

from __future__ import annotations

import ast
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from verka.accounts.services import create_user
from verka.conf.inputs import answers_in

from ..accounts.helpers import log_in_with_second_factor
from ..cases.conftest import deploy, officer_requests_completion, submit

pytestmark = pytest.mark.django_db

VERKA = Path(__file__).resolve().parents[2] / "verka"
DEPTH = 100_000
DEEP_ARRAY = "[" * DEPTH + "]" * DEPTH
DEEP_OBJECT = '{"a":' * DEPTH + "1" + "}" * DEPTH
# Form fields are many; each gets a value deep enough to break any recursive parser (Python's
# limit is 1,000) while the whole form stays under Django's 2.5 MB.
FIELD_DEPTH = 3_000
DEEP_FIELD = "[" * FIELD_DEPTH + "]" * FIELD_DEPTH


def routes() -> Iterator[tuple[str, str, Any]]:
    """(route, name, view) of every URL pattern outside the admin."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry.callback

    for route, name, view in walk(get_resolver(), "", ""):
        if not route.startswith("admin/") and not route.startswith("^"):
            yield route, name, view


ROUTES = sorted({name: (route, view) for route, name, view in routes()}.items())


def field_names() -> list[str]:
    """Every string a view module reads with .get("…") or ["…"]: the fields views take."""
    names: set[str] = set()
    for path in VERKA.rglob("*.py"):
        if (
            "views" not in path.name
            and path.parent.name != "views"
            and path.name
            not in {
                "inbound.py",
                "maintenance.py",
            }
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in {"get", "getlist"} and node.args:
                    key = node.args[0]
                elif node.func.attr.endswith("_field") and len(node.args) > 1:
                    key = node.args[1]  # inputs.json_field(request.POST, "answers")
            elif isinstance(node, ast.Subscript):
                key = node.slice
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and (key.value.isidentifier() or "-" in key.value)
            ):
                names.add(key.value)
    return sorted(names)


FIELDS = field_names()


@pytest.fixture
def world(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Something behind every kind of URL parameter: an anonymous e-service with cases, a task
    for the applicant and one for staff, a Studio project, a goal with an indicator."""
    from verka.eservices.models import EService
    from verka.goals import services as goals
    from verka.goals.models import Goal, Initiative, Mission
    from verka.studio import services as studio

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VERKA_DEMO_SERVICES = True
    settings.VERKA_DEMO_IDP = True
    deploy()
    eservice = EService.objects.create(
        slug="bygglov",
        title_sv="Ansök om bygglov",
        summary_sv="Bygga nytt.",
        handling_time_sv="10 veckor",
        bpmn_process_id="case-process",
        start_form_id="case-start",
        case_prefix="BYG",
        published=True,
        allow_anonymous=True,
    )
    anna = create_user("anna", None, kind="citizen", display_name="Anna", email="a@example.se")
    root = create_user("root", None, kind="staff", display_name="Root", groups=["digitalisering"])
    root.is_superuser = True
    root.save()
    staff_case = submit(eservice, anna)
    applicant_case = submit(eservice, anna)
    applicant_task = officer_requests_completion(applicant_case)
    from ..cases.conftest import open_task

    staff_task = open_task(staff_case, "check")
    project = studio.create_project(root, "parkering", "Parkeringstillstånd")
    mission = Mission.objects.create(organisation="Exempelkommun", text_sv="Vardagen enklare.")
    goal = Goal.objects.create(mission=mission, title_sv="Snabba bygglov", process_ids=["x"])
    indicator = goals.create_indicator(
        "Antal",
        {
            "kind": "duration",
            "processes": ["x"],
            "end": {"element": "check", "event": "ELEMENT_COMPLETED"},
        },
        goal=goal,
    )
    initiative = Initiative.objects.create(
        title="Ny", hypothesis="h", change_kind="process", go_live=date(2026, 1, 1)
    )
    from verka.eservices import services as eservices

    draft = eservices.draft_for(eservice, anna, "")
    from verka.api import services as api_services
    from verka.api.models import Scope

    token = api_services.create_token("test", root, list(Scope.values)).secret
    return {
        "token": token,
        "users": {"anonymous": None, "citizen": anna, "staff": root},
        "slug": {"eservices": "bygglov", "studio": project.slug},
        "case_number": applicant_case.case_number,
        "task_key": applicant_task.key,
        "key": {"workspace:task": staff_task.key, "default": staff_case.process_instance_key},
        "name": project.files.order_by("name").filter(name__endswith=".form").first().name,
        "pk": {"goals:goal": goal.pk, "goals:initiative": initiative.pk, "default": indicator.pk},
        "draft_id": draft.pk,
        "provider": "demo",
    }


def url_for(route: str, name: str, world: dict[str, Any]) -> str:
    """The route with each parameter filled from the world (unknown ones get a value that
    matches the converter; the endpoint then answers 404, which is fine)."""
    import re

    def value(match: re.Match[str]) -> str:
        converter, parameter = (match[1] or "str"), match[2]
        found = world.get(parameter)
        if isinstance(found, dict):
            app = name.split(":")[0]
            found = found.get(name, found.get(app, found.get("default")))
        if found is not None:
            return str(found)
        return {"int": "1", "uuid": str(uuid.uuid4()), "slug": "x"}.get(converter, "x")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    return "/" + path.replace("^", "").replace("$", "")


def payloads() -> list[tuple[str, dict[str, Any]]]:
    deep_file = SimpleUploadedFile("deep.form", DEEP_OBJECT.encode(), "application/json")
    return [
        ("deep array body", {"data": DEEP_ARRAY, "content_type": "application/json"}),
        ("deep object body", {"data": DEEP_OBJECT, "content_type": "application/json"}),
        (
            "deep text in every key",
            {
                "data": json.dumps(dict.fromkeys(FIELDS, DEEP_FIELD)),
                "content_type": "application/json",
            },
        ),
        (
            "deep json in every form field and file",
            {"data": {**dict.fromkeys(FIELDS, DEEP_FIELD), "file": deep_file}},
        ),
    ]


def problems_with(response: Any, answers: str, caplog: Any) -> list[str]:
    found = []
    # 502-504 say an upstream (an identity provider) is unreachable: right, not a crash.
    if response.status_code == 500 or response.status_code > 504:
        found.append(f"status {response.status_code}")
    tracebacks = [r for r in caplog.records if r.exc_info]
    if tracebacks:
        found.append(f"traceback logged by {tracebacks[0].name}: {tracebacks[0].getMessage()}")
    if response.status_code == 400:
        content_type = response.get("Content-Type", "")
        if answers == "json" and "json" not in content_type:
            found.append(f"400 as {content_type} from a JSON endpoint")
        if answers == "html" and (
            "text/html" not in content_type or b"<html" not in response.content
        ):
            found.append(f"400 as {content_type} without a page from an HTML endpoint")
    return found


@pytest.mark.parametrize(
    ("name", "route"), [(n, r) for n, (r, _v) in ROUTES], ids=[n for n, _ in ROUTES]
)
def test_every_endpoint_answers_hostile_input_without_a_500(name, route, world, caplog):
    caplog.set_level(logging.WARNING)
    url = url_for(route, name, world)
    view = dict(ROUTES)[name][1]
    failures = []
    for who, user in world["users"].items():
        client = Client(raise_request_exception=False)
        if user is not None:
            log_in_with_second_factor(client, user)
        if who == "staff":
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world['token']}"
        for label, payload in payloads():
            caplog.clear()
            response = client.post(url, **payload)
            answers = "json" if url.startswith("/api/") else getattr(view, "verka_answers", "html")
            failures += [f"{who}, {label}: {p}" for p in problems_with(response, answers, caplog)]
    assert not failures, f"POST {url}:\n" + "\n".join(failures)


def test_the_mark_is_what_the_middleware_answers_by(rf):
    from verka.eservices import views

    request = rf.post("/e-tjanster/x/ansok/spara/")
    assert answers_in(request, views.autosave) == "json"
    assert answers_in(request, views.apply) == "html"
    assert answers_in(rf.post("/api/v1/deployments")) == "json"


def test_the_field_names_are_found():
    assert {"answers", "step", "content", "definition", "field"} <= set(FIELDS)


# --- the endpoints the finding named: exactly a 400, in their own format --------------------


@pytest.fixture
def staff_client(world):  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    log_in_with_second_factor(client, world["users"]["staff"])
    return client


@pytest.fixture
def citizen_client(world):  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    log_in_with_second_factor(client, world["users"]["citizen"])
    return client


def assert_json_400(response: Any, caplog: Any) -> None:
    assert response.status_code == 400, response.content[:300]
    assert "json" in response["Content-Type"]
    assert not [r for r in caplog.records if r.exc_info]


def assert_html_400(response: Any, caplog: Any) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html") and b"<html" in response.content
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("deep", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_on_autosave_and_apply_is_a_400(world, caplog, deep):
    client = Client(raise_request_exception=False)
    assert_json_400(
        client.post("/e-tjanster/bygglov/ansok/spara/", deep, content_type="application/json"),
        caplog,
    )
    nested = '{"data": ' + DEEP_FIELD + "}"  # deep, yet small enough to be read
    answer = client.post("/e-tjanster/bygglov/ansok/spara/", nested, "application/json")
    assert_json_400(answer, caplog)
    assert "64" in answer.json()["title"]
    page = client.post("/e-tjanster/bygglov/ansok/", {"answers": deep, "step": "0"})
    assert_html_400(page, caplog)
    assert "answers" in page.content.decode()


@pytest.mark.parametrize("deep", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_on_the_task_pages_is_a_400(world, citizen_client, staff_client, caplog, deep):
    citizen_task = f"/mina-sidor/uppgift/{world['task_key']}/"
    assert_html_400(citizen_client.post(citizen_task, {"answers": deep}), caplog)
    staff_task = f"/handlaggning/uppgifter/{world['key']['workspace:task']}/"
    assert_html_400(staff_client.post(staff_task, {"answers": deep}), caplog)
    assert_html_400(staff_client.post(staff_task, {"answers": deep, "action": "draft"}), caplog)


def test_a_deep_form_file_in_the_studio_and_through_the_api_is_a_400(world, staff_client, caplog):
    project = world["slug"]["studio"]
    name = world["name"]
    saved = staff_client.post(
        f"/studio/{project}/filer/{name}/spara/",
        json.dumps({"content": DEEP_OBJECT, "sha": ""}),
        content_type="application/json",
    )
    assert_json_400(saved, caplog)
    assert "nivåer" in saved.json()["error"]
    checked = staff_client.post(
        f"/studio/{project}/kontroll/", DEEP_ARRAY, content_type="application/json"
    )
    assert_json_400(checked, caplog)
    uploaded = staff_client.post(
        f"/studio/{project}/filer/ladda-upp/",
        {"file": SimpleUploadedFile("djup.form", DEEP_OBJECT.encode())},
    )
    assert_html_400(uploaded, caplog)
    deployed = Client(raise_request_exception=False).post(
        "/api/v1/deployments",
        {"resources": [SimpleUploadedFile("deep.form", DEEP_OBJECT.encode())]},
        HTTP_AUTHORIZATION=f"Bearer {world['token']}",
    )
    assert_json_400(deployed, caplog)
    assert "nests more deeply" in deployed.content.decode()


def test_a_broken_multipart_body_is_a_400_in_the_endpoints_format(world, caplog):
    client = Client(raise_request_exception=False)
    broken = b'--b\r\nContent-Disposition: form-data; name="x"\r\n' + b"y" * 5000
    content_type = "multipart/form-data; boundary=b"
    upload = client.post("/e-tjanster/bygglov/ansok/bilaga/", broken, content_type=content_type)
    assert_json_400(upload, caplog)
    page = client.post("/e-tjanster/bygglov/ansok/", broken, content_type=content_type)
    assert_html_400(page, caplog)


def test_a_form_body_django_refuses_to_read_is_answered_in_the_endpoints_format(world, caplog):
    client = Client(raise_request_exception=False)
    too_big = "answers=" + "x" * (3 * 1024 * 1024)
    form = "application/x-www-form-urlencoded"
    upload = client.post("/e-tjanster/bygglov/ansok/bilaga/", too_big, content_type=form)
    assert upload.status_code == 413 and upload["Content-Type"] == "application/problem+json"
    page = client.post("/e-tjanster/bygglov/ansok/", too_big, content_type=form)
    assert page.status_code == 413 and b"<html" in page.content
    many = "&".join(f"f{i}=1" for i in range(2000))
    assert_json_400(
        client.post("/e-tjanster/bygglov/ansok/spara/", many, content_type=form), caplog
    )
    assert_html_400(client.post("/e-tjanster/bygglov/ansok/", many, content_type=form), caplog)
    assert not [r for r in caplog.records if r.exc_info]
