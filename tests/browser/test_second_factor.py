"""A member of the digitalisation team in a real browser: held at enrolment after the password,
registers a passkey on Chromium's virtual authenticator (DevTools WebAuthn domain), and logs in
with it the next time; the authenticator app's pages too. axe-core finds nothing on any of them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.accounts.helpers import current_code
from verka.accounts.services import create_user

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-passkey-1"


@pytest.fixture
def quick_hashes(settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def virtual_authenticator(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def password_login(page: Any, base: str, next_url: str = "/studio/") -> None:
    page.goto(f"{base}/konto/logga-in/personal/?next={next_url}")
    page.locator("#id_username").fill("dora")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()


def test_a_passkey_is_registered_and_then_used_to_log_in(quick_hashes, live_server, page):
    from django_otp_webauthn.models import WebAuthnCredential

    dora = create_user(
        "dora", PASSWORD, kind="staff", display_name="Dora Drift", groups=["digitalisering"]
    )
    cdp, authenticator = virtual_authenticator(page)
    base = live_server.url

    password_login(page, base)
    page.wait_for_url(re.compile(r".*/konto/sakerhet/\?next=%2Fstudio%2F$"))
    assert page.get_by_text("Du behöver en andra faktor för att logga in.").is_visible()
    assert_accessible(page)
    page.goto(base + "/studio/")  # the Studio stays shut
    assert "/konto/sakerhet/" in page.url

    page.get_by_role("button", name="Lägg till en passkey").click()
    page.wait_for_selector(".devices li")
    assert WebAuthnCredential.objects.filter(user=dora, confirmed=True).count() == 1
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1
    assert_accessible(page)

    # Registering verified this session: the Studio opens.
    page.goto(base + "/studio/")
    assert page.url == base + "/studio/"

    page.get_by_role("button", name="Logga ut Dora Drift").click()
    page.wait_for_url(re.compile(r".*/konto/utloggad/.*"))

    password_login(page, base)
    page.wait_for_url(re.compile(r".*/konto/tvastegsverifiering/\?next=%2Fstudio%2F$"))
    assert_accessible(page)
    page.get_by_role("button", name="Använd passkey").click()
    page.wait_for_url(base + "/studio/")
    assert page.get_by_role("heading", level=1).is_visible()
    signed = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert signed["credentials"][0]["signCount"] >= 1


def test_an_authenticator_app_is_enrolled_and_its_code_asked_at_the_next_login(
    quick_hashes, live_server, phone_page
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = phone_page
    create_user(
        "dora", PASSWORD, kind="staff", display_name="Dora Drift", groups=["digitalisering"]
    )
    base = live_server.url
    password_login(page, base, next_url="/handlaggning/")
    page.wait_for_url(re.compile(r".*/konto/sakerhet/.*"))
    page.get_by_role("link", name="Lägg till en autentiseringsapp").click()
    page.wait_for_selector(".qr svg")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user__username="dora", confirmed=False)
    page.get_by_label("Koden som appen visar").fill(current_code(device))
    page.get_by_role("button", name="Lägg till appen").click()
    page.wait_for_selector(".recovery-codes")
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="Jag har sparat koderna").click()
    page.wait_for_url(base + "/handlaggning/")

    page.context.clear_cookies()
    password_login(page, base, next_url="/handlaggning/")
    page.wait_for_url(re.compile(r".*/konto/tvastegsverifiering/.*"))
    page.get_by_label("Kod från autentiseringsappen").fill("000000")
    page.get_by_role("button", name="Verifiera").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    device.refresh_from_db()
    # As if the next 30-second step had come: django-otp refuses a code a second time (the
    # enrolment used this step's), and waits after a wrong one.
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    page.get_by_label("Kod från autentiseringsappen").fill(current_code(device))
    page.get_by_role("button", name="Verifiera").click()
    page.wait_for_url(base + "/handlaggning/")
