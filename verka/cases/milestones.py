"""Where a case stands, read from its process instances: the status in words and the timeline."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from verka.eservices.models import Submission
from verka.processes import codec
from verka.processes.models import HistoryEvent, ProcessInstance, UserTask, Variable

from .models import CaseDocument, CaseMessage

# Elements whose completion means someone (or some system) worked on the case. Events, gateways
# and the rule and script tasks that run the moment an application arrives do not count.
WORK_ELEMENT_TYPES = frozenset(
    {
        "userTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "manualTask",
        "task",
        "callActivity",
        "intermediateCatchEvent",
    }
)
# Deep enough for any real chain of call activities, and a guard against a cycle in bad data.
MAX_INSTANCES_PER_CASE = 200


class CaseStatus(models.TextChoices):
    """What the applicant sees about a case, in this order of precedence."""

    WAITING_FOR_YOU = "waiting_for_you", gettext_lazy("Väntar på dig")
    DECIDED = "decided", gettext_lazy("Beslutat")
    CLOSED = "closed", gettext_lazy("Avslutat")
    IN_PROGRESS = "in_progress", gettext_lazy("Under handläggning")
    RECEIVED = "received", gettext_lazy("Mottaget")


# --- the instances of a case ---------------------------------------------------------------


def case_instance_keys(submission: Submission) -> list[int]:
    """The case's process instance and every instance started from it by call activities."""
    root = submission.process_instance_key
    if root is None:
        return []
    keys = [root]
    frontier = [root]
    while frontier and len(keys) < MAX_INSTANCES_PER_CASE:
        children = list(
            ProcessInstance.objects.filter(parent_instance_key__in=frontier).values_list(
                "key", flat=True
            )
        )
        frontier = [key for key in children if key not in keys]
        keys.extend(frontier)
    return keys[:MAX_INSTANCES_PER_CASE]


def submission_of_instance(instance_key: int) -> Submission | None:
    """The case a process instance belongs to, climbing from called instances to the root."""
    key: int | None = instance_key
    for _hop in range(MAX_INSTANCES_PER_CASE):
        if key is None:
            return None
        submission = (
            Submission.objects.filter(process_instance_key=key)
            .select_related("eservice", "applicant")
            .first()
        )
        if submission is not None:
            return submission
        key = (
            ProcessInstance.objects.filter(key=key)
            .values_list("parent_instance_key", flat=True)
            .first()
        )
    return None


def instance_variables(instance_key: int, scope_key: int | None = None) -> dict[str, Any]:
    """The instance's process-level variables as FEEL values, overlaid with a scope's locals."""
    scopes = [instance_key] if scope_key in (None, instance_key) else [instance_key, scope_key]
    found: dict[int, dict[str, Any]] = {scope: {} for scope in scopes}
    rows = Variable.objects.filter(process_instance_id=instance_key, scope_key__in=scopes)
    for scope, name, value in rows.values_list("scope_key", "name", "value"):
        found[scope][name] = codec.from_json_text(value)
    merged: dict[str, Any] = {}
    for scope in scopes:
        merged.update(found[scope])
    return merged


# --- tasks for the applicant ---------------------------------------------------------------


def _json_text(text: str, default: Any) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return default


def task_headers(task: UserTask) -> dict[str, Any]:
    headers = _json_text(task.custom_headers, {})
    return headers if isinstance(headers, dict) else {}


def is_applicant_task(task: UserTask, applicant_username: str) -> bool:
    """A task is the applicant's when its header `verka:audience` says so, or when it is assigned
    to the applicant's username (assignee or candidate users, e.g. `candidateUsers="=[applicant]"`).
    `verka:audience = staff` keeps a task with the staff even if the names happen to match."""
    audience = str(task_headers(task).get("verka:audience", "")).strip().lower()
    if audience == "applicant":
        return True
    if audience == "staff" or not applicant_username:
        return False
    if task.assignee == applicant_username:
        return True
    candidates = _json_text(task.candidate_users, [])
    return isinstance(candidates, list) and applicant_username in candidates


def _username(submission: Submission) -> str:
    applicant = submission.applicant
    return applicant.get_username() if applicant is not None else ""


