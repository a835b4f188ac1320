"""A citizen logs in through the demo identity provider in a real browser; every page is accessible."""

from __future__ import annotations

import re

import pytest

from tests.accounts.conftest import demo_users

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_idp_on(settings, tmp_path):
    from verka.accounts import oidc

    settings.VERKA_DEMO_IDP = True
    settings.VERKA_DEMO_IDP_KEY_FILE = str(tmp_path / "demo-idp-key.json")
    settings.VERKA_OIDC_PROVIDERS = []
    # Verka's URLs with /demo-idp/ mounted, whether or not verka.conf.urls mounts it already.
    settings.ROOT_URLCONF = "tests.accounts.urls"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    oidc.forget_provider_metadata()
    yield settings
    oidc.forget_provider_metadata()


def test_anna_logs_in_with_the_demo_e_identification(demo_idp_on, live_server, page):
    demo_users()
    page.goto(live_server.url + "/konto/logga-in/")
    assert page.get_by_role("heading", level=1).inner_text() == "Logga in"
    assert page.get_by_text(
        "Det här är en demo-inloggning, inte en riktig e-legitimation."
    ).is_visible()
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Logga in med e-legitimation")).click()
    page.wait_for_url(re.compile(r".*/demo-idp/authorize\?.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Demo-inloggning"
    assert page.get_by_text("This is a demo login, not a real e-identification.").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Logga in som Anna Andersson")).click()
    page.wait_for_url(live_server.url + "/mina-sidor/")
    assert page.get_by_role("button", name="Logga ut Anna Andersson").is_visible()

    page.get_by_role("button", name="Logga ut Anna Andersson").click()
    page.wait_for_url(re.compile(r".*/konto/utloggad/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Du är utloggad"
    assert_accessible(page)


def test_the_staff_login_and_a_failed_password_are_accessible_in_english(
    demo_idp_on, live_server, page
):
    demo_users()
    page.goto(live_server.url + "/en/konto/logga-in/personal/")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in as staff"
    assert_accessible(page)

    page.get_by_label("Username", exact=True).fill("olle")
    page.get_by_label("Password", exact=True).fill("wrong")
    page.get_by_role("button", name="Log in", exact=True).click()
    summary = page.get_by_role("alert")
    assert "correct username and password" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    assert_accessible(page)


def test_a_cancelled_login_ends_on_a_friendly_accessible_page(demo_idp_on, live_server, page):
    page.goto(live_server.url + "/konto/logga-in/")
    page.get_by_role("button", name=re.compile("Logga in med e-legitimation")).click()
    page.wait_for_url(re.compile(r".*/demo-idp/authorize\?.*"))
    page.get_by_role("button", name="Avbryt inloggningen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Inloggningen avbröts"
    assert_accessible(page)
