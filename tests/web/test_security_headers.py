"""The security headers of every response: the content security policy with its nonce, the
permissions policy, HSTS and the proxy settings from the environment, and no-store caching."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from verka.accounts.services import create_user

from ..accounts.helpers import log_in_with_second_factor
from ..eservices.conftest import permit_eservice  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The Content-Security-Policy header as directive -> sources."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def nonce_of(directives: dict[str, list[str]]) -> str:
    nonces = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1, directives["script-src"]
    return nonces[0][len("'nonce-") : -1]


def assert_scripts_carry_the_nonce(response) -> int:  # type: ignore[no-untyped-def]
    """Every executable <script> in the page has the nonce of the response's policy."""
    html = response.content.decode()
    scripts = [
        attrs for attrs in SCRIPT_TAG.findall(html) if 'type="application/json"' not in attrs
    ]
    assert scripts, "the page was expected to load scripts"
    nonce = nonce_of(policy(response))
    for attrs in scripts:
        assert f'nonce="{nonce}"' in attrs, f"<script{attrs}> lacks the page's nonce"
    return len(scripts)


@pytest.fixture
def anna(client):  # type: ignore[no-untyped-def]
    user = create_user("anna", "pw-anna-123", kind="citizen", display_name="Anna Andersson")
    client.force_login(user)
    return user


# --- Content-Security-Policy ---------------------------------------------------------------------


def test_a_page_has_a_strict_nonce_based_content_security_policy(client):
    directives = policy(client.get("/"))
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"][0] == "'self'"
    assert directives["connect-src"] == ["'self'"]
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives.get(directive, [])
        assert "'unsafe-eval'" not in directives.get(directive, [])
    assert "style-src-attr" not in directives
    # The start page has no scripts: no nonce is handed out, so no script may run at all.
    assert directives["script-src"] == ["'strict-dynamic'"]


def test_each_response_gets_its_own_nonce_and_every_script_carries_it(client, anna):
    first = client.get("/api/docs")
    second = client.get("/api/docs")
    assert assert_scripts_carry_the_nonce(first) == 2
    assert nonce_of(policy(first)) != nonce_of(policy(second))
    assert len(nonce_of(policy(first))) >= 22  # 128 random bits, base64


def test_the_apply_page_loads_form_js_under_the_nonce(client, anna, permit_eservice):  # noqa: F811
    response = client.get("/e-tjanster/bygglov/ansok/")
    assert response.status_code == 200
    assert assert_scripts_carry_the_nonce(response) >= 3
    assert "'strict-dynamic'" in policy(response)["script-src"]


def test_the_review_page_has_no_inline_script_but_its_own_file(client, anna, permit_eservice):  # noqa: F811
    client.post(
        "/e-tjanster/bygglov/ansok/",
        {"step": "0", "answers": json.dumps({"property": "Ek 1:2", "area": 12}), "action": "next"},
    )
    client.post(
        "/e-tjanster/bygglov/ansok/",
        {"step": "1", "answers": json.dumps({"description": "Ett uterum"}), "action": "review"},
    )
    response = client.get("/e-tjanster/bygglov/ansok/granska/")
    assert response.status_code == 200
    assert_scripts_carry_the_nonce(response)
    assert "/static/verka/submit-once.js" in response.content.decode()


def test_the_studio_editor_loads_its_bundle_under_the_nonce():
    from verka.studio import services as studio

    operator = create_user("dora", "pw-dora-123", kind="staff", groups=["digitalisering"])
    project = studio.create_project(operator, "parkering", "Parkeringstillstånd")
    staff = log_in_with_second_factor(Client(), operator)
    files = [file for file in project.files.all() if file.kind in {"bpmn", "dmn", "form"}]
    assert {file.kind for file in files} >= {"bpmn", "form"}
    for file in files:
        response = staff.get(f"/studio/{project.slug}/filer/{file.name}/")
        assert response.status_code == 200
        assert_scripts_carry_the_nonce(response)
        directives = policy(response)
        # The editors' runtime style sheets (CodeMirror, findings) take the nonce from the page.
        assert f"'nonce-{nonce_of(directives)}'" in directives["style-src"]
        assert "'unsafe-inline'" not in directives["style-src"]
        # Their markup's style attributes are let through here, and only here.
        assert directives["style-src-attr"] == ["'unsafe-inline'"]


