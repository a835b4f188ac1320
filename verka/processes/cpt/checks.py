"""CPT assertion instructions: each compares what the engine shows with what the test expects
and, when they differ, says both."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from verka.engine.bpmn import BoundaryEvent, IntermediateCatchEvent, ReceiveTask, StartEvent

from .. import codec, repository
from ..models import HistoryEvent, Incident, MessageSubscription, ProcessInstance, Variable
from .cases import InstructionError, Mismatch
from .lookup import (
    LIVE,
    NOT_FLOW_NODES,
    element_ids,
    element_label,
    element_rows,
    find_instance,
    find_user_task,
    plain,
    quoted,
    same_json,
    scope_key,
    show,
    state_of,
)
from .session import Session

Instruction = Mapping[str, Any]

_STATE_WORDS = {
    "IS_ACTIVE": "active",
    "IS_COMPLETED": "completed",
    "IS_TERMINATED": "terminated",
    "IS_CREATED": "created",
    "IS_CANCELED": "canceled",
    "IS_FAILED": "failed",
}


def _instance_label(instance: ProcessInstance) -> str:
    return f"process instance of '{instance.bpmn_process_id}'"


def _active_elements(instance: ProcessInstance) -> list[str]:
    return sorted({row.element_id for row in element_rows(instance) if row.state in LIVE})


def _open_incidents(instance: ProcessInstance) -> list[str]:
    return [
        f"{incident.error_type} at {incident.element_id}: {incident.message}"
        for incident in Incident.objects.filter(
            process_instance=instance, state=Incident.State.OPEN
        ).order_by("created_at", "key")
    ]


# --- process instances --------------------------------------------------------------------


def assert_process_instance(session: Session, instruction: Instruction) -> None:
    instance = find_instance(instruction["processInstanceSelector"])
    problems = []
    expected = instruction.get("state")
    if expected is not None and expected != "IS_CREATED":
        actual = "IS_" + instance.status
        if actual != expected:
            details = []
            if instance.status == ProcessInstance.Status.ACTIVE:
                details.append(f"active elements: {quoted(_active_elements(instance))}")
            incidents = _open_incidents(instance)
            if incidents:
                details.append(f"open incidents: {'; '.join(incidents)}")
            suffix = f" ({'; '.join(details)})" if details else ""
            problems.append(
                f"expected {_instance_label(instance)} to be {_STATE_WORDS[expected]} "
                f"but it is {_STATE_WORDS[actual]}{suffix}"
            )
    wanted_incidents = instruction.get("hasActiveIncidents")
    if wanted_incidents is not None:
        incidents = _open_incidents(instance)
        if wanted_incidents and not incidents:
            problems.append(
                f"expected {_instance_label(instance)} to have an active incident but it has none"
            )
        elif not wanted_incidents and incidents:
            problems.append(
                f"expected {_instance_label(instance)} to have no active incidents but it has "
                f"{len(incidents)}: {'; '.join(incidents)}"
            )
    if problems:
        raise Mismatch("; ".join(problems))


# --- elements -----------------------------------------------------------------------------


def _element_summary(instance: ProcessInstance) -> str:
    counts = Counter(
        f"{row.element_id} {_STATE_WORDS[state_of(row)]}" for row in element_rows(instance)
    )
    listed = [f"{name} x{n}" if n > 1 else name for name, n in sorted(counts.items())]
    return "element instances: " + (", ".join(listed) if listed else "none")


def assert_element_instance(session: Session, instruction: Instruction) -> None:
    instance = find_instance(instruction["processInstanceSelector"])
    selector = instruction["elementSelector"]
    state = instruction["state"]
    amount = int(instruction.get("amount", 1))
    if amount < 1:
        raise InstructionError(f"amount: expected at least 1, found {amount}")
    rows = element_rows(instance, element_ids(instance, selector))
    found = sum(1 for row in rows if state_of(row) == state)
    if found != amount:
        raise Mismatch(
            f"expected element {element_label(selector)} to be {_STATE_WORDS[state]} "
            f"{amount} time(s) but it was {found} time(s) ({_element_summary(instance)})"
        )


def _completion_order(instance: ProcessInstance) -> list[str]:
    return list(
        HistoryEvent.objects.filter(
            process_instance_key=instance.key, event_type="ELEMENT_COMPLETED"
        )
        .exclude(element_type__in=NOT_FLOW_NODES)
        .order_by("id")
        .values_list("element_id", flat=True)
    )


def assert_element_instances(session: Session, instruction: Instruction) -> None:
    instance = find_instance(instruction["processInstanceSelector"])
    selectors = instruction["elementSelectors"]
    state = instruction["state"]
    groups = [(sel, element_ids(instance, sel)) for sel in selectors]
    rows = element_rows(instance)

    def states(ids: set[str]) -> set[str]:
        return {state_of(row) for row in rows if row.element_id in ids}

    if state in ("IS_ACTIVE", "IS_COMPLETED", "IS_TERMINATED"):
        missing = [sel for sel, ids in groups if state not in states(ids)]
        if missing:
            raise Mismatch(
                f"expected elements {_labels(missing)} to be {_STATE_WORDS[state]} but "
                f"{_labels(missing)} {'is' if len(missing) == 1 else 'are'} not "
                f"({_element_summary(instance)})"
            )
    elif state == "IS_NOT_ACTIVE":
        active = [sel for sel, ids in groups if "IS_ACTIVE" in states(ids)]
        if active:
            raise Mismatch(
                f"expected elements {_labels(selectors)} not to be active but {_labels(active)} "
                f"{'is' if len(active) == 1 else 'are'} ({_element_summary(instance)})"
            )
    elif state == "IS_NOT_ACTIVATED":
        reached = [sel for sel, ids in groups if states(ids)]
        if reached:
            raise Mismatch(
                f"expected elements {_labels(selectors)} never to be activated but "
                f"{_labels(reached)} {'was' if len(reached) == 1 else 'were'} "
                f"({_element_summary(instance)})"
            )
    elif state == "IS_ACTIVE_EXACTLY":
        wanted: set[str] = set().union(*(ids for _sel, ids in groups))
        active_now = set(_active_elements(instance))
        missing = [sel for sel, ids in groups if not ids & active_now]
        extra = sorted(active_now - wanted)
        if missing or extra:
            found = []
            if missing:
                found.append(f"{_labels(missing)} not active")
            if extra:
                found.append(f"also active: {quoted(extra)}")
            raise Mismatch(
                f"expected exactly elements {_labels(selectors)} to be active but "
                f"{'; '.join(found)}"
            )
    else:  # IS_COMPLETED_IN_ORDER
        order = _completion_order(instance)
        position = 0
        for sel, ids in groups:
            while position < len(order) and order[position] not in ids:
                position += 1
            if position == len(order):
                raise Mismatch(
                    f"expected elements {_labels(selectors)} to be completed in that order but "
                    f"{element_label(sel)} was not completed after the ones before it "
                    f"(completion order: {quoted(order)})"
                )
            position += 1


def _labels(selectors: list[Any]) -> str:
    return "[" + ", ".join(element_label(sel) for sel in selectors) + "]"


# --- variables ----------------------------------------------------------------------------


def assert_variables(session: Session, instruction: Instruction) -> None:
    instance = find_instance(instruction["processInstanceSelector"])
    selector = instruction.get("elementSelector")
    scope = scope_key(instance, selector)
    actual = {
        row.name: plain(codec.from_json_text(row.value))
        for row in Variable.objects.filter(process_instance=instance, scope_key=scope)
    }
    where = (
        f"{_instance_label(instance)}" if selector is None else f"element {element_label(selector)}"
    )
    problems = []
    missing = [name for name in instruction.get("variableNames") or [] if name not in actual]
    if missing:
        problems.append(f"expected variables {quoted(missing)} but they do not exist")
    for name, expected in (instruction.get("variables") or {}).items():
        if name not in actual:
            problems.append(f"expected variable '{name}' = {show(expected)} but it does not exist")
        elif not same_json(expected, actual[name]):
            problems.append(
                f"expected variable '{name}' = {show(expected)} but it is {show(actual[name])}"
            )
    if problems:
        names = quoted(sorted(actual))
        raise Mismatch(f"{'; '.join(problems)} (variables of {where}: {names})")


# --- user tasks ---------------------------------------------------------------------------


def _same_instant(expected: str, actual: datetime | None) -> bool:
    if actual is None:
        return False
    try:
        return datetime.fromisoformat(expected) == actual
    except (ValueError, TypeError):
        return False


def assert_user_task(session: Session, instruction: Instruction) -> None:
    task = find_user_task(instruction["userTaskSelector"], open_only=False)
    problems = []

    def differs(what: str, expected: Any, actual: Any) -> None:
        problems.append(f"expected {what} {show(expected)} but it is {show(actual)}")

    state = instruction.get("state")
    if state is not None and "IS_" + task.state != state:
        differs("state", _STATE_WORDS[state], _STATE_WORDS.get("IS_" + task.state, task.state))
    if "assignee" in instruction and task.assignee != instruction["assignee"]:
        differs("assignee", instruction["assignee"], task.assignee or None)
    if "candidateGroups" in instruction:
        groups = json.loads(task.candidate_groups)
        if sorted(groups) != sorted(instruction["candidateGroups"]):
            differs("candidate groups", instruction["candidateGroups"], groups)
    if "priority" in instruction and task.priority != int(instruction["priority"]):
        differs("priority", instruction["priority"], task.priority)
    if "elementId" in instruction and task.element_id != instruction["elementId"]:
        differs("element id", instruction["elementId"], task.element_id)
    if "name" in instruction and task.name != instruction["name"]:
        differs("name", instruction["name"], task.name)
    for key, label, actual in (
        ("dueDate", "due date", task.due_date),
        ("followUpDate", "follow-up date", task.follow_up_date),
    ):
        if key in instruction and not _same_instant(instruction[key], actual):
            differs(label, instruction[key], actual.isoformat() if actual else None)
    if problems:
        label = f"'{task.name}'" if task.name else f"at '{task.element_id}'"
        raise Mismatch(f"user task {label}: {'; '.join(problems)}")


# --- messages -----------------------------------------------------------------------------


def _message_elements(instance: ProcessInstance, message_name: str) -> set[str]:
    """Elements of the instance's process that wait for a message of this (static) name."""
    process = repository.process_model(instance.definition)
    ids = set()
    for element in process.elements.values():
        if isinstance(element, ReceiveTask):
            ref = element.message_ref
        elif isinstance(element, IntermediateCatchEvent | BoundaryEvent | StartEvent):
            ref = element.event.ref if element.event.kind == "message" else ""
        else:
            continue
        message = process.messages.get(ref)
        if message is not None and message.name == message_name:
            ids.add(element.id)
    return ids


