"""The e-services app's public functions: the catalogue, drafts, uploads and submission."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from verka.engine import forms
from verka.processes import repository
from verka.processes import services as processes
from verka.worker import outbox

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
        raise EServiceError("log in to use this e-service")
    draft = Draft.objects.filter(eservice=eservice, owner=None, session_key=session_key).first()
    return draft or Draft.objects.create(eservice=eservice, session_key=session_key)


def save_draft(draft: Draft, data: Any, step: int | None = None) -> Draft:
    """Autosave: keep what was typed, whether valid yet or not (validation comes per step)."""
    if not isinstance(data, Mapping):
        raise EServiceError("the answers must be a JSON object")
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise EServiceError("the answers are too large")
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


def store_upload(draft: Draft, field_path: str, upload: UploadedFile) -> Attachment:
    """Check an uploaded file against the form's file picker and keep it outside the web root."""
    form = start_form(draft.eservice).form
    picker = next((p for p in form.file_pickers if p.path == field_path), None)
    if picker is None:
        raise EServiceError("the form has no file field with that name")
    name = Path(upload.name or "file").name[:200]
    content_type = EXTENSION_TYPES.get(Path(name).suffix.lower())
    if content_type is None:
        raise EServiceError("only PDF, PNG, JPEG and GIF files can be uploaded")
    max_size = settings.VERKA_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > max_size:
        raise EServiceError(f"the file is larger than {max_size // (1024 * 1024)} MB")
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC[content_type]):
        raise EServiceError("the file's content does not match its type")
    problems = forms.check_uploads(
        picker, [forms.Upload(name, content_type, upload.size)], max_size=max_size
    )
    if problems:
        raise EServiceError(problems[0].message_en)
    storage_name = uuid.uuid4().hex
    digest = hashlib.sha256()
    with (upload_dir() / storage_name).open("wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
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
        raise EServiceError("the form is out of date; reload the page") from None
    existing = Submission.objects.filter(submit_token=token).first()
    if existing is not None:
        return existing
    if token != draft.submit_token:
        raise EServiceError("the form is out of date; reload the page")
    eservice = draft.eservice
    form = start_form(eservice).form
    result = forms.validate_submission(
        form, draft.data, context=_form_context(draft), today=date.today()
    )
    if result.errors:
        raise ValidationFailed(result.errors)
    now = timezone.now()
    with transaction.atomic():
        locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:  # submitted by a concurrent request a moment ago
            done = Submission.objects.filter(submit_token=token).first()
            if done is not None:
                return done
            raise EServiceError("the application was already submitted")
        case_number = next_case_number(eservice.case_prefix, now.year)
        applicant = draft.owner
        answers = json.loads(json.dumps(result.values, default=str))
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
        Attachment.objects.filter(draft=draft).update(submission=submission, draft=None)
        variables = {
            **result.values,
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
