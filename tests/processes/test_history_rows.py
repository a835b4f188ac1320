"""What the history table keeps: every state an element reached, but a passing state
(ACTIVATING, COMPLETING, TERMINATING) only where the element stopped in it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from verka.engine.runtime import HistoryEvent
from verka.processes import executor, services
from verka.processes.models import HistoryEvent as HistoryRow

from . import models as m

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stored(instance_key: int) -> list[tuple[str, str]]:
    return list(
        HistoryRow.objects.filter(process_instance_key=instance_key)
        .order_by("id")
        .values_list("element_id", "event_type")
    )


def test_states_passed_through_in_one_command_are_stored_as_the_state_after():
    services.deploy([("one-task.bpmn", m.ONE_TASK)])
    key = services.start_instance("one-task", {"amount": 5}).key
    (job,) = services.activate_jobs("work", "w")
    services.complete_job(job.key, {})

    events = stored(key)
    assert not [e for e in events if e[1].endswith("ING")]
    assert events == [
        ("one-task", "VARIABLE_CREATED"),
        ("one-task", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_COMPLETED"),
        ("f1", "SEQUENCE_FLOW_TAKEN"),
        ("work", "ELEMENT_ACTIVATED"),
        ("work", "ELEMENT_COMPLETED"),
        ("f2", "SEQUENCE_FLOW_TAKEN"),
        ("gw", "ELEMENT_ACTIVATED"),
        ("gw", "ELEMENT_COMPLETED"),
        ("toLow", "SEQUENCE_FLOW_TAKEN"),
        ("low", "ELEMENT_ACTIVATED"),
        ("low", "ELEMENT_COMPLETED"),
        ("one-task", "ELEMENT_COMPLETED"),
    ]


def test_an_element_that_stops_in_a_passing_state_keeps_that_row():
    # Models that deploy cannot make a mapping fail this way today (FEEL reports errors as
    # null), so the events are the engine's own shape, built by hand: a task whose input
    # mapping failed stays ACTIVATING with an incident; the start event passed through.
    def event(key: int, element: str, event_type: str) -> HistoryEvent:
        return HistoryEvent(NOW, 1, key, element, "serviceTask", event_type)

    events = [
        event(2, "start", "ELEMENT_ACTIVATING"),
        event(2, "start", "ELEMENT_ACTIVATED"),
        event(2, "start", "ELEMENT_COMPLETING"),
        event(2, "start", "ELEMENT_COMPLETED"),
        event(3, "work", "ELEMENT_ACTIVATING"),
        event(3, "work", "INCIDENT_CREATED"),
    ]
    assert [(e.element_id, e.event_type) for e in executor._stored_history(events)] == [
        ("start", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_COMPLETED"),
        ("work", "ELEMENT_ACTIVATING"),
        ("work", "INCIDENT_CREATED"),
    ]
