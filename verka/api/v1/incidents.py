"""/incidents: list incidents and resolve one (giving a failed job new retries)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Status

from verka.access import log
from verka.access import processes as access
from verka.processes import services
from verka.processes.models import Incident
from verka.workspace.services import INCIDENT_RESOLVED

from ..auth import needs, owner_of, via
from ..models import Scope
from ..problems import not_found
from .common import MAX_KEY, Input, Name, Output, PageQuery, key_text, paginate, timestamp

router = Router(tags=["incidents"])

State = Literal["OPEN", "RESOLVED"]


class IncidentOut(Output):
    incidentKey: str
    processInstanceKey: str
    elementInstanceKey: str
    elementId: str
    bpmnProcessId: str
    jobKey: str | None
    errorType: str
    message: str
    state: State
    createdAt: str
    resolvedAt: str | None


class IncidentPage(Output):
    items: list[IncidentOut]
    next: str | None


class IncidentFilter(PageQuery):
    state: State | None = None
    processInstanceKey: int | None = Field(None, ge=0, le=MAX_KEY)
    bpmnProcessId: Name | None = None
    errorType: Name | None = None


class ResolveIncident(Input):
    retries: int | None = Field(
        None, ge=1, le=1000, description="retries of the new job (failed-job incidents)"
    )


def render(incident: Incident) -> IncidentOut:
    return IncidentOut(
        incidentKey=str(incident.key),
        processInstanceKey=str(incident.process_instance_id),
        elementInstanceKey=str(incident.element_instance_key),
        elementId=incident.element_id,
        bpmnProcessId=incident.bpmn_process_id,
        jobKey=key_text(incident.job_key),
        errorType=incident.error_type,
        message=incident.message,
        state=incident.state,  # type: ignore[arg-type]
        createdAt=timestamp(incident.created_at) or "",
        resolvedAt=timestamp(incident.resolved_at),
    )


@router.get(
    "/incidents",
    auth=needs(Scope.PROCESSES_READ),
    response=IncidentPage,
    summary="List incidents",
    description="Ordered by key. Only incidents of the processes the token's owner runs (the "
    "digitalisation team, granted service accounts). Scope: processes:read.",
)
def list_incidents(request: HttpRequest, filters: Query[IncidentFilter]) -> Any:
    query = access.incidents_for(owner_of(request))
    if filters.state:
        query = query.filter(state=filters.state)
    if filters.processInstanceKey is not None:
        query = query.filter(process_instance_id=filters.processInstanceKey)
    if filters.bpmnProcessId:
        query = query.filter(bpmn_process_id=filters.bpmnProcessId)
    if filters.errorType:
        query = query.filter(error_type=filters.errorType)
    return paginate(query, filters, render)


@router.get(
    "/incidents/{key}",
    auth=needs(Scope.PROCESSES_READ),
    response=IncidentOut,
    summary="One incident",
    description="Scope: processes:read.",
)
def get_incident(request: HttpRequest, key: int = Path(..., ge=0, le=MAX_KEY)) -> Any:
    incident = access.incident_for(owner_of(request), key)
    if incident is None:
        raise not_found(f"incident {key} does not exist")
    return render(incident)


@router.post(
    "/incidents/{key}/resolution",
    auth=needs(Scope.PROCESSES_WRITE),
    response={204: None},
    summary="Resolve an incident",
    description="For a job whose retries ran out, `retries` gives the new job its retries "
    "(default 1). 409 if already resolved. Scope: processes:write.",
)
def resolve(
    request: HttpRequest,
    payload: ResolveIncident | None = None,
    key: int = Path(..., ge=0, le=MAX_KEY),
) -> Any:
    owner = owner_of(request)
    incident = access.incident_for(owner, key)
    if incident is None:
        raise not_found(f"incident {key} does not exist")
    services.resolve_incident(key, retries=payload.retries if payload else None)
    what = log.entry(INCIDENT_RESOLVED, incident.element_id, via(request))
    log.record(owner, log.CHANGE, what, instance_key=incident.process_instance_id)
    return Status(204, None)