def open_applicant_tasks(
    submission: Submission, keys: Sequence[int] | None = None
) -> list[UserTask]:
    """The applicant's open tasks in the case (`keys`: its instances, if already known)."""
    keys = case_instance_keys(submission) if keys is None else keys
    if not keys:
        return []
    username = _username(submission)
    tasks = UserTask.objects.filter(
        process_instance_id__in=keys, state=UserTask.State.CREATED
    ).order_by("created_at", "key")
    return [task for task in tasks if is_applicant_task(task, username)]


# --- status --------------------------------------------------------------------------------


def _decision_variable_set(root_key: int) -> bool:
    row = Variable.objects.filter(
        process_instance_id=root_key, scope_key=root_key, name="decision"
    ).first()
    return row is not None and row.value not in ("null", '""', "")


def status_of(submission: Submission) -> CaseStatus:
    """The case's status from its process milestones.

    - waiting for you: the applicant has an open task (a completion request, an offer to answer);
    - decided: a decision document exists, the process variable `decision` is set, or the
      process has completed;
    - closed: the process was cancelled without a decision;
    - in progress: any work happened (a task or service call completed, a message arrived, an
      officer took a task or wrote to the applicant);
    - received: nothing of that yet.
    """
    keys = case_instance_keys(submission)
    if open_applicant_tasks(submission, keys):
        return CaseStatus.WAITING_FOR_YOU
    if CaseDocument.objects.filter(submission=submission, kind=CaseDocument.Kind.DECISION).exists():
        return CaseStatus.DECIDED
    if not keys:
        return CaseStatus.RECEIVED
    root = ProcessInstance.objects.filter(key=keys[0]).first()
    if _decision_variable_set(keys[0]) or (
        root is not None and root.status == ProcessInstance.Status.COMPLETED
    ):
        return CaseStatus.DECIDED
    if root is not None and root.status == ProcessInstance.Status.TERMINATED:
        return CaseStatus.CLOSED
    worked = HistoryEvent.objects.filter(
        process_instance_key__in=keys,
        event_type="ELEMENT_COMPLETED",
        element_type__in=WORK_ELEMENT_TYPES,
    ).exists()
    if (
        worked
        or UserTask.objects.filter(process_instance_id__in=keys)
        .exclude(assignee="")
        .exclude(assignee=_username(submission))
        .exists()
        or CaseMessage.objects.filter(submission=submission, from_staff=True).exists()
    ):
        return CaseStatus.IN_PROGRESS
    return CaseStatus.RECEIVED


# --- timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's history. `element_id` is only filled for staff."""

    at: datetime
    kind: str  # received, task_started, task_completed, task_cancelled, message, document,
    #            decision, closed
    title: str
    detail: str = ""
    document_id: uuid.UUID | None = None
    for_applicant: bool = False  # the applicant's own task or message
    element_id: str = ""


def _task_entries(
    submission: Submission, keys: Sequence[int], *, for_applicant: bool
) -> Iterable[TimelineEntry]:
    events = HistoryEvent.objects.filter(
        process_instance_key__in=keys,
        element_type="userTask",
        event_type__in=["ELEMENT_ACTIVATED", "ELEMENT_COMPLETED", "ELEMENT_TERMINATED"],
    ).order_by("timestamp", "id")
    events = list(events)
    tasks = {
        task.element_instance_key: task
        for task in UserTask.objects.filter(
            element_instance_key__in=[event.element_instance_key for event in events]
        )
    }
    username = _username(submission)
    for event in events:
        task = tasks.get(event.element_instance_key)
        name = element_label(
            event.bpmn_process_id,
            event.version,
            event.element_id,
            task.name if task is not None else "",
        )
        mine = task is not None and is_applicant_task(task, username)
        if event.event_type == "ELEMENT_ACTIVATED":
            kind = "task_started"
            title = (_("Uppgift till dig: %(name)s") if mine else _("Påbörjat: %(name)s")) % {
                "name": name
            }
        elif event.event_type == "ELEMENT_COMPLETED":
            kind = "task_completed"
            title = (_("Du svarade: %(name)s") if mine else _("Klart: %(name)s")) % {"name": name}
        else:
            kind = "task_cancelled"
            title = _("Avbrutet: %(name)s") % {"name": name}
        yield TimelineEntry(
            at=event.timestamp,
            kind=kind,
            title=title,
            for_applicant=mine,
            element_id="" if for_applicant else event.element_id,
        )


