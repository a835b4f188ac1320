"""The login pages: e-identification for citizens, a separate staff login, and safe `next`."""

from __future__ import annotations

import logging

import pytest

from verka.accounts.views import safe_next

from .conftest import demo_users, log_in, logged_in_user_id

pytestmark = pytest.mark.django_db

OPEN_REDIRECTS = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\tevil",
    "evil.example",
]


def test_citizens_see_e_identification_and_the_demo_warning(demo_on, client):
    page = client.get("/konto/logga-in/").content.decode()

    assert "Logga in med e-legitimation" in page
    assert "Demo-inloggning (ingen riktig e-legitimation)" in page
    assert "inte en riktig e-legitimation" in page
    assert 'action="/konto/oidc/demo/"' in page
    assert 'name="password"' not in page  # citizens are not asked for a password
    assert 'href="/konto/logga-in/personal/"' in page


def test_staff_have_their_own_page_with_organisation_login_and_password(demo_on, client):
    page = client.get("/konto/logga-in/personal/?next=/mina-sidor/").content.decode()

    assert "<h1>Logga in som personal</h1>" in page
    assert 'action="/konto/oidc/demo-personal/"' in page
    assert "Logga in med Demo-inloggning för personal" in page
    assert '<label for="id_username">Användarnamn</label>' in page
    assert '<label for="id_password">Lösenord</label>' in page
    assert 'name="next" value="/mina-sidor/"' in page


def test_the_login_page_is_in_english_too(demo_on, client):
    page = client.get("/en/konto/logga-in/").content.decode()
    assert "Log in with e-identification" in page
    assert "Demo login (not a real e-identification)" in page
    assert "This is a demo login, not a real e-identification." in page


def test_without_any_e_identification_the_login_page_is_the_password_form(demo_on, client):
    demo_on.VERKA_DEMO_IDP = False
    page = client.get("/konto/logga-in/").content.decode()
    assert 'name="password"' in page


def test_a_wrong_password_shows_an_error_summary_linked_to_the_fields(demo_on, client):
    demo_users()
    page = client.post("/konto/logga-in/", {"username": "anna", "password": "wrong"})

    text = page.content.decode()
    assert page.status_code == 200
    assert 'class="error-summary" role="alert"' in text
    assert "Det gick inte att logga in" in text
    assert 'aria-invalid="true"' in text
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_next_that_leads_off_the_site_is_ignored_after_password_login(demo_on, client, target):
    demo_users()
    done = client.post(
        "/konto/logga-in/", {"username": "anna", "password": "demo-anna", "next": target}
    )
    assert done.status_code == 302
    assert done["Location"] == "/mina-sidor/"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_next_that_leads_off_the_site_is_ignored_after_oidc_login(demo_on, client, target):
    landed = log_in(client, "anna", next_url=target)
    assert landed.status_code == 302
    assert landed["Location"] == "/mina-sidor/"


def test_a_local_next_is_kept(demo_on, client):
    landed = log_in(client, "anna", next_url="/e-tjanster/forskola/?steg=2")
    assert landed["Location"] == "/e-tjanster/forskola/?steg=2"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_safe_next_refuses_anything_but_a_local_path(rf, target):
    assert safe_next(rf.get("/"), target) == ""


def test_personal_numbers_and_tokens_never_reach_the_log(demo_on, traffic, client, caplog):
    caplog.set_level(logging.DEBUG)
    traffic.rewrite["/demo-idp/token"] = lambda body: (captured.append(body["id_token"]), body)[1]
    captured: list[str] = []

    log_in(client, "anna")
    client.post("/konto/logga-ut/")

    assert logged_in_user_id(client) is None
    assert captured
    everything = caplog.text + "".join(str(vars(record)) for record in caplog.records)
    assert "198503142344" not in everything
    assert captured[0] not in everything
    assert captured[0].split(".")[1] not in everything  # not even the encoded claims
    assert any(r.getMessage() == "oidc login succeeded" for r in caplog.records)


def test_a_refused_login_logs_why_but_no_personal_number(demo_on, traffic, client, caplog):
    from .test_oidc_rejections import resigned

    caplog.set_level(logging.DEBUG)
    traffic.rewrite["/demo-idp/token"] = resigned({"aud": "someone-else"})

    log_in(client, "anna")

    failed = [r for r in caplog.records if r.getMessage() == "oidc login failed"]
    assert [(r.provider, r.reason) for r in failed] == [("demo", "invalid_token")]
    everything = caplog.text + "".join(str(vars(record)) for record in caplog.records)
    assert "198503142344" not in everything
