"""The demo processes run their main paths on the real database through the engine services."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from verka.demo.models import MODELS_DIR
from verka.processes import services
from verka.processes.clock import ManualClock, use_clock

from .runs import (
    active_elements,
    complete_task,
    deploy_demo,
    open_task,
    plain,
    status,
    work,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

PRESCHOOL_APPLICATION = {
    "applicant": "anna",
    "guardian": {
        "name": "Anna Andersson",
        "personalIdentityNumber": "19850312-1234",
        "email": "anna@example.se",
    },
    "children": [{"name": "Alva Andersson", "personalIdentityNumber": "20240101-2384"}],
    "desiredStartDate": "2026-06-01",
    "firstChoice": "solrosen",
    "secondChoice": "ekbacken",
    "specialNeeds": False,
    "siblingAtPreschool": True,
    "movedToMunicipality": False,
}


OFFER = {"offeredPreschool": "solrosen", "offeredStartDate": "2026-06-01"}
PERMIT_INDICATORS = (
    "applicationDate",
    "applicationCompleteDate",
    "decisionDeadline",
    "decisionDate",
    "completionRequestCount",
    "weeksOverLimit",
    "baseFee",
    "fee",
    "feeReduction",
    "decision",
)
INDICATOR_VARIABLES = ("applicationDate", "desiredStartDate", "offeredStartDate", "decision")


@pytest.fixture
def clock():
    deploy_demo()
    with use_clock(ManualClock(START)) as manual:
        yield manual


def test_preschool_offer_accepted_places_the_child(clock):
    instance = services.start_instance("preschoolPlacement", PRESCHOOL_APPLICATION)
    offer = open_task(instance.key, "offerPlace")
    assert json.loads(offer.candidate_groups) == ["förskola-placering"]
    complete_task(
        instance.key,
        "offerPlace",
        {"offeredPreschool": "solrosen", "offeredStartDate": "2026-06-01"},
    )
    email = work("verka-email")
    assert email.custom_headers == {"template": "preschool-offer"}
    assert email.variables["to"] == "anna@example.se"
    clock.advance(timedelta(days=3))
    complete_task(instance.key, "answerOffer", {"offerAnswer": "accept"})
    document = work("verka-document", {"document": {"documentId": "doc-1"}})
    assert document.custom_headers["template"] == "preschool-placement-decision"
    assert status(instance.key) == "COMPLETED"
    values = plain(instance.key)
    assert {name: values[name] for name in INDICATOR_VARIABLES} == {
        "applicationDate": "2026-03-02",
        "desiredStartDate": "2026-06-01",
        "offeredStartDate": "2026-06-01",
        "decision": "placed",
    }
    assert values["queuePriority"] == 2
    assert values["priorityReason"] == "Syskon på förskolan"
    assert values["placementGuaranteeDate"] == "2026-07-02"
    assert values["decisionDocument"] == {"documentId": "doc-1"}
    assert offer.priority == 80
    assert offer.due_date == datetime(2026, 7, 2, 14, 0, tzinfo=UTC)  # 16:00 Swedish summer time


def test_preschool_guardian_task_is_for_the_applicant_with_a_due_date(clock):
    instance = services.start_instance("preschoolPlacement", PRESCHOOL_APPLICATION)
    complete_task(instance.key, "offerPlace", OFFER)
    work("verka-email")
    answer = open_task(instance.key, "answerOffer")
    assert json.loads(answer.candidate_users) == ["anna"]
    assert json.loads(answer.candidate_groups) == []
    assert answer.form_id == "preschool-offer-answer"
    assert answer.due_date == START + timedelta(days=14)


def test_preschool_declined_offer_goes_back_to_the_queue_for_a_new_offer(clock):
    instance = services.start_instance("preschoolPlacement", PRESCHOOL_APPLICATION)
    complete_task(instance.key, "offerPlace", OFFER)
    work("verka-email")
    complete_task(instance.key, "answerOffer", {"offerAnswer": "decline", "stayInQueue": True})
    assert active_elements(instance.key) == ["offerPlace"]
    complete_task(
        instance.key,
        "offerPlace",
        {"offeredPreschool": "ekbacken", "offeredStartDate": "2026-08-17"},
    )
    work("verka-email")
    complete_task(instance.key, "answerOffer", {"offerAnswer": "accept"})
    work("verka-document")
    values = plain(instance.key)
    assert (values["offerCount"], values["offeredPreschool"], values["decision"]) == (
        2,
        "ekbacken",
        "placed",
    )


def test_preschool_declined_offer_without_staying_in_the_queue_closes_the_application(clock):
    instance = services.start_instance("preschoolPlacement", PRESCHOOL_APPLICATION)
    complete_task(instance.key, "offerPlace", OFFER)
    work("verka-email")
    complete_task(instance.key, "answerOffer", {"offerAnswer": "decline", "stayInQueue": False})
    closing = work("verka-document")
    assert closing.custom_headers["template"] == "preschool-application-closed"
    assert status(instance.key) == "COMPLETED"
    assert plain(instance.key)["decision"] == "declined"


def test_preschool_unanswered_offer_is_reminded_after_7_days_and_lapses_after_14(clock):
    instance = services.start_instance("preschoolPlacement", PRESCHOOL_APPLICATION)
    complete_task(instance.key, "offerPlace", OFFER)
    work("verka-email")
    clock.advance(timedelta(days=7))
    assert services.fire_due_timers() == 1
    reminder = work("verka-email")
    assert reminder.custom_headers == {"template": "preschool-offer-reminder"}
    assert active_elements(instance.key) == ["answerOffer"]
    clock.advance(timedelta(days=7))
    assert services.fire_due_timers() == 1
    assert active_elements(instance.key) == ["closeApplication"]
    work("verka-document")
    values = plain(instance.key)
    assert (values["offerAnswer"], values["decision"]) == ("expired", "expired")
    assert status(instance.key) == "COMPLETED"


@pytest.mark.parametrize(
    ("reasons", "desired", "priority"),
    [
        ({"specialNeeds": True}, "2027-01-10", 1),
        ({"siblingAtPreschool": True}, "2026-06-01", 2),
        ({"siblingAtPreschool": True}, "2026-09-01", 5),
        ({"movedToMunicipality": True}, "2026-07-02", 3),
        ({}, "2026-04-01", 4),
    ],
)
def test_preschool_queue_priority_comes_from_the_decision_table(clock, reasons, desired, priority):
    application = dict(PRESCHOOL_APPLICATION, siblingAtPreschool=False, desiredStartDate=desired)
    instance = services.start_instance("preschoolPlacement", {**application, **reasons})
    assert plain(instance.key)["queuePriority"] == priority
    assert open_task(instance.key, "offerPlace").priority == 100 - 10 * priority


# --- building permit ----------------------------------------------------------------------

BUILDING_PERMIT = {
    "applicant": "bertil",
    "caseNumber": "BN 2026-0042",
    "contact": {
        "name": "Bertil Bengtsson",
        "identityNumber": "19700101-1234",
        "email": "bertil@example.se",
    },
    "propertyDesignation": "Exempelby 1:23",
    "measureType": "newHouse",
    "grossArea": 145,
    "description": "Nybyggnad av enbostadshus i ett plan med carport.",
    "drawings": [
        {
            "documentId": "doc-plan",
            "metadata": {"fileName": "planritning.pdf", "contentType": "application/pdf"},
        }
    ],
    "confirmation": True,
}
COMPLETE = {"completeness": "complete", "neighbourConsultationNeeded": False}


def day(number: int) -> datetime:
    return START + timedelta(days=number)


def at(clock: ManualClock, when: datetime) -> None:
    clock.advance(when - clock.current)
    services.fire_due_timers()


def test_building_permit_complete_at_once_and_decided_in_time_costs_the_full_fee(clock):
    instance = services.start_instance("buildingPermit", BUILDING_PERMIT)
    check = open_task(instance.key, "checkCompleteness")
    assert json.loads(check.candidate_groups) == ["bygglov"]
    assert check.due_date == datetime(2026, 3, 23, 15, 0, tzinfo=UTC)  # three weeks, 16:00 CET
    at(clock, day(10))
    complete_task(instance.key, "checkCompleteness", COMPLETE)
    decide = open_task(instance.key, "decide")
    assert decide.due_date == datetime(2026, 5, 11, 14, 0, tzinfo=UTC)
    at(clock, day(40))
    complete_task(
        instance.key,
        "decide",
        {"decision": "granted", "decisionMotivation": "Följer detaljplanen."},
    )
    dispatch = work("verka-document", {"document": {"documentId": "beslut-1"}})
    assert dispatch.custom_headers == {
        "template": "building-permit-decision",
        "documentType": "beslut",
    }
    assert status(instance.key) == "COMPLETED"
    values = plain(instance.key)
    assert {name: values[name] for name in PERMIT_INDICATORS} == {
        "applicationDate": "2026-03-02",
        "applicationCompleteDate": "2026-03-02",
        "decisionDeadline": "2026-05-11",
        "decisionDate": "2026-04-11",
        "completionRequestCount": 0,
        "weeksOverLimit": 0,
        "baseFee": 28000,
        "fee": 28000,
        "feeReduction": 0,
        "decision": "granted",
    }


def test_building_permit_completion_loop_pauses_the_clock_and_a_late_decision_cuts_the_fee(clock):
    instance = services.start_instance("buildingPermit", BUILDING_PERMIT)
    at(clock, day(5))
    complete_task(
        instance.key,
        "checkCompleteness",
        {
            "completeness": "incomplete",
            "missingInformation": "Fasadritning mot norr saknas.",
            "completionDueDate": "2026-03-27",
        },
    )
    request = work("verka-email")
    assert request.custom_headers == {"template": "building-permit-completion-request"}
    assert request.variables["to"] == "bertil@example.se"
    supplement = open_task(instance.key, "supplementApplication")
    assert json.loads(supplement.candidate_users) == ["bertil"]
    assert supplement.due_date == datetime(2026, 3, 27, 22, 59, tzinfo=UTC)
    at(clock, day(15))
    complete_task(
        instance.key,
        "supplementApplication",
        {"supplementDocuments": [{"documentId": "doc-fasad"}], "supplementComment": "Bifogad."},
    )
    at(clock, day(18))
    complete_task(
        instance.key,
        "checkCompleteness",
        {"completeness": "complete", "neighbourConsultationNeeded": True},
    )
    letters = work("verka-document")
    assert letters.custom_headers["recipients"] == "neighbours"
    services.publish_message("neighbour-response", "BN 2026-0042", {"neighbourObjections": False})
    assert active_elements(instance.key) == ["decide"]
    at(clock, datetime(2026, 6, 10, 9, 0, tzinfo=UTC))  # 15 days over the deadline: 3 weeks
    complete_task(instance.key, "decide", {"decision": "granted", "decisionMotivation": "OK."})
    work("verka-document")
    values = plain(instance.key)
    assert {name: values[name] for name in PERMIT_INDICATORS} == {
        "applicationDate": "2026-03-02",
        "applicationCompleteDate": "2026-03-17",
        "decisionDeadline": "2026-05-26",
        "decisionDate": "2026-06-10",
        "completionRequestCount": 1,
        "weeksOverLimit": 3,
        "baseFee": 28000,
        "fee": 11200,
        "feeReduction": 16800,
        "decision": "granted",
    }
    assert values["firstCompletionRequestDate"] == "2026-03-07"
    assert values["neighbourObjections"] is False


def test_building_permit_completion_requested_after_three_weeks_does_not_stop_the_clock(clock):
    instance = services.start_instance("buildingPermit", BUILDING_PERMIT)
    at(clock, day(25))
    complete_task(
        instance.key,
        "checkCompleteness",
        {
            "completeness": "incomplete",
            "missingInformation": "Sektionsritning saknas.",
            "completionDueDate": "2026-04-15",
        },
    )
    work("verka-email")
    at(clock, day(30))
    complete_task(instance.key, "supplementApplication", {"supplementComment": "Se bilaga."})
    at(clock, day(32))
    complete_task(instance.key, "checkCompleteness", {**COMPLETE, "deadlineExtended": True})
    values = plain(instance.key)
    assert (values["applicationCompleteDate"], values["decisionDeadline"]) == (
        "2026-03-02",
        "2026-07-20",
    )


@pytest.mark.parametrize(
    ("decided", "weeks", "fee", "reduction"),
    [
        (datetime(2026, 5, 11, 15, 0, tzinfo=UTC), 0, 28000, 0),
        (datetime(2026, 5, 12, 9, 0, tzinfo=UTC), 1, 22400, 5600),
        (datetime(2026, 5, 18, 9, 0, tzinfo=UTC), 1, 22400, 5600),
        (datetime(2026, 5, 19, 9, 0, tzinfo=UTC), 2, 16800, 11200),
        (datetime(2026, 6, 20, 9, 0, tzinfo=UTC), 6, 0, 28000),
    ],
)
def test_building_permit_fee_drops_a_fifth_per_started_week_over_the_limit(
    clock, decided, weeks, fee, reduction
):
    instance = services.start_instance("buildingPermit", BUILDING_PERMIT)
    complete_task(instance.key, "checkCompleteness", COMPLETE)
    at(clock, decided)
    complete_task(instance.key, "decide", {"decision": "refused", "decisionMotivation": "Nej."})
    values = plain(instance.key)
    assert (values["weeksOverLimit"], values["fee"], values["feeReduction"]) == (
        weeks,
        fee,
        reduction,
    )


def test_building_permit_neighbours_who_do_not_answer_in_three_weeks_are_passed_over(clock):
    instance = services.start_instance("buildingPermit", BUILDING_PERMIT)
    complete_task(
        instance.key,
        "checkCompleteness",
        {"completeness": "complete", "neighbourConsultationNeeded": True},
    )
    work("verka-document")
    at(clock, day(20))
    assert active_elements(instance.key) == ["awaitNeighbours"]
    at(clock, day(21))
    assert active_elements(instance.key) == ["decide"]


# --- fault report -------------------------------------------------------------------------

FAULT = {
    "faultId": "FEL-2026-0001",
    "category": "streetLighting",
    "location": "Storgatan 12",
    "latitude": 59.3293,
    "longitude": 18.0686,
    "description": "Gatlampan utanför porten är släckt.",
    "contactEmail": "cecilia@example.se",
}


def test_fault_report_is_forwarded_and_followed_until_fixed(clock):
    instance = services.start_instance("faultReport", FAULT)
    forward = work(
        "verka-http", {"maintenanceResponse": {"status": 201, "body": {"ticket": "D-77"}}}
    )
    assert forward.custom_headers == {
        "method": "POST",
        "url": "{{secrets.MAINTENANCE_API_URL}}/faults",
        "resultVariable": "maintenanceResponse",
    }
    assert forward.variables["body"]["faultId"] == "FEL-2026-0001"
    assert forward.variables["body"]["category"] == "streetLighting"
    services.publish_message("fault-status", "FEL-2026-0001", {"faultStatus": "inProgress"})
    assert active_elements(instance.key) == ["awaitStatus"]
    services.publish_message("fault-status", "FEL-2026-0001", {"faultStatus": "fixed"})
    notice = work("verka-email")
    assert (notice.custom_headers, notice.variables["to"]) == (
        {"template": "fault-fixed"},
        "cecilia@example.se",
    )
    assert status(instance.key) == "COMPLETED"
    values = plain(instance.key)
    assert (values["faultStatus"], values["reportedAt"]) == ("fixed", "2026-03-02T08:00:00Z")


def test_an_anonymous_fault_report_ends_without_an_email(clock):
    anonymous = {key: value for key, value in FAULT.items() if key != "contactEmail"}
    instance = services.start_instance("faultReport", anonymous)
    work("verka-http")
    services.publish_message("fault-status", "FEL-2026-0001", {"faultStatus": "fixed"})
    assert status(instance.key) == "COMPLETED"
    assert services.activate_jobs("verka-email", "demo-test") == []


def test_a_fault_reported_through_the_e_service_is_tracked_by_its_case_number(clock):
    # the e-service sets caseNumber (and no faultId): the case number becomes the fault id
    report = {key: value for key, value in FAULT.items() if key != "faultId"}
    instance = services.start_instance("faultReport", {**report, "caseNumber": "FEL-2026-0042"})
    forward = work("verka-http")
    assert forward.variables["body"]["faultId"] == "FEL-2026-0042"
    services.publish_message("fault-status", "FEL-2026-0042", {"faultStatus": "fixed"})
    work("verka-email")
    assert status(instance.key) == "COMPLETED"


def test_a_fault_without_news_for_14_days_reminds_the_contractor(clock):
    instance = services.start_instance("faultReport", FAULT)
    work("verka-http")
    at(clock, day(14))
    reminder = work("verka-email")
    assert reminder.custom_headers == {"template": "fault-status-reminder"}
    assert reminder.variables["to"] == "felanmalan.drift@exempelkommun.se"
    assert active_elements(instance.key) == ["awaitStatus"]


# --- the CPT test files -------------------------------------------------------------------

CPT_FILES = ("preschool-placement.test.json", "building-permit.test.json", "fault-report.test.json")


@pytest.mark.parametrize("filename", CPT_FILES)
def test_the_cpt_test_file_passes(filename):
    from verka.processes.cpt import run_test_file

    results = run_test_file(MODELS_DIR / filename, MODELS_DIR)
    assert [result.line() for result in results] == [f"PASS {result.name}" for result in results]
    assert len(results) >= 3
