"""The e-services app's public functions: the catalogue, drafts, uploads and submission."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from verka.conf import inputs
from verka.engine import forms
from verka.processes import clock, repository
from verka.processes import services as processes
from verka.worker import duties, outbox

from . import throttle
from .models import Attachment, CaseCounter, Draft, EService, Submission

log = logging.getLogger(__name__)

# A draft is JSON typed by a person; anything larger than this is not a form answer.
MAX_DRAFT_BYTES = 512 * 1024


class EServiceError(ValueError):
    """The request cannot be carried out; the message is safe to show to the citizen."""


class ValidationFailed(EServiceError):
    def __init__(self, errors: Sequence[forms.FieldError]) -> None:
        super().__init__(f"{len(errors)} field(s) need attention")
        self.errors = list(errors)


# --- catalogue ------------------------------------------------------------------------------


def catalogue(query: str = "", category: str = "") -> QuerySet[EService]:
    services = EService.objects.filter(published=True).select_related("category")
    if category:
        services = services.filter(category__slug=category)
    for word in query.split()[:8]:
        services = services.filter(
            Q(title_sv__icontains=word)
            | Q(title_en__icontains=word)
            | Q(summary_sv__icontains=word)
            | Q(summary_en__icontains=word)
            | Q(keywords__icontains=word)
        )
    return services


def published(slug: str) -> EService:
    eservice = EService.objects.filter(slug=slug, published=True).first()
    if eservice is None:
        raise EService.DoesNotExist(slug)
    return eservice


# --- forms ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartForm:
    schema: dict[str, Any]
    form: forms.Form


@lru_cache(maxsize=128)
def _parsed_form(resource_id: int, checksum: str) -> StartForm:
    from verka.processes.models import Resource

    schema = json.loads(Resource.objects.get(pk=resource_id).content)
    return StartForm(schema, forms.parse_form(schema))


def start_form(eservice: EService) -> StartForm:
    definition = repository.latest_form(eservice.start_form_id)
    return _parsed_form(definition.resource_id, definition.checksum)


def localized_schema(schema: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The schema with labels in the language asked for.

    Forms are written in Swedish; English texts live in the schema under
    `"verka:translations": {"en": {"<component id>": {"label": …, "description": …,
    "values": {"<option value>": "<label>"}}}}` (form-js ignores keys it does not know).
    """
    translations = (schema.get("verka:translations") or {}).get(language) or {}
    if not translations:
        return dict(schema)

    def translate(component: Mapping[str, Any]) -> dict[str, Any]:
        result = dict(component)
        text = translations.get(component.get("id", ""), {})
        for key in ("label", "description", "text", "placeholder", "dateLabel", "timeLabel"):
            if isinstance(text.get(key), str):
                result[key] = text[key]
        if isinstance(text.get("values"), Mapping) and isinstance(result.get("values"), list):
            result["values"] = [
                {
                    **option,
                    "label": text["values"].get(str(option.get("value")), option.get("label")),
                }
                for option in result["values"]
                if isinstance(option, Mapping)
            ]
        if isinstance(result.get("components"), list):
            result["components"] = [translate(child) for child in result["components"]]
        return result

    localized = translate(schema)
    return localized


def step_schema(schema: Mapping[str, Any], form: forms.Form, step: int) -> dict[str, Any]:
    """The part of the schema one step shows: its components, in a form of their own.

    Components that belong to no step (texts, images, separators between steps) are shown with
    the step that follows them, or with the last step when nothing follows."""
    steps = form.steps
    if not steps:
        return dict(schema)
    wanted_step = max(0, min(step, len(steps) - 1))
    owner: dict[str, int] = {}
    for candidate in steps:
        ids = {candidate.component.id} if candidate.component is not None else candidate.field_ids
        for component_id in ids:
            owner[component_id] = candidate.index
    components = list(schema.get("components", []))
    chosen = []
    pending: list[Mapping[str, Any]] = []
    last_owner = 0
    for component in components:
        index = owner.get(component.get("id", ""))
        if index is None:
            pending.append(component)
            continue
        if index == wanted_step:
            chosen.extend(pending)
            chosen.append(component)
        pending = []
        last_owner = index
    if pending and last_owner == wanted_step:
        chosen.extend(pending)
    return {**schema, "components": chosen}


# --- drafts ---------------------------------------------------------------------------------


