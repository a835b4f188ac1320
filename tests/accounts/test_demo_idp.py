"""The demo identity provider on its own: off means 404, and it checks what a provider must."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from django.test import Client

from verka.accounts import demo_idp

from .conftest import query

pytestmark = pytest.mark.django_db

IDP_PATHS = [
    "/demo-idp/",
    "/demo-idp/.well-known/openid-configuration",
    "/demo-idp/jwks",
    "/demo-idp/authorize",
    "/demo-idp/token",
    "/demo-idp/userinfo",
    "/demo-idp/logout",
]


@pytest.mark.parametrize("path", IDP_PATHS)
def test_every_demo_idp_url_is_404_when_the_demo_idp_is_off(demo_on, client, path):
    demo_on.VERKA_DEMO_IDP = False
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code == 404


def test_when_off_the_login_page_offers_no_demo_login(demo_on, client):
    demo_on.VERKA_DEMO_IDP = False
    page = client.get("/konto/logga-in/").content.decode()
    assert "/konto/oidc/demo/" not in page
    assert client.post("/konto/oidc/demo/", {}).status_code == 404


def test_discovery_names_its_endpoints_on_the_host_it_is_reached_by(demo_on, client):
    document = client.get("/demo-idp/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver/demo-idp"
    assert document["token_endpoint"] == "http://testserver/demo-idp/token"
    assert document["jwks_uri"] == "http://testserver/demo-idp/jwks"
    assert document["end_session_endpoint"] == "http://testserver/demo-idp/logout"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]


def test_the_key_is_made_once_kept_private_and_only_its_public_half_published(
    demo_on, client, tmp_path
):
    demo_on.VERKA_DEMO_IDP_KEY_FILE = str(tmp_path / "key.json")
    first = demo_idp.signing_key()
    demo_idp._keys.clear()  # as after a restart
    again = demo_idp.signing_key()

    assert first.kid == again.kid
    assert stat.S_IMODE(os.stat(tmp_path / "key.json").st_mode) == 0o600
    published = client.get("/demo-idp/jwks").json()["keys"]
    assert [key["kid"] for key in published] == [first.kid]
    assert {"d", "p", "q"}.isdisjoint(published[0])


def authorization(client_id: str = "verka-demo", **overrides: str) -> dict[str, str]:
    params = {
        "client_id": client_id,
        "redirect_uri": "http://testserver/konto/oidc/demo/callback/",
        "response_type": "code",
        "scope": "openid profile",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": demo_idp.pkce_challenge("v" * 50),
        "code_challenge_method": "S256",
    }
    return {**params, **overrides}


def code_for(client: Client, persona: str = "anna", **overrides: str) -> str:
    answer = client.post("/demo-idp/authorize", {**authorization(**overrides), "persona": persona})
    assert answer.status_code == 302
    return query(answer["Location"])["code"]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def redeem(
    client: Client, code: str, *, verifier: str = "v" * 50, secret: str | None = None, **extra
):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://testserver/konto/oidc/demo/callback/",
        "code_verifier": verifier,
        **extra,
    }
    secret = demo_idp.client_secret("verka-demo") if secret is None else secret
    return client.post(
        "/demo-idp/token", data, headers={"Authorization": basic("verka-demo", secret)}
    )


def test_a_code_gives_tokens_once(demo_on, client):
    code = code_for(client)

    first = redeem(client, code)
    again = redeem(client, code)

    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store"
    assert set(first.json()) >= {"access_token", "id_token", "token_type", "expires_in"}
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_replayed_code_is_refused_by_another_process_too(demo_on, client):
    from django.core.cache import cache

    from verka.accounts.models import RedeemedDemoCode

    code = code_for(client)
    assert redeem(client, code).status_code == 200
    cache.clear()  # what a second web process would see: none of this one's memory
    again = redeem(client, code)
    assert again.status_code == 400 and "already used" in again.json()["error_description"]
    assert RedeemedDemoCode.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "kwargs", "status", "error"),
    [
        ("wrong verifier", {"verifier": "w" * 50}, 400, "invalid_grant"),
        ("no verifier", {"verifier": ""}, 400, "invalid_grant"),
        ("wrong secret", {"secret": "guess"}, 401, "invalid_client"),
        ("other redirect", {"redirect_uri": "http://testserver/elsewhere/"}, 400, "invalid_grant"),
        ("other grant", {"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_the_token_endpoint_refuses(demo_on, client, case, kwargs, status, error):
    answer = redeem(client, code_for(client), **kwargs)
    assert (answer.status_code, answer.json()["error"]) == (status, error), case


def test_a_forged_code_is_refused(demo_on, client):
    assert redeem(client, "not-a-code").json()["error"] == "invalid_grant"


def test_userinfo_needs_a_valid_access_token(demo_on, client):
    tokens = redeem(client, code_for(client)).json()

    good = client.get(
        "/demo-idp/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    bad = client.get("/demo-idp/userinfo", headers={"Authorization": "Bearer forged"})
    missing = client.get("/demo-idp/userinfo")

    assert good.json()["sub"] == "anna" and good.json()["personal_number"] == "198503142344"
    assert bad.status_code == 401 and "invalid_token" in bad["WWW-Authenticate"]
    assert missing.status_code == 401


def test_an_authorization_request_for_another_site_is_shown_not_redirected(demo_on, client):
    answer = client.get(
        "/demo-idp/authorize",
        authorization(redirect_uri="https://evil.example/callback"),
    )
    assert answer.status_code == 400
    assert "Location" not in answer
    assert "inte en riktig e-legitimation" in answer.content.decode()


def test_an_unknown_client_is_shown_not_redirected(demo_on, client):
    answer = client.get("/demo-idp/authorize", authorization(client_id="stranger"))
    assert answer.status_code == 400 and "Location" not in answer


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
    ],
)
def test_a_bad_authorization_request_goes_back_with_an_error(demo_on, client, overrides, error):
    answer = client.get("/demo-idp/authorize", authorization(**overrides))
    assert answer.status_code == 302
    assert answer["Location"].startswith("http://testserver/konto/oidc/demo/callback/?")
    assert f"error={error}" in answer["Location"] and "state=s1" in answer["Location"]


def test_the_persona_page_says_plainly_in_both_languages_that_it_is_a_demo(demo_on, client):
    swedish = client.get("/demo-idp/authorize", authorization(ui_locales="sv")).content.decode()
    english = client.get("/demo-idp/authorize", authorization(ui_locales="en")).content.decode()

    for page in (swedish, english):
        assert "Det här är en demo-inloggning, inte en riktig e-legitimation." in page
        assert "This is a demo login, not a real e-identification." in page
    assert '<html lang="sv">' in swedish and '<html lang="en">' in english
    assert "Logga in som Anna Andersson" in swedish
    assert "Log in as Anna Andersson" in english


def test_the_id_token_carries_what_the_relying_party_needs(demo_on, client):
    from joserfc import jwt

    tokens = redeem(client, code_for(client)).json()
    claims = jwt.decode(tokens["id_token"], demo_idp.signing_key()).claims
    header = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[0] + "=="))

    assert (header["alg"], header["kid"]) == ("RS256", demo_idp.signing_key().kid)
    assert claims["iss"] == "http://testserver/demo-idp"
    assert claims["aud"] == "verka-demo"
    assert claims["nonce"] == "n1"
    assert claims["sub"] == "anna"
    assert claims["exp"] > claims["iat"]


def test_demo_logins_per_address_are_limited(demo_on, client, settings):
    settings.VERKA_RATE_LIMITS = {**settings.VERKA_RATE_LIMITS, "demo-logins": "2/m"}
    statuses = [
        client.post("/demo-idp/authorize", {**authorization(), "persona": "anna"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    refused = client.post("/demo-idp/authorize", {**authorization(), "persona": "anna"})
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "<html" in refused.content.decode()
