"""Fixtures of the goals tests: users of each kind and a small log made by the real engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group

from verka.accounts.services import create_user
from verka.processes import services as engine
from verka.processes.clock import ManualClock, use_clock
from verka.processes.models import UserTask

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # a Monday


def bpmn(process_id: str, body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="t">\n'
        f'<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process>'
        "</bpmn:definitions>"
    ).encode()


def user_task(task_id: str) -> str:
    return (
        f'<bpmn:userTask id="{task_id}"><bpmn:extensionElements><zeebe:userTask/>'
        "</bpmn:extensionElements></bpmn:userTask>"
    )


def flow(flow_id: str, source: str, target: str, condition: str = "") -> str:
    if not condition:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


# A permit-like process: check → (incomplete: supplement → check) → decide.
PERMIT = bpmn(
    "permit",
    '<bpmn:startEvent id="start"/>'
    + user_task("check")
    + '<bpmn:exclusiveGateway id="complete" default="toDecide"/>'
    + user_task("supplement")
    + user_task("decide")
    + '<bpmn:endEvent id="end"/>'
    + flow("f1", "start", "check")
    + flow("f2", "check", "complete")
    + flow("toSupplement", "complete", "supplement", "=incomplete = true")
    + flow("toDecide", "complete", "decide")
    + flow("f3", "supplement", "check")
    + flow("f4", "decide", "end"),
)


def complete(instance_key: int, element_id: str, variables: dict | None = None) -> None:
    task = UserTask.objects.get(
        process_instance_id=instance_key, element_id=element_id, state=UserTask.State.CREATED
    )
    engine.complete_user_task(task.key, variables or {})


def run_permit_case(clock: ManualClock, check_days: float, supplement_days: float | None,
                    decide_days: float, variables: dict | None = None) -> int:  # fmt: skip
    """One case through the real engine; returns its instance key. The clock ends where it began."""
    began = clock.current
    instance = engine.start_instance("permit", variables or {})
    clock.advance(timedelta(days=check_days))
    complete(instance.key, "check", {"incomplete": supplement_days is not None})
    if supplement_days is not None:
        clock.advance(timedelta(days=supplement_days))
        complete(instance.key, "supplement")
        complete(instance.key, "check", {"incomplete": False})
    clock.advance(timedelta(days=decide_days))
    complete(instance.key, "decide", {"decision": "granted"})
    clock.current = began
    return instance.key


@pytest.fixture
def manual_clock():
    with use_clock(ManualClock(START)) as clock:
        engine.deploy([("permit.bpmn", PERMIT)])
        yield clock


@pytest.fixture
def editor(db):
    user = create_user("diana", "pw-diana-123", kind="staff", display_name="Diana Digital")
    user.groups.add(Group.objects.get_or_create(name="digitalisering")[0])
    return user


@pytest.fixture
def reader(db):
    return create_user("olle", "pw-olle-123", kind="staff", display_name="Olle Olsson")


@pytest.fixture
def citizen(db):
    return create_user("anna", "pw-anna-123", kind="citizen", display_name="Anna Andersson")