def draft_for(eservice: EService, user: Any, session_key: str) -> Draft:
    """The applicant's draft of this e-service, created on first use (never a second one)."""
    if getattr(user, "is_authenticated", False):
        try:
            with transaction.atomic():
                draft, _ = Draft.objects.get_or_create(eservice=eservice, owner=user)
        except IntegrityError:  # two tabs created it at the same moment
            draft = Draft.objects.get(eservice=eservice, owner=user)
        return draft
    if not eservice.allow_anonymous:
        raise EServiceError(_("Logga in för att använda e-tjänsten."))
    draft = Draft.objects.filter(eservice=eservice, owner=None, session_key=session_key).first()
    return draft or Draft.objects.create(eservice=eservice, session_key=session_key)


def save_draft(draft: Draft, data: Any, step: int | None = None) -> Draft:
    """Autosave: keep what was typed, whether valid yet or not (validation comes per step)."""
    if not isinstance(data, Mapping):
        raise EServiceError(_("Svaren ska vara ett JSON-objekt."))
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise EServiceError(_("Svaren är för stora."))
    form = start_form(draft.eservice).form
    known = {field.segments[0] for field in form.fields if field.segments}
    draft.data = {key: value for key, value in data.items() if key in known}
    fields = ["data", "updated_at"]
    if step is not None:
        draft.step = max(0, min(step, max(len(form.steps) - 1, 0)))
        fields.append("step")
    draft.save(update_fields=fields)
    return draft


def validate_step(draft: Draft, step: int) -> list[forms.FieldError]:
    form = start_form(draft.eservice).form
    result = forms.validate_submission(
        form, draft.data, context=_form_context(draft), today=date.today(), step=step
    )
    return list(result.errors)


def _form_context(draft: Draft) -> dict[str, Any]:
    owner = draft.owner
    if owner is None:
        return {}
    return {"applicantName": str(owner), "applicantEmail": owner.email or ""}


# --- uploads --------------------------------------------------------------------------------