def _was_correlated(
    session: Session, instance: ProcessInstance, name: str, key: str | None
) -> bool:
    for correlation in session.correlations:
        if (
            correlation.instance_key == instance.key
            and correlation.message_name == name
            and (key is None or correlation.correlation_key == key)
        ):
            return True
    # A buffered message (time to live) correlates later, when the subscription opens.
    if key is not None and not any(n == name and k == key for n, k in session.published):
        return False
    triggered = {"COMPLETED", "COMPLETING"}
    elements = _message_elements(instance, name)
    for row in element_rows(instance, elements):
        if row.state in triggered or row.element_type in ("boundaryEvent", "startEvent"):
            return True
    return False


def assert_process_instance_message_subscription(
    session: Session, instruction: Instruction
) -> None:
    instance = find_instance(instruction["processInstanceSelector"])
    selector = instruction["messageSelector"]
    name = selector["messageName"]
    key = selector.get("correlationKey")
    subscriptions = MessageSubscription.objects.filter(process_instance=instance, message_name=name)
    if key is not None:
        subscriptions = subscriptions.filter(correlation_key=key)
    waiting = subscriptions.exists()
    what = f"message '{name}'" + (f" with correlation key '{key}'" if key is not None else "")
    state = instruction["state"]
    if state == "IS_WAITING" and not waiting:
        open_ones = sorted(
            f"{s.message_name} ({s.correlation_key})" if s.correlation_key else s.message_name
            for s in MessageSubscription.objects.filter(process_instance=instance)
        )
        raise Mismatch(
            f"expected {_instance_label(instance)} to wait for {what} but it does not "
            f"(waiting for: {quoted(open_ones)})"
        )
    if state == "IS_NOT_WAITING" and waiting:
        raise Mismatch(f"expected {_instance_label(instance)} not to wait for {what} but it does")
    if state == "IS_CORRELATED" and not _was_correlated(session, instance, name, key):
        still = " (it still waits for it)" if waiting else ""
        raise Mismatch(
            f"expected {what} to be correlated to {_instance_label(instance)} but it was not{still}"
        )


# --- decisions ----------------------------------------------------------------------------


def assert_decision(session: Session, instruction: Instruction) -> None:
    evaluation = session.decisions.find(instruction["decisionSelector"])
    problems = []
    if "output" in instruction and not same_json(instruction["output"], evaluation.output):
        problems.append(
            f"expected output {show(instruction['output'])} but it was {show(evaluation.output)}"
        )
    matched = list(evaluation.matched_rules)
    if "matchedRules" in instruction:
        expected = [int(i) for i in instruction["matchedRules"]]
        if sorted(expected) != sorted(matched):
            problems.append(f"expected matched rules {expected} but they were {matched}")
    if "notMatchedRules" in instruction:
        wrong = [int(i) for i in instruction["notMatchedRules"] if int(i) in matched]
        if wrong:
            problems.append(f"expected rules {wrong} not to match but they did")
    if instruction.get("noMatchedRules") and matched:
        problems.append(f"expected no rule to match but rules {matched} did")
    if problems:
        mocked = " (mocked)" if evaluation.mocked else ""
        raise Mismatch(f"decision '{evaluation.decision_id}'{mocked}: {'; '.join(problems)}")
