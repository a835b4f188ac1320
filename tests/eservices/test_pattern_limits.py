"""An anonymous start form with a backtracking pattern: a hostile value gets a quick, translated
field error, and the configured limit is the one the engine uses."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings

from verka.eservices.models import Category, EService
from verka.processes import services as processes

from ..processes import models as m

pytestmark = pytest.mark.django_db

CATASTROPHIC = "^(a|aa)+$"
FORM = {
    "id": "name-form",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {
            "id": "nameField",
            "key": "name",
            "type": "textfield",
            "label": "Namn",
            "validate": {"required": True, "pattern": CATASTROPHIC},
        }
    ],
}
PROCESS = m.bpmn(
    '<bpmn:startEvent id="start"><bpmn:extensionElements>'
    '<zeebe:formDefinition formId="name-form"/></bpmn:extensionElements></bpmn:startEvent>'
    '<bpmn:endEvent id="end"/>' + m.flow("f1", "start", "end"),
    process_id="names",
)


@pytest.fixture
def anonymous_eservice(db):  # type: ignore[no-untyped-def]
    processes.deploy([("names.bpmn", PROCESS), ("names.form", json.dumps(FORM).encode())])
    category = Category.objects.create(slug="ovrigt", name_sv="Övrigt", name_en="Other")
    return EService.objects.create(
        slug="namn",
        category=category,
        title_sv="Anmäl namn",
        title_en="Report a name",
        bpmn_process_id="names",
        start_form_id="name-form",
        case_prefix="NAM",
        published=True,
        allow_anonymous=True,
    )


def test_the_engine_uses_the_configured_limits() -> None:
    from verka.engine import feel

    limits = feel.default_limits()
    assert limits.regex_seconds == settings.VERKA_REGEX_TIMEOUT_MS / 1000
    assert limits.steps == settings.VERKA_FEEL_MAX_STEPS


def test_a_hostile_value_gets_a_quick_translated_error(client, anonymous_eservice):  # type: ignore[no-untyped-def]
    assert client.get("/e-tjanster/namn/ansok/").status_code == 200
    started = time.perf_counter()
    response = client.post(
        "/e-tjanster/namn/ansok/",
        {"step": 0, "answers": json.dumps({"name": "a" * 40 + "!"}), "action": "next"},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert "Värdet kunde inte kontrolleras mot fältets format i tid" in response.content.decode()
    # Python's re took minutes on this value, holding every other thread of the process.
    assert elapsed < 5
    fine = client.post(
        "/e-tjanster/namn/ansok/",
        {"step": 0, "answers": json.dumps({"name": "aaa"}), "action": "next"},
    )
    assert fine.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_health_answers_while_a_pattern_is_being_matched(live_server, anonymous_eservice):  # type: ignore[no-untyped-def]
    import re
    import threading

    import httpx

    from verka.engine import feel

    # A generous budget, so that the hostile request is still matching while /health is asked.
    previous = feel.set_default_limits(feel.Limits(regex_seconds=3))
    try:
        citizen = httpx.Client(base_url=live_server.url, timeout=60)
        page = citizen.get("/e-tjanster/namn/ansok/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        answered: dict[str, object] = {}

        def hostile() -> None:
            started = time.perf_counter()
            answered["response"] = citizen.post(
                "/e-tjanster/namn/ansok/",
                data={
                    "csrfmiddlewaretoken": token[1],
                    "step": "0",
                    "answers": json.dumps({"name": "a" * 40 + "!"}),
                    "action": "next",
                },
                headers={"Referer": live_server.url + "/e-tjanster/namn/ansok/"},
            )
            answered["seconds"] = time.perf_counter() - started

        thread = threading.Thread(target=hostile)
        thread.start()
        time.sleep(0.5)
        monitor = httpx.Client(base_url=live_server.url, timeout=60)
        latencies = []
        for _ in range(5):
            started = time.perf_counter()
            assert monitor.get("/health").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)
        still_matching = thread.is_alive()
        thread.join()
    finally:
        feel.set_default_limits(previous)
    # Python's re held the interpreter lock for the whole match: /health waited until it ended.
    assert still_matching
    seconds = answered["seconds"]
    assert isinstance(seconds, float)
    assert max(latencies) < min(1.0, seconds / 3)
    response = answered["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 400
    assert "Värdet kunde inte kontrolleras" in response.text
