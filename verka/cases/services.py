"""My pages' public functions: a case's status and timeline, the applicant's tasks, messages,
documents and the access log. The staff workspace calls these as well: keep the names stable.

Citizens reach cases only through functions that take the user and filter by applicant; anything
else answers `NotFound`, whether the thing exists or not.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from verka.access import cases as case_access
from verka.access import log as access_log
from verka.engine import forms
from verka.eservices import services as eservices
from verka.eservices.models import Attachment, Draft, Submission
from verka.processes import codec, repository
from verka.processes import services as processes
from verka.processes.models import UserTask

from . import files
from .errors import CaseError, FileRefused, NotFound, TaskValidationFailed
from .milestones import (
    CaseStatus,
    TimelineEntry,
    case_instance_keys,
    instance_variables,
    is_applicant_task,
    open_applicant_tasks,
    status_of,
    submission_of_instance,
    task_label,
    timeline,
)
from .models import CaseAccess, CaseDocument, CaseMessage

__all__ = [
    "ApplicantTask",
    "CaseError",
    "CaseStatus",
    "FileRefused",
    "NotFound",
    "TaskValidationFailed",
    "TimelineEntry",
    "applicant_task",
    "answer_rows",
    "applicant_tasks",
    "case_for_applicant",
    "case_instance_keys",
    "case_tasks",
    "complete_applicant_task",
    "delete_draft",
    "documents",
    "is_staff_user",
    "mark_messages_read",
    "messages",
    "my_cases",
    "my_drafts",
    "open_attachment",
    "open_document",
    "record_access",
    "send_message",
    "status_of",
    "store_document",
    "store_task_upload",
    "submission_of_instance",
    "task_form",
    "task_form_data",
    "task_variables",
    "timeline",
]

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 10_000


def is_staff_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "kind", "") == "staff" or bool(getattr(user, "is_staff", False))
    )


# --- cases ---------------------------------------------------------------------------------


def my_cases(user: Any) -> QuerySet[Submission]:
    """The user's own submitted cases, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Submission.objects.none()
    return Submission.objects.filter(applicant=user).select_related("eservice")


def case_for_applicant(user: Any, case_number: str) -> Submission:
    submission = my_cases(user).filter(case_number=case_number).first()
    if submission is None:
        raise NotFound(_("Det finns inget sådant ärende."))
    return submission


def record_access(user: Any, submission: Submission | None, action: str, what: str) -> CaseAccess:
    """Write one line of the personal-data access log. `what` names the part of the case
    (a document title, "message", "task …"), never personal data itself."""
    return access_log.record(user, action, what, submission=submission)


# --- tasks for the applicant ---------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantTask:
    task: UserTask
    submission: Submission

    @property
    def key(self) -> int:
        return self.task.key

    @property
    def name(self) -> str:
        return task_label(self.task)

    @property
    def due_date(self) -> Any:
        return self.task.due_date


def _instances_of(user: Any) -> dict[int, Submission]:
    """Every process instance of the user's cases (called ones too) → its case."""
    owned: dict[int, Submission] = {}
    for submission in my_cases(user).exclude(process_instance_key=None):
        for key in case_instance_keys(submission):
            owned[key] = submission
    return owned


def applicant_tasks(user: Any) -> list[ApplicantTask]:
    """The open tasks waiting for this citizen in any of their cases, oldest first."""
    owned = _instances_of(user)
    if not owned:
        return []
    username = user.get_username()
    tasks = UserTask.objects.filter(
        process_instance_id__in=list(owned), state=UserTask.State.CREATED
    ).order_by("created_at", "key")
    return [
        ApplicantTask(task, owned[task.process_instance_id])
        for task in tasks
        if is_applicant_task(task, username)
    ]


def case_tasks(submission: Submission) -> list[ApplicantTask]:
    """The applicant's open tasks in one case (the caller has checked who may see it)."""
    return [ApplicantTask(task, submission) for task in open_applicant_tasks(submission)]


def applicant_task(user: Any, task_key: int) -> ApplicantTask:
    """One open task of this citizen; anything else (someone else's, an officer's, a finished
    task) is NotFound."""
    task = UserTask.objects.filter(key=task_key, state=UserTask.State.CREATED).first()
    if task is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("Det finns ingen sådan uppgift."))
    submission = submission_of_instance(task.process_instance_id)
    if (
        submission is None
        or submission.applicant_id != user.pk
        or not is_applicant_task(task, user.get_username())
    ):
        raise NotFound(_("Det finns ingen sådan uppgift."))
    return ApplicantTask(task, submission)


