"""The whole code flow, relying party → demo IdP → callback → logged in, through real HTTP code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from verka.accounts import demo_idp
from verka.accounts.models import User
from verka.demo import DEMO_LOGINS

from .conftest import browse, demo_users, log_in, logged_in_user_id, query

pytestmark = pytest.mark.django_db


def test_anna_logs_in_through_the_demo_idp_as_the_same_user_as_with_her_password(demo_on, client):
    demo_users()
    anna = User.objects.get(username="anna")

    landed = log_in(client, "anna", next_url="/e-tjanster/")

    assert landed.status_code == 302
    assert landed["Location"] == "/e-tjanster/"
    assert logged_in_user_id(client) == str(anna.pk)
    anna.refresh_from_db()
    assert (anna.identity_issuer, anna.identity_subject) == (demo_idp.DEMO_IDENTITY_ISSUER, "anna")
    assert anna.personal_number == "198503142344"
    assert anna.display_name == "Anna Andersson"
    assert (anna.first_name, anna.last_name) == ("Anna", "Andersson")
    assert anna.email == "anna@demo.exempelkommun.example"
    assert anna.kind == User.Kind.CITIZEN and not anna.is_staff
    assert User.objects.count() == len(DEMO_LOGINS)


def test_the_request_carries_pkce_state_nonce_and_language(demo_on, client):
    started = client.post("/en/konto/oidc/demo/", {"next": ""})

    params = query(started["Location"])
    assert started["Location"].startswith("http://testserver/demo-idp/authorize?")
    assert params["response_type"] == "code"
    assert params["client_id"] == "verka-demo"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20
    assert params["scope"].split() == ["openid", "profile", "email"]
    assert params["ui_locales"] == "en"
    # One redirect URI per provider, without language prefix, to register at the provider.
    assert params["redirect_uri"] == "http://testserver/konto/oidc/demo/callback/"


def test_the_second_login_updates_the_same_user(demo_on, client):
    log_in(client, "bertil")
    first = User.objects.get(identity_subject="bertil")
    client.logout()

    log_in(client, "bertil")

    assert User.objects.filter(identity_subject="bertil").count() == 1
    assert logged_in_user_id(client) == str(first.pk)


def test_without_demo_data_the_first_login_creates_the_persona_user(demo_on, client):
    landed = log_in(client, "bertil")

    bertil = User.objects.get(username="bertil")
    assert logged_in_user_id(client) == str(bertil.pk)
    assert not bertil.has_usable_password()
    # With no next, a citizen lands on My pages.
    assert landed["Location"] == "/mina-sidor/"


def test_staff_persona_gets_exactly_the_groups_of_the_claim(demo_on, client):
    demo_users()
    petra = User.objects.get(username="petra")
    petra.groups.add(Group.objects.get_or_create(name="bygglov")[0])

    log_in(client, "petra", provider="demo-personal")

    petra.refresh_from_db()
    assert logged_in_user_id(client) == str(petra.pk)
    assert sorted(g.name for g in petra.groups.all()) == ["förskola-placering"]
    assert petra.is_staff and petra.kind == User.Kind.STAFF
    assert petra.personal_number == ""  # the staff provider is not set up to store it


def test_the_staff_client_offers_only_staff_personas(demo_on, client):
    started = client.post("/konto/oidc/demo-personal/", {"next": ""})
    page = browse(client, "GET", started["Location"]).content.decode()
    assert "Petra Persson" in page and "Olle Olsson" in page
    assert "Anna Andersson" not in page

    picked = browse(
        client,
        "POST",
        started["Location"].split("?")[0],
        {**query(started["Location"]), "persona": "anna"},
    )
    assert picked.status_code == 400
    assert logged_in_user_id(client) is None


def test_a_citizen_account_cannot_log_in_through_a_staff_provider(demo_on, client):
    demo_users()
    User.objects.filter(username="petra").update(kind=User.Kind.CITIZEN)

    refused = log_in(client, "petra", provider="demo-personal")

    assert refused.status_code == 403
    assert "Du kan inte logga in här" in refused.content.decode()
    assert logged_in_user_id(client) is None


def test_a_configured_provider_maps_by_issuer_and_subject_without_the_demo_shortcut(
    demo_on, client
):
    # A "real" provider entry pointing at the demo IdP (reached as localhost): no demo linking,
    # so the user gets a fresh username, and no personal number is stored because the provider
    # is not configured to send one.
    demo_users()
    demo_on.VERKA_OIDC_PROVIDERS = [
        {
            "name": "eid",
            "issuer": "http://localhost/demo-idp",
            "client_id": "verka-demo",
            "client_secret": demo_idp.client_secret("verka-demo"),
            "label_sv": "Testbroker",
        }
    ]

    landed = log_in(client, "anna", provider="eid", host="localhost")

    assert landed.status_code == 302
    user = User.objects.get(identity_issuer="http://localhost/demo-idp", identity_subject="anna")
    assert logged_in_user_id(client) == str(user.pk)
    assert user.username != "anna" and user.username.startswith("citizen-")
    assert user.personal_number == ""
    assert user.display_name == "Anna Andersson"


def test_logout_ends_the_session_at_the_provider_too(demo_on, client):
    log_in(client, "anna")

    out = client.post("/konto/logga-ut/")

    assert logged_in_user_id(client) is None
    assert out["Location"].startswith("http://testserver/demo-idp/logout?")
    params = query(out["Location"])
    assert params["post_logout_redirect_uri"] == "http://testserver/konto/utloggad/"
    assert params["client_id"] == "verka-demo"
    assert params["id_token_hint"].count(".") == 2
    back = browse(client, "GET", out["Location"])
    assert back["Location"].startswith("http://testserver/konto/utloggad/")
    page = browse(client, "GET", back["Location"])
    assert "Du är utloggad" in page.content.decode()


def test_password_logout_goes_straight_to_the_logged_out_page(demo_on, client):
    demo_users()
    client.post("/konto/logga-in/", {"username": "olle", "password": "demo-olle"})
    assert logged_in_user_id(client) is not None

    out = client.post("/konto/logga-ut/")

    assert out["Location"] == "/konto/utloggad/"
    assert logged_in_user_id(client) is None


def test_the_english_login_comes_back_in_english(demo_on, client):
    landed = log_in(client, "anna", language_prefix="/en")

    assert landed.status_code == 302
    assert landed["Location"] == "/en/mina-sidor/"
