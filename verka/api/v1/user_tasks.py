"""/user-tasks: list open and finished user tasks, and complete one with variables."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Status

from verka.access import log
from verka.access import tasks as access
from verka.processes import services
from verka.processes.models import UserTask
from verka.workspace.services import COMPLETED, READ_TASK

from ..auth import needs, owner_of, via
from ..models import Scope
from ..problems import not_found
from .common import (
    MAX_KEY,
    Input,
    Name,
    Output,
    PageQuery,
    Variables,
    check_variables,
    paginate,
    timestamp,
)

router = Router(tags=["user tasks"])

State = Literal["CREATED", "COMPLETED", "CANCELED"]


class UserTaskOut(Output):
    userTaskKey: str
    processInstanceKey: str
    elementInstanceKey: str
    elementId: str
    bpmnProcessId: str
    name: str
    state: State
    assignee: str
    candidateGroups: list[str]
    candidateUsers: list[str]
    formId: str
    formKey: str
    externalReference: str
    priority: int
    dueDate: str | None
    followUpDate: str | None
    createdAt: str
    completedAt: str | None


class UserTaskPage(Output):
    items: list[UserTaskOut]
    next: str | None


class TaskFilter(PageQuery):
    state: State | None = None
    assignee: Name | None = None
    candidateGroup: Name | None = None
    candidateUser: Name | None = None
    processInstanceKey: int | None = Field(None, ge=0, le=MAX_KEY)
    bpmnProcessId: Name | None = None


class CompleteTask(Input):
    variables: Variables | None = None


def render(task: UserTask) -> UserTaskOut:
    return UserTaskOut(
        userTaskKey=str(task.key),
        processInstanceKey=str(task.process_instance_id),
        elementInstanceKey=str(task.element_instance_key),
        elementId=task.element_id,
        bpmnProcessId=task.bpmn_process_id,
        name=task.name,
        state=task.state,  # type: ignore[arg-type]
        assignee=task.assignee,
        candidateGroups=json.loads(task.candidate_groups),
        candidateUsers=json.loads(task.candidate_users),
        formId=task.form_id,
        formKey=task.form_key,
        externalReference=task.external_reference,
        priority=task.priority,
        dueDate=timestamp(task.due_date),
        followUpDate=timestamp(task.follow_up_date),
        createdAt=timestamp(task.created_at) or "",
        completedAt=timestamp(task.completed_at),
    )


@router.get(
    "/user-tasks",
    auth=needs(Scope.TASKS),
    response=UserTaskPage,
    summary="List user tasks",
    description="Ordered by key; filters combine with AND. Only the tasks the token's owner may "
    "open (an officer: offered to their groups or to them). Scope: tasks.",
)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> Any:
    query = access.tasks_for(owner_of(request))
    if filters.state:
        query = query.filter(state=filters.state)
    if filters.assignee:
        query = query.filter(assignee=filters.assignee)
    if filters.candidateGroup:
        query = query.filter(candidates__group=filters.candidateGroup)
    if filters.candidateUser:
        query = query.filter(candidates__user=filters.candidateUser)
    if filters.processInstanceKey is not None:
        query = query.filter(process_instance_id=filters.processInstanceKey)
    if filters.bpmnProcessId:
        query = query.filter(bpmn_process_id=filters.bpmnProcessId)
    # A join on candidates could repeat a task; distinct keeps one row per task.
    return paginate(query.distinct(), filters, render)


@router.get(
    "/user-tasks/{key}",
    auth=needs(Scope.TASKS),
    response=UserTaskOut,
    summary="One user task",
    description="Scope: tasks.",
)
def get_task(request: HttpRequest, key: int = Path(..., ge=0, le=MAX_KEY)) -> Any:
    owner = owner_of(request)
    task = access.task_for(owner, key)
    if task is None:
        raise not_found(f"user task {key} does not exist")
    rendered = render(task)
    what = log.entry(READ_TASK, str(key), via(request))
    log.record(owner, log.READ, what, instance_key=task.process_instance_id)
    return rendered


@router.post(
    "/user-tasks/{key}/completion",
    auth=needs(Scope.TASKS),
    response={204: None},
    summary="Complete a user task",
    description="The variables are merged into the process. 409 if the task is no longer "
    "open. Scope: tasks.",
)
def complete_task(
    request: HttpRequest,
    payload: CompleteTask | None = None,
    key: int = Path(..., ge=0, le=MAX_KEY),
) -> Any:
    variables = check_variables(payload.variables if payload else None)
    owner = owner_of(request)
    task = access.task_for(owner, key)
    if task is None or not access.may_complete_task(owner, task):
        raise not_found(f"user task {key} does not exist")
    services.complete_user_task(key, variables, user=owner.get_username())
    what = log.entry(COMPLETED, task.name or task.element_id, via(request))
    log.record(owner, log.CHANGE, what, instance_key=task.process_instance_id)
    return Status(204, None)
