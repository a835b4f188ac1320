"""The outbox: an effect is recorded with its cause, claimed by one worker, retried with
back-off, left failed (visible, and sent again on request) when its attempts run out; periodic
duties are held by one worker at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from verka.worker import duties, outbox
from verka.worker.models import Effect

pytestmark = pytest.mark.django_db

SENT: list[str] = []
FAILING: dict[str, Exception] = {}


@outbox.sender("test-effect", attempts=3, first_backoff=timedelta(seconds=10))
def send_test_effect(effect: Effect) -> None:
    error = FAILING.get(effect.key)
    if error is not None:
        raise error
    SENT.append(effect.key)


@pytest.fixture(autouse=True)
def clean() -> None:
    SENT.clear()
    FAILING.clear()


def make_due(key: str) -> None:
    Effect.objects.filter(key=key).update(due_at=timezone.now() - timedelta(seconds=1))


def test_an_effect_is_recorded_once_per_key_and_sent_once():
    outbox.add("test-effect", "a", {"n": 1})
    outbox.add("test-effect", "a", {"n": 2})  # a repeated cause adds nothing
    assert Effect.objects.get().payload == {"n": 1}
    assert outbox.send_due("w") == 1
    assert outbox.send_due("w") == 0
    effect = Effect.objects.get()
    assert SENT == ["a"] and effect.state == "sent" and effect.sent_at is not None


def test_an_effect_of_a_cause_that_rolled_back_does_not_exist():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.add("test-effect", "b", {})
        raise RuntimeError("the cause failed")
    assert not Effect.objects.exists()
    assert outbox.send_due("w") == 0 and SENT == []


def test_a_claimed_effect_is_not_claimed_again_until_its_lease_runs_out():
    outbox.add("test-effect", "c", {})
    (claimed,) = outbox.claim("first")
    assert outbox.claim("second") == []  # the first worker holds it
    assert claimed.claimed_by == "first" and claimed.attempts == 1
    # The first worker dies before it sends: once the lease runs out another takes it.
    later = timezone.now() + outbox.lease() + timedelta(seconds=1)
    (again,) = outbox.claim("second", now=later)
    assert again.pk == claimed.pk and again.attempts == 2
    assert outbox.send_one(again) and SENT == ["c"]


def test_failures_back_off_and_end_failed_where_operations_send_it_again():
    FAILING["d"] = ConnectionRefusedError("mail server down")
    outbox.add("test-effect", "d", {})
    waits = []
    for _attempt in range(3):
        make_due("d")
        before = timezone.now()
        assert outbox.send_due("w") == 1
        effect = Effect.objects.get()
        waits.append(round((effect.due_at - before).total_seconds()))
    assert waits[:2] == [10, 20]  # doubling
    assert effect.state == "failed" and effect.attempts == 3
    assert "ConnectionRefusedError: mail server down" in effect.last_error
    make_due("d")
    assert outbox.send_due("w") == 0  # failed stays failed
    del FAILING["d"]
    assert outbox.send_again([effect.pk]) == 1
    assert outbox.send_due("w") == 1
    assert Effect.objects.get().state == "sent" and SENT == ["d"]


def test_an_undeliverable_effect_fails_at_once():
    FAILING["e"] = outbox.Undeliverable("the submission is gone")
    outbox.add("test-effect", "e", {})
    outbox.send_due("w")
    effect = Effect.objects.get()
    assert (effect.state, effect.attempts) == ("failed", 1)


def test_effects_of_a_kind_no_sender_knows_are_left_alone():
    outbox.add("nobody-sends-this", "f", {})
    assert outbox.send_due("w") == 0
    assert Effect.objects.get().state == "pending"


def test_failed_effects_are_listed_for_operations(admin_client):
    FAILING["g"] = outbox.Undeliverable("gone")
    outbox.add("test-effect", "g", {})
    outbox.send_due("w")
    page = admin_client.get("/admin/worker/effect/?state__exact=failed")
    assert page.status_code == 200 and "gone" in page.content.decode()
    admin_client.post(
        "/admin/worker/effect/",
        {"action": "send_again", "_selected_action": [Effect.objects.get().pk]},
    )
    assert Effect.objects.get().state == "pending"


def test_message_ids_are_stable_per_effect_and_differ_between_effects():
    outbox.add("test-effect", "h1", {})
    outbox.add("test-effect", "h2", {})
    one, two = Effect.objects.order_by("key")
    assert outbox.message_id(one) == outbox.message_id(Effect.objects.get(pk=one.pk))
    assert outbox.message_id(one) != outbox.message_id(two)


def test_header_text_keeps_a_typed_line_break_from_starting_a_header():
    assert outbox.header_text("Ärende\r\nBcc: x@example.se") == "Ärende Bcc: x@example.se"


def test_a_duty_is_held_by_one_worker_at_a_time():
    lease = timedelta(minutes=5)
    assert duties.take("snapshots", "a", lease)
    assert not duties.take("snapshots", "b", lease)
    assert duties.take("snapshots", "a", lease)  # the holder may renew it
    duties.release("snapshots", "a")
    with duties.held("snapshots", "b", lease) as mine:
        assert mine
        assert not duties.take("snapshots", "a", lease)
    assert duties.take("snapshots", "a", timedelta(seconds=-1))  # a lease that ran out …
    assert duties.take("snapshots", "b", lease)  # … is taken over


def test_sent_effects_are_deleted_after_the_keeping_time_and_the_others_stay():
    for key in ("old", "new", "stuck"):
        outbox.add("test-effect", key, {"to": "anna@example.se"})
    FAILING["stuck"] = outbox.Undeliverable("gone")
    outbox.send_due("w")
    long_ago = timezone.now() - timedelta(days=31)
    Effect.objects.filter(key="old").update(sent_at=long_ago)
    Effect.objects.filter(key="stuck").update(created_at=long_ago)
    assert outbox.prune_sent("w", now=timezone.now()) == 1
    assert sorted(Effect.objects.values_list("key", flat=True)) == ["new", "stuck"]
