"""Citizen-facing pages: the catalogue, an e-service, filling in step by step, review, receipt."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from verka.conf import inputs
from verka.conf.inputs import answers_json

from . import receipts, services, throttle
from .models import Category, Draft, EService, Submission

RECEIPTS_SESSION_KEY = "verka_receipts"


def _language() -> str:
    return (get_language() or "sv")[:2]


def _eservice(slug: str) -> EService:
    try:
        return services.published(slug)
    except EService.DoesNotExist:
        raise Http404(_("Det finns ingen sådan e-tjänst.")) from None


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return str(request.session.session_key)


def _limit(request: HttpRequest, bucket: str) -> None:
    wait = throttle.hit(request, bucket)
    if wait is not None:
        raise inputs.TooManyRequests(wait)


def _draft(request: HttpRequest, eservice: EService) -> Draft | HttpResponse:
    if not request.user.is_authenticated:
        if not eservice.allow_anonymous:
            return redirect_to_login(request.get_full_path())
        # Anyone can start a draft without an account: each new one counts against the
        # address's limit, so a script cannot fill the database with drafts.
        key = _session_key(request)
        if not Draft.objects.filter(eservice=eservice, owner=None, session_key=key).exists():
            _limit(request, "drafts")
    return services.draft_for(eservice, request.user, _session_key(request))


def catalogue(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("kategori", "").strip()[:50]
    return render(
        request,
        "eservices/catalogue.html",
        {
            "eservices": list(services.catalogue(query, category)),
            "categories": Category.objects.all(),
            "query": query,
            "category": category,
        },
    )


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    eservice = _eservice(slug)
    draft = None
    if request.user.is_authenticated:
        draft = Draft.objects.filter(eservice=eservice, owner=request.user).first()
    return render(request, "eservices/detail.html", {"eservice": eservice, "draft": draft})


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    eservice = _eservice(slug)
    draft = _draft(request, eservice)
    if isinstance(draft, HttpResponse):
        return draft
    start = services.start_form(eservice)
    steps = start.form.steps or ()
    last_step = max(len(steps) - 1, 0)
    errors: list[Any] = []
    if request.method == "POST":
        data = inputs.json_field(
            request.POST, "answers", max_bytes=services.MAX_DRAFT_BYTES, empty={}
        )
        step = inputs.int_field(request.POST, "step", default=draft.step, maximum=1000)
        try:
            services.save_draft(draft, data, step)
        except services.EServiceError as error:
            raise inputs.BadInput(str(error), "answers") from None
        action = request.POST.get("action", "save")
        if action == "back":
            services.save_draft(draft, draft.data, max(step - 1, 0))
            return HttpResponseRedirect(reverse("eservices:apply", args=[slug]))
        if action == "next":
            errors = services.validate_step(draft, step)
            if not errors:
                if step >= last_step:
                    return HttpResponseRedirect(reverse("eservices:review", args=[slug]))
                services.save_draft(draft, draft.data, step + 1)
                return HttpResponseRedirect(reverse("eservices:apply", args=[slug]))
        elif action == "save":
            return HttpResponseRedirect(reverse("eservices:apply", args=[slug]))
    step = min(draft.step, last_step)
    schema = services.localized_schema(start.schema, _language())
    return render(
        request,
        "eservices/apply.html",
        {
            "eservice": eservice,
            "draft": draft,
            "step": step,
            "step_number": step + 1,
            "steps": [_step_label(s) for s in steps] or [eservice.title],
            "step_count": max(len(steps), 1),
            "is_last": step >= last_step,
            "step_schema": services.step_schema(schema, start.form, step),
            "errors": [(e.path, e.message(_language()), e.field_id) for e in errors],
        },
        status=400 if errors else 200,
    )


def _step_label(step: Any) -> str:
    """A group's label, else the first labelled field of a run of loose fields."""
    if step.label:
        return str(step.label)
    for field in step.fields:
        if field.label:
            return str(field.label)
    return _("Steg %(n)s") % {"n": step.index + 1}


