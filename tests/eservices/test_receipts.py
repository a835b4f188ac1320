"""The receipt e-mail of a submission goes out once, from a worker, however many web processes
and workers there are; the citizen's submit never waits for the mail server."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import override_settings

from verka.accounts.services import create_user
from verka.eservices.models import Draft, EService, Submission
from verka.worker.models import Effect
from verka.worker.runner import Worker
from verka.worker.wakeup import Wakeup

from ..worker.mail import SlowBackend
from ..worker.threads import running_workers, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
SLOW = "tests.worker.mail.SlowBackend"


@pytest.fixture
def citizen(client):  # type: ignore[no-untyped-def]
    user = create_user(
        "anna", "pw-anna-123", kind="citizen", display_name="Anna", email="anna@example.se"
    )
    client.force_login(user)
    return user


def fill_in_and_submit(client) -> Submission:  # type: ignore[no-untyped-def]
    for step in (0, 1):
        client.post(
            "/e-tjanster/bygglov/ansok/",
            {"step": step, "answers": '{"property": "A 1:1"}', "action": "next"},
        )
    token = str(Draft.objects.get().submit_token)
    response = client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    assert response.status_code == 302
    return Submission.objects.get()


def receipts_of(submission: Submission) -> list:  # type: ignore[type-arg]
    return [m for m in SlowBackend.sent if submission.case_number in m.subject]


@override_settings(EMAIL_BACKEND=SLOW)
def test_a_receipt_goes_out_once_with_the_web_process_and_two_workers_at_it(
    client, citizen, permit_eservice
):
    # A mail server that takes a moment: long enough for the others to look meanwhile.
    SlowBackend.reset(delay=0.3)
    with running_workers(2):
        submission = fill_in_and_submit(client)
        assert wait_until(lambda: len(receipts_of(submission)) >= 1)
        time.sleep(1.5)  # every worker has had several passes since
    assert len(receipts_of(submission)) == 1


@override_settings(EMAIL_BACKEND=SLOW)
def test_the_submit_does_not_wait_for_the_mail_server(client, citizen, permit_eservice):
    SlowBackend.reset(delay=2.0)
    began = time.monotonic()
    submission = fill_in_and_submit(client)
    took = time.monotonic() - began
    assert took < 1.5, f"the submit took {took:.1f} s: it waited for the mail server"
    assert receipts_of(submission) == []  # not from the request
    SlowBackend.delay = 0.0
    Worker(name="w").run_once()
    (receipt,) = receipts_of(submission)
    assert receipt.to == ["anna@example.se"]


@override_settings(EMAIL_BACKEND=SLOW)
def test_a_receipt_sent_again_after_a_crash_has_the_same_message_id(
    client, citizen, permit_eservice
):
    SlowBackend.reset()
    submission = fill_in_and_submit(client)
    Worker(name="w").run_once()
    # As if the worker had died after the mail server took it but before recording that:
    # the claim runs out and another worker sends it again.
    Effect.objects.filter(key__contains=str(submission.pk)).update(state="sending")
    Worker(name="other").run_once()  # the claim has not run out: nothing
    assert len(receipts_of(submission)) == 1
    Effect.objects.filter(key__contains=str(submission.pk)).update(
        state="sending", due_at=Effect.objects.get().created_at
    )
    Worker(name="other").run_once()
    first, again = receipts_of(submission)
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].startswith("<")


@override_settings(EMAIL_BACKEND=SLOW)
def test_the_receipt_is_plain_text_without_html_entities(client, citizen, permit_eservice):
    SlowBackend.reset()
    EService.objects.filter(pk=permit_eservice.pk).update(title_sv="Bygglov <garage> & förråd")
    submission = fill_in_and_submit(client)
    Worker(name="w").run_once()
    (receipt,) = receipts_of(submission)
    assert "Bygglov <garage> & förråd" in receipt.body
    assert "&lt;" not in receipt.body and "&amp;" not in receipt.body


@override_settings(EMAIL_BACKEND=SLOW)
def test_the_submit_wakes_a_waiting_worker(client, citizen, permit_eservice):
    # As in `verka demo` (a worker in the web process) or an idle `verka worker`: it waits on
    # its wake-up (a socket on SQLite, LISTEN on PostgreSQL); the commit of the submission
    # ends the wait, so the receipt goes out within a moment.
    SlowBackend.reset()
    wakeup = Wakeup(threading.Event())
    try:
        assert not wakeup.wait(0.2)  # nothing announced yet
        fill_in_and_submit(client)
        began = time.monotonic()
        assert wakeup.wait(10.0), "the submit did not wake the waiting worker"
        assert time.monotonic() - began < 5.0
    finally:
        wakeup.close()
