"""/process-instances: start (idempotently, one or a batch), list, read with variables and
element instances, cancel, and set variables."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Status

from verka.access import log
from verka.access import processes as access
from verka.processes import codec, services
from verka.processes.models import ElementInstance, ProcessInstance, Variable
from verka.workspace.services import INSTANCE_CANCELED, READ_CASE, VARIABLE_CHANGED

from .. import idempotency
from ..auth import needs, owner_of, via
from ..models import Scope
from ..problems import ApiProblem, FieldError, forbidden, invalid, not_found
from .common import (
    MAX_KEY,
    Input,
    Name,
    OptionalName,
    Output,
    PageQuery,
    Variables,
    check_variables,
    key_text,
    paginate,
    timestamp,
    variables_out,
)
from .respond import json_response

router = Router(tags=["process instances"])

InstanceStatus = Literal["ACTIVE", "COMPLETED", "TERMINATED"]
InstanceKey = Path(..., ge=0, le=MAX_KEY, description="processInstanceKey")
MAX_ELEMENT_INSTANCES = 1000


class StartOptions(Input):
    """What a start and a batch of starts share: the process, its version, the start event."""

    bpmnProcessId: Name
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="default: the latest")
    startAt: OptionalName = Field("", description="id of a none start event; default the first")


class InstanceToStart(Input):
    variables: Variables | None = None
    businessKey: str = Field("", max_length=100, pattern=r"^[^\x00]*$")


class StartInstance(InstanceToStart, StartOptions):
    pass


class StartInstances(StartOptions):
    instances: list[InstanceToStart] = Field(
        ..., min_length=1, max_length=services.MAX_BATCH_STARTS, description="in start order"
    )


class ProcessInstanceOut(Output):
    processInstanceKey: str
    processDefinitionKey: str
    bpmnProcessId: str
    version: int
    businessKey: str
    status: InstanceStatus
    hasIncident: bool
    startedAt: str
    endedAt: str | None
    parentProcessInstanceKey: str | None


class StartedInstances(Output):
    items: list[ProcessInstanceOut]


class ElementInstanceOut(Output):
    elementInstanceKey: str
    elementId: str
    elementType: str
    state: str
    flowScopeKey: str | None
    activatedAt: str
    endedAt: str | None


class ProcessInstanceDetail(ProcessInstanceOut):
    variables: Variables
    elementInstances: list[ElementInstanceOut]


class ProcessInstancePage(Output):
    items: list[ProcessInstanceOut]
    next: str | None


class InstanceFilter(PageQuery):
    bpmnProcessId: Name | None = None
    status: InstanceStatus | None = None
    businessKey: str | None = Field(None, max_length=100, pattern=r"^[^\x00]*$")
    hasIncident: bool | None = None


class SetVariables(Input):
    variables: Variables
    local: bool = Field(False, description="set on the instance scope without propagation")


def render(instance: ProcessInstance) -> ProcessInstanceOut:
    return ProcessInstanceOut(
        processInstanceKey=str(instance.key),
        processDefinitionKey=str(instance.definition_id),
        bpmnProcessId=instance.bpmn_process_id,
        version=instance.version,
        businessKey=instance.business_key,
        status=instance.status,  # type: ignore[arg-type]
        hasIncident=instance.has_incident,
        startedAt=timestamp(instance.started_at) or "",
        endedAt=timestamp(instance.ended_at),
        parentProcessInstanceKey=key_text(instance.parent_instance_key),
    )


def instance_or_404(request: HttpRequest, key: int) -> ProcessInstance:
    """The instance if the token's owner may read it; 404 alike for one that does not exist."""
    instance = access.instance_for(owner_of(request), key)
    if instance is None:
        raise not_found(f"process instance {key} does not exist")
    return instance


def changeable_or_403(request: HttpRequest, key: int) -> ProcessInstance:
    instance = instance_or_404(request, key)
    if not access.may_change_instance(owner_of(request), instance):
        raise forbidden(
            f"the token's owner may read but not change process '{instance.bpmn_process_id}'"
        )
    return instance


def log_started(request: HttpRequest, keys: list[int]) -> None:
    """Variables given to a new instance are its data from the start: written to the access
    log like any later change."""
    what = log.entry(VARIABLE_CHANGED, "start", via(request))
    log.record_instances(owner_of(request), log.CHANGE, what, keys)


def may_start_or_403(request: HttpRequest, bpmn_process_id: str) -> None:
    if not access.may_start(owner_of(request), bpmn_process_id):
        raise forbidden(f"the token's owner may not start process '{bpmn_process_id}'")


@router.post(
    "/process-instances",
    auth=needs(Scope.PROCESSES_WRITE),
    response={201: ProcessInstanceOut},
    summary="Start a process instance",
    description="Starts the latest (or the given) version. Numbers in `variables` keep all "
    "their digits. Scope: processes:write. Accepts `Idempotency-Key`: a repeat of the same "
    "request returns the first response; the same key with another body gives 422.",
)
def start(request: HttpRequest, payload: StartInstance) -> HttpResponse:
    may_start_or_403(request, payload.bpmnProcessId)
    variables = check_variables(payload.variables)
    material = json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()

    def work() -> HttpResponse:
        instance = services.start_instance(
            payload.bpmnProcessId,
            variables,
            version=payload.version,
            business_key=payload.businessKey,
            start_at=payload.startAt,
        )
        log_started(request, [instance.key] if variables else [])
        return json_response(201, render(instance))

    return idempotency.run(request, material, work)


