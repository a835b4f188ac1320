"""What the case view shows: the applicant's answers and files, messages and documents, the
timeline, and where the process stands (the steps taken and the diagram's markers).

Messages and documents belong to the cases app; when its `services` offers a function this
module uses it, otherwise it reads and writes the cases models directly in the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from verka.cases.models import CaseAccess, CaseDocument, CaseMessage
from verka.engine.bpmn import Process
from verka.eservices.models import Attachment, Submission
from verka.processes import repository
from verka.processes.models import ElementInstance, HistoryEvent, Incident, ProcessInstance


def _cases_service(name: str) -> Any:
    try:
        from verka.cases import services as cases
    except ImportError:
        return None
    return getattr(cases, name, None)


def send_message(submission: Submission, author: Any, body: str, files: Any = ()) -> CaseMessage:
    send = _cases_service("send_message")
    if send is not None:
        return send(submission, author, body, list(files), from_staff=True)  # type: ignore[no-any-return]
    return CaseMessage.objects.create(
        submission=submission,
        author=author,
        from_staff=True,
        body=body,
        created_at=timezone.now(),
    )


def messages(submission: Submission | None, *, mark_read: bool = False) -> list[CaseMessage]:
    if submission is None:
        return []
    if mark_read:
        mark = _cases_service("mark_messages_read")
        if mark is not None:
            mark(submission, by_staff=True)
    return list(
        CaseMessage.objects.filter(submission=submission)
        .select_related("author")
        .prefetch_related("documents")
    )


def documents(submission: Submission | None) -> list[CaseDocument]:
    """Decisions, letters and message attachments of the case (staff see them all)."""
    if submission is None:
        return []
    return list(CaseDocument.objects.filter(submission=submission).order_by("created_at"))


def attachments(submission: Submission | None) -> list[Attachment]:
    if submission is None:
        return []
    return list(submission.attachments.order_by("uploaded_at"))


def answers(submission: Submission | None, language: str = "sv") -> list[tuple[str, str]]:
    """(question, answer) pairs of the application, with the form's labels in `language`."""
    if submission is None:
        return []
    localized = _cases_service("answer_rows")
    try:
        if localized is not None:
            return localized(submission, language)  # type: ignore[no-any-return]
        from verka.eservices.receipts import answer_rows

        return answer_rows(submission)
    except Exception:  # the start form was removed or is broken: show the raw answers
        from verka.eservices.receipts import display

        return [(key, display(value)) for key, value in (submission.data or {}).items()]


# --- where the process stands ---------------------------------------------------------------

FLOW_NODE_EVENTS = {"ELEMENT_ACTIVATED", "ELEMENT_COMPLETED", "ELEMENT_TERMINATED"}
SHOWN_TYPES_SKIP = {"process", "sequenceFlow"}


@dataclass
class Step:
    element_id: str
    name: str
    element_type: str
    state: str  # active | completed | terminated
    started: datetime | None = None
    ended: datetime | None = None


@dataclass
class Position:
    steps: list[Step] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    taken_flows: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)


def process_model(instance: ProcessInstance) -> Process | None:
    try:
        return repository.process_model(instance.definition)
    except Exception:  # a model that no longer parses must not hide the case
        return None


def element_name(model: Process | None, element_id: str) -> str:
    if model is not None:
        element = model.elements.get(element_id)
        if element is not None and element.name:
            return element.name
    return element_id


