"""A case's status and timeline come from its process milestones."""

from __future__ import annotations

import pytest
from django.utils import translation

from verka.cases import services
from verka.cases.models import CaseDocument
from verka.processes import services as processes
from verka.processes.models import ProcessInstance

from .conftest import BY_HEADER, deploy, officer_requests_completion, open_task, run_jobs, submit

pytestmark = pytest.mark.django_db
S = services.CaseStatus


def test_a_new_case_is_received(eservice, anna):
    assert services.status_of(submit(eservice, anna)) == S.RECEIVED


def test_a_message_from_staff_means_in_progress(eservice, anna, officer):
    submission = submit(eservice, anna)
    services.send_message(submission, officer, "Vi har börjat titta på ärendet.", from_staff=True)
    assert services.status_of(submission) == S.IN_PROGRESS


@pytest.mark.parametrize("process", ["candidate user", "audience header"])
def test_an_open_applicant_task_means_waiting_for_you(eservice, anna, process):
    if process == "audience header":
        deploy(BY_HEADER)
    submission = submit(eservice, anna)
    officer_requests_completion(submission)
    assert services.status_of(submission) == S.WAITING_FOR_YOU
    assert [t.name for t in services.applicant_tasks(anna)] == ["Komplettera ansökan"]


def test_after_the_answer_the_case_is_in_progress(eservice, anna):
    submission = submit(eservice, anna)
    task = officer_requests_completion(submission)
    processes.complete_user_task(task.key, {"supplementAnswer": "Bifogad"}, user="anna")
    assert services.status_of(submission) == S.IN_PROGRESS


@pytest.mark.parametrize(
    "milestone", ["decision variable", "decision document", "process completed"]
)
def test_decided(eservice, anna, milestone):
    submission = submit(eservice, anna)
    if milestone == "decision variable":
        processes.set_variables(submission.process_instance_key, {"decision": "granted"})
    elif milestone == "decision document":
        services.store_document(
            submission, kind="decision", title="Beslut", filename="b.pdf", content=b"%PDF-1.4"
        )
    else:
        task = officer_requests_completion(submission)
        processes.complete_user_task(task.key, {"supplementAnswer": "Här"}, user="anna")
        assert run_jobs("verka-document") == 1
        assert run_jobs("verka-email") == 1
        instance = ProcessInstance.objects.get(key=submission.process_instance_key)
        assert instance.status == "COMPLETED"
    assert services.status_of(submission) == S.DECIDED


def test_a_cancelled_case_is_closed(eservice, anna):
    submission = submit(eservice, anna)
    processes.cancel_instance(submission.process_instance_key)
    assert services.status_of(submission) == S.CLOSED


def test_an_open_task_waits_even_if_a_decision_variable_exists(eservice, anna):
    submission = submit(eservice, anna)
    officer_requests_completion(submission)
    processes.set_variables(submission.process_instance_key, {"decision": "granted"})
    assert services.status_of(submission) == S.WAITING_FOR_YOU


def test_the_officers_task_is_not_the_applicants(eservice, anna):
    submission = submit(eservice, anna)
    check = open_task(submission, "check")
    with pytest.raises(services.NotFound):
        services.applicant_task(anna, check.key)
    assert services.applicant_tasks(anna) == []


def test_timeline_for_the_applicant_names_steps_without_internal_ids(eservice, anna, officer):
    submission = submit(eservice, anna)
    task = officer_requests_completion(submission)
    services.send_message(submission, officer, "Hej", from_staff=True)
    processes.complete_user_task(task.key, {"supplementAnswer": "Här"}, user="anna")
    run_jobs("verka-document")
    entries = services.timeline(submission, for_applicant=True)
    assert [e.title for e in entries] == [
        "Ansökan mottagen",
        "Påbörjat: Kontrollera ansökan",
        "Klart: Kontrollera ansökan",
        "Uppgift till dig: Komplettera ansökan",
        "Meddelande från handläggaren",
        "Du svarade: Komplettera ansökan",
        "Beslut: Beslut om bygglov",
    ]
    assert all(e.element_id == "" for e in entries)
    assert entries[-1].kind == "decision"
    assert entries[-1].document_id == CaseDocument.objects.get().pk
    staff = services.timeline(submission, for_applicant=False)
    assert [e.element_id for e in staff if e.kind == "task_started"] == ["check", "supplement"]
    assert "Meddelande från handläggaren" in [e.title for e in staff]


def test_timeline_in_english(eservice, anna):
    submission = submit(eservice, anna)
    officer_requests_completion(submission)
    with translation.override("en"):
        titles = [e.title for e in services.timeline(submission, for_applicant=True)]
    assert titles == [
        "Application received",
        "Started: Check the application",  # from the zeebe property verka:name:en
        "Done: Check the application",
        "Task for you: Komplettera ansökan",
    ]


def test_hidden_documents_stay_out_of_the_applicants_timeline(eservice, anna):
    submission = submit(eservice, anna)
    services.store_document(
        submission,
        kind="letter",
        title="Internt PM",
        filename="pm.pdf",
        content=b"%PDF-1.4",
        visible_to_applicant=False,
    )
    assert "Dokument: Internt PM" not in [
        e.title for e in services.timeline(submission, for_applicant=True)
    ]
    assert "Dokument: Internt PM" in [
        e.title for e in services.timeline(submission, for_applicant=False)
    ]
    assert list(services.documents(submission, for_applicant=True)) == []


def test_a_decision_variable_without_a_document_is_on_the_timeline(eservice, anna):
    submission = submit(eservice, anna)
    processes.set_variables(submission.process_instance_key, {"decision": "granted"})
    entries = services.timeline(submission, for_applicant=True)
    assert [(e.kind, e.title) for e in entries][-1] == ("decision", "Beslut fattat")
