"""Message correlation under concurrency, on the real database: publishes, subscriptions opening
and message starts lined up at a barrier in threads, each with its own connection, many rounds.
On PostgreSQL these transactions really overlap; on SQLite the writer's turn serialises them and
the same assertions hold."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from verka.processes import services
from verka.processes.models import HistoryEvent, Message, ProcessInstance, UserTask

from . import models as m

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 25
HOUR = timedelta(hours=1)


def race(rounds: int, *actions: Callable[[int], Any]) -> list[list[Any]]:
    """Run action i in thread i, `rounds` times; all threads leave a barrier together before
    each round. Returns each round's results in action order; any error fails the test."""
    barrier = threading.Barrier(len(actions))
    results: list[list[Any]] = [[None] * len(actions) for _ in range(rounds)]
    errors: list[BaseException] = []

    def run(position: int, action: Callable[[int], Any]) -> None:
        try:
            for round_ in range(rounds):
                barrier.wait(timeout=60)
                results[round_][position] = action(round_)
        except BaseException as error:  # reported by the test below
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(position, action))
        for position, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    real = [error for error in errors if not isinstance(error, threading.BrokenBarrierError)]
    assert not real, f"a racing transaction failed: {real[0]!r}"
    assert not errors, "a thread did not finish its rounds"
    return results


def catches(instance_key: int) -> int:
    """How many times the instance's message catch event completed."""
    return HistoryEvent.objects.filter(
        process_instance_key=instance_key, element_id="wait", event_type="ELEMENT_COMPLETED"
    ).count()


def test_a_buffered_publish_and_a_subscription_opening_at_once_correlate_exactly_once():
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])

    def start(round_: int) -> int:
        return services.start_instance("waiter", {"caseId": f"case-{round_}"}).key

    def publish(round_: int) -> services.PublishedMessage:
        return services.publish_message(
            "answer", f"case-{round_}", {"reply": round_}, time_to_live=HOUR
        )

    lost = []
    for round_, (instance_key, published) in enumerate(race(ROUNDS, start, publish)):
        instance = ProcessInstance.objects.get(key=instance_key)
        # Never lost: the instance waited, the message waited for it; one of them finds the other.
        if instance.status != ProcessInstance.Status.COMPLETED:
            lost.append(round_)
            continue
        assert catches(instance_key) == 1
        message = Message.objects.get(correlation_key=f"case-{round_}")
        assert message.correlated_process_ids == '["waiter"]'
        assert published.buffered
    assert not lost, f"the message and the subscription missed each other in rounds {lost}"


def test_two_subscriptions_opening_at_once_take_a_buffered_message_once():
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])
    for round_ in range(ROUNDS):
        services.publish_message("answer", f"case-{round_}", {"n": round_}, time_to_live=HOUR)

    def start(round_: int) -> int:
        return services.start_instance("waiter", {"caseId": f"case-{round_}"}).key

    twice = []
    for round_, keys in enumerate(race(ROUNDS, start, start)):
        statuses = sorted(ProcessInstance.objects.get(key=key).status for key in keys)
        # A buffered message correlates once per process: one instance takes it, one waits.
        if statuses != ["ACTIVE", "COMPLETED"]:
            twice.append((round_, statuses))
        assert sum(catches(key) for key in keys) <= 2
    assert not twice, f"one buffered message correlated to two instances: {twice}"


def test_two_publishes_of_one_message_id_correlate_once():
    services.deploy([("waiter.bpmn", m.MESSAGE_WAIT)])
    waiting = [
        services.start_instance("waiter", {"caseId": f"case-{round_}"}).key
        for round_ in range(ROUNDS)
    ]

    def publish(round_: int) -> services.PublishedMessage:
        return services.publish_message(
            "answer", f"case-{round_}", {"n": round_}, time_to_live=HOUR, message_id=f"id-{round_}"
        )

    for round_, outcomes in enumerate(race(ROUNDS, publish, publish)):
        assert sorted(outcome.duplicate for outcome in outcomes) == [False, True], round_
        assert catches(waiting[round_]) == 1
        assert Message.objects.filter(message_id=f"id-{round_}").count() == 1
    assert not ProcessInstance.objects.filter(status="ACTIVE").exists()


def test_message_starts_with_one_correlation_key_at_once_start_one_instance():
    services.deploy([("fault.bpmn", m.MESSAGE_START)])

    def publish(round_: int) -> services.PublishedMessage:
        return services.publish_message("fault-reported", f"lamp-{round_}", {"n": round_})

    results = race(ROUNDS, publish, publish, publish)
    per_key = Counter(
        ProcessInstance.objects.filter(bpmn_process_id="fault-report").values_list(
            "business_key", flat=True
        )
    )
    doubled = {key: count for key, count in per_key.items() if count != 1}
    assert not doubled, f"more than one active instance per correlation key: {doubled}"
    assert len(per_key) == ROUNDS
    for outcomes in results:
        assert sorted(len(outcome.started_instances) for outcome in outcomes) == [0, 0, 1]


# A case officer reviews again and again until the applicant withdraws (a message boundary
# event): completing a review closes the task's subscription and opens the next one.
REVIEW_UNTIL_WITHDRAWN = m.bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask/>'
    "</bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:exclusiveGateway id="again" default="back"/>'
    '<bpmn:boundaryEvent id="withdrawn" attachedToRef="review">'
    '<bpmn:messageEventDefinition messageRef="w"/></bpmn:boundaryEvent>'
    '<bpmn:endEvent id="closed"/>'
    + m.flow("f1", "start", "review")
    + m.flow("f2", "review", "again")
    + m.flow("back", "again", "review")
    + m.flow("f3", "withdrawn", "closed"),
    process_id="reviewed",
    extra='<bpmn:message id="w" name="withdrawn"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>',
)


def test_a_publish_while_the_instance_moves_to_its_next_subscription_is_not_lost():
    services.deploy([("reviewed.bpmn", REVIEW_UNTIL_WITHDRAWN)])
    instances = [
        services.start_instance("reviewed", {"caseId": f"case-{round_}"}).key
        for round_ in range(ROUNDS)
    ]

    tasks = [UserTask.objects.get(process_instance_id=key).key for key in instances]

    def review(round_: int) -> str:
        try:
            services.complete_user_task(tasks[round_])
        except services.CommandRejected:
            return "withdrawn first"  # the boundary event took the task away: fine
        return "reviewed"

    def withdraw(round_: int) -> services.PublishedMessage:
        return services.publish_message("withdrawn", f"case-{round_}", time_to_live=HOUR)

    race(ROUNDS, review, withdraw)
    lost = [
        round_
        for round_, key in enumerate(instances)
        if ProcessInstance.objects.get(key=key).status != ProcessInstance.Status.COMPLETED
    ]
    assert not lost, f"the withdrawal was lost in rounds {lost}"
    closed = HistoryEvent.objects.filter(element_id="closed", event_type="ELEMENT_COMPLETED")
    assert sorted(closed.values_list("process_instance_key", flat=True)) == sorted(instances)