def test_no_template_has_inline_code_or_inline_styles():
    """Inline event handlers, style attributes and script or style blocks without the nonce
    would be refused by the policy: none may be written into a template."""
    offences = []
    for template in sorted((ROOT / "verka").rglob("templates/**/*.html")):
        text = template.read_text()
        name = template.relative_to(ROOT)
        for match in re.finditer(r"\son[a-z]+\s*=", text):
            offences.append(f"{name}: event handler {match.group().strip()}")
        if re.search(r"\sstyle\s*=", text):
            offences.append(f"{name}: style attribute")
        if "javascript:" in text.lower():
            offences.append(f"{name}: javascript: URL")
        for attrs in SCRIPT_TAG.findall(text):
            if 'type="application/json"' in attrs:
                continue
            if "src=" not in attrs or "nonce=" not in attrs:
                offences.append(f"{name}: <script{attrs}> without src and nonce")
        for attrs in re.findall(r"<style\b([^>]*)>", text):
            if "nonce=" not in attrs:
                offences.append(f"{name}: <style{attrs}> without nonce")
    assert offences == []


def test_the_admin_runs_its_own_scripts_but_nothing_inline(client):
    directives = policy(client.get("/admin/login/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]


def test_form_action_allows_the_identity_providers_the_login_forms_redirect_to(client, settings):
    settings.VERKA_OIDC_PROVIDERS = [
        {"name": "eid", "issuer": "https://idp.example.se/realms/medborgare", "client_id": "v"},
        {"name": "ad", "issuer": "https://login.example.org/tenant/v2.0", "client_id": "v"},
    ]
    settings.VERKA_CSP_FORM_ACTION = ["https://broker.example.net"]
    directives = policy(client.get("/konto/logga-in/"))
    assert directives["form-action"] == [
        "'self'",
        "https://idp.example.se",
        "https://login.example.org",
        "https://broker.example.net",
    ]


def test_violation_reports_are_logged_briefly_and_limited(client, caplog):
    cache.clear()
    report = {
        "csp-report": {
            "document-uri": "https://verka.example.se/mina-sidor/arende/BYG-1/?pnr=191212121212",
            "violated-directive": "script-src-elem",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://evil.example.com/x.js?session=abc",
            "source-file": "https://verka.example.se/static/app.js",
            "line-number": 3,
        }
    }
    with caplog.at_level(logging.WARNING, logger="verka.security"):
        response = client.post(
            "/csp-rapport", json.dumps(report), content_type="application/csp-report"
        )
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.getMessage() == "csp violation"]
    assert record.directive == "script-src-elem"
    assert record.blocked == "https://evil.example.com"
    assert record.page == "/mina-sidor/arende/BYG-1/"
    text = json.dumps(record.__dict__, default=str)
    assert "191212121212" not in text and "session=abc" not in text

    too_big = client.post("/csp-rapport", "x" * 20_000, content_type="application/csp-report")
    assert too_big.status_code == 413
    assert client.post("/csp-rapport", "{", content_type="application/json").status_code == 400
    statuses = {
        client.post(
            "/csp-rapport", json.dumps(report), content_type="application/csp-report"
        ).status_code
        for _ in range(60)
    }
    assert 429 in statuses


# --- Permissions-Policy --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/health", "/api/v1/finns-inte", "/finns-inte/"])
def test_every_response_has_a_permissions_policy(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    header = response.headers.get("Permissions-Policy", "")
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    # The fault report's location is typed, not read from the device.
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features.get(feature) == "()", header


# --- HSTS and HTTPS behind a proxy ---------------------------------------------------------------


def test_no_hsts_unless_configured(client):
    assert "Strict-Transport-Security" not in client.get("/", secure=True).headers


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_hsts_is_sent_over_https_seen_through_the_proxy_header(client):
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


def settings_from(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({k: getattr(settings, k) for k in ("
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD',"
        "'SECURE_PROXY_SSL_HEADER', 'SECURE_SSL_REDIRECT', 'USE_X_FORWARDED_HOST',"
        "'SECURE_REDIRECT_EXEMPT')}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VERKA_") and key != "DATABASE_URL"
    }
    env |= {"DJANGO_SETTINGS_MODULE": "verka.conf.settings", "VERKA_SECRET_KEY": "x" * 50}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env | environ,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_https_settings_come_from_the_environment():
    defaults = json.loads(settings_from({}).stdout)
    assert defaults["SECURE_HSTS_SECONDS"] == 0
    assert defaults["SECURE_PROXY_SSL_HEADER"] is None
    assert defaults["SECURE_SSL_REDIRECT"] is False
    assert defaults["USE_X_FORWARDED_HOST"] is False

    done = settings_from(
        {
            "VERKA_HSTS_SECONDS": "31536000",
            "VERKA_HSTS_INCLUDE_SUBDOMAINS": "true",
            "VERKA_HSTS_PRELOAD": "true",
            "VERKA_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
            "VERKA_SSL_REDIRECT": "true",
            "VERKA_USE_X_FORWARDED_HOST": "true",
        }
    )
    configured = json.loads(done.stdout)
    assert configured["SECURE_HSTS_SECONDS"] == 31536000
    assert configured["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert configured["SECURE_HSTS_PRELOAD"] is True
    assert configured["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert configured["SECURE_SSL_REDIRECT"] is True
    assert configured["USE_X_FORWARDED_HOST"] is True
    # The health check of a load balancer speaks plain HTTP to the server itself.
    assert configured["SECURE_REDIRECT_EXEMPT"] == ["^health$"]


@pytest.mark.parametrize(
    "variable, value",
    [
        ("VERKA_SECURE_PROXY_SSL_HEADER", "https"),
        ("VERKA_HSTS_SECONDS", "a year"),
        ("VERKA_HSTS_SECONDS", "-1"),
    ],
)
def test_a_wrong_https_variable_stops_the_start_naming_it(variable, value):
    done = settings_from({variable: value})
    assert done.returncode != 0
    assert variable in done.stderr


# --- Cache-Control -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/mina-sidor/", "/mina-sidor/utkast/", "/e-tjanster/"])
def test_pages_for_a_signed_in_person_are_never_stored(client, anna, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_draft_is_never_stored(client, anna, permit_eservice):  # noqa: F811
    response = client.get("/e-tjanster/bygglov/ansok/")
    assert "no-store" in response["Cache-Control"]


def test_api_answers_are_never_stored(client):
    response = client.get("/api/v1/process-definitions", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_pages_and_redirects_of_anonymous_visitors_are_not_stored_either(client):
    # Any page may greet a signed-in person by name; nothing rendered by a view is stored
    # unless the view says so.
    assert "no-store" in client.get("/").headers["Cache-Control"]
    assert "no-store" in client.get("/mina-sidor/").headers["Cache-Control"]


def test_static_files_and_the_api_docs_assets_stay_cacheable(client, anna):
    asset = client.get("/api/docs/assets/swagger-ui.css")
    assert asset["Cache-Control"] == "public, max-age=86400"
    static = client.get("/static/verka/verka.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_reporting_api_batches_are_logged_too(client, caplog):
    cache.clear()
    batch = [
        {
            "type": "csp-violation",
            "url": "https://verka.example.se/studio/p/filer/p.form/",
            "body": {
                "documentURL": "https://verka.example.se/studio/p/filer/p.form/#x",
                "effectiveDirective": "style-src-elem",
                "blockedURL": "inline",
                "sourceFile": "https://verka.example.se/static/studio/build/studio.js?v=1",
                "lineNumber": 403,
                "sample": "Anna Andersson 19121212-1212",
                "disposition": "enforce",
            },
        },
        {"type": "deprecation", "body": {"id": "x"}},
    ]
    with caplog.at_level(logging.WARNING, logger="verka.security"):
        response = client.post(
            "/csp-rapport", json.dumps(batch), content_type="application/reports+json"
        )
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.getMessage() == "csp violation"]
    assert (record.directive, record.blocked, record.line) == ("style-src-elem", "inline", 403)
    assert record.page == "/studio/p/filer/p.form/"
    assert record.source == "https://verka.example.se/static/studio/build/studio.js"
    assert "19121212" not in json.dumps(record.__dict__, default=str)
    assert client.get("/csp-rapport").status_code == 405


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", None),
        ("X-Forwarded-Proto: https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("HTTP_X_FORWARDED_PROTO,https", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("x-forwarded-ssl: on", ("HTTP_X_FORWARDED_SSL", "on")),
    ],
)
def test_the_proxy_header_is_written_either_way(value, expected):
    from verka.conf.https import proxy_ssl_header

    assert proxy_ssl_header(value) == expected
