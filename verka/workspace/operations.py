"""Operations for the digitalisation team: deployed versions and their running instances,
incidents, waiting jobs and timers, and the audited repairs (retry/resolve, cancel, edit a
variable)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from verka.conf.inputs import json_depth_exceeds
from verka.processes import codec
from verka.processes import services as processes
from verka.processes.models import (
    Incident,
    Job,
    ProcessDefinition,
    ProcessInstance,
    Timer,
    Variable,
)

from .access import CHANGE, audit
from .services import (
    INCIDENT_RESOLVED,
    INSTANCE_CANCELED,
    VARIABLE_CHANGED,
    WorkspaceError,
    entry,
)

PAGE_SIZE = 50
MAX_VARIABLE_BYTES = 256 * 1024


@dataclass
class VersionRow:
    definition: ProcessDefinition
    running: int
    incidents: int


def versions() -> list[VersionRow]:
    """Every deployed version with its running instances and instances with incidents."""
    counts = {
        row["definition_id"]: row
        for row in ProcessInstance.objects.filter(status=ProcessInstance.Status.ACTIVE)
        .values("definition_id")
        .annotate(running=Count("key"), incidents=Count("key", filter=Q(has_incident=True)))
    }
    rows = []
    for definition in ProcessDefinition.objects.order_by("bpmn_process_id", "-version"):
        count = counts.get(definition.pk, {})
        rows.append(
            VersionRow(definition, int(count.get("running", 0)), int(count.get("incidents", 0)))
        )
    return rows


STATUSES = [status for status, _ in ProcessInstance.Status.choices]


def instances(process: str = "", status: str = "", incidents_only: bool = False) -> Any:
    query = ProcessInstance.objects.all()
    if process:
        query = query.filter(bpmn_process_id=process)
    if status in STATUSES:
        query = query.filter(status=status)
    if incidents_only:
        query = query.filter(has_incident=True)
    return query.order_by("-started_at", "-key")


def open_incidents() -> Any:
    return Incident.objects.filter(state=Incident.State.OPEN).order_by("-created_at")


WAITING_JOB_STATES = [Job.State.ACTIVATABLE, Job.State.ACTIVATED, Job.State.FAILED]


def waiting_jobs() -> Any:
    return Job.objects.filter(state__in=WAITING_JOB_STATES).order_by("due_at", "key")


def waiting_timers() -> Any:
    return Timer.objects.select_related("definition").order_by("due_at")


# --- repairs --------------------------------------------------------------------------------


def resolve_incident(user: Any, incident: Incident, retries: int | None) -> None:
    if retries is not None and not 1 <= retries <= 100:
        raise WorkspaceError("retries must be between 1 and 100")
    try:
        processes.resolve_incident(incident.key, retries=retries)
    except processes.CommandRejected as error:
        raise WorkspaceError(str(error)) from error
    detail = f"{incident.element_id} {incident.error_type}"
    if retries is not None:
        detail += f" retries={retries}"
    audit(user, incident.process_instance_id, CHANGE, entry(INCIDENT_RESOLVED, detail))


def cancel(user: Any, instance: ProcessInstance, reason: str) -> None:
    if instance.status != ProcessInstance.Status.ACTIVE:
        raise WorkspaceError("the instance is not running")
    try:
        processes.cancel_instance(instance.key)
    except processes.CommandRejected as error:
        raise WorkspaceError(str(error)) from error
    # The operator's reason is the justification the log is for; it is kept (shortened).
    audit(user, instance.key, CHANGE, entry(INSTANCE_CANCELED, reason.strip()[:200]))


def variables(instance: ProcessInstance) -> list[tuple[Variable, str]]:
    """(variable, its value as pretty JSON) of the instance's own scope."""
    rows = Variable.objects.filter(process_instance_id=instance.key, scope_key=instance.key)
    return [(row, _pretty(row.value)) for row in rows.order_by("name")]


def _pretty(stored: str) -> str:
    try:
        plain = codec.to_json_text(codec.from_json_text(stored), plain=True)
        return json.dumps(json.loads(plain), ensure_ascii=False, indent=2)
    except (ValueError, codec.CodecError):
        return stored


def parse_value(text: str) -> Any:
    """The FEEL value of a JSON text typed by an operator; WorkspaceError says what is wrong."""
    if len(text.encode()) > MAX_VARIABLE_BYTES:
        raise WorkspaceError("the value is too large")
    if json_depth_exceeds(text):
        raise WorkspaceError("the value nests too deeply")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise WorkspaceError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    try:
        return codec.from_plain_json(value)
    except codec.CodecError as error:
        raise WorkspaceError(str(error)) from None


def set_variable(user: Any, instance: ProcessInstance, name: str, text: str) -> None:
    name = name.strip()
    if not name or len(name) > 255:
        raise WorkspaceError("the variable needs a name")
    if instance.status != ProcessInstance.Status.ACTIVE:
        raise WorkspaceError("only a running instance's variables can be changed")
    value = parse_value(text)
    try:
        processes.set_variables(instance.key, {name: value})
    except (processes.CommandRejected, codec.CodecError) as error:
        raise WorkspaceError(str(error)) from error
    # The name only: a variable's value may be personal data, and the log must not copy it.
    audit(user, instance.key, CHANGE, entry(VARIABLE_CHANGED, name))
