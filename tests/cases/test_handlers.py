"""The verka-document and verka-email job handlers: a PDF filed with the case, an e-mail in the
case's language, both idempotent when a job is retried, and clear failures on bad headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from lxml import etree

from verka.cases import handlers, rendering
from verka.cases.models import CaseDocument, SentEmail
from verka.eservices.models import Submission
from verka.processes import services as processes
from verka.processes.models import Incident, Job, Variable
from verka.processes.services import ActivatedJob
from verka.processes.worker import JobFailure
from verka.worker.outbox import send_due

from .conftest import officer_requests_completion, run_jobs, submit

pytestmark = pytest.mark.django_db


def job(
    submission: Submission, key: int = 1, variables: Any = None, **headers: str
) -> ActivatedJob:
    return ActivatedJob(
        key=key,
        type="test",
        process_instance_key=submission.process_instance_key or 0,
        bpmn_process_id="case-process",
        element_id="doc",
        element_instance_key=key,
        retries=3,
        deadline=None,
        custom_headers=headers,
        variables=dict(variables or {}),
    )


def settle_mail() -> None:
    """Send what is waiting in the outbox (the receipt of the submission) and forget it."""
    send_due("w")
    mail.outbox.clear()


def reach_the_decision(submission: Submission) -> None:
    task = officer_requests_completion(submission)
    processes.complete_user_task(task.key, {"supplementAnswer": "ok"}, user="anna")


def test_the_document_job_files_a_decision_and_returns_its_id(eservice, anna):
    submission = submit(eservice, anna)
    reach_the_decision(submission)
    assert run_jobs("verka-document") == 1
    document = CaseDocument.objects.get()
    assert (document.kind, document.title, document.content_type) == (
        "decision",
        "Beslut om bygglov",
        "application/pdf",
    )
    assert document.original_name == f"beslut-om-bygglov-{submission.case_number}.pdf"
    assert document.visible_to_applicant and document.job_key is not None
    assert Job.objects.get(type="verka-document").state == "COMPLETED"
    stored = Variable.objects.get(name="documentId", scope_key=submission.process_instance_key)
    assert stored.value == f'"{document.pk}"'


def test_a_retried_document_job_makes_no_second_document(eservice, anna):
    submission = submit(eservice, anna)
    first = handlers.create_document(job(submission, 7, template="decision", kind="decision"))
    again = handlers.create_document(job(submission, 7, template="decision", kind="decision"))
    assert first == again and first["documentId"] == str(CaseDocument.objects.get().pk)
    assert first["document"]["metadata"]["contentType"] == "application/pdf"


@pytest.mark.parametrize(
    ("language", "title"),
    [("sv", "Beslut om förskoleplats"), ("en", "Decision on a preschool place")],
)
def test_documents_are_written_in_the_applicants_language(eservice, anna, language, title):
    submission = submit(eservice, anna, language=language)
    variables = {"offeredPreschool": "solrosen", "offeredStartDate": "2027-01-07"}
    handlers.create_document(
        job(
            submission, 3, variables, template="preschool-placement-decision", documentType="beslut"
        )
    )
    document = CaseDocument.objects.get()
    assert (document.title, document.kind) == (title, "decision")
    text = rendering.render_text(
        "documents",
        "preschool-placement-decision",
        language,
        rendering.case_context(submission, variables),
    )
    assert "Solrosen" in text and submission.case_number in text and "Anna Andersson" in text


def test_document_types_other_than_beslut_are_letters_and_can_be_hidden(eservice, anna):
    submission = submit(eservice, anna)
    handlers.create_document(
        job(submission, 4, template="letter", documentType="underrättelse", title="Brev")
    )
    handlers.create_document(job(submission, 5, template="letter", visibleToApplicant="false"))
    kinds = list(CaseDocument.objects.values_list("kind", "visible_to_applicant", "title"))
    assert kinds == [("letter", True, "Brev"), ("letter", False, "Brev")]


def test_the_pdf_builder_draws_headings_tables_bullets_and_escapes_markup():
    pdf = rendering.build_pdf(
        "# Rubrik\n| Nyckel | <b>värde</b> & mer\n\n- punkt\n\nText <script>",
        title="T",
        language="sv",
        case_number="X-1",
    )
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "the task header 'template' is missing"),
        ({"template": "../../settings"}, "must be lower-case letters"),
        ({"template": "no-such-template"}, "there is no document template 'no-such-template'"),
        ({"template": "decision", "kind": "invoice"}, "'kind' must be 'decision' or 'letter'"),
    ],
)
def test_bad_document_headers_fail_clearly(eservice, anna, headers, message):
    submission = submit(eservice, anna)
    with pytest.raises(JobFailure) as failure:
        handlers.create_document(job(submission, 9, **headers))
    assert message in str(failure.value) and failure.value.retries == 0
    assert CaseDocument.objects.count() == 0


def test_a_document_job_outside_any_case_fails_clearly(eservice, anna):
    instance = processes.start_instance("case-process", {})
    stray = ActivatedJob(
        1,
        "verka-document",
        instance.key,
        "case-process",
        "d",
        1,
        3,
        None,
        {"template": "decision"},
        {},
    )
    with pytest.raises(JobFailure, match="belongs to no case"):
        handlers.create_document(stray)


def test_bad_headers_through_the_worker_make_an_incident(eservice, anna):
    from verka.processes import worker

    submission = submit(eservice, anna)
    reach_the_decision(submission)
    spec = worker.handlers()["verka-document"]
    (activated,) = processes.activate_jobs("verka-document", "w")
    broken = ActivatedJob(**{**activated.__dict__, "custom_headers": {"template": "nope"}})
    worker.run_job(spec, broken)
    incident = Incident.objects.get()
    assert "there is no document template 'nope'" in incident.message


def test_the_email_job_mails_the_applicant_once(eservice, anna):
    submission = submit(eservice, anna)
    reach_the_decision(submission)
    run_jobs("verka-document")
    settle_mail()
    assert run_jobs("verka-email") == 1
    assert mail.outbox == []  # recorded in the outbox; a worker sends it
    assert send_due("w") == 1
    (sent,) = mail.outbox
    assert sent.to == ["anna@example.se"]
    assert sent.subject == f"Nytt i ärende {submission.case_number}"
    assert sent.extra_headers["Message-ID"].startswith("<")
    key = SentEmail.objects.get().job_key
    handlers.send_email(job(submission, key, template="case-update"))  # a retry
    assert send_due("w") == 0
    assert len(mail.outbox) == 1


def test_emails_use_the_submissions_language_and_the_to_variable(eservice, anna):
    submission = submit(eservice, anna, language="en")
    settle_mail()
    handlers.send_email(
        job(
            submission,
            11,
            {"to": "other@example.se", "missingInformation": "A drawing"},
            template="building-permit-completion-request",
        )
    )
    send_due("w")
    (sent,) = mail.outbox
    assert sent.to == ["other@example.se"]
    assert sent.subject == (
        f"Your building permit application {submission.case_number} needs completing"
    )
    assert "A drawing" in sent.body


def test_a_to_header_wins_and_headers_cannot_be_injected(eservice, anna):
    submission = submit(eservice, anna)
    settle_mail()
    handlers.send_email(
        job(submission, 12, {"caseNumber": "x"}, template="fault-fixed", to="drift@example.se")
    )
    send_due("w")
    assert mail.outbox[0].to == ["drift@example.se"]
    assert "\n" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("headers", "variables", "message"),
    [
        ({}, {}, "the task header 'template' is missing"),
        ({"template": "nope"}, {}, "there is no e-mail template 'nope'"),
        ({"template": "case-update"}, {"to": "not an address"}, "not a valid e-mail address"),
    ],
)
def test_bad_email_jobs_fail_clearly(eservice, anna, headers, variables, message):
    submission = submit(eservice, anna)
    settle_mail()
    with pytest.raises(JobFailure) as failure:
        handlers.send_email(job(submission, 13, variables, **headers))
    assert message in str(failure.value)
    assert "not an address" not in str(failure.value)
    assert mail.outbox == [] and SentEmail.objects.count() == 0


def test_no_address_means_no_email_and_no_failure(eservice, anna):
    submission = submit(eservice, anna)
    Submission.objects.filter(pk=submission.pk).update(email="")
    anna.email = ""
    anna.save()
    settle_mail()
    assert handlers.send_email(job(submission, 14, template="case-update")) == {}
    assert mail.outbox == []


def test_a_message_from_staff_notifies_the_applicant_without_its_content(
    eservice, anna, officer, django_capture_on_commit_callbacks
):
    from verka.cases import services

    submission = submit(eservice, anna)
    settle_mail()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(submission, officer, "Hemligt innehåll", from_staff=True)
    assert mail.outbox == []  # not from the officer's request
    assert send_due("w") == 1
    (sent,) = mail.outbox
    assert sent.to == ["anna@example.se"] and submission.case_number in sent.subject
    assert "Hemligt innehåll" not in sent.body


DEMO_MODELS = Path(__file__).resolve().parents[2] / "verka" / "demo" / "models"


def demo_templates() -> list[tuple[str, str, str]]:
    """(model file, job type, template) for every document and e-mail task in the demo models."""
    found = []
    for model in sorted(DEMO_MODELS.glob("*.bpmn")):
        tree = etree.parse(str(model))
        for task in tree.iter("{*}serviceTask", "{*}sendTask"):
            definition = task.find(".//{*}taskDefinition")
            if definition is None or definition.get("type") not in (
                "verka-document",
                "verka-email",
            ):
                continue
            for header in task.iterfind(".//{*}header"):
                if header.get("key") == "template":
                    found.append((model.name, definition.get("type"), header.get("value")))
    return found


@pytest.mark.parametrize(("model", "job_type", "template"), demo_templates())
def test_every_template_the_demo_models_use_exists(model, job_type, template):
    folder = "documents" if job_type == "verka-document" else "emails"
    text = rendering.render_text(folder, template, "en", {"case_number": "X-1"})
    assert text.strip(), f"{model}: template {template!r} is empty"


def test_plain_text_emails_show_what_was_typed_without_html_entities(eservice, anna):
    submission = submit(eservice, anna)
    typed = 'Ritning <plan 1> & "fasad" från O\'Brien'
    email = rendering.render_email(
        "building-permit-completion-request",
        "sv",
        rendering.case_context(submission, {"missingInformation": typed}),
    )
    assert typed in email.body
    assert "&lt;" not in email.body and "&amp;" not in email.body and "&#x27;" not in email.body
