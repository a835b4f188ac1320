"""GET /process-definitions: deployed processes, by id and version, and their BPMN XML."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema

from verka.access import processes as access
from verka.processes.models import ProcessDefinition

from ..auth import needs, owner_of
from ..models import Scope
from ..problems import not_found
from .common import Name, Output, PageQuery, paginate, timestamp

router = Router(tags=["process definitions"])

ProcessId = Path(..., max_length=255, pattern=r"^[^\x00]*$", description="bpmnProcessId")


class ProcessDefinitionOut(Output):
    processDefinitionKey: str
    bpmnProcessId: str
    name: str
    version: int
    resourceName: str
    deployedAt: str


class ProcessDefinitionPage(Output):
    items: list[ProcessDefinitionOut]
    next: str | None


class DefinitionFilter(PageQuery):
    bpmnProcessId: Name | None = None


class VersionQuery(Schema):
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="default: the latest")


def render(definition: ProcessDefinition) -> ProcessDefinitionOut:
    return ProcessDefinitionOut(
        processDefinitionKey=str(definition.pk),
        bpmnProcessId=definition.bpmn_process_id,
        name=definition.name,
        version=definition.version,
        resourceName=definition.resource.name,
        deployedAt=timestamp(definition.deployed_at) or "",
    )


@router.get(
    "/process-definitions",
    auth=needs(Scope.PROCESSES_READ),
    response=ProcessDefinitionPage,
    summary="List deployed process definitions",
    description="All versions, oldest first. Scope: processes:read.",
)
def list_definitions(request: HttpRequest, filters: Query[DefinitionFilter]) -> Any:
    query = access.definitions_for(owner_of(request)).select_related("resource")
    if filters.bpmnProcessId:
        query = query.filter(bpmn_process_id=filters.bpmnProcessId)
    return paginate(query, filters, render, key_field="id")


def _find(request: HttpRequest, bpmn_process_id: str, version: int | None) -> ProcessDefinition:
    """A definition the token's owner may read; 404 alike for one that is not deployed."""
    query = access.definitions_for(owner_of(request)).select_related("resource")
    if bpmn_process_id.isascii() and bpmn_process_id.isdigit():
        # A BPMN id is an XML name and never starts with a digit: digits are a definition key.
        found = query.filter(pk=int(bpmn_process_id[:19])).first() if version is None else None
        if found is None:
            raise not_found(f"no process definition with key {bpmn_process_id}")
        return found
    query = query.filter(bpmn_process_id=bpmn_process_id)
    if version is not None:
        query = query.filter(version=version)
    found = query.order_by("-version").first()
    if found is None:
        suffix = f" version {version}" if version is not None else ""
        raise not_found(f"no process '{bpmn_process_id}'{suffix} is deployed")
    return found


@router.get(
    "/process-definitions/{bpmnProcessId}",
    auth=needs(Scope.PROCESSES_READ),
    response=ProcessDefinitionOut,
    summary="One process definition (latest version unless `version` is given)",
    description="By bpmnProcessId, or by processDefinitionKey (digits only: a BPMN id never "
    "starts with a digit). Scope: processes:read.",
)
def get_definition(
    request: HttpRequest, q: Query[VersionQuery], bpmnProcessId: str = ProcessId
) -> Any:
    return render(_find(request, bpmnProcessId, q.version))


@router.get(
    "/process-definitions/{bpmnProcessId}/xml",
    auth=needs(Scope.PROCESSES_READ),
    response={200: None},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The BPMN XML as deployed",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            }
        }
    },
    summary="The BPMN XML of a process definition",
    description="Scope: processes:read.",
)
def get_definition_xml(
    request: HttpRequest, q: Query[VersionQuery], bpmnProcessId: str = ProcessId
) -> HttpResponse:
    definition = _find(request, bpmnProcessId, q.version)
    return HttpResponse(definition.resource.content, content_type="application/xml; charset=utf-8")
