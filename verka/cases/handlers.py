"""Built-in job handlers that give a case its paper trail, run by `verka worker` and `verka demo`.

`verka-document` renders a decision or letter from a template into a PDF, files it with the case
and returns `{"documentId": …, "document": <reference>}`. Headers: `template` (required),
`title`, `kind` (decision | letter) or `documentType` (beslut → decision; anything else, such as
underrättelse or meddelande, → letter), `visibleToApplicant` (true | false).

`verka-email` renders an e-mail from a template in the case's language and records it in the
outbox, from which one worker sends it. Headers: `template`
(required), `to` (else the `to` variable, else the applicant's e-mail), `language`.

Both are idempotent by job key: a retried job returns the first document, and records no second
e-mail once the first was recorded. Bad headers fail the job at once (no retries) with a message
that says what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import TemplateSyntaxError, VariableDoesNotExist
from django.utils import timezone
from django.utils.text import slugify

from verka.eservices.models import Submission
from verka.processes.services import ActivatedJob
from verka.processes.worker import JobFailure, job_handler
from verka.worker import outbox

from . import rendering
from .milestones import submission_of_instance
from .models import CaseDocument, SentEmail

log = logging.getLogger(__name__)

KIND_BY_DOCUMENT_TYPE = {
    "beslut": CaseDocument.Kind.DECISION,
    "decision": CaseDocument.Kind.DECISION,
}
FALSE_WORDS = {"false", "no", "nej", "0"}


def _template_header(job: ActivatedJob, folder: str) -> str:
    name = str(job.custom_headers.get("template") or "").strip()
    if not name:
        raise JobFailure(
            f"the task header 'template' is missing: name a template in cases/{folder}/",
            retries=0,
        )
    if not rendering.TEMPLATE_NAME.fullmatch(name):
        raise JobFailure(
            f"the task header 'template' must be lower-case letters, digits, '-' or '_', "
            f"not {name[:80]!r}",
            retries=0,
        )
    return name


def _document_kind(headers: Mapping[str, Any]) -> str:
    kind = str(headers.get("kind") or "").strip().lower()
    if kind:
        if kind not in (CaseDocument.Kind.DECISION, CaseDocument.Kind.LETTER):
            raise JobFailure(
                f"the task header 'kind' must be 'decision' or 'letter', not {kind[:40]!r}",
                retries=0,
            )
        return kind
    document_type = str(headers.get("documentType") or "").strip().lower()
    return KIND_BY_DOCUMENT_TYPE.get(document_type, CaseDocument.Kind.LETTER)


def document_reference(document: CaseDocument) -> dict[str, Any]:
    """A case document as a variable, in Camunda 8's document reference shape."""
    return {
        "camunda.document.type": "camunda",
        "storeId": "verka-cases",
        "documentId": str(document.pk),
        "contentHash": document.sha256,
        "metadata": {
            "fileName": document.original_name,
            "contentType": document.content_type,
            "size": document.size,
            "title": document.title,
        },
    }


def _case_of(job: ActivatedJob) -> Submission:
    submission = submission_of_instance(job.process_instance_key)
    if submission is None:
        raise JobFailure(
            f"process instance {job.process_instance_key} belongs to no case "
            "(it was not started by an e-service), so there is no case to file a document in",
            retries=0,
        )
    return submission


