"""Handling a task: its form with the case's data, drafts, completion with server-side checks,
completion requests and messages — each one in the case's history."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from verka.cases.models import CaseAccess, CaseMessage
from verka.processes.models import Job, UserTask

from .conftest import open_task, run_job

pytestmark = pytest.mark.django_db


def post_answers(client, task, answers, action="complete"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("workspace:task", args=[task.key]),
        {"answers": json.dumps(answers), "action": action},
    )


def changes(submission) -> list[str]:  # type: ignore[no-untyped-def]
    log = CaseAccess.objects.filter(
        process_instance_key=submission.process_instance_key, action="change"
    )
    return [what.split(":")[0] for what in log.order_by("at", "id").values_list("what", flat=True)]


def test_the_task_page_opens_the_form_with_the_case_data(client, people, permit_case):
    task = open_task(permit_case, "checkCompleteness")
    client.force_login(people["officer"])
    page = client.get(reverse("workspace:task", args=[task.key]))

    assert page.status_code == 200
    assert page.context["schema"]["id"] == "building-permit-completeness"
    assert page.context["form_data"]["propertyDesignation"] == "Exempelby 1:23"
    assert page.context["completion_in_process"] is True
    assert 'id="task-schema"' in page.content.decode()


def test_completing_with_errors_shows_them_and_then_succeeds(client, people, permit_case):
    client.force_login(people["officer"])
    check = open_task(permit_case, "checkCompleteness")
    post_answers(client, check, {"completeness": "complete"})
    decide = open_task(permit_case, "decide")

    refused = post_answers(client, decide, {"decision": "granted"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "error-summary" in html and "decisionMotivation" in html
    assert UserTask.objects.get(key=decide.key).state == "CREATED"

    tampered = post_answers(client, decide, {"decision": "maybe", "decisionMotivation": "x"})
    assert tampered.status_code == 400

    done = post_answers(
        client, decide, {"decision": "granted", "decisionMotivation": "Följer detaljplanen."}
    )
    assert done.status_code == 302 and done["Location"] == reverse("workspace:inbox")
    decide.refresh_from_db()
    assert (decide.state, decide.completed_by) == ("COMPLETED", "olle")
    assert changes(permit_case) == ["task_completed", "task_completed"]
    assert Job.objects.filter(type="verka-document", state="ACTIVATABLE").exists()


def test_a_draft_is_kept_and_reopened_then_dropped_on_completion(client, people, permit_case):
    client.force_login(people["officer"])
    check = open_task(permit_case, "checkCompleteness")
    post_answers(client, check, {"completeness": "incomplete", "bogus": 1}, action="draft")

    page = client.get(reverse("workspace:task", args=[check.key]))
    assert page.context["form_data"]["completeness"] == "incomplete"
    assert "bogus" not in page.context["form_data"]
    assert changes(permit_case) == ["task_draft_saved"]

    post_answers(client, check, {"completeness": "complete"})
    assert not page.context["draft"].__class__.objects.filter(task_key=check.key).exists()


def test_a_completion_request_follows_the_process_path_and_the_applicant_answers(
    client, people, permit_case
):
    client.force_login(people["officer"])
    check = open_task(permit_case, "checkCompleteness")
    due = (date.today() + timedelta(days=14)).isoformat()

    missing_text = client.post(reverse("workspace:completion", args=[check.key]), {"due": due})
    assert missing_text.status_code == 400
    response = client.post(
        reverse("workspace:completion", args=[check.key]),
        {"text": "Fasadritning mot norr saknas.", "due": due},
    )

    assert response.status_code == 302
    run_job("verka-email")
    supplement = open_task(permit_case, "supplementApplication")
    assert json.loads(supplement.candidate_users) == ["bertil"]
    assert changes(permit_case) == ["task_completed", "completion_requested"]
    case = client.get(reverse("workspace:case", args=[permit_case.process_instance_key]))
    html = case.content.decode()
    assert "begärde komplettering" in html
    assert not CaseAccess.objects.filter(what__contains="Fasadritning").exists()
    position = case.context["position"]
    assert position.active == ["supplementApplication"]  # the applicant's step, active now


def test_a_message_to_the_applicant_is_stored_and_in_the_history(client, people, permit_case):
    client.force_login(people["officer"])
    check = open_task(permit_case, "checkCompleteness")
    task_url = reverse("workspace:task", args=[check.key])

    response = client.post(
        reverse("workspace:message", args=[permit_case.process_instance_key]),
        {"body": "Vi har tagit emot din ansökan.", "next": task_url},
    )

    assert response.status_code == 302 and response["Location"] == task_url
    message = CaseMessage.objects.get(submission=permit_case)
    assert (message.from_staff, message.author, message.body) == (
        True,
        people["officer"],
        "Vi har tagit emot din ansökan.",
    )
    assert "message_sent" in changes(permit_case)
    case = client.get(reverse("workspace:case", args=[permit_case.process_instance_key]))
    assert "skickade ett meddelande till sökanden" in case.content.decode()


def test_an_empty_message_is_refused(client, people, permit_case):
    client.force_login(people["officer"])
    client.post(
        reverse("workspace:message", args=[permit_case.process_instance_key]), {"body": "  "}
    )
    assert not CaseMessage.objects.exists()


def test_the_case_page_shows_position_and_path_for_the_diagram(client, people, permit_case):
    client.force_login(people["officer"])
    page = client.get(reverse("workspace:case", args=[permit_case.process_instance_key]))

    diagram = page.context["diagram"]
    assert diagram["active"] == ["checkCompleteness"]
    assert {"applicationSubmitted", "determineBaseFee"} <= set(diagram["completed"])
    assert {"toBaseFee", "toCompleteness", "toCheckCompleteness"} <= set(diagram["flows"])
    assert "<bpmndi:BPMNDiagram" in diagram["xml"]
    steps = [(s.element_id, s.state) for s in page.context["position"].steps]
    assert steps == [
        ("applicationSubmitted", "completed"),
        ("determineBaseFee", "completed"),
        ("checkCompleteness", "active"),
    ]
    assert "Exempelby 1:23" in page.content.decode()  # the applicant's answers
