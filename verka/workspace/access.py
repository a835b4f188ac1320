"""Who may see what in the staff workspace, and the audit log of every read and change.

A staff member sees a task when one of its candidate groups is one of their Django groups, or
they are a candidate user or the assignee. They see a case (a process instance) of a process in
which they have such a task (in that case or another), or whose process one of their groups is
granted (`ProcessAccess`). Superusers
and the `digitalisering` group (the digitalisation team, who run Operations) see everything.
Whatever a person may not see does not exist for them: 404, never 403, so that case numbers
cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from verka.cases.models import CaseAccess
from verka.eservices.models import Submission
from verka.processes.models import ProcessInstance, UserTask, UserTaskCandidate

from .models import ProcessAccess

OPERATIONS_GROUP = "digitalisering"


def group_names(user: Any) -> list[str]:
    # Cached on the user object: one query per request however many checks a page makes.
    cached = getattr(user, "_workspace_groups", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._workspace_groups = cached
    return list(cached)


def is_staff_member(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or getattr(user, "kind", "") == "staff")


def is_operator(user: Any) -> bool:
    """The digitalisation team: Operations, and every case."""
    return bool(user.is_superuser or OPERATIONS_GROUP in group_names(user))


def visible_task_keys(user: Any) -> Any:
    """Subquery of the keys of tasks offered to the user through a group or by name."""
    return UserTaskCandidate.objects.filter(
        Q(group__in=group_names(user)) | Q(user=user.get_username())
    ).values("task_id")


def tasks_for(user: Any) -> Any:
    """Every task (open or not) the user may open."""
    tasks = UserTask.objects.all()
    if is_operator(user):
        return tasks
    return tasks.filter(Q(key__in=visible_task_keys(user)) | Q(assignee=user.get_username()))


def may_see_task(user: Any, task: UserTask) -> bool:
    return tasks_for(user).filter(key=task.key).exists()


def granted_processes(user: Any) -> list[str]:
    return list(
        ProcessAccess.objects.filter(group__name__in=group_names(user))
        .values_list("bpmn_process_id", flat=True)
        .distinct()
    )


def may_see_instance(user: Any, instance: ProcessInstance) -> bool:
    if is_operator(user):
        return True
    if instance.bpmn_process_id in granted_processes(user):
        return True
    if tasks_for(user).filter(process_instance_id=instance.key).exists():
        return True
    return tasks_for(user).filter(bpmn_process_id=instance.bpmn_process_id).exists()


def task_or_404(user: Any, task_key: int) -> UserTask:
    task = UserTask.objects.filter(key=task_key).first()
    if task is None or not may_see_task(user, task):
        raise Http404("no such task")
    return task


def instance_or_404(user: Any, instance_key: int) -> ProcessInstance:
    instance = ProcessInstance.objects.select_related("definition").filter(key=instance_key).first()
    if instance is None or not may_see_instance(user, instance):
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
    if submission is None and instance_key is not None:
        submission = Submission.objects.filter(process_instance_key=instance_key).first()
    if submission is not None and submission.process_instance_key == instance_key:
        from verka.cases import services as cases

        record = getattr(cases, "record_access", None)
        if record is not None:  # one writer of the access log for My pages and the workspace
            return record(user, submission, action, what)  # type: ignore[no-any-return]
    return CaseAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        submission=submission,
        process_instance_key=instance_key,
        action=action,
        what=what[:255],
        at=timezone.now(),
    )


READ = CaseAccess.Action.READ
CHANGE = CaseAccess.Action.CHANGE
