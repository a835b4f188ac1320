"""A small case for My pages tests: an application, an officer's check, a completion request
to the applicant (by candidate user and by the `verka:audience` header), a decision document and
an e-mail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from verka.accounts.services import create_user
from verka.eservices import services as eservices
from verka.eservices.models import EService, Submission
from verka.processes import services as processes
from verka.processes import worker
from verka.processes.models import UserTask

from ..processes import models as m

START_FORM = {
    "id": "case-start",
    "type": "default",
    "components": [
        {
            "id": "propertyField",
            "key": "property",
            "type": "textfield",
            "label": "Fastighetsbeteckning",
            "validate": {"required": True},
        },
        {"id": "noteField", "key": "note", "type": "textarea", "label": "Beskrivning"},
    ],
    "verka:translations": {"en": {"propertyField": {"label": "Property designation"}}},
}

SUPPLEMENT_FORM = {
    "id": "case-supplement",
    "type": "default",
    "components": [
        {
            "id": "requestText",
            "type": "text",
            "text": "## Komplettera\n\n{{missingInformation}}",
        },
        {
            "id": "answerField",
            "key": "supplementAnswer",
            "type": "textfield",
            "label": "Ditt svar",
            "validate": {"required": True, "maxLength": 200},
        },
        {
            "id": "documentsField",
            "key": "supplementDocuments",
            "type": "filepicker",
            "label": "Bifoga handlingar",
            "accept": ".pdf,.png",
            "multiple": True,
        },
    ],
    "verka:translations": {"en": {"answerField": {"label": "Your answer"}}},
}


def user_task(task_id: str, name: str, assignment: str, extra: str = "") -> str:
    return (
        f'<bpmn:userTask id="{task_id}" name="{name}"><bpmn:extensionElements><zeebe:userTask/>'
        f"{assignment}{extra}</bpmn:extensionElements></bpmn:userTask>"
    )


def headers(**values: str) -> str:
    inner = "".join(f'<zeebe:header key="{k}" value="{v}"/>' for k, v in values.items())
    return f"<zeebe:taskHeaders>{inner}</zeebe:taskHeaders>"


def case_process(applicant_assignment: str) -> bytes:
    return m.bpmn(
        '<bpmn:startEvent id="start"><bpmn:extensionElements>'
        '<zeebe:formDefinition formId="case-start"/></bpmn:extensionElements></bpmn:startEvent>'
        + user_task(
            "check",
            "Kontrollera ansökan",
            '<zeebe:assignmentDefinition candidateGroups="bygglov"/>'
            '<zeebe:properties><zeebe:property name="verka:name:en" value="Check the application"/>'
            "</zeebe:properties>",
        )
        + user_task(
            "supplement",
            "Komplettera ansökan",
            '<zeebe:formDefinition formId="case-supplement"/>' + applicant_assignment,
        )
        + m.service_task(
            "decisionDocument",
            "verka-document",
            extra=headers(template="decision", kind="decision", title="Beslut om bygglov"),
        )
        + m.service_task("notify", "verka-email", extra=headers(template="case-update"))
        + '<bpmn:endEvent id="end"/>'
        + m.flow("f1", "start", "check")
        + m.flow("f2", "check", "supplement")
        + m.flow("f3", "supplement", "decisionDocument")
        + m.flow("f4", "decisionDocument", "notify")
        + m.flow("f5", "notify", "end"),
        process_id="case-process",
    )


BY_CANDIDATE = case_process('<zeebe:assignmentDefinition candidateUsers="=[applicant]"/>')
BY_HEADER = case_process(headers(**{"verka:audience": "applicant"}))

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def deploy(process: bytes = BY_CANDIDATE) -> None:
    processes.deploy(
        [
            ("case.bpmn", process),
            ("case-start.form", json.dumps(START_FORM).encode()),
            ("case-supplement.form", json.dumps(SUPPLEMENT_FORM).encode()),
        ]
    )


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    """Uploads and documents go to a folder of the test's own, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eservice(db: Any) -> EService:
    deploy()
    return EService.objects.create(
        slug="bygglov",
        title_sv="Ansök om bygglov",
        title_en="Apply for a building permit",
        summary_sv="Bygga nytt.",
        handling_time_sv="10 veckor",
        handling_time_en="10 weeks",
        bpmn_process_id="case-process",
        start_form_id="case-start",
        case_prefix="BYG",
        published=True,
    )


@pytest.fixture
def anna(db: Any) -> Any:
    return create_user(
        "anna", None, kind="citizen", display_name="Anna Andersson", email="anna@example.se"
    )


@pytest.fixture
def bertil(db: Any) -> Any:
    return create_user(
        "bertil", None, kind="citizen", display_name="Bertil Berg", email="b@example.se"
    )


@pytest.fixture
def officer(db: Any) -> Any:
    return create_user("olle", None, kind="staff", display_name="Olle Officer")


def submit(eservice: EService, user: Any, language: str = "sv", **answers: Any) -> Submission:
    draft = eservices.draft_for(eservice, user, "")
    eservices.save_draft(draft, {"property": "Exempel 1:23", **answers})
    return eservices.submit(draft, str(draft.submit_token), language=language)


def open_task(submission: Submission, element_id: str) -> UserTask:
    return UserTask.objects.get(
        process_instance_id=submission.process_instance_key,
        element_id=element_id,
        state=UserTask.State.CREATED,
    )


def officer_requests_completion(submission: Submission) -> UserTask:
    check = open_task(submission, "check")
    processes.complete_user_task(
        check.key, {"missingInformation": "Fasadritning saknas."}, user="olle"
    )
    return open_task(submission, "supplement")


def run_jobs(job_type: str) -> int:
    spec = worker.handlers()[job_type]
    jobs = processes.activate_jobs(job_type, "test-worker")
    for job in jobs:
        worker.run_job(spec, job)
    return len(jobs)


def now() -> Any:
    return timezone.now()
