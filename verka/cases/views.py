"""My pages: the citizen's cases, a case with its timeline, documents and messages, tasks to
answer, document downloads and drafts. Every view filters by the logged-in applicant; anything
else is a 404, whether it exists or not."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from verka.conf import inputs
from verka.conf.inputs import answers_json
from verka.eservices.services import localized_schema

from . import services
from .files import MAX_FILES_PER_MESSAGE
from .models import CaseDocument


def _language() -> str:
    return (get_language() or "sv")[:2]


def _private(response: HttpResponse) -> HttpResponse:
    # Personal data: never kept by shared caches, never sniffed into something executable.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _case(request: HttpRequest, case_number: str) -> Any:
    try:
        return services.case_for_applicant(request.user, case_number)
    except services.NotFound as missing:
        raise Http404(str(missing)) from None


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = [
        (submission, services.status_of(submission))
        for submission in services.my_cases(request.user)
    ]
    return _private(
        render(
            request,
            "cases/my_cases.html",
            {
                "cases": cases,
                "tasks": services.applicant_tasks(request.user),
                "drafts": services.my_drafts(request.user),
            },
        )
    )


@login_required
def case_detail(request: HttpRequest, case_number: str) -> HttpResponse:
    submission = _case(request, case_number)
    return _case_page(request, submission)


def _case_page(
    request: HttpRequest, submission: Any, *, message_error: str = "", body: str = ""
) -> HttpResponse:
    services.mark_messages_read(submission, by_staff=False)
    response = render(
        request,
        "cases/case_detail.html",
        {
            "submission": submission,
            "status": services.status_of(submission),
            "timeline": services.timeline(submission, for_applicant=True),
            "tasks": services.case_tasks(submission),
            "documents": services.documents(submission, for_applicant=True),
            "messages_thread": services.messages(submission),
            "rows": services.answer_rows(submission, _language()),
            "attachments": submission.attachments.all(),
            "message_error": message_error,
            "message_body": body,
            "max_files": MAX_FILES_PER_MESSAGE,
        },
        status=400 if message_error else 200,
    )
    return _private(response)


@login_required
@require_POST
def post_message(request: HttpRequest, case_number: str) -> HttpResponse:
    submission = _case(request, case_number)
    body = request.POST.get("body", "")
    try:
        services.send_message(
            submission, request.user, body, request.FILES.getlist("files"), from_staff=False
        )
    except services.CaseError as error:
        return _case_page(request, submission, message_error=str(error), body=body)
    flash.success(request, _("Ditt meddelande är skickat."))
    return redirect("cases:detail", case_number=submission.case_number)


@login_required
@require_http_methods(["GET", "POST"])
def task(request: HttpRequest, task_key: int) -> HttpResponse:
    try:
        found = services.applicant_task(request.user, task_key)
    except services.NotFound as missing:
        raise Http404(str(missing)) from None
    try:
        task_form = services.task_form(found.task)
    except services.CaseError as error:  # the form was never deployed: say so, on the case
        flash.error(request, str(error))
        return redirect("cases:detail", case_number=found.submission.case_number)
    variables = services.task_variables(found.task)
    data = services.task_form_data(task_form.schema, variables)
    errors: list[tuple[str, str, str | None]] = []
    if request.method == "POST":
        answers = inputs.json_field(request.POST, "answers", empty={})
        try:
            services.complete_applicant_task(request.user, task_key, answers)
        except services.TaskValidationFailed as failed:
            errors = [(e.path, e.message(_language()), e.field_id) for e in failed.errors]
            if isinstance(answers, dict):
                data.update(answers)
        except services.NotFound as missing:
            raise Http404(str(missing)) from None
        except services.CaseError as error:
            errors = [("", str(error), None)]
        else:
            flash.success(request, _("Tack! Ditt svar är skickat."))
            return redirect("cases:detail", case_number=found.submission.case_number)
    schema = localized_schema(task_form.schema, _language())
    return _private(
        render(
            request,
            "cases/task.html",
            {
                "task": found,
                "submission": found.submission,
                "schema": schema,
                "data": data,
                "errors": errors,
                "has_fields": bool(task_form.form.fields),
            },
            status=400 if errors else 200,
        )
    )


@answers_json
@login_required
@require_POST
def task_upload(request: HttpRequest, task_key: int) -> JsonResponse:
    file = request.FILES.get("file")
    try:
        if file is None:
            raise services.FileRefused(_("Ingen fil skickades."))
        reference = services.store_task_upload(
            request.user, task_key, request.POST.get("field", ""), file
        )
    except services.NotFound:
        return JsonResponse({"title": _("Det finns ingen sådan uppgift.")}, status=404)
    except services.CaseError as error:
        return JsonResponse({"title": str(error)}, status=400)
    return JsonResponse(reference, status=201)


def _download(handle: Any, name: str, content_type: str) -> HttpResponse:
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    return _private(response)


@login_required
def document(request: HttpRequest, document_id: Any) -> HttpResponse:
    # My pages serve only the user's own cases, even to a staff member.
    own = CaseDocument.objects.filter(pk=document_id, submission__applicant=request.user)
    if not own.exists():
        raise Http404(_("Det finns inget sådant dokument."))
    try:
        found, handle = services.open_document(request.user, document_id)
    except services.NotFound as missing:
        raise Http404(str(missing)) from None
    return _download(handle, found.original_name, found.content_type)


@login_required
def attachment(request: HttpRequest, case_number: str, attachment_id: str) -> HttpResponse:
    try:
        found, handle = services.open_attachment(request.user, case_number, attachment_id)
    except services.NotFound as missing:
        raise Http404(str(missing)) from None
    return _download(handle, found.original_name, found.content_type)


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    return _private(
        render(request, "cases/drafts.html", {"drafts": services.my_drafts(request.user)})
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_draft(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = services.my_drafts(request.user).filter(pk=draft_id).first()
    if draft is None:
        raise Http404(_("Det finns ingen sådan påbörjad ansökan."))
    if request.method == "POST":
        services.delete_draft(request.user, draft_id)
        flash.success(
            request,
            _("Den påbörjade ansökan %(title)s är borttagen.") % {"title": draft.eservice.title},
        )
        return redirect("cases:drafts")
    return _private(render(request, "cases/delete_draft.html", {"draft": draft}))
