"""The case page: applicant, answers, files, messages, documents, the timeline and the process
diagram with where the case stands; writing to the applicant; downloading the case's files."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from verka.cases import files as case_files
from verka.cases.models import CaseDocument
from verka.eservices.models import Attachment
from verka.eservices.services import upload_dir

from .. import access, casefile, labels, operations, services
from ..access import READ, audit, instance_or_404, staff_required
from .common import back_to, explain, language


@require_GET
@staff_required
def case_page(request: HttpRequest, key: int) -> HttpResponse:
    instance = instance_or_404(request.user, key)
    submission = access.submission_of(key)
    model = casefile.process_model(instance)
    position = casefile.position(instance, model)
    tasks = services.open_tasks(key)
    visible_tasks = set(
        access.tasks_for(request.user)
        .filter(key__in=[t.key for t in tasks])
        .values_list("key", flat=True)
    )
    timeline = casefile.timeline(instance, submission, model)
    audit(request.user, key, READ, services.READ_CASE, submission=submission)
    operator = access.is_operator(request.user)
    return render(
        request,
        "workspace/case.html",
        {
            "instance": instance,
            "submission": submission,
            "answers": casefile.answers(submission, language()),
            "attachments": casefile.attachments(submission),
            "documents": casefile.documents(submission),
            "case_messages": casefile.messages(submission, mark_read=True),
            "tasks": [(t, t.key in visible_tasks) for t in tasks],
            "position": position,
            "diagram": {
                "xml": casefile.diagram_xml(instance),
                "active": position.active,
                "completed": position.completed,
                "flows": position.taken_flows,
                "incidents": position.incidents,
            },
            "timeline": [(entry, _entry_label(entry)) for entry in timeline],
            "step_states": labels.STEP_STATES,
            "operator": operator,
            "variables": operations.variables(instance) if operator else [],
            "incidents": instance.incident_set.filter(state="OPEN") if operator else [],
        },
    )


def _entry_label(entry: casefile.TimelineEntry) -> str:
    if entry.kind == "change":
        return labels.change_label(entry.code)
    if entry.kind == "message":
        return str(labels.MESSAGE_LABELS.get(entry.code, ""))
    return str(labels.STEP_LABELS.get(entry.code, ""))


@require_POST
@staff_required
def send_message(request: HttpRequest, key: int) -> HttpResponse:
    instance_or_404(request.user, key)
    submission = access.submission_of(key)
    if submission is None or submission.applicant is None:
        messages.error(request, _("Ärendet har ingen sökande att skriva till."))
        return back_to(request, "workspace:case", key)
    try:
        services.send_message(
            request.user, submission, request.POST.get("body") or "", request.FILES.getlist("files")
        )
    except services.WorkspaceError as error:
        messages.error(request, explain(error))
    except ValueError as error:  # the cases app's CaseError: a refused file, too long, …
        messages.error(request, str(error))
    else:
        messages.success(request, _("Meddelandet är skickat till sökanden."))
    return back_to(request, "workspace:case", key)


@require_GET
@staff_required
def attachment(request: HttpRequest, key: int, file_id: uuid.UUID) -> FileResponse:
    instance_or_404(request.user, key)
    submission = access.submission_of(key)
    found = Attachment.objects.filter(id=file_id, submission=submission).first()
    if submission is None or found is None:
        raise Http404("no such file")
    path = upload_dir() / found.storage_name
    if not path.exists():
        raise Http404("the file is missing")
    audit(
        request.user,
        key,
        READ,
        services.entry(services.READ_DOCUMENT, found.original_name),
        submission=submission,
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


@require_GET
@staff_required
def document(request: HttpRequest, key: int, file_id: uuid.UUID) -> FileResponse:
    instance_or_404(request.user, key)
    submission = access.submission_of(key)
    found = CaseDocument.objects.filter(id=file_id, submission=submission).first()
    if submission is None or found is None:
        raise Http404("no such document")
    try:
        handle = case_files.open_stored(found.storage_name)
    except FileNotFoundError:
        raise Http404("the document is missing") from None
    audit(
        request.user,
        key,
        READ,
        services.entry(services.READ_DOCUMENT, found.original_name),
        submission=submission,
    )
    return FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=found.content_type
    )
