"""A citizen's answers on the officer's pages are text: the case page escapes them and the task
page hands them to the form as JSON that cannot end its script element."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from verka.eservices.models import EService, Submission
from verka.processes import services as processes

from .conftest import APPLICATION, deploy_demo, open_task

pytestmark = pytest.mark.django_db

PAYLOAD = "</script><img src=x onerror=alert(1)>"


def start_case(applicant: Any, contact_name: str, property_designation: str) -> Submission:
    """A submitted building permit whose applicant typed the given name and property."""
    deploy_demo()
    eservice = EService.objects.create(
        slug="bygglov",
        title_sv="Ansök om bygglov",
        summary_sv="Bygga nytt.",
        handling_time_sv="10 veckor",
        bpmn_process_id="buildingPermit",
        start_form_id="building-permit-application",
        case_prefix="BYG",
        published=True,
    )
    case_number = "BYG-2026-000001"
    data = {**APPLICATION, "propertyDesignation": property_designation}
    variables = {
        **data,
        "caseNumber": case_number,
        "applicant": applicant.username,
        "applicantName": str(applicant),
        "contact": {"name": contact_name, "email": applicant.email},
    }
    instance = processes.start_instance("buildingPermit", variables, business_key=case_number)
    return Submission.objects.create(
        eservice=eservice,
        applicant=applicant,
        case_number=case_number,
        data=data,
        submit_token=uuid.uuid4(),
        submitted_at=timezone.now(),
        process_instance_key=instance.key,
        email=applicant.email,
    )


def test_the_case_page_shows_answers_as_text(client, people):
    case = start_case(people["applicant"], PAYLOAD, PAYLOAD)
    client.force_login(people["officer"])
    html = client.get(reverse("workspace:case", args=[case.process_instance_key])).content.decode()
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def test_the_task_page_hands_answers_to_the_form_as_inert_json(client, people):
    case = start_case(people["applicant"], PAYLOAD, PAYLOAD)
    task = open_task(case, "checkCompleteness")
    client.force_login(people["officer"])
    html = client.get(reverse("workspace:task", args=[task.key])).content.decode()
    assert "<img src=x" not in html
    data = html.split('id="task-data"', 1)[1].split("</script>", 1)[0]
    assert "\\u003C/script\\u003E\\u003Cimg src=x onerror=alert(1)\\u003E" in data