_ELEMENTS: dict[tuple[str, int], dict[str, tuple[str, dict[str, str]]]] = {}


def _elements(bpmn_process_id: str, version: int) -> dict[str, tuple[str, dict[str, str]]]:
    """Element id → (name, zeebe properties) of a deployed process version, cached: deployed
    versions never change."""
    key = (bpmn_process_id, version)
    found = _ELEMENTS.get(key)
    if found is None:
        from verka.processes import repository

        try:
            definition = repository.latest_process(bpmn_process_id, version)
            model = repository.process_model(definition)
            found = {
                element_id: (element.name or "", dict(element.properties or {}))
                for element_id, element in model.elements.items()
            }
        except (repository.DeploymentMissing, AttributeError):
            found = {}
        _ELEMENTS[key] = found
    return found


def element_label(bpmn_process_id: str, version: int, element_id: str, name: str = "") -> str:
    """What a step is called in the reader's language: Swedish is the element's name; another
    language comes from the zeebe property `verka:name:<language>` (e.g. `verka:name:en`)."""
    element_name, properties = _elements(bpmn_process_id, version).get(element_id, ("", {}))
    language = (get_language() or "sv")[:2]
    if language != "sv" and properties.get(f"verka:name:{language}"):
        return properties[f"verka:name:{language}"]
    return name or element_name or _("Handläggning")


def task_label(task: UserTask) -> str:
    version = (
        ProcessInstance.objects.filter(key=task.process_instance_id)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        return task.name or _("Uppgift")
    return element_label(task.bpmn_process_id, version, task.element_id, task.name)


def _decision_event(root_key: int) -> datetime | None:
    """When the process variable `decision` was first given a value, if it was."""
    events = HistoryEvent.objects.filter(
        process_instance_key=root_key,
        event_type__in=["VARIABLE_CREATED", "VARIABLE_UPDATED"],
        name="decision",
    ).exclude(value__in=["", "null", '""'])
    return events.order_by("timestamp", "id").values_list("timestamp", flat=True).first()


def timeline(submission: Submission, *, for_applicant: bool) -> list[TimelineEntry]:
    """The case's history, oldest first: received, each user task started and completed (by the
    element's name), messages, documents and the decision. For the applicant, internal element
    ids are left out, as are documents not shown to them."""
    keys = case_instance_keys(submission)
    entries: list[TimelineEntry] = [
        TimelineEntry(at=submission.submitted_at, kind="received", title=_("Ansökan mottagen"))
    ]
    entries.extend(_task_entries(submission, keys, for_applicant=for_applicant))
    for message in CaseMessage.objects.filter(submission=submission):
        if message.from_staff:
            title = _("Meddelande från handläggaren")
        else:
            title = _("Ditt meddelande") if for_applicant else _("Meddelande från sökanden")
        entries.append(
            TimelineEntry(
                at=message.created_at,
                kind="message",
                title=title,
                for_applicant=not message.from_staff,
            )
        )
    documents = CaseDocument.objects.filter(submission=submission, message__isnull=True)
    if for_applicant:
        documents = documents.filter(visible_to_applicant=True)
    for document in documents:
        decision = document.kind == CaseDocument.Kind.DECISION
        entries.append(
            TimelineEntry(
                at=document.created_at,
                kind="decision" if decision else "document",
                title=(_("Beslut: %(title)s") if decision else _("Dokument: %(title)s"))
                % {"title": document.title},
                document_id=document.pk,
            )
        )
    if keys and not any(entry.kind == "decision" for entry in entries):
        decided = _decision_event(keys[0])
        if decided is not None:
            entries.append(TimelineEntry(at=decided, kind="decision", title=_("Beslut fattat")))
    if keys:
        root = ProcessInstance.objects.filter(key=keys[0]).first()
        if root is not None and root.ended_at is not None:
            entries.append(
                TimelineEntry(at=root.ended_at, kind="closed", title=_("Ärendet avslutat"))
            )
    order = {"received": 0}
    entries.sort(key=lambda entry: (entry.at, order.get(entry.kind, 1)))
    return entries
