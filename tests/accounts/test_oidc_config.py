"""Providers from environment variables and settings: what is accepted and what error names what."""

from __future__ import annotations

import pytest

from verka.accounts.oidc import configured_providers
from verka.accounts.oidc_config import Provider, ProviderConfigError, providers_from_environ

ENV = {
    "VERKA_OIDC_PROVIDERS": "eid, org-login",
    "VERKA_OIDC_EID_ISSUER": "https://broker.example/oidc",
    "VERKA_OIDC_EID_CLIENT_ID": "verka",
    "VERKA_OIDC_EID_CLIENT_SECRET": "s3cret",
    "VERKA_OIDC_EID_PERSONAL_NUMBER_CLAIM": "personal_number",
    "VERKA_OIDC_EID_LABEL_SV": "BankID eller Freja eID",
    "VERKA_OIDC_EID_LABEL_EN": "BankID or Freja eID",
    "VERKA_OIDC_EID_ACR_VALUES": "http://id.elegnamnden.se/loa/1.0/loa3",
    "VERKA_OIDC_ORG_LOGIN_ISSUER": "https://login.example/realms/kommun",
    "VERKA_OIDC_ORG_LOGIN_CLIENT_ID": "verka-staff",
    "VERKA_OIDC_ORG_LOGIN_KIND": "staff",
    "VERKA_OIDC_ORG_LOGIN_SCOPES": "profile,email",
    "VERKA_OIDC_ORG_LOGIN_GROUPS_CLAIM": "groups",
    "VERKA_OIDC_ORG_LOGIN_TOKEN_AUTH": "client_secret_post",
}


def test_providers_are_read_from_the_environment_in_order():
    entries = providers_from_environ(ENV)

    assert [e["name"] for e in entries] == ["eid", "org-login"]
    eid, staff = (Provider(**e) for e in entries)
    assert eid.kind == "citizen" and eid.client_secret == "s3cret"
    assert eid.personal_number_claim == "personal_number"
    assert eid.metadata_url == "https://broker.example/oidc/.well-known/openid-configuration"
    assert (eid.label("sv"), eid.label("en")) == ("BankID eller Freja eID", "BankID or Freja eID")
    assert staff.groups_claim == "groups"
    assert staff.token_auth == "client_secret_post"


def test_settings_normalise_scopes_and_defaults(settings):
    settings.VERKA_DEMO_IDP = False
    settings.VERKA_OIDC_PROVIDERS = providers_from_environ(ENV)

    eid, staff = configured_providers()

    assert eid.scopes == "openid profile"
    assert staff.scopes == "openid profile email"
    assert staff.kind == "staff"


def test_no_providers_is_fine(settings):
    settings.VERKA_DEMO_IDP = False
    settings.VERKA_OIDC_PROVIDERS = []
    assert configured_providers() == []
    assert providers_from_environ({}) == []


def test_settings_may_hold_json(settings):
    settings.VERKA_DEMO_IDP = False
    settings.VERKA_OIDC_PROVIDERS = (
        '[{"name": "eid", "issuer": "https://b.example", "client_id": "c"}]'
    )
    assert [p.name for p in configured_providers()] == ["eid"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"VERKA_OIDC_EID_ISSUER": ""}, "VERKA_OIDC_EID_ISSUER is required"),
        ({"VERKA_OIDC_EID_CLIENT_ID": ""}, "VERKA_OIDC_EID_CLIENT_ID is required"),
        (
            {"VERKA_OIDC_EID_ISSUER": "http://broker.example"},
            "VERKA_OIDC_EID_ISSUER must be an https:// URL",
        ),
        ({"VERKA_OIDC_EID_KIND": "robot"}, "VERKA_OIDC_EID_KIND must be citizen or staff"),
        ({"VERKA_OIDC_EID_GROUPS_CLAIM": "groups"}, "applies only to KIND=staff"),
        (
            {"VERKA_OIDC_EID_TOKEN_AUTH": "private_key_jwt"},
            "VERKA_OIDC_EID_TOKEN_AUTH must be one of",
        ),
        ({"VERKA_OIDC_PROVIDERS": "eid,eid"}, "listed twice"),
        ({"VERKA_OIDC_PROVIDERS": "Bad Name!"}, "must be 1–40 lowercase letters"),
        (
            {
                "VERKA_OIDC_PROVIDERS": "demo",
                "VERKA_OIDC_DEMO_ISSUER": "https://x.example",
                "VERKA_OIDC_DEMO_CLIENT_ID": "c",
            },
            "reserved for the demo IdP",
        ),
    ],
)
def test_a_wrong_variable_is_named_in_the_error(change, message):
    with pytest.raises(ProviderConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        providers_from_environ({**ENV, "VERKA_OIDC_PROVIDERS": "eid", **change})


def test_loopback_http_issuers_are_allowed_for_development():
    env = {
        **ENV,
        "VERKA_OIDC_PROVIDERS": "eid",
        "VERKA_OIDC_EID_ISSUER": "http://127.0.0.1:8080/realms/x",
    }
    assert providers_from_environ(env)[0]["issuer"] == "http://127.0.0.1:8080/realms/x"


def test_unknown_keys_in_settings_are_refused(settings):
    settings.VERKA_DEMO_IDP = False
    settings.VERKA_OIDC_PROVIDERS = [
        {"name": "x", "issuer": "https://a", "client_id": "c", "secret": "s"}
    ]
    with pytest.raises(ProviderConfigError, match=r"unknown keys \['secret'\]"):
        configured_providers()