def check_instances(instances: list[InstanceToStart]) -> list[services.NewInstance]:
    """Each start's variables checked as a single start's are; the problem lists the bad ones
    of all starts, each with its position (`instances[2].variables.amount`)."""
    errors: list[FieldError] = []
    checked = []
    for position, instance in enumerate(instances):
        try:
            variables = check_variables(instance.variables, f"instances[{position}].variables")
        except ApiProblem as problem:
            errors += problem.errors
            continue
        checked.append(services.NewInstance(variables, instance.businessKey))
    if errors:
        raise invalid(errors[:20])
    return checked


# Before /process-instances/{key}: `{key}` matches any path segment, "batch" too.
@router.post(
    "/process-instances/batch",
    auth=needs(Scope.PROCESSES_WRITE),
    response={201: StartedInstances},
    summary="Start several process instances of one process at once",
    description=f"1 to {services.MAX_BATCH_STARTS} starts in one transaction, all or none: if "
    "one is refused, none is started, and the problem names the start by its position (field "
    "errors at `instances[2].variables`, or the engine's `start 2: …` in `detail`). The items "
    "come back in the order of `instances`. Far less work per instance than one request each. "
    "Scope: processes:write. Accepts `Idempotency-Key` as a single start does.",
)
def start_batch(request: HttpRequest, payload: StartInstances) -> HttpResponse:
    may_start_or_403(request, payload.bpmnProcessId)
    instances = check_instances(payload.instances)
    material = json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()

    def work() -> HttpResponse:
        started = services.start_instances(
            payload.bpmnProcessId,
            instances,
            version=payload.version,
            start_at=payload.startAt,
        )
        log_started(
            request, [i.key for i, n in zip(started, instances, strict=True) if n.variables]
        )
        return json_response(
            201, StartedInstances(items=[render(instance) for instance in started])
        )

    return idempotency.run(request, material, work)


@router.get(
    "/process-instances",
    auth=needs(Scope.PROCESSES_READ),
    response=ProcessInstancePage,
    summary="List process instances",
    description="Ordered by key; filters combine with AND. Only instances of the processes the "
    "token's owner reads (docs/api.md, Authorisation). Scope: processes:read.",
)
def list_instances(request: HttpRequest, filters: Query[InstanceFilter]) -> Any:
    query = access.instances_for(owner_of(request))
    if filters.bpmnProcessId:
        query = query.filter(bpmn_process_id=filters.bpmnProcessId)
    if filters.status:
        query = query.filter(status=filters.status)
    if filters.businessKey is not None:
        query = query.filter(business_key=filters.businessKey)
    if filters.hasIncident is not None:
        query = query.filter(has_incident=filters.hasIncident)
    return paginate(query, filters, render)


@router.get(
    "/process-instances/{key}",
    auth=needs(Scope.PROCESSES_READ),
    response=ProcessInstanceDetail,
    summary="One process instance with its variables and element instances",
    description="`variables` are the instance's own (root scope) variables; element instances "
    f"are listed in key order, at most {MAX_ELEMENT_INSTANCES}. 404 for an instance the token's "
    "owner may not read; a read is written to the access log. Scope: processes:read.",
)
def get_instance(request: HttpRequest, key: int = InstanceKey) -> Any:
    instance = instance_or_404(request, key)
    variables = variables_out(
        {
            name: codec.from_json_text(text)
            for name, text in Variable.objects.filter(process_instance_id=key, scope_key=key)
            .order_by("name")
            .values_list("name", "value")
        }
    )
    elements = ElementInstance.objects.filter(process_instance_id=key).order_by("key")[
        :MAX_ELEMENT_INSTANCES
    ]
    log.record(owner_of(request), log.READ, log.entry(READ_CASE, via(request)), instance_key=key)
    return ProcessInstanceDetail(
        **render(instance).model_dump(),
        variables=variables,
        elementInstances=[
            ElementInstanceOut(
                elementInstanceKey=str(element.key),
                elementId=element.element_id,
                elementType=element.element_type,
                state=element.state,
                flowScopeKey=key_text(element.flow_scope_key),
                activatedAt=timestamp(element.activated_at) or "",
                endedAt=timestamp(element.ended_at),
            )
            for element in elements
        ],
    )


@router.post(
    "/process-instances/{key}/cancellation",
    auth=needs(Scope.PROCESSES_WRITE),
    response={204: None},
    summary="Cancel a process instance",
    description="409 if it has already ended; 403 if the token's owner may read but not change "
    "it (officers). Written to the access log. Scope: processes:write.",
)
def cancel(request: HttpRequest, key: int = InstanceKey) -> Any:
    changeable_or_403(request, key)
    services.cancel_instance(key)
    log.record(
        owner_of(request), log.CHANGE, log.entry(INSTANCE_CANCELED, via(request)), instance_key=key
    )
    return Status(204, None)


@router.put(
    "/process-instances/{key}/variables",
    auth=needs(Scope.PROCESSES_WRITE),
    response={204: None},
    summary="Set variables of a process instance",
    description="Merges the given variables into the instance's scope; 403 if the token's owner "
    "may read but not change it. Written to the access log. Scope: processes:write.",
)
def set_variables(request: HttpRequest, payload: SetVariables, key: int = InstanceKey) -> Any:
    variables = check_variables(payload.variables)
    changeable_or_403(request, key)
    services.set_variables(key, variables, local=payload.local)
    what = log.entry(VARIABLE_CHANGED, ", ".join(sorted(variables))[:150], via(request))
    log.record(owner_of(request), log.CHANGE, what, instance_key=key)
    return Status(204, None)