@job_handler("verka-document")
def create_document(job: ActivatedJob) -> dict[str, Any]:
    from .services import store_document

    template = _template_header(job, "documents")
    kind = _document_kind(job.custom_headers)
    existing = CaseDocument.objects.filter(job_key=job.key).first()
    if existing is not None:  # a retried job: the document was made the first time
        return {"documentId": str(existing.pk), "document": document_reference(existing)}
    submission = _case_of(job)
    try:
        rendered = rendering.render_document(
            template,
            submission,
            job.variables,
            title=str(job.custom_headers.get("title") or ""),
        )
    except rendering.TemplateMissing:
        raise JobFailure(
            f"there is no document template '{template}' "
            f"(looked for cases/documents/{template}.{submission.language}.txt and .sv.txt)",
            retries=0,
        ) from None
    except (TemplateSyntaxError, VariableDoesNotExist) as error:
        raise JobFailure(
            f"the document template '{template}' is broken: {error}", retries=0
        ) from None
    visible = str(job.custom_headers.get("visibleToApplicant", "true")).strip().lower()
    audience = str(job.custom_headers.get("verka:audience", "")).strip().lower()
    document = store_document(
        submission,
        kind=kind,
        title=rendered.title,
        filename=f"{slugify(rendered.title)[:60] or 'dokument'}-{submission.case_number}.pdf",
        content=rendered.pdf,
        job_key=job.key,
        visible_to_applicant=visible not in FALSE_WORDS and audience != "staff",
    )
    log.info("case document created", extra={"case": submission.case_number, "kind": kind})
    return {"documentId": str(document.pk), "document": document_reference(document)}


def _recipients(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if isinstance(item, str) and item.strip()]
    return []


@job_handler("verka-email")
def send_email(job: ActivatedJob) -> dict[str, Any]:
    template = _template_header(job, "emails")
    if SentEmail.objects.filter(job_key=job.key).exists():
        return {}  # a retried job: the e-mail went out the first time
    submission = submission_of_instance(job.process_instance_key)
    headers = job.custom_headers
    recipients = _recipients(headers.get("to")) or _recipients(job.variables.get("to"))
    if not recipients and submission is not None:
        fallback = submission.email or (submission.applicant.email if submission.applicant else "")
        recipients = _recipients(fallback)
    language = str(headers.get("language") or "").strip().lower() or (
        submission.language if submission is not None else "sv"
    )
    language = language if language in ("sv", "en") else "sv"
    try:
        email = rendering.render_email(
            template, language, rendering.case_context(submission, job.variables)
        )
    except rendering.TemplateMissing:
        raise JobFailure(
            f"there is no e-mail template '{template}' "
            f"(looked for cases/emails/{template}.{language}.txt and .sv.txt)",
            retries=0,
        ) from None
    except (TemplateSyntaxError, VariableDoesNotExist) as error:
        raise JobFailure(
            f"the e-mail template '{template}' is broken: {error}", retries=0
        ) from None
    if not recipients:
        # An anonymous applicant left no address: nothing to send, and nothing to hold up.
        log.info("e-mail skipped: no recipient", extra={"template": template})
        return {}
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            # The address itself is personal data: the message says where it came from only.
            raise JobFailure(
                "a recipient is not a valid e-mail address (from the 'to' header or variable, "
                "or the applicant's e-mail)",
                retries=0,
            ) from None
    with transaction.atomic():
        # The job's key makes both rows once only: a retried job records nothing new, and
        # one worker sends the e-mail from the outbox.
        _record, created = SentEmail.objects.get_or_create(
            job_key=job.key,
            defaults={
                "submission": submission,
                "template": template,
                "recorded_at": timezone.now(),
            },
        )
        if created:
            outbox.add_email(f"job-email:{job.key}", email.subject, email.body, recipients)
    log.info("case e-mail recorded", extra={"template": template})
    return {}


def queue_case_email(submission: Submission, template: str, key: str) -> bool:
    """Record a templated e-mail about a case to its applicant in the current transaction, for
    a worker to send; `key` names its cause (once per key). False if there is no address."""
    address = submission.email or (submission.applicant.email if submission.applicant else "")
    if not address:
        return False
    try:
        email = rendering.render_email(
            template, submission.language, rendering.case_context(submission, {})
        )
    except (rendering.TemplateMissing, TemplateSyntaxError, VariableDoesNotExist) as error:
        # A notice that cannot be written must not undo what it tells about.
        log.warning("case e-mail not rendered", extra={"template": template, "error": str(error)})
        return False
    outbox.add_email(key, email.subject, email.body, [address])
    return True
