"""The task page: the task's form with the case's data; complete, save a draft, request
completion from the applicant."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from verka.conf import inputs
from verka.eservices.services import localized_schema
from verka.processes.models import UserTask

from .. import access, services
from ..access import READ, audit, staff_required, task_or_404
from ..inbox import SOON
from .common import explain, language


def _context(request: HttpRequest, task: UserTask, **extra: Any) -> dict[str, Any]:
    user = request.user
    form = services.task_form(task)
    submission = access.submission_of(task.process_instance_id)
    now = timezone.now()
    schema = localized_schema(form.schema, language()) if form else None
    path = services.completion_path(task) if task.state == UserTask.State.CREATED else None
    return {
        "task": task,
        "submission": submission,
        "schema": schema,
        "form_data": services.form_data(user, task) if form else {},
        "draft": services.draft_of(user, task),
        "is_open": task.state == UserTask.State.CREATED,
        "is_mine": task.assignee == user.get_username(),
        "colleagues": services.colleagues(task),
        "groups": services.candidate_groups(task),
        "overdue": task.due_date is not None and task.due_date < now,
        "due_soon": task.due_date is not None and now <= task.due_date < now + SOON,
        "completion_in_process": path is not None,
        "completion_due_key": path.due_key if path else "",
        "may_see_case": access.may_see_instance(user, task.process_instance),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@staff_required
def task_page(request: HttpRequest, key: int) -> HttpResponse:
    task = task_or_404(request.user, key)
    errors: list[Any] = []
    if request.method == "POST":
        action = request.POST.get("action", "complete")
        data = inputs.json_field(request.POST, "answers", empty={})
        if not isinstance(data, dict):
            raise inputs.BadInput(_("Svaren kunde inte läsas."), "answers", "bad-shape")
        try:
            if action == "draft":
                services.save_draft(request.user, task, data)
                messages.success(request, _("Utkastet är sparat."))
                return HttpResponseRedirect(reverse("workspace:task", args=[key]))
            services.complete(request.user, task, data)
        except services.TaskValidationFailed as failed:
            errors = [(e.path, e.message(language()), e.field_id) for e in failed.errors]
            context = _context(request, task, errors=errors)
            context["form_data"] = {**context["form_data"], **data}
            return render(request, "workspace/task.html", context, status=400)
        except services.WorkspaceError as error:
            messages.error(request, explain(error))
            return HttpResponseRedirect(reverse("workspace:task", args=[key]))
        messages.success(request, _("Uppgiften ”%(task)s” är klar.") % {"task": task.name})
        return HttpResponseRedirect(reverse("workspace:inbox"))
    audit(
        request.user, task.process_instance_id, READ, services.entry(services.READ_TASK, str(key))
    )
    return render(request, "workspace/task.html", _context(request, task))


@require_POST
@staff_required
def request_completion(request: HttpRequest, key: int) -> HttpResponse:
    task = task_or_404(request.user, key)
    text = (request.POST.get("text") or "").strip()
    due: date | None = None
    due_text = (request.POST.get("due") or "").strip()
    problems = []
    if not text:
        problems.append(("completion-text", _("Skriv vad sökanden behöver komplettera.")))
    if due_text:
        try:
            due = date.fromisoformat(due_text)
        except ValueError:
            problems.append(("completion-due", _("Ange datumet som ÅÅÅÅ-MM-DD.")))
    if due is not None and due < timezone.localdate():
        problems.append(("completion-due", _("Datumet har redan passerat.")))
    path = services.completion_path(task)
    if path is not None and path.due_key and due is None and not problems:
        problems.append(("completion-due", _("Ange när kompletteringen ska vara inne.")))
    if not problems:
        try:
            services.request_completion(request.user, task, text, due)
        except services.TaskValidationFailed as failed:
            problems = [("completion-text", e.message(language())) for e in failed.errors]
        except services.WorkspaceError as error:
            problems = [("completion-text", explain(error))]
    if problems:
        context = _context(
            request, task, completion_errors=problems, completion_text=text, completion_due=due_text
        )
        return render(request, "workspace/task.html", context, status=400)
    messages.success(request, _("Begäran om komplettering är skickad till sökanden."))
    if path is not None:
        return HttpResponseRedirect(reverse("workspace:inbox"))
    return HttpResponseRedirect(reverse("workspace:task", args=[key]))