@answers_json
@require_POST
def autosave(request: HttpRequest, slug: str) -> HttpResponse:
    eservice = _eservice(slug)
    _limit(request, "autosaves")
    draft = _draft(request, eservice)
    if isinstance(draft, HttpResponse):
        return inputs.problem(401, _("Logga in för att spara."), code="unauthenticated")
    payload = inputs.json_body(request, max_bytes=services.MAX_DRAFT_BYTES + 1024, empty={})
    if not isinstance(payload, dict):
        raise inputs.BadInput(_('Anropet ska vara {"data": {…}}.'), "body", "bad-shape")
    try:
        services.save_draft(draft, payload.get("data"), None)
    except services.EServiceError as error:
        raise inputs.BadInput(str(error), "data") from None
    return JsonResponse({"saved": draft.updated_at.isoformat()})


@answers_json
@require_POST
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    eservice = _eservice(slug)
    _limit(request, "uploads")
    draft = _draft(request, eservice)
    if isinstance(draft, HttpResponse):
        return inputs.problem(401, _("Logga in för att ladda upp filer."), code="unauthenticated")
    file = request.FILES.get("file")
    if file is None:
        raise inputs.BadInput(_("Ingen fil skickades."), "file", "missing")
    try:
        attachment = services.store_upload(draft, request.POST.get("field", ""), file)
    except services.EServiceError as error:
        raise inputs.BadInput(str(error), "file", "file-refused") from None
    return JsonResponse(services.attachment_reference(attachment), status=201)


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    eservice = _eservice(slug)
    if request.method == "POST":
        _limit(request, "submits")
        # A repeated submit (double click, retry after a lost answer) finds the case it made.
        done = services.submitted_with(request.POST.get("submit_token", ""))
        if done is not None and _may_see(request, done):
            return HttpResponseRedirect(reverse("eservices:receipt", args=[done.case_number]))
    draft = _draft(request, eservice)
    if isinstance(draft, HttpResponse):
        return draft
    start = services.start_form(eservice)
    errors: list[Any] = []
    if request.method == "POST":
        try:
            submission = services.submit(
                draft, request.POST.get("submit_token", ""), language=_language()
            )
        except services.ValidationFailed as failed:
            errors = [(e.path, e.message(_language()), e.field_id) for e in failed.errors]
        except services.EServiceError as error:
            errors = [("", str(error), None)]
        else:
            receipts_seen = request.session.get(RECEIPTS_SESSION_KEY, [])
            request.session[RECEIPTS_SESSION_KEY] = [*receipts_seen, submission.case_number][-20:]
            return HttpResponseRedirect(reverse("eservices:receipt", args=[submission.case_number]))
    localized = services.localized_schema(start.schema, _language())
    from verka.engine.forms import parse_form

    rows = receipts.summarize(parse_form(localized), draft.data)
    return render(
        request,
        "eservices/review.html",
        {"eservice": eservice, "draft": draft, "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )


def _may_see(request: HttpRequest, submission: Submission) -> bool:
    if request.user.is_authenticated and submission.applicant_id == request.user.pk:
        return True
    return submission.case_number in request.session.get(RECEIPTS_SESSION_KEY, [])


def _own_submission(request: HttpRequest, case_number: str) -> Submission:
    submission = (
        Submission.objects.filter(case_number=case_number).select_related("eservice").first()
    )
    if submission is None or not _may_see(request, submission):
        # The same answer whether the case exists or not: case numbers are not to be probed.
        raise Http404(_("Det finns inget sådant kvitto."))
    return submission


def receipt(request: HttpRequest, case_number: str) -> HttpResponse:
    from verka.cases.services import status_of

    submission = _own_submission(request, case_number)
    # Applicants without an account (anonymous e-services) follow their case here.
    return render(
        request,
        "eservices/receipt.html",
        {
            "submission": submission,
            "rows": receipts.answer_rows(submission),
            "status": status_of(submission),
        },
    )


def receipt_pdf(request: HttpRequest, case_number: str) -> FileResponse:
    submission = _own_submission(request, case_number)
    import io

    return FileResponse(
        io.BytesIO(receipts.receipt_pdf(submission)),
        as_attachment=True,
        filename=f"kvitto-{submission.case_number}.pdf",
        content_type="application/pdf",
    )
