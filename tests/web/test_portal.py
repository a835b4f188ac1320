"""The start page, the language switch, the health endpoint and the structured logs."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import override_settings

from verka.conf.logging import JsonFormatter, RedactSecrets, redact_text

pytestmark = pytest.mark.django_db


def test_start_page_is_swedish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Hoppa till innehållet" in html
    assert "Exempelkommun" in html


def test_start_page_in_english(client):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Hoppa till innehållet" not in html


def test_language_switch_posts_and_keeps_the_page(client):
    response = client.post("/sprak/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_language_switch_needs_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/sprak/", {"language": "en", "next": "/"})
    assert response.status_code == 403


@override_settings(VERKA_SITE_NAME="Testby kommun", VERKA_SITE_LOGO="https://example.org/l.svg")
def test_site_name_and_logo_are_configurable(client):
    html = client.get("/").content.decode()
    assert "Testby kommun" in html
    assert 'src="https://example.org/l.svg"' in html


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_refuses_post(client):
    assert client.post("/health").status_code == 405


def test_unknown_page_is_404_without_traceback(client):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_requests_are_logged_as_json_with_a_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="verka.request"):
        response = client.get("/health?token=abc")
    record = next(r for r in caplog.records if r.name == "verka.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/health"
    assert line["status"] == 200
    assert line["request_id"] == response["X-Request-ID"]
    assert "abc" not in json.dumps(line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login password=hunter2 ok", "login password=[redacted] ok"),
        ('token: "a b c"', "token: [redacted]"),
        ("Authorization=Bearer", "Authorization=[redacted]"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_secrets_are_redacted_from_messages(text, expected):
    assert redact_text(text) == expected


def test_secret_fields_are_redacted_from_structured_logs():
    record = logging.makeLogRecord(
        {"msg": "calling %s", "args": ("api",), "api_key": "k-123", "headers": {"Cookie": "s=1"}}
    )
    RedactSecrets().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "calling api"
    assert line["api_key"] == "[redacted]"
    assert line["headers"] == {"Cookie": "[redacted]"}


@pytest.mark.parametrize(
    ("next_path", "language", "expected"),
    [
        ("/", "en", "/en/"),
        ("/en/", "sv", "/"),
        ("/en/konto/logga-in/", "sv", "/konto/logga-in/"),
        ("/konto/logga-in/?next=/x", "en", "/en/konto/logga-in/?next=/x"),
        ("https://evil.example/", "en", "/en/"),
        ("//evil.example/", "sv", "/"),
        ("/", "xx", "/"),
    ],
)
def test_language_switch_rewrites_the_path(client, next_path, language, expected):
    response = client.post("/sprak/", {"language": language, "next": next_path})
    assert response.status_code == 302
    assert response["Location"] == expected
