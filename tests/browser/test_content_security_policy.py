"""The content security policy in a real browser: the watch every browser test runs under does
catch a refusal, the API documentation works under the policy, and a login form may be
redirected to an identity provider on another origin."""

from __future__ import annotations

import re

import pytest

from ..accounts.helpers import log_in_staff_in_browser
from . import conftest
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watch_catches_injected_markup_with_an_event_handler(live_server, page):
    # What a cross-site scripting hole would let through: markup with inline code in it.
    page.goto(live_server.url + "/")
    page.evaluate(
        "() => { document.querySelector('main').innerHTML +="
        ' \'<img src="/finns-inte.png" onerror="window.injected = true" alt="">\'; }'
    )
    page.wait_for_function("() => document.querySelector('main img[onerror]').complete")
    page.wait_for_timeout(200)  # let the report reach the test
    assert page.evaluate("() => window.injected") is None
    caught = list(conftest.csp_violations)
    conftest.csp_violations.clear()  # expected here; any other refusal still fails the test
    assert any(text.startswith("script-src-attr refused inline") for text in caught), caught


def test_the_api_documentation_works_under_the_policy_from_local_files_only(live_server, page):
    outside: list[str] = []

    def only_verka(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_verka)
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = [
        p.replace("\u200b", "") for p in page.locator(".opblock-summary-path").all_inner_texts()
    ]
    assert outside == []
    assert "Verka API" in page.locator(".info .title").first.inner_text()
    assert "/api/v1/jobs/activation" in paths
    assert len(paths) >= 20
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    assert page.get_by_role("button", name="Execute").first.is_visible()


def test_a_login_form_may_be_redirected_to_a_provider_on_another_origin(
    live_server, page, settings, monkeypatch
):
    from verka.accounts import oidc

    # The provider's pages: Verka itself under another origin (127.0.0.1 instead of localhost).
    other_origin = live_server.url.replace("localhost", "127.0.0.1")
    assert other_origin != live_server.url
    settings.VERKA_DEMO_IDP = False
    settings.VERKA_OIDC_PROVIDERS = [
        {"name": "eid", "issuer": other_origin + "/idp", "client_id": "verka", "label_sv": "BankID"}
    ]
    monkeypatch.setattr(
        oidc, "start_login", lambda request, provider, next_url: other_origin + "/health"
    )
    page.goto(live_server.url + "/konto/logga-in/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("BankID")).click()
    page.wait_for_url(other_origin + "/health")


def test_the_django_admin_works_under_its_policy(live_server, page, settings):
    from verka.accounts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    root = User.objects.create_superuser("root", "root@example.se", "pw-root-123")
    # The admin asks everyone for a second factor after the password.
    log_in_staff_in_browser(page, live_server.url + "/admin/login/", "root", "pw-root-123")
    page.goto(live_server.url + "/admin/")
    page.wait_for_selector("#site-name")
    page.goto(live_server.url + "/admin/accounts/user/")
    page.wait_for_selector("#result_list")
    page.goto(live_server.url + f"/admin/accounts/user/{root.pk}/change/")
    # The admin's own scripts ran: its select-filter widget replaced the plain groups list.
    page.wait_for_selector(".selector-available", timeout=10_000)
