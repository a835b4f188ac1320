"""Fixtures for the staff workspace: the demo building permit as a submitted case, officers in
and out of its group, an operator and the applicant."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from verka.accounts.services import create_user
from verka.eservices.models import EService, Submission
from verka.processes import services as processes
from verka.processes.models import UserTask

MODELS = Path(__file__).resolve().parents[2] / "verka" / "demo" / "models"
PASSWORD = "pw-handlaggare-1"

APPLICATION = {
    "propertyDesignation": "Exempelby 1:23",
    "measureType": "newHouse",
    "grossArea": 145,
    "description": "Nybyggnad av enbostadshus i ett plan med carport.",
    "confirmation": True,
}


def deploy_demo() -> None:
    files = sorted(p for p in MODELS.iterdir() if p.suffix in (".bpmn", ".dmn", ".form"))
    processes.deploy([(p.name, p.read_bytes()) for p in files])


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {
        "officer": create_user(
            "olle", PASSWORD, kind="staff", display_name="Olle Handläggare", groups=["bygglov"]
        ),
        "colleague": create_user(
            "karin", PASSWORD, kind="staff", display_name="Karin Kollega", groups=["bygglov"]
        ),
        "outsider": create_user(
            "petra",
            PASSWORD,
            kind="staff",
            display_name="Petra Placering",
            groups=["förskola-placering"],
        ),
        "operator": create_user(
            "dora", PASSWORD, kind="staff", display_name="Dora Drift", groups=["digitalisering"]
        ),
        "applicant": create_user(
            "bertil",
            PASSWORD,
            kind="citizen",
            display_name="Bertil Bengtsson",
            email="bertil@example.se",
        ),
    }


def submit_permit(applicant: Any, number: int = 1) -> Submission:
    """A submitted building permit application with its running process, as e-services makes."""
    eservice = EService.objects.filter(slug="bygglov").first() or EService.objects.create(
        slug="bygglov",
        title_sv="Ansök om bygglov",
        title_en="Apply for a building permit",
        summary_sv="Bygga nytt.",
        handling_time_sv="10 veckor",
        bpmn_process_id="buildingPermit",
        start_form_id="building-permit-application",
        case_prefix="BYG",
        published=True,
    )
    case_number = f"BYG-2026-{number:06d}"
    variables = {
        **APPLICATION,
        "caseNumber": case_number,
        "applicant": applicant.username,
        "applicantName": str(applicant),
        "contact": {"name": str(applicant), "email": applicant.email},
    }
    instance = processes.start_instance("buildingPermit", variables, business_key=case_number)
    return Submission.objects.create(
        eservice=eservice,
        applicant=applicant,
        case_number=case_number,
        data=APPLICATION,
        submit_token=uuid.uuid4(),
        submitted_at=timezone.now(),
        process_instance_key=instance.key,
        email=applicant.email,
    )


@pytest.fixture
def permit_case(people: dict[str, Any]) -> Submission:
    deploy_demo()
    return submit_permit(people["applicant"])


def open_task(submission: Submission, element_id: str) -> UserTask:
    return UserTask.objects.get(
        process_instance_id=submission.process_instance_key,
        element_id=element_id,
        state=UserTask.State.CREATED,
    )


def run_job(job_type: str, variables: dict[str, Any] | None = None) -> None:
    jobs = processes.activate_jobs(job_type, "test")
    assert len(jobs) == 1, jobs
    processes.complete_job(jobs[0].key, variables or {})


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # Real password hashing costs a third of a second per user; these tests are about access.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def swedish() -> Any:
    # A request to /en/… leaves English active in the test thread (and so in reverse()).
    translation.activate("sv")
    yield
    translation.deactivate()