@dataclass(frozen=True)
class TaskForm:
    schema: dict[str, Any]
    form: forms.Form


@lru_cache(maxsize=128)
def _parsed_form(resource_id: int, checksum: str) -> TaskForm:
    from verka.processes.models import Resource

    schema = json.loads(Resource.objects.get(pk=resource_id).content)
    return TaskForm(schema, forms.parse_form(schema))


EMPTY_FORM = {"type": "default", "components": []}


def task_form(task: UserTask) -> TaskForm:
    """The task's deployed form (latest version of its form id); an empty form if it has none."""
    if not task.form_id:
        return TaskForm(dict(EMPTY_FORM), forms.parse_form(EMPTY_FORM))
    try:
        definition = repository.latest_form(task.form_id, test=task.process_instance.is_test)
    except repository.DeploymentMissing:
        raise CaseError(_("Uppgiftens formulär saknas. Kontakta kommunen.")) from None
    return _parsed_form(definition.resource_id, definition.checksum)


def task_variables(task: UserTask) -> dict[str, Any]:
    return instance_variables(task.process_instance_id, task.element_instance_key)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _names_in(schema: Any, found: set[str]) -> set[str]:
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            if key == "verka:translations":
                continue
            if key in ("key", "valuesKey", "path") and isinstance(value, str):
                found.add(value.split(".", 1)[0])
            else:
                _names_in(value, found)
    elif isinstance(schema, list):
        for item in schema:
            _names_in(item, found)
    elif isinstance(schema, str) and (schema.startswith("=") or "{{" in schema):
        found.update(_NAME.findall(schema))
    return found


