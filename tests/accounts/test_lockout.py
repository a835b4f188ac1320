"""Guessing passwords: failures are counted per account and per address, logged without the
password, and lock the login for a cool-off period that admins can see and lift."""

from __future__ import annotations

import datetime
import json
import logging
import re

import pytest
from django.test import Client

from .conftest import demo_users, logged_in_user_id

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/konto/logga-in/personal/"
LOCKED_SV = "För många misslyckade inloggningar"
LOCKED_EN = "Too many failed logins"


@pytest.fixture
def limits(demo_on):
    demo_on.AXES_FAILURE_LIMIT = 5
    demo_on.VERKA_LOGIN_ADDRESS_FAILURE_LIMIT = 12
    demo_on.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    demo_users()
    return demo_on


def attempt(client: Client, username: str, password: str, address: str = "198.51.100.7") -> object:
    return client.post(
        STAFF_LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_many_wrong_passwords_lock_the_account_and_the_right_one_no_longer_works(limits):
    client = Client()
    for _ in range(5):
        response = attempt(client, "olle", "wrong-guess")
    assert logged_in_user_id(client) is None

    response = attempt(client, "olle", "demo-olle")

    assert logged_in_user_id(client) is None
    assert response.status_code == 429
    assert LOCKED_SV in response.content.decode()
    # The account is locked from any address, not just the one that guessed.
    assert attempt(Client(), "olle", "demo-olle", address="203.0.113.9").status_code == 429


def test_below_the_limit_the_right_password_still_works(limits):
    client = Client()
    for _ in range(4):
        attempt(client, "olle", "wrong-guess")
    response = attempt(client, "olle", "demo-olle")
    assert response.status_code == 302
    assert logged_in_user_id(client) is not None


def test_the_lockout_message_does_not_reveal_whether_the_account_exists(limits):
    pages = []
    for username in ("olle", "nobody-by-this-name"):
        client = Client()
        for _ in range(6):
            response = attempt(client, username, "wrong-guess", address="192.0.2.1")
        page = response.content.decode().replace(username, "USERNAME")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert pages[0] == pages[1]
    assert LOCKED_SV in pages[0]


def test_the_lockout_message_is_in_english_too(limits):
    client = Client()
    for _ in range(6):
        response = client.post(
            "/en" + STAFF_LOGIN,
            {"username": "olle", "password": "wrong-guess"},
            REMOTE_ADDR="198.51.100.7",
        )
    assert response.status_code == 429
    assert LOCKED_EN in response.content.decode()


def test_one_address_guessing_many_accounts_is_locked_out(limits):
    client = Client()
    for index in range(12):
        attempt(client, f"guess-{index}", "wrong-guess", address="198.51.100.66")

    # A real account, never guessed before, from that address: refused.
    assert attempt(Client(), "petra", "demo-petra", address="198.51.100.66").status_code == 429
    # The same account from another address is fine.
    other = Client()
    assert attempt(other, "petra", "demo-petra", address="203.0.113.10").status_code == 302
    assert logged_in_user_id(other) is not None


def test_the_address_is_the_one_trusted_proxies_vouch_for(limits):
    limits.VERKA_TRUSTED_PROXIES = ["10.0.0.1"]
    from verka.conf import network

    network._trusted.cache_clear()
    client = Client()
    for index in range(12):
        client.post(
            STAFF_LOGIN,
            {"username": f"guess-{index}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index}",
        )
    # Twelve different clients behind the proxy: none of them is locked out by the others.
    ok = Client()
    response = ok.post(
        STAFF_LOGIN,
        {"username": "petra", "password": "demo-petra"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 302


def test_every_failure_is_logged_without_the_password(limits, caplog):
    caplog.set_level(logging.INFO, logger="verka.accounts")
    client = Client()
    for _ in range(6):
        attempt(client, "olle", "hunter2-secret")

    failures = [r for r in caplog.records if r.getMessage() == "login failed"]
    assert len(failures) == 6
    assert failures[0].username == "olle"
    assert failures[0].client_address == "198.51.100.7"
    locked = [r for r in caplog.records if r.getMessage() == "login locked out"]
    assert locked and locked[0].username == "olle"
    everything = json.dumps([vars(r) for r in caplog.records], default=str)
    assert "hunter2-secret" not in everything


def test_the_stored_attempts_do_not_hold_the_password(limits):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(3):
        attempt(client, "olle", "hunter2-secret")
    stored = AccessAttempt.objects.get(username="olle")
    assert stored.failures_since_start == 3
    assert "hunter2-secret" not in stored.post_data


def test_an_admin_sees_the_lockout_and_lifts_it(limits):
    from axes.models import AccessAttempt

    from tests.accounts.helpers import log_in_with_second_factor
    from verka.accounts.models import User

    client = Client()
    for _ in range(5):
        attempt(client, "olle", "wrong-guess")
    admin = Client()
    log_in_with_second_factor(admin, User.objects.get(username="admin"))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "olle" in listing.content.decode()

    stored = AccessAttempt.objects.get(username="olle")
    deleted = admin.post(
        f"/admin/axes/accessattempt/{stored.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert deleted.status_code == 302
    assert attempt(Client(), "olle", "demo-olle").status_code == 302


def test_after_the_cool_off_the_right_password_works_again(limits):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        attempt(client, "olle", "wrong-guess")
    assert attempt(client, "olle", "demo-olle").status_code == 429
    earlier = AccessAttempt.objects.get(username="olle").attempt_time - datetime.timedelta(
        minutes=16
    )
    AccessAttempt.objects.update(attempt_time=earlier)
    assert attempt(Client(), "olle", "demo-olle").status_code == 302


def test_the_citizen_page_password_form_is_guarded_too(limits):
    limits.VERKA_DEMO_IDP = False  # then /konto/logga-in/ shows the password form
    client = Client()
    for _ in range(5):
        client.post(
            "/konto/logga-in/", {"username": "olle", "password": "x"}, REMOTE_ADDR="192.0.2.5"
        )
    response = client.post(
        "/konto/logga-in/", {"username": "olle", "password": "demo-olle"}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 429
    assert logged_in_user_id(client) is None


def test_the_django_admin_login_is_guarded_too(limits):
    client = Client()
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "admin", "password": "x"}, REMOTE_ADDR="192.0.2.8"
        )
    response = client.post(
        "/admin/login/", {"username": "admin", "password": "demo-admin"}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 429
    assert logged_in_user_id(client) is None
