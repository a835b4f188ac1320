"""Operations pages for the digitalisation team. Every repair is a POST with CSRF, shown first
on a page of its own that says what will happen (the confirmation), and written to the audit
log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from verka.processes.models import Incident, ProcessInstance, Variable

from .. import access, operations
from ..access import READ, audit, operator_required
from ..services import READ_VARIABLE, WorkspaceError, entry


@require_GET
@operator_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/ops_versions.html",
        {"versions": operations.versions(), "incident_count": operations.open_incidents().count()},
    )


@require_GET
@operator_required
def instance_list(request: HttpRequest) -> HttpResponse:
    process = (request.GET.get("process") or "").strip()
    status = request.GET.get("status") or ""
    incidents_only = request.GET.get("incidents") == "1"
    query = operations.instances(process, status, incidents_only)
    page = Paginator(query, operations.PAGE_SIZE).get_page(request.GET.get("page"))
    process_ids = sorted({row.definition.bpmn_process_id for row in operations.versions()})
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "workspace/ops_instances.html",
        {
            "page": page,
            "process": process,
            "status": status,
            "incidents_only": incidents_only,
            "process_ids": process_ids,
            "statuses": ProcessInstance.Status.choices,
            "query_without_page": params.urlencode(),
        },
    )


@require_GET
@operator_required
def incident_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(operations.open_incidents(), operations.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "workspace/ops_incidents.html", {"page": page})


@require_GET
@operator_required
def waiting(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/ops_waiting.html",
        {
            "jobs": operations.waiting_jobs()[:200],
            "timers": operations.waiting_timers()[:200],
        },
    )


@require_http_methods(["GET", "POST"])
@operator_required
def resolve_incident(request: HttpRequest, key: int) -> HttpResponse:
    incident = Incident.objects.filter(key=key).first()
    if incident is None:
        raise Http404("no such incident")
    error = ""
    retries_text = request.POST.get("retries", "3") if request.method == "POST" else "3"
    if request.method == "POST":
        retries: int | None = None
        if incident.job_key is not None:
            try:
                retries = int(retries_text)
            except ValueError:
                retries = 0
        try:
            operations.resolve_incident(request.user, incident, retries)
        except WorkspaceError as problem:
            error = _retries_error(str(problem))
        else:
            messages.success(request, _("Incidenten är löst och steget körs igen."))
            return HttpResponseRedirect(reverse("workspace:ops_incidents"))
    return render(
        request,
        "workspace/ops_resolve.html",
        {"incident": incident, "error": error, "retries": retries_text},
        status=400 if error else 200,
    )


def _retries_error(text: str) -> str:
    if text.startswith("retries"):
        return _("Ange antal nya försök, 1–100.")
    return text


@require_http_methods(["GET", "POST"])
@operator_required
def cancel_instance(request: HttpRequest, key: int) -> HttpResponse:
    instance = ProcessInstance.objects.filter(key=key).first()
    if instance is None:
        raise Http404("no such instance")
    error = ""
    if request.method == "POST":
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            error = _("Skriv varför processen avbryts.")
        else:
            try:
                operations.cancel(request.user, instance, reason)
            except WorkspaceError as problem:
                error = str(problem)
            else:
                messages.success(request, _("Processen är avbruten."))
                return HttpResponseRedirect(reverse("workspace:case", args=[key]))
    return render(
        request,
        "workspace/ops_cancel.html",
        {"instance": instance, "error": error, "submission": access.submission_of(key)},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@operator_required
def edit_variable(request: HttpRequest, key: int) -> HttpResponse:
    instance = ProcessInstance.objects.filter(key=key).first()
    if instance is None:
        raise Http404("no such instance")
    name = (request.POST.get("name") or request.GET.get("name") or "").strip()
    current = Variable.objects.filter(process_instance_id=key, scope_key=key, name=name).first()
    value = ""
    if current is not None:
        value = next(text for row, text in operations.variables(instance) if row.pk == current.pk)
    error = ""
    if request.method == "GET" and current is not None:
        audit(request.user, key, READ, entry(READ_VARIABLE, name))
    if request.method == "POST":
        value = request.POST.get("value") or ""
        try:
            operations.set_variable(request.user, instance, name, value)
        except WorkspaceError as problem:
            error = str(problem)
        else:
            messages.success(request, _("Variabeln %(name)s är ändrad.") % {"name": name})
            return HttpResponseRedirect(reverse("workspace:case", args=[key]) + "#variables")
    return render(
        request,
        "workspace/ops_variable.html",
        {"instance": instance, "name": name, "value": value, "error": error, "is_new": not current},
        status=400 if error else 200,
    )