def task_form_data(schema: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables the form refers to (field keys, FEEL, `{{ }}` templates), as plain JSON.
    Other process variables (internal notes, priorities) are not sent to the browser."""
    wanted = _names_in(schema, set())
    return {
        name: json.loads(codec.to_json_text(value, plain=True))
        for name, value in variables.items()
        if name in wanted
    }


def _file_problems(
    form: forms.Form, values: Mapping[str, Any], submission: Submission, user: Any
) -> list[forms.FieldError]:
    """File references must name files this applicant uploaded to this case's field."""
    problems = []
    for picker in form.file_pickers:
        references = values.get(picker.path)
        if references in (None, "", []):
            continue
        items = references if isinstance(references, list) else [references]
        ids = [r.get("documentId") if isinstance(r, Mapping) else None for r in items]
        allowed = Attachment.objects.filter(
            submission=submission, owner=user, field_path=picker.path
        ).values_list("id", flat=True)
        allowed_ids = {str(a) for a in allowed}
        if any(str(i) not in allowed_ids for i in ids):
            problems.append(
                forms.FieldError(
                    path=picker.path,
                    code="unknown_file",
                    message_sv="Filen hittades inte. Ladda upp den igen.",
                    message_en="The file was not found. Please upload it again.",
                    field_id=picker.id,
                )
            )
    return problems


def _stored_references(form: forms.Form, values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with each (already checked) file reference replaced by the stored file's
    own: the name and size the server checked, not what the browser sent back."""
    answers = dict(values)
    for picker in form.file_pickers:
        given = answers.get(picker.path)
        if given in (None, "", []):
            continue
        items = given if isinstance(given, list) else [given]
        ids = [str(item.get("documentId")) for item in items if isinstance(item, Mapping)]
        stored = {str(a.id): a for a in Attachment.objects.filter(pk__in=ids)}
        references = [eservices.attachment_reference(stored[i]) for i in ids if i in stored]
        answers[picker.path] = references if isinstance(given, list) else references[0]
    return answers


def complete_applicant_task(user: Any, task_key: int, data: Any) -> ApplicantTask:
    """Validate the answers against the task's form (the process variables are what the form
    was opened with) and complete the task. Bad answers raise TaskValidationFailed with the
    same field errors the browser shows; nothing is completed then."""
    found = applicant_task(user, task_key)
    task_form_ = task_form(found.task)
    result = forms.validate_submission(
        task_form_.form,
        data,
        context=task_variables(found.task),
        today=timezone.localdate(),
    )
    errors = list(result.errors)
    if not errors:
        errors = _file_problems(task_form_.form, result.values, found.submission, user)
    if errors:
        raise TaskValidationFailed(errors)
    values = _stored_references(task_form_.form, result.values)
    answers = json.loads(json.dumps(values, default=str))
    try:
        processes.complete_user_task(found.task.key, answers, user=user.get_username())
    except processes.CommandRejected:
        raise CaseError(_("Uppgiften är redan klar eller har avbrutits.")) from None
    record_access(user, found.submission, CaseAccess.Action.CHANGE, f"task: {found.name}")
    log.info("applicant task completed", extra={"case": found.submission.case_number})
    return found


def store_task_upload(
    user: Any, task_key: int, field_path: str, upload: UploadedFile
) -> dict[str, Any]:
    """Keep a file picked in a task's form; returns its reference for the answers."""
    found = applicant_task(user, task_key)
    form = task_form(found.task).form
    picker = next((p for p in form.file_pickers if p.path == field_path), None)
    if picker is None:
        raise FileRefused(_("Formuläret har inget filfält med det namnet."))
    content_type = files.checked_type(upload)
    name = files.safe_name(upload.name)
    max_size = settings.VERKA_MAX_UPLOAD_BYTES
    problems = forms.check_uploads(
        picker, [forms.Upload(name, content_type, upload.size or 0)], max_size=max_size
    )
    if problems:
        raise FileRefused(problems[0].message(get_language() or "sv"))
    storage_name = uuid.uuid4().hex
    digest = hashlib.sha256()
    with (eservices.upload_dir() / storage_name).open("wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    attachment = Attachment.objects.create(
        submission=found.submission,
        owner=user,
        field_path=field_path,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        storage_name=storage_name,
    )
    return eservices.attachment_reference(attachment)


# --- messages ------------------------------------------------------------------------------


def messages(submission: Submission) -> QuerySet[CaseMessage]:
    return CaseMessage.objects.filter(submission=submission).prefetch_related("documents")


def send_message(
    submission: Submission,
    author: Any,
    body: str,
    files_: Iterable[UploadedFile] = (),
    *,
    from_staff: bool,
) -> CaseMessage:
    """Add a message to the case thread, with attachments checked like e-service uploads
    (type by extension, content by its first bytes, size). Nothing is kept if one file fails.
    A message from staff also tells the applicant by e-mail (without its content)."""
    body = (body or "").strip()
    uploads = list(files_)
    if not body and not uploads:
        raise CaseError(_("Skriv ett meddelande eller bifoga en fil."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise CaseError(_("Meddelandet får vara högst %(n)s tecken.") % {"n": MAX_MESSAGE_LENGTH})
    if len(uploads) > files.MAX_FILES_PER_MESSAGE:
        raise FileRefused(
            _("Du kan bifoga högst %(n)s filer.") % {"n": files.MAX_FILES_PER_MESSAGE}
        )
    checked = [(upload, files.checked_type(upload)) for upload in uploads]
    stored: list[str] = []
    now = timezone.now()
    try:
        with transaction.atomic():
            message = CaseMessage.objects.create(
                submission=submission,
                author=author if getattr(author, "pk", None) else None,
                from_staff=from_staff,
                body=body,
                created_at=now,
            )
            for upload, content_type in checked:
                storage_name, sha256 = files.write_upload(upload)
                stored.append(storage_name)
                name = files.safe_name(upload.name)
                CaseDocument.objects.create(
                    submission=submission,
                    message=message,
                    kind=CaseDocument.Kind.ATTACHMENT,
                    title=name,
                    original_name=name,
                    content_type=content_type,
                    size=upload.size or 0,
                    sha256=sha256,
                    storage_name=storage_name,
                    visible_to_applicant=True,
                    created_at=now,
                    created_by=author if getattr(author, "pk", None) else None,
                )
            record_access(author, submission, CaseAccess.Action.CHANGE, "message")
            if from_staff:
                # Committed with the message; a worker sends the notice (never this request).
                from .handlers import queue_case_email

                queue_case_email(submission, "new-message", f"message-notice:{message.pk}")
    except BaseException:
        for storage_name in stored:
            files.remove_stored(storage_name)
        raise
    log.info("case message", extra={"case": submission.case_number, "from_staff": from_staff})
    return message


def mark_messages_read(submission: Submission, *, by_staff: bool) -> int:
    """Mark the other side's unread messages as read; returns how many."""
    return CaseMessage.objects.filter(
        submission=submission, from_staff=not by_staff, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- documents -----------------------------------------------------------------------------


def documents(
    submission: Submission, *, for_applicant: bool, include_attachments: bool = False
) -> QuerySet[CaseDocument]:
    """The case's decisions and letters (and, if asked, message attachments), oldest first;
    for the applicant only those marked visible to them."""
    found = CaseDocument.objects.filter(submission=submission)
    if not include_attachments:
        found = found.filter(message__isnull=True)
    if for_applicant:
        found = found.filter(visible_to_applicant=True)
    return found


def store_document(
    submission: Submission,
    *,
    kind: str,
    title: str,
    filename: str,
    content: bytes,
    content_type: str = "application/pdf",
    created_by: Any = None,
    job_key: int | None = None,
    message: CaseMessage | None = None,
    visible_to_applicant: bool = True,
) -> CaseDocument:
    """Keep a document of the case outside the web root. With a job key it is idempotent: the
    job's earlier document is returned and nothing new is written."""
    if kind not in CaseDocument.Kind.values:
        raise CaseError(f"kind must be one of {', '.join(CaseDocument.Kind.values)}")
    if job_key is not None:
        existing = CaseDocument.objects.filter(job_key=job_key).first()
        if existing is not None:
            return existing
    storage_name, sha256 = files.write_bytes(content)
    try:
        with transaction.atomic():
            return CaseDocument.objects.create(
                submission=submission,
                message=message,
                kind=kind,
                title=title[:255],
                original_name=files.safe_name(filename),
                content_type=content_type,
                size=len(content),
                sha256=sha256,
                storage_name=storage_name,
                visible_to_applicant=visible_to_applicant,
                created_at=timezone.now(),
                created_by=created_by if getattr(created_by, "pk", None) else None,
                job_key=job_key,
            )
    except IntegrityError:
        files.remove_stored(storage_name)
        existing = CaseDocument.objects.filter(job_key=job_key).first() if job_key else None
        if existing is None:
            raise
        return existing


def open_document(user: Any, document_id: Any) -> tuple[CaseDocument, IO[bytes]]:
    """A document and its open file, if this user may read it: staff the documents of the
    cases they may read, a citizen the visible documents of their own cases. Every opening is written to the access log."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        raise NotFound(_("Det finns inget sådant dokument.")) from None
    document = CaseDocument.objects.select_related("submission").filter(pk=key).first()
    if document is None or not case_access.may_open_document(
        user, document.submission, document.visible_to_applicant
    ):
        raise NotFound(_("Det finns inget sådant dokument."))
    try:
        handle = files.open_stored(document.storage_name)
    except FileNotFoundError:
        log.error("case document file missing", extra={"document": str(document.pk)})
        raise NotFound(_("Det finns inget sådant dokument.")) from None
    record_access(user, document.submission, CaseAccess.Action.READ, f"document: {document.title}")
    return document, handle


def open_attachment(
    user: Any, case_number: str, attachment_id: Any
) -> tuple[Attachment, IO[bytes]]:
    """A file the applicant attached to their application or a task answer."""
    submission = case_for_applicant(user, case_number)
    try:
        key = uuid.UUID(str(attachment_id))
    except ValueError:
        raise NotFound(_("Det finns ingen sådan bilaga.")) from None
    attachment = Attachment.objects.filter(pk=key, submission=submission).first()
    if attachment is None:
        raise NotFound(_("Det finns ingen sådan bilaga."))
    try:
        handle = (eservices.upload_dir() / attachment.storage_name).open("rb")
    except FileNotFoundError:
        raise NotFound(_("Det finns ingen sådan bilaga.")) from None
    record_access(user, submission, CaseAccess.Action.READ, f"attachment: {attachment.field_path}")
    return attachment, handle


# --- drafts --------------------------------------------------------------------------------


def my_drafts(user: Any) -> QuerySet[Draft]:
    if not getattr(user, "is_authenticated", False):
        return Draft.objects.none()
    return Draft.objects.filter(owner=user).select_related("eservice").order_by("-updated_at")


def delete_draft(user: Any, draft_id: int) -> None:
    """Throw away a draft and the files uploaded to it."""
    draft = my_drafts(user).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound(_("Det finns ingen sådan påbörjad ansökan."))
    with transaction.atomic():
        attachments = list(Attachment.objects.filter(draft=draft, submission__isnull=True))
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        draft.delete()
    for attachment in attachments:
        (eservices.upload_dir() / attachment.storage_name).unlink(missing_ok=True)


def answer_rows(submission: Submission, language: str) -> list[tuple[str, str]]:
    """(question, answer) pairs of the application, with the form's labels in `language`."""
    from verka.eservices.receipts import summarize

    try:
        start = eservices.start_form(submission.eservice)
    except repository.DeploymentMissing:
        return []
    localized = eservices.localized_schema(start.schema, language)
    return summarize(forms.parse_form(localized), submission.data)
