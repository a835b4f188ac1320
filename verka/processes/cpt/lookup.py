"""Finding what a CPT selector names (process instances, elements, user tasks, jobs, incidents)
and comparing engine values with the JSON a test expects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from verka.engine.runtime import MULTI_INSTANCE_BODY

from .. import clock, codec, repository
from ..models import ElementInstance, Incident, Job, ProcessInstance, UserTask
from .cases import Mismatch

# Rows that are not flow nodes a test names: the process itself and multi-instance bodies.
NOT_FLOW_NODES = ("process", MULTI_INSTANCE_BODY)
LIVE = ("ACTIVATING", "ACTIVE", "COMPLETING", "TERMINATING")
CPT_WORKER = "verka-cpt"


# --- values -------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A FEEL value as the JSON a test file writes (temporals as ISO strings, exact numbers)."""
    return json.loads(codec.to_json_text(value, plain=True), parse_float=Decimal)


def same_json(expected: Any, actual: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1 and key order does not matter."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float | Decimal) and isinstance(actual, int | float | Decimal):
        return Decimal(str(expected)) == Decimal(str(actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            same_json(expected[key], actual[key]) for key in expected
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            same_json(e, a) for e, a in zip(expected, actual, strict=True)
        )
    return type(expected) is type(actual) and bool(expected == actual)


def show(value: Any) -> str:
    """Compact JSON for messages."""

    def default(item: Any) -> Any:
        if isinstance(item, Decimal):
            return int(item) if item == item.to_integral_value() else float(item)
        return str(item)

    return json.dumps(value, ensure_ascii=False, default=default, separators=(", ", ": "))


def describe(selector: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in selector.items())


def quoted(names: Iterable[str]) -> str:
    listed = [f"'{name}'" for name in names]
    return "[" + ", ".join(listed) + "]"


# --- process instances --------------------------------------------------------------------


def find_instance(selector: Mapping[str, Any]) -> ProcessInstance:
    """The first instance (in creation order) of the selected process, as CPT takes it."""
    process_id = selector["processDefinitionId"]
    instance = (
        ProcessInstance.objects.filter(bpmn_process_id=process_id)
        .select_related("definition")
        .order_by("started_at", "key")
        .first()
    )
    if instance is None:
        started = sorted(set(ProcessInstance.objects.values_list("bpmn_process_id", flat=True)))
        hint = (
            f" (only instances of {quoted(started)} exist)" if started else " (no instance exists)"
        )
        raise Mismatch(f"no process instance of '{process_id}' was created{hint}")
    return instance


# --- elements -----------------------------------------------------------------------------


def element_ids(instance: ProcessInstance, selector: Mapping[str, Any]) -> set[str]:
    """The element ids the selector names in the instance's process (by id and/or name)."""
    process = repository.process_model(instance.definition)
    wanted_id = selector.get("elementId")
    wanted_name = selector.get("elementName")
    if wanted_id is not None and wanted_id not in process.elements:
        raise Mismatch(f"process '{instance.bpmn_process_id}' has no element '{wanted_id}'")
    ids = set(process.elements) if wanted_id is None else {wanted_id}
    if wanted_name is not None:
        ids = {i for i in ids if i in process.elements and process.elements[i].name == wanted_name}
    if not ids:
        names = sorted({e.name for e in process.elements.values() if e.name})
        raise Mismatch(
            f"process '{instance.bpmn_process_id}' has no element named '{wanted_name}'"
            f" (names: {quoted(names)})"
        )
    return ids


def element_label(selector: Mapping[str, Any]) -> str:
    if "elementId" in selector and "elementName" not in selector:
        return f"'{selector['elementId']}'"
    return "{" + describe(selector) + "}"


def element_rows(instance: ProcessInstance, ids: Iterable[str] | None = None) -> list[Any]:
    rows = ElementInstance.objects.filter(process_instance=instance).exclude(
        element_type__in=NOT_FLOW_NODES
    )
    if ids is not None:
        rows = rows.filter(element_id__in=list(ids))
    return list(rows.order_by("key"))


def state_of(row: Any) -> str:
    """IS_* state of an element instance row."""
    if row.state in LIVE:
        return "IS_ACTIVE"
    return "IS_COMPLETED" if row.state == "COMPLETED" else "IS_TERMINATED"


def scope_key(instance: ProcessInstance, selector: Mapping[str, Any] | None) -> int:
    """Variable scope: the instance, or the (live if any, else latest) instance of an element."""
    if selector is None:
        return instance.key
    rows = element_rows(instance, element_ids(instance, selector))
    if not rows:
        raise Mismatch(f"element {element_label(selector)} has no element instance")
    live = [row for row in rows if row.state in LIVE]
    return int((live or rows)[-1].key)


# --- user tasks, jobs, incidents ----------------------------------------------------------


def _task_filter(selector: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        "elementId": "element_id",
        "taskName": "name",
        "processDefinitionId": "bpmn_process_id",
    }
    return {fields[key]: value for key, value in selector.items()}


def find_user_task(selector: Mapping[str, Any], *, open_only: bool) -> UserTask:
    """The oldest task matching the selector (as CPT takes it); with open_only, the oldest
    open one."""
    tasks = list(UserTask.objects.filter(**_task_filter(selector)).order_by("created_at", "key"))
    candidates = [t for t in tasks if t.state == UserTask.State.CREATED] if open_only else tasks
    if candidates:
        return candidates[0]
    waiting = sorted(
        f"{t.element_id} ({t.name})" if t.name else t.element_id
        for t in UserTask.objects.filter(state=UserTask.State.CREATED)
    )
    found = f"open tasks: {quoted(waiting)}" if waiting else "no task is open"
    if tasks:
        found = f"the matching task is {tasks[-1].state.lower()}; {found}"
    return _missing(
        f"no {'open ' if open_only else ''}user task with {describe(selector)} ({found})"
    )


def _missing(message: str) -> Any:
    raise Mismatch(message)


def _job_filter(selector: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        "jobType": "type",
        "elementId": "element_id",
        "processDefinitionId": "bpmn_process_id",
    }
    return {fields[key]: value for key, value in selector.items()}


def available_jobs(selector: Mapping[str, Any]) -> list[Job]:
    """Jobs a test may act on: waiting and due, or already leased by the CPT worker."""
    now = clock.now()
    return [
        job
        for job in Job.objects.filter(**_job_filter(selector)).order_by("created_at", "key")
        if (job.state == Job.State.ACTIVATABLE and job.due_at <= now)
        or (job.state == Job.State.ACTIVATED and job.worker == CPT_WORKER)
    ]


def describe_waiting_jobs() -> str:
    jobs = Job.objects.filter(state__in=[Job.State.ACTIVATABLE, Job.State.ACTIVATED])
    listed = sorted(f"{job.type} at {job.element_id}" for job in jobs)
    return f"waiting jobs: {quoted(listed)}" if listed else "no job is waiting"


def find_incident(selector: Mapping[str, Any]) -> Incident:
    fields = {"elementId": "element_id", "processDefinitionId": "bpmn_process_id"}
    query = Incident.objects.filter(
        state=Incident.State.OPEN, **{fields[key]: value for key, value in selector.items()}
    )
    incident = query.order_by("created_at", "key").first()
    if incident is None:
        open_ones = sorted(
            f"{i.error_type} at {i.element_id}"
            for i in Incident.objects.filter(state=Incident.State.OPEN)
        )
        found = f"open incidents: {quoted(open_ones)}" if open_ones else "no incident is open"
        raise Mismatch(f"no open incident with {describe(selector)} ({found})")
    return incident
