"""User tasks: an officer sees the tasks offered to one of their groups or to them by name, or
assigned to them; a service account those of its granted processes; the digitalisation team all."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from verka.processes.models import UserTask, UserTaskCandidate

from .callers import Role, granted, group_names, role_of


def visible_task_keys(user: Any) -> QuerySet[Any]:
    """Subquery of the keys of tasks offered to the user through a group or by name."""
    return UserTaskCandidate.objects.filter(
        Q(group__in=group_names(user)) | Q(user=user.get_username())
    ).values("task_id")


def offered_tasks(user: Any) -> QuerySet[UserTask]:
    """The tasks offered to an officer (by group or name) or assigned to them."""
    return UserTask.objects.filter(
        Q(key__in=visible_task_keys(user)) | Q(assignee=user.get_username())
    )


def tasks_for(user: Any) -> QuerySet[UserTask]:
    """Every task (open or not) the user may open."""
    tasks = UserTask.objects.all()
    role = role_of(user)
    if role == Role.OPERATOR:
        return tasks
    if role == Role.OFFICER:
        return offered_tasks(user)
    if role == Role.SERVICE:
        return granted(user, "process").filter(tasks, "bpmn_process_id")
    return tasks.none()


def may_see_task(user: Any, task: UserTask) -> bool:
    return tasks_for(user).filter(key=task.key).exists()


def task_for(user: Any, task_key: int) -> UserTask | None:
    """The task with this key if the user may see it, else None (the caller answers 404)."""
    return tasks_for(user).filter(key=task_key).first()


# Whoever may open a task may complete it: on the web an officer completes any task they see
# (claiming is a courtesy, not a lock), and the API follows the web.
may_complete_task = may_see_task