# What each accepted type must look like on the inside: a renamed executable is refused.
MAGIC = {
    "application/pdf": [b"%PDF-"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/gif": [b"GIF87a", b"GIF89a"],
}
EXTENSION_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


class UploadRefused(EServiceError):
    """An upload the draft cannot take; the message is translated."""


def store_upload(draft: Draft, field_path: str, upload: UploadedFile) -> Attachment:
    """Check an uploaded file against the form's file picker and the draft's caps (files and
    bytes), and keep it outside the web root under a random name."""
    form = start_form(draft.eservice).form
    picker = next((p for p in form.file_pickers if p.path == field_path), None)
    if picker is None:
        raise UploadRefused(_("Formuläret har inget filfält med det namnet."))
    try:
        name = inputs.file_name(upload.name)
    except inputs.BadInput as error:
        raise UploadRefused(error.message) from None
    content_type = EXTENSION_TYPES.get(Path(name).suffix.lower())
    if content_type is None:
        raise UploadRefused(_("Bara filer av typen PDF, PNG, JPEG och GIF kan skickas."))
    max_size = settings.VERKA_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > max_size:
        raise UploadRefused(_("Filen är större än %(mb)s MB.") % {"mb": max_size // (1024 * 1024)})
    if upload.size == 0:
        raise UploadRefused(_("Filen är tom."))
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC[content_type]):
        raise UploadRefused(_("Filens innehåll stämmer inte med filtypen."))
    problems = forms.check_uploads(
        picker, [forms.Upload(name, content_type, upload.size)], max_size=max_size
    )
    if problems:
        raise UploadRefused(problems[0].message(get_language() or "sv"))
    _check_draft_caps(draft, upload.size)  # before writing: a full draft costs no disk
    storage_name = uuid.uuid4().hex
    digest = hashlib.sha256()
    with (upload_dir() / storage_name).open("wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    try:
        with transaction.atomic():
            # Touching the draft takes its row lock (PostgreSQL) or the writer's turn (SQLite)
            # before the count, so parallel uploads cannot all pass the check against the same
            # count; it also marks the draft as in use for the clean-up.
            Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
            _check_draft_caps(draft, upload.size)
            return Attachment.objects.create(
                draft=draft,
                owner=draft.owner,
                session_key=draft.session_key,
                field_path=field_path,
                original_name=name,
                content_type=content_type,
                size=upload.size,
                sha256=digest.hexdigest(),
                storage_name=storage_name,
            )
    except BaseException:
        (upload_dir() / storage_name).unlink(missing_ok=True)
        raise


def _check_draft_caps(draft: Draft, size: int) -> None:
    held = Attachment.objects.filter(draft=draft).aggregate(files=Count("pk"), bytes=Sum("size"))
    max_files = settings.VERKA_DRAFT_MAX_FILES
    if held["files"] + 1 > max_files:
        raise UploadRefused(
            _("Ansökan har redan %(count)d filer, det högsta antalet. Ta bort en fil först.")
            % {"count": max_files}
        )
    max_bytes = settings.VERKA_DRAFT_MAX_UPLOAD_BYTES
    if (held["bytes"] or 0) + size > max_bytes:
        raise UploadRefused(
            _("Filerna i ansökan får vara högst %(mb)s MB tillsammans.")
            % {"mb": max_bytes // (1024 * 1024)}
        )


def attachment_reference(attachment: Attachment) -> dict[str, Any]:
    """How an attachment appears in the answers and process variables: Camunda 8's document
    reference shape, so models and job workers written for Camunda read it unchanged."""
    return {
        "camunda.document.type": "camunda",
        "storeId": "verka",
        "documentId": str(attachment.id),
        "contentHash": attachment.sha256,
        "metadata": {
            "fileName": attachment.original_name,
            "contentType": attachment.content_type,
            "size": attachment.size,
        },
    }


# --- submission -----------------------------------------------------------------------------


def next_case_number(prefix: str, year: int) -> str:
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def submitted_with(submit_token: str) -> Submission | None:
    try:
        token = uuid.UUID(str(submit_token))
    except ValueError:
        return None
    return Submission.objects.filter(submit_token=token).first()


def submit(draft: Draft, submit_token: str, *, language: str = "sv") -> Submission:
    """Validate everything, create the case and start its process, all in one transaction.

    The same submit token twice (a double click, a retried request) returns the first case.
    """
    try:
        token = uuid.UUID(str(submit_token))
    except ValueError:
        raise EServiceError(_("Formuläret är inaktuellt. Ladda om sidan.")) from None
    existing = Submission.objects.filter(submit_token=token).first()
    if existing is not None:
        return existing
    if token != draft.submit_token:
        raise EServiceError(_("Formuläret är inaktuellt. Ladda om sidan."))
    eservice = draft.eservice
    form = start_form(eservice).form
    result = forms.validate_submission(
        form, draft.data, context=_form_context(draft), today=date.today()
    )
    if result.errors:
        raise ValidationFailed(result.errors)
    values, referenced, problems = _referenced_files(form, result.values, draft)
    if problems:
        raise ValidationFailed(problems)
    now = timezone.now()
    with transaction.atomic():
        locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:  # submitted by a concurrent request a moment ago
            done = Submission.objects.filter(submit_token=token).first()
            if done is not None:
                return done
            raise EServiceError(_("Ansökan är redan skickad."))
        case_number = next_case_number(eservice.case_prefix, now.year)
        applicant = draft.owner
        answers = json.loads(json.dumps(values, default=str))
        submission = Submission.objects.create(
            eservice=eservice,
            applicant=applicant,
            case_number=case_number,
            data=answers,
            submit_token=token,
            submitted_at=now,
            email=(applicant.email if applicant else "") or "",
            language=language,
        )
        # Only files the answers name become the case's; the others were replaced or removed
        # in the form and go with the draft.
        Attachment.objects.filter(draft=draft, pk__in=referenced).update(
            submission=submission, draft=None
        )
        _delete_attachments(Attachment.objects.filter(draft=draft))
        variables = {
            **values,
            "caseNumber": case_number,
            "applicationDate": now.date().isoformat(),
            "applicant": applicant.username if applicant else "",
            "applicantName": str(applicant) if applicant else "",
            "submittedDigitally": True,
        }
        instance = processes.start_instance(
            eservice.bpmn_process_id, variables, business_key=case_number
        )
        submission.process_instance_key = instance.key
        submission.save(update_fields=["process_instance_key"])
        draft.delete()
        if submission.email:
            # Committed with the case, sent by one worker: the citizen never waits for the
            # mail server, and web and workers never send it twice.
            outbox.add("receipt-email", f"receipt:{submission.pk}", {"submission": submission.pk})
    log.info("application submitted", extra={"case": case_number, "eservice": eservice.slug})
    return submission


def _referenced_files(
    form: forms.Form, values: Mapping[str, Any], draft: Draft
) -> tuple[dict[str, Any], set[uuid.UUID], list[forms.FieldError]]:
    """The answers with each file reference replaced by the stored file's own (the name and
    size the server checked, not what the browser sent back), the files they name, and a field
    error for each picker naming a file this draft did not upload to it."""
    held = {str(a.id): a for a in Attachment.objects.filter(draft=draft)}
    answers = dict(values)
    referenced: set[uuid.UUID] = set()
    problems = []
    for picker in form.file_pickers:
        given = answers.get(picker.path)
        if given in (None, "", []):
            continue
        items = given if isinstance(given, list) else [given]
        found = [
            held.get(str(item.get("documentId"))) if isinstance(item, Mapping) else None
            for item in items
        ]
        if any(a is None or a.field_path != picker.path for a in found):
            problems.append(
                forms.FieldError(
                    path=picker.path,
                    code="unknown_file",
                    message_sv="Filen hittades inte. Ladda upp den igen.",
                    message_en="The file was not found. Please upload it again.",
                    field_id=picker.id,
                )
            )
            continue
        stored = [attachment_reference(a) for a in found if a is not None]
        answers[picker.path] = stored if isinstance(given, list) else stored[0]
        referenced.update(a.id for a in found if a is not None)
    return answers, referenced, problems


def _delete_attachments(attachments: QuerySet[Attachment]) -> int:
    """Delete the rows now and their files once the transaction has committed (a rollback keeps
    both)."""
    names = list(attachments.values_list("storage_name", flat=True))
    deleted, _counts = attachments.delete()
    if names:
        transaction.on_commit(lambda: _remove_files(names))
    return deleted


def _remove_files(storage_names: Sequence[str]) -> None:
    folder = upload_dir()
    for name in storage_names:
        (folder / name).unlink(missing_ok=True)


# --- abandoned drafts --------------------------------------------------------------------

DRAFT_CLEANUP = "draft-cleanup"
# How often one of the workers looks for abandoned drafts, and how many go per transaction.
CLEANUP_EVERY = timedelta(hours=1)
CLEANUP_BATCH = 200


def remove_abandoned_drafts(
    *, now: datetime | None = None, retention_days: int | None = None
) -> int:
    """Delete drafts untouched for the retention time (VERKA_DRAFT_RETENTION_DAYS) with their
    uploaded files, files left by drafts already gone, and ended rate windows. Returns how many
    drafts went. Safe to run in several processes at once: each takes drafts no other holds."""
    now = now or clock.now()
    days = settings.VERKA_DRAFT_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = now - timedelta(days=days)
    removed = 0
    while True:
        with transaction.atomic():
            # PostgreSQL: SKIP LOCKED hands each process other drafts; SQLite: the transaction
            # holds the only writer's turn from its start. A draft saved since it was picked is
            # not old any more, so the delete asks again.
            batch = list(
                Draft.objects.select_for_update(skip_locked=True)
                .filter(updated_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:CLEANUP_BATCH]
            )
            if not batch:
                break
            _delete_attachments(Attachment.objects.filter(draft_id__in=batch))
            _total, deleted = Draft.objects.filter(pk__in=batch, updated_at__lt=cutoff).delete()
            removed += deleted.get(Draft._meta.label, 0)
    with transaction.atomic():
        # Files whose draft went some other way (a deleted account, a deleted e-service).
        _delete_attachments(
            Attachment.objects.filter(
                draft__isnull=True, submission__isnull=True, uploaded_at__lt=cutoff
            )
        )
    throttle.forget_old_windows(now=now.timestamp())
    if removed:
        log.info("abandoned drafts removed", extra={"drafts": removed, "older_than_days": days})
    return removed


def clean_up_if_due(worker_name: str, *, now: datetime | None = None) -> int:
    """The workers' clean-up duty: whichever worker claims the period first does it, once per
    CLEANUP_EVERY however many workers run (verka.worker.duties); a worker that dies mid-run
    leaves the rest to the next period."""
    now = now or clock.now()
    if not duties.take_period(DRAFT_CLEANUP, worker_name, CLEANUP_EVERY, now=now):
        return 0
    return remove_abandoned_drafts(now=now)


@dataclass
class CleanupSource:
    """The worker's "draft-cleanup" source: asks the database for the duty at most once a
    minute per process, so that idle workers do not write a claim on every pass."""

    recheck: float = 60.0
    next_check: float = 0.0

    def poll(self, worker_name: str) -> int:
        moment = time.monotonic()
        if moment < self.next_check:
            return 0
        self.next_check = moment + self.recheck
        return clean_up_if_due(worker_name)
