"""Logging staff in for tests, second factor included.

Staff who need a second factor (verka.accounts.mfa) are held at the verify page after a
password alone, so tests that open staff pages log them in with one of these instead.
"""

from __future__ import annotations

from typing import Any

from django.test import Client


def second_factor_device(user: Any) -> Any:
    """The user's authenticator app, enrolled (confirmed) for tests; created once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    return device


def current_code(device: Any) -> str:
    """The code the authenticator app shows now (RFC 6238, computed as the app does)."""
    from verka.accounts.mfa import current_totp

    return current_totp(device)


def log_in_with_second_factor(client: Client, user: Any) -> Client:
    """force_login, and for staff the session verified by the user's authenticator app (as if
    they had typed its code); citizens are only logged in, as they never give one."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from verka.accounts.mfa import is_staff_person

    client.force_login(user)
    if not is_staff_person(user):
        return client
    device = second_factor_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def log_in_staff_in_browser(page: Any, login_url: str, username: str, password: str) -> None:
    """A browser login on the staff page; answers the second-factor step when it comes,
    with a code computed from the user's enrolled authenticator app (created if missing)."""
    import re

    from verka.accounts.models import User

    page.goto(login_url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    if re.search(r"/konto/(tvastegsverifiering|sakerhet)/", page.url):
        device = second_factor_device(User.objects.get(username=username))
        # A test may log the same person in twice within one 30-second step; django-otp
        # accepts each step's code once, so the helper starts from a fresh step.
        device.last_t = -1
        device.save(update_fields=["last_t"])
        if "/sakerhet/" in page.url:
            page.goto(page.url.replace("/sakerhet/", "/tvastegsverifiering/"))
        page.locator("#id_code").fill(current_code(device))
        with page.expect_navigation():
            page.locator("#id_code").press("Enter")