def position(instance: ProcessInstance, model: Process | None) -> Position:
    """Steps taken in order (from the history), active elements, and taken sequence flows."""
    result = Position()
    steps: dict[int, Step] = {}
    events = HistoryEvent.objects.filter(process_instance_key=instance.key).order_by("id")
    for event in events.only(
        "element_instance_key", "element_id", "element_type", "event_type", "timestamp", "name"
    ).iterator():
        if event.event_type == "SEQUENCE_FLOW_TAKEN":
            if event.element_id not in result.taken_flows:
                result.taken_flows.append(event.element_id)
            continue
        if event.event_type not in FLOW_NODE_EVENTS or event.element_type in SHOWN_TYPES_SKIP:
            continue
        step = steps.get(event.element_instance_key)
        if step is None:
            step = Step(
                element_id=event.element_id,
                name=element_name(model, event.element_id),
                element_type=event.element_type,
                state="active",
                started=event.timestamp,
            )
            steps[event.element_instance_key] = step
        if event.event_type == "ELEMENT_COMPLETED":
            step.state, step.ended = "completed", event.timestamp
        elif event.event_type == "ELEMENT_TERMINATED":
            step.state, step.ended = "terminated", event.timestamp
    # The text list leaves out unnamed gateways (joins): they mean nothing to a reader.
    result.steps = [
        step
        for step in steps.values()
        if not (step.element_type.endswith("Gateway") and step.name == step.element_id)
    ]
    completed = {s.element_id for s in steps.values() if s.state == "completed"}
    live = ElementInstance.objects.filter(process_instance_id=instance.key, is_live=True)
    live_ids = set(live.exclude(element_type="process").values_list("element_id", flat=True))
    result.active = sorted(live_ids)
    result.completed = sorted(completed - live_ids)
    result.incidents = sorted(
        set(
            Incident.objects.filter(
                process_instance_id=instance.key, state=Incident.State.OPEN
            ).values_list("element_id", flat=True)
        )
    )
    return result


def diagram_xml(instance: ProcessInstance) -> str:
    return str(instance.definition.resource.content)


# --- the timeline ---------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # step | message | change | incident
    text: str
    who: str = ""
    detail: str = ""
    code: str = ""


TIMELINE_EVENTS = {"ELEMENT_ACTIVATED", "ELEMENT_COMPLETED", "ELEMENT_TERMINATED"}
TIMELINE_TYPES = {
    "userTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "scriptTask",
    "callActivity",
    "subProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "manualTask",
}


def history_entries(instance: ProcessInstance, model: Process | None) -> list[TimelineEntry]:
    entries = []
    events = HistoryEvent.objects.filter(process_instance_key=instance.key).order_by("id")
    for event in events.filter(
        event_type__in=[*TIMELINE_EVENTS, "INCIDENT_CREATED", "INCIDENT_RESOLVED"]
    ).iterator():
        if event.event_type.startswith("INCIDENT"):
            detail = _value_text(event.value)
            entries.append(
                TimelineEntry(
                    event.timestamp,
                    "incident",
                    element_name(model, event.element_id),
                    detail=detail,
                    code=event.event_type,
                )
            )
            continue
        if event.element_type not in TIMELINE_TYPES:
            continue
        entries.append(
            TimelineEntry(
                event.timestamp,
                "step",
                element_name(model, event.element_id),
                code=event.event_type,
            )
        )
    return entries


def _value_text(value: str) -> str:
    if not value:
        return ""
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, str) else value


# The cases app logs each message as "message"; the thread itself is on the timeline already.
ALREADY_SHOWN = {"message"}


def change_entries(instance_key: int) -> list[TimelineEntry]:
    """Officers' actions from the audit log (reads are in the log, not in the case history)."""
    rows = CaseAccess.objects.filter(
        process_instance_key=instance_key, action=CaseAccess.Action.CHANGE
    ).select_related("user")
    entries = []
    for row in rows.order_by("at", "id"):
        if row.what in ALREADY_SHOWN:
            continue
        code, _, detail = row.what.partition(":")
        entries.append(
            TimelineEntry(row.at, "change", "", who=str(row.user or ""), detail=detail, code=code)
        )
    return entries


def message_entries(submission: Submission | None) -> list[TimelineEntry]:
    entries = []
    for message in messages(submission):
        entries.append(
            TimelineEntry(
                message.created_at,
                "message",
                "",
                who=str(message.author or ""),
                detail=message.body[:200],
                code="from_staff" if message.from_staff else "from_applicant",
            )
        )
    return entries


def timeline(
    instance: ProcessInstance, submission: Submission | None, model: Process | None
) -> list[TimelineEntry]:
    entries = history_entries(instance, model) + change_entries(instance.key)
    # Messages the officer sent are already in the change log; the applicant's are added.
    entries += [e for e in message_entries(submission) if e.code == "from_applicant"]
    return sorted(entries, key=lambda e: e.at)
