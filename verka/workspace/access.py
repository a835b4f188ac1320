"""Who may see what in the staff workspace, and the audit log of every read and change.

The rules live in `verka.access`, one module per object kind, shared with the REST API; this
module gives the workspace's views their names for them, the view guards, and `audit`.

A staff member sees a task when one of its candidate groups is one of their Django groups, or
they are a candidate user or the assignee. They see a case (a process instance) of a process in
which they have such a task (in that case or another), or whose process one of their groups is
granted (`ProcessAccess`). Superusers and the `digitalisering` group (the digitalisation team,
who run Operations) see everything. Whatever a person may not see does not exist for them: 404,
never 403, so that case numbers cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from verka.access import log
from verka.access.callers import (
    OPERATIONS_GROUP,
    granted_processes,
    group_names,
    is_operator,
    is_staff_member,
)
from verka.access.processes import instance_for, may_see_instance
from verka.access.tasks import may_see_task, task_for, tasks_for, visible_task_keys
from verka.cases.models import CaseAccess
from verka.eservices.models import Submission
from verka.processes.models import ProcessInstance, UserTask

__all__ = [
    "CHANGE",
    "OPERATIONS_GROUP",
    "READ",
    "audit",
    "granted_processes",
    "group_names",
    "instance_or_404",
    "is_operator",
    "is_staff_member",
    "may_see_instance",
    "may_see_task",
    "operator_required",
    "staff_required",
    "submission_of",
    "task_or_404",
    "tasks_for",
    "visible_task_keys",
]


def task_or_404(user: Any, task_key: int) -> UserTask:
    task = task_for(user, task_key)
    if task is None:
        raise Http404("no such task")
    return task


def instance_or_404(user: Any, instance_key: int) -> ProcessInstance:
    instance = instance_for(user, instance_key)
    if instance is None:
        raise Http404("no such case")
    return instance


# --- view guards ----------------------------------------------------------------------------

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Staff only. Visitors are sent to the staff login; citizens are refused (403)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:staff_login"))
        if not is_staff_member(request.user):
            raise PermissionDenied("the staff workspace is for staff")
        return view(request, *args, **kwargs)

    return guarded


def operator_required(view: View) -> View:
    @wraps(view)
    @staff_required
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_operator(request.user):
            raise Http404("operations are for the digitalisation team")
        return view(request, *args, **kwargs)

    return guarded


# --- audit ----------------------------------------------------------------------------------


def submission_of(instance_key: int) -> Submission | None:
    return (
        Submission.objects.select_related("eservice", "applicant")
        .filter(process_instance_key=instance_key)
        .first()
    )


def audit(
    user: Any,
    instance_key: int | None,
    action: str,
    what: str,
    submission: Submission | None = None,
) -> CaseAccess:
    """Record who read or changed which case, and what (personal data law: every access)."""
    return log.record(user, action, what, submission=submission, instance_key=instance_key)


READ = log.READ
CHANGE = log.CHANGE
