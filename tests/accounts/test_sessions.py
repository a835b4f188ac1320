"""Sessions end after a time without requests and, however active, a fixed time after the login;
expired sessions are deleted by the worker."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from verka.accounts import housekeeping
from verka.accounts.middleware import LOGIN_AT, SEEN_AT
from verka.accounts.models import User

from .conftest import demo_users, logged_in_user_id
from .helpers import log_in_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo_on):
    demo_on.VERKA_STAFF_SESSION_IDLE_SECONDS = 30 * 60
    demo_on.VERKA_CITIZEN_SESSION_IDLE_SECONDS = 20 * 60
    demo_on.VERKA_SESSION_MAX_SECONDS = 12 * 3600
    demo_users()
    return demo_on


def shift(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    if "login" in seconds_ago:
        session[LOGIN_AT] = now - seconds_ago["login"]
    if "seen" in seconds_ago:
        session[SEEN_AT] = now - seconds_ago["seen"]
    session.save()


def test_a_staff_session_ends_after_the_idle_limit(people):
    client = Client()
    log_in_with_second_factor(client, User.objects.get(username="olle"))
    assert client.get("/handlaggning/").status_code == 200
    shift(client, seen=31 * 60)
    response = client.get("/handlaggning/")
    assert response.status_code == 302
    assert "/konto/logga-in/personal/" in response["Location"]
    assert logged_in_user_id(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "Du har loggats ut eftersom du inte har använt tjänsten på en stund." in page


def test_within_the_idle_limit_the_session_lives_and_its_clock_moves(people):
    client = Client()
    log_in_with_second_factor(client, User.objects.get(username="olle"))
    shift(client, seen=29 * 60)
    assert client.get("/handlaggning/").status_code == 200
    seen = client.session[SEEN_AT]
    assert time.time() - seen < 5
    # The session row now expires when the idle limit would end it.
    row = Session.objects.get(session_key=client.session.session_key)
    left = (row.expire_date - timezone.now()).total_seconds()
    assert 29 * 60 < left <= 30 * 60 + 1


def test_an_active_session_ends_after_the_absolute_limit(people):
    client = Client()
    log_in_with_second_factor(client, User.objects.get(username="admin"))
    shift(client, login=12 * 3600 + 60, seen=10)
    response = client.get("/studio/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_citizens_have_their_own_idle_limit(people):
    client = Client()
    client.force_login(User.objects.get(username="anna"))
    shift(client, seen=21 * 60)
    assert client.get("/mina-sidor/").status_code == 302
    assert logged_in_user_id(client) is None


def test_a_new_login_starts_the_clocks_and_the_row_expires_with_the_idle_limit(people):
    client = Client()
    client.post("/konto/logga-in/personal/", {"username": "olle", "password": "demo-olle"})
    session = client.session
    assert time.time() - session[LOGIN_AT] < 5
    row = Session.objects.get(session_key=session.session_key)
    assert (row.expire_date - timezone.now()).total_seconds() <= 30 * 60 + 1


def test_the_worker_clears_expired_sessions_and_old_failure_counts(people):
    from axes.models import AccessAttempt

    alive, dead = Client(), Client()
    alive.force_login(User.objects.get(username="olle"))
    dead.force_login(User.objects.get(username="petra"))
    Session.objects.filter(session_key=dead.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    long_ago = timezone.now() - people.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    AccessAttempt.objects.create(
        username="olle",
        ip_address="192.0.2.1",
        user_agent="x",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
        failures_since_start=3,
    )
    AccessAttempt.objects.update(attempt_time=long_ago)  # attempt_time is set on creation
    housekeeping._last_clear.clear()
    assert housekeeping.clear_expired_now_and_then("test-worker") == 0
    assert Session.objects.filter(session_key=alive.session.session_key).exists()
    assert not Session.objects.filter(session_key=dead.session.session_key).exists()
    assert not AccessAttempt.objects.exists()
    # At most once per VERKA_SESSION_CLEAR_MINUTES in one process.
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - datetime.timedelta(1)
    )
    housekeeping.clear_expired_now_and_then("test-worker")
    assert Session.objects.filter(session_key="x" * 32).exists()


def test_the_worker_has_the_housekeeping_registered():
    from verka.worker.runner import registered_sources

    assert "expired-sessions" in {source.name for source in registered_sources()}
