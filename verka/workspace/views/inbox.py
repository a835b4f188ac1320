"""The task inbox and the assignment actions (claim, release, assign to a colleague)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import labels, services
from ..access import staff_required, task_or_404
from ..inbox import InboxFilter, inbox_page, process_choices
from .common import back_to, explain


@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    wanted, errors = InboxFilter.from_query(request.GET)
    page = inbox_page(request.user, wanted)
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "workspace/inbox.html",
        {
            "page": page,
            "wanted": wanted,
            "filter_errors": errors,
            "processes": process_choices(request.user),
            "sorts": list(labels.SORT_LABELS.items()),
            "states": list(labels.STATE_LABELS.items()),
            "query_without_page": urlencode(params),
            "filtered": any(k in params for k in ("process", "due_from", "due_to", "q"))
            or wanted.state != "open",
        },
    )


@require_POST
@staff_required
def claim(request: HttpRequest, key: int) -> HttpResponse:
    task = task_or_404(request.user, key)
    try:
        services.claim(request.user, task)
        messages.success(request, _("Du har tagit uppgiften ”%(task)s”.") % {"task": task.name})
    except services.WorkspaceError as error:
        messages.error(request, explain(error))
    return back_to(request, "workspace:task", key)


@require_POST
@staff_required
def unclaim(request: HttpRequest, key: int) -> HttpResponse:
    task = task_or_404(request.user, key)
    try:
        services.unclaim(request.user, task)
        messages.success(request, _("Du har släppt uppgiften ”%(task)s”.") % {"task": task.name})
    except services.WorkspaceError as error:
        messages.error(request, explain(error))
    return back_to(request, "workspace:task", key)


@require_POST
@staff_required
def assign(request: HttpRequest, key: int) -> HttpResponse:
    task = task_or_404(request.user, key)
    username = (request.POST.get("assignee") or "").strip()
    try:
        services.assign(request.user, task, username)
        messages.success(
            request,
            _("Uppgiften ”%(task)s” är tilldelad %(user)s.")
            % {"task": task.name, "user": username},
        )
    except services.WorkspaceError as error:
        messages.error(request, explain(error))
    return back_to(request, "workspace:task", key)
