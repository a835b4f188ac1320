"""Whatever goes wrong in a login ends on a friendly page, logged out, with a log line that says why."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from verka.accounts import demo_idp

from .conftest import browse, log_in, logged_in_user_id, query, start_and_authorize

pytestmark = pytest.mark.django_db

BAD_STATE = "Inloggningen kunde inte slutföras"
NOT_CONFIRMED = "Vi kunde inte bekräfta din identitet"


def claims_of(id_token: str) -> dict[str, Any]:
    return dict(jwt.decode(id_token, demo_idp.signing_key()).claims)


def resigned(change: dict[str, Any]):
    """A token endpoint answer whose ID token claims are changed and signed with the real key."""

    def rewrite(body: dict[str, Any]) -> dict[str, Any]:
        claims = {**claims_of(body["id_token"]), **change}
        return {**body, "id_token": demo_idp.sign_id_token(claims)}

    return rewrite


def signed_by_another_key(body: dict[str, Any]) -> dict[str, Any]:
    impostor = RSAKey.generate_key(2048)
    header = {"alg": "RS256", "kid": demo_idp.signing_key().kid}
    return {**body, "id_token": jwt.encode(header, claims_of(body["id_token"]), impostor)}


def signed_with_the_client_secret(body: dict[str, Any]) -> dict[str, Any]:
    # The classic downgrade: HS256 keyed with something the attacker may know.
    key = OctKey.import_key(demo_idp.client_secret("verka-demo"))
    return {**body, "id_token": jwt.encode({"alg": "HS256"}, claims_of(body["id_token"]), key)}


def unsigned(body: dict[str, Any]) -> dict[str, Any]:
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = claims_of(body["id_token"])
    return {**body, "id_token": f"{part({'alg': 'none'})}.{part(claims)}."}


def without_id_token(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "id_token"}


@pytest.mark.parametrize(
    ("case", "rewrite"),
    [
        ("wrong nonce", resigned({"nonce": "not-the-nonce-we-sent"})),
        ("no nonce", resigned({"nonce": None})),
        ("expired", resigned({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200})),
        ("wrong audience", resigned({"aud": "someone-else"})),
        ("audience list without us", resigned({"aud": ["a", "b"], "azp": "a"})),
        ("our azp but not our audience", resigned({"aud": ["a", "b"], "azp": "verka-demo"})),
        ("wrong issuer", resigned({"iss": "https://evil.example"})),
        ("invalid signature", signed_by_another_key),
        ("HS256 with the client secret", signed_with_the_client_secret),
        ("alg none", unsigned),
        ("no ID token", without_id_token),
    ],
)
def test_a_bad_id_token_is_refused_and_nobody_is_logged_in(demo_on, traffic, client, case, rewrite):
    traffic.rewrite["/demo-idp/token"] = rewrite

    refused = log_in(client, "anna")

    assert refused.status_code == 400, case
    assert NOT_CONFIRMED in refused.content.decode()
    assert logged_in_user_id(client) is None
    assert "Traceback" not in refused.content.decode()


def test_userinfo_about_someone_else_is_refused(demo_on, traffic, client):
    traffic.rewrite["/demo-idp/userinfo"] = lambda body: {**body, "sub": "bertil"}

    refused = log_in(client, "anna")

    assert refused.status_code == 400
    assert NOT_CONFIRMED in refused.content.decode()
    assert logged_in_user_id(client) is None


def test_a_tampered_state_is_refused(demo_on, client):
    callback = start_and_authorize(client, "anna")
    params = query(callback)
    tampered = callback.replace(params["state"], params["state"][:-2] + "xx")

    refused = browse(client, "GET", tampered)

    assert refused.status_code == 400
    assert BAD_STATE in refused.content.decode()
    assert logged_in_user_id(client) is None


def test_a_callback_from_another_browser_is_refused(demo_on, client, django_user_model):
    from django.test import Client

    callback = start_and_authorize(client, "anna")

    refused = browse(Client(), "GET", callback)

    assert refused.status_code == 400
    assert BAD_STATE in refused.content.decode()
    assert not django_user_model.objects.filter(identity_subject="anna").exists()


def test_a_callback_used_twice_is_refused_the_second_time(demo_on, client):
    callback = start_and_authorize(client, "anna")
    assert browse(client, "GET", callback).status_code == 302
    client.logout()

    again = browse(client, "GET", callback)

    assert again.status_code == 400
    assert logged_in_user_id(client) is None


def test_denied_consent_says_the_login_was_cancelled(demo_on, client):
    started = client.post("/konto/oidc/demo/", {"next": "/e-tjanster/"})
    authorize = started["Location"]
    cancelled = browse(client, "POST", authorize.split("?")[0], {**query(authorize), "cancel": "1"})
    assert query(cancelled["Location"])["error"] == "access_denied"

    page = browse(client, "GET", cancelled["Location"])

    assert page.status_code == 200
    text = page.content.decode()
    assert "Inloggningen avbröts" in text
    assert "next=%2Fe-tjanster%2F" in text  # "try again" keeps where the visitor was going
    assert logged_in_user_id(client) is None


def test_the_friendly_page_speaks_the_language_the_login_started_in(demo_on, client):
    started = client.post("/en/konto/oidc/demo/", {"next": ""})
    authorize = started["Location"]
    cancelled = browse(client, "POST", authorize.split("?")[0], {**query(authorize), "cancel": "1"})

    page = browse(client, "GET", cancelled["Location"]).content.decode()

    assert '<html lang="en">' in page
    assert "The login was cancelled" in page
    assert 'href="/en/konto/logga-in/"' in page


@pytest.mark.parametrize("failing", ["/.well-known/openid-configuration"])
def test_a_provider_that_is_down_at_the_start_gives_a_friendly_page(
    demo_on, traffic, client, failing
):
    traffic.down.add(failing)

    page = client.post("/konto/oidc/demo/", {"next": ""})

    assert page.status_code == 503
    assert "Inloggningstjänsten svarar inte" in page.content.decode()


@pytest.mark.parametrize("failing", ["/demo-idp/token", "/demo-idp/jwks", "/demo-idp/userinfo"])
def test_a_provider_that_goes_down_mid_login_gives_a_friendly_page(
    demo_on, traffic, client, failing
):
    callback = start_and_authorize(client, "anna")
    traffic.down.add(failing)

    page = browse(client, "GET", callback)

    assert page.status_code == 503
    assert "Inloggningstjänsten svarar inte" in page.content.decode()
    assert logged_in_user_id(client) is None


def test_a_discovery_document_for_another_issuer_is_not_trusted(demo_on, traffic, client):
    traffic.rewrite["/openid-configuration"] = lambda body: {
        **body,
        "issuer": "https://evil.example",
    }

    page = client.post("/konto/oidc/demo/", {"next": ""})

    assert page.status_code == 503
    assert logged_in_user_id(client) is None


def test_an_unexpected_error_is_a_friendly_page_and_its_message_is_not_logged(
    demo_on, client, monkeypatch, caplog
):
    def broken(identity):
        raise RuntimeError(f"database says no for {identity.claims['personal_number']}")

    monkeypatch.setattr("verka.accounts.oidc.sign_in_with_identity", broken)
    caplog.set_level(logging.DEBUG)

    page = log_in(client, "anna")

    assert page.status_code == 400
    assert "Traceback" not in page.content.decode()
    assert "198503142344" not in caplog.text
    broke = [r for r in caplog.records if r.getMessage() == "oidc login broke"]
    assert broke and broke[0].error == "RuntimeError"


def test_an_unknown_provider_is_404(demo_on, client):
    assert client.post("/konto/oidc/nosuch/", {}).status_code == 404
    assert client.get("/konto/oidc/nosuch/callback/?state=x&code=y").status_code == 404
