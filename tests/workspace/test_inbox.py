"""The task inbox: my groups' and my tasks; filters, sorting, search, paging, claim and assign."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from verka.cases.models import CaseAccess
from verka.eservices.models import EService, Submission
from verka.processes import services as processes
from verka.processes.models import UserTask
from verka.workspace import services
from verka.workspace.inbox import InboxFilter, inbox_page

from ..processes import models as m

pytestmark = pytest.mark.django_db

REVIEW = m.bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:userTask id="review" name="Granska"><bpmn:extensionElements><zeebe:userTask/>'
    '<zeebe:assignmentDefinition candidateGroups="=group"/>'
    '<zeebe:taskSchedule dueDate="=due"/>'
    '<zeebe:priorityDefinition priority="=prio"/>'
    "</bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="end"/>' + m.flow("f1", "start", "review") + m.flow("f2", "review", "end"),
    process_id="review",
)
OTHER = m.bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:userTask id="place" name="Erbjud plats"><bpmn:extensionElements><zeebe:userTask/>'
    '<zeebe:assignmentDefinition candidateGroups="bygglov"/>'
    "</bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="end"/>' + m.flow("f1", "start", "place") + m.flow("f2", "place", "end"),
    process_id="placement",
)


def start(number: int, *, due: str, prio: int = 50, group: str = "bygglov", applicant=None):  # type: ignore[no-untyped-def]
    case_number = f"REV-2026-{number:06d}"
    instance = processes.start_instance(
        "review", {"due": due, "prio": prio, "group": group}, business_key=case_number
    )
    if applicant is not None:
        eservice, _ = EService.objects.get_or_create(
            slug="granskning",
            defaults={
                "title_sv": "Granskning",
                "summary_sv": "-",
                "handling_time_sv": "-",
                "bpmn_process_id": "review",
                "start_form_id": "none",
            },
        )
        Submission.objects.create(
            eservice=eservice,
            applicant=applicant,
            case_number=case_number,
            submit_token=uuid.uuid4(),
            submitted_at=timezone.now(),
            process_instance_key=instance.key,
        )
    return UserTask.objects.get(process_instance_id=instance.key)


@pytest.fixture
def backlog(people):  # type: ignore[no-untyped-def]
    processes.deploy([("review.bpmn", REVIEW), ("placement.bpmn", OTHER)])
    tasks = {
        "late": start(1, due="2026-01-10T10:00:00Z", prio=10, applicant=people["applicant"]),
        "soon": start(2, due="2026-02-01T10:00:00Z", prio=90),
        "later": start(3, due="2026-03-01T10:00:00Z", prio=50),
        "elsewhere": start(4, due="2026-01-01T10:00:00Z", group="förskola-placering"),
    }
    tasks["placement"] = UserTask.objects.get(
        process_instance_id=processes.start_instance("placement").key
    )
    return tasks


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.case_number or row.task.bpmn_process_id for row in page.rows]


def keys(user, **wanted) -> list[int]:  # type: ignore[no-untyped-def]
    return [row.task.key for row in inbox_page(user, InboxFilter(**wanted)).rows]


def test_the_inbox_holds_my_groups_tasks_by_due_date_with_undated_last(people, backlog):
    assert keys(people["officer"]) == [
        backlog[name].key for name in ("late", "soon", "later", "placement")
    ]
    assert keys(people["outsider"]) == [backlog["elsewhere"].key]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ({"process": "placement"}, ["placement"]),
        ({"due_from": date(2026, 1, 15)}, ["soon", "later"]),
        ({"due_to": date(2026, 2, 1)}, ["late", "soon"]),
        ({"due_from": date(2026, 2, 1), "due_to": date(2026, 2, 1)}, ["soon"]),
        ({"sort": "-due"}, ["later", "soon", "late", "placement"]),
        ({"sort": "priority"}, ["soon", "later", "placement", "late"]),
        ({"search": "REV-2026-000003"}, ["later"]),
        ({"search": "bengtsson"}, ["late"]),
        ({"search": "nobody"}, []),
    ],
)
def test_filters_sorting_and_search(people, backlog, wanted, expected):
    assert keys(people["officer"], **wanted) == [backlog[name].key for name in expected]


def test_state_filters_mine_and_unassigned(people, backlog):
    officer = people["officer"]
    services.claim(officer, backlog["soon"])
    services.claim(people["colleague"], backlog["later"])

    assert keys(officer, state="mine") == [backlog["soon"].key]
    assert keys(officer, state="unassigned") == [
        backlog["late"].key,
        backlog["placement"].key,
    ]
    assert len(keys(officer, state="open")) == 4


def test_a_task_assigned_to_me_outside_my_groups_is_in_my_inbox(people, backlog):
    UserTask.objects.filter(key=backlog["elsewhere"].key).update(assignee="olle")
    assert backlog["elsewhere"].key in keys(people["officer"])


def test_pages_hold_a_fixed_number_and_say_whether_there_is_more(people, backlog):
    first = inbox_page(people["officer"], InboxFilter(), page_size=3)
    second = inbox_page(people["officer"], InboxFilter(page=2), page_size=3)
    assert (len(first.rows), first.has_next, first.has_previous) == (3, True, False)
    assert (len(second.rows), second.has_next, second.has_previous) == (1, False, True)


def test_the_inbox_page_shows_markers_as_text_and_costs_the_same_queries_for_more_tasks(
    client, people, backlog
):
    client.force_login(people["officer"])
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("workspace:inbox"), {"sort": "due"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Försenad" in html  # due dates in 2026-01..03 are all past
    assert "REV-2026-000001" in html and "Bertil Bengtsson" in html
    for number in range(10, 20):
        start(number, due="2026-04-01T10:00:00Z", applicant=people["applicant"])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("workspace:inbox"), {"sort": "due"})
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bad_filter_values_are_reported_and_ignored(client, people, backlog):
    client.force_login(people["officer"])
    page = client.get(reverse("workspace:inbox"), {"due_from": "tomorrow", "sort": "x"})
    assert page.status_code == 200
    assert "ÅÅÅÅ-MM-DD" in page.content.decode()


def test_claim_release_and_assign_through_the_pages(client, people, backlog):
    task = backlog["soon"]
    client.force_login(people["officer"])

    client.post(reverse("workspace:claim", args=[task.key]))
    assert UserTask.objects.get(key=task.key).assignee == "olle"

    client.force_login(people["colleague"])
    refused = client.post(reverse("workspace:claim", args=[task.key]), follow=True)
    assert "Någon annan har redan tagit uppgiften." in refused.content.decode()
    assert UserTask.objects.get(key=task.key).assignee == "olle"  # already taken
    client.post(reverse("workspace:unclaim", args=[task.key]))
    assert UserTask.objects.get(key=task.key).assignee == "olle"  # not hers to release

    client.force_login(people["officer"])
    client.post(reverse("workspace:assign", args=[task.key]), {"assignee": "petra"})
    assert UserTask.objects.get(key=task.key).assignee == "olle"  # not in the group
    client.post(reverse("workspace:assign", args=[task.key]), {"assignee": "karin"})
    assert UserTask.objects.get(key=task.key).assignee == "karin"

    client.force_login(people["colleague"])
    client.post(reverse("workspace:unclaim", args=[task.key]))
    assert UserTask.objects.get(key=task.key).assignee == ""

    log = CaseAccess.objects.filter(process_instance_key=task.process_instance_id, action="change")
    assert sorted(log.values_list("what", flat=True)) == [
        "task_assigned:karin",
        "task_claimed:Granska",
        "task_unclaimed:Granska",
    ]


def test_claiming_a_closed_task_is_refused(people, backlog):
    task = backlog["soon"]
    processes.complete_user_task(task.key, {})
    task.refresh_from_db()
    with pytest.raises(services.TaskClosed):
        services.claim(people["officer"], task)


def test_the_inbox_speaks_english_at_en(client, people, backlog):
    client.force_login(people["officer"])
    html = client.get("/en/handlaggning/").content.decode()
    assert "<h1>Inbox</h1>" in html
    assert "Overdue" in html and "Due date, earliest first" in html


def test_a_completion_request_without_a_modelled_path_is_a_message_and_the_task_stays(
    client, people, backlog
):
    from verka.cases.models import CaseMessage

    task = backlog["late"]  # its case has an applicant; its form has no completeness choice
    client.force_login(people["officer"])
    response = client.post(
        reverse("workspace:completion", args=[task.key]),
        {"text": "Skicka situationsplanen.", "due": "2099-01-31"},
    )

    assert response.status_code == 302
    assert UserTask.objects.get(key=task.key).state == "CREATED"
    message = CaseMessage.objects.get(submission__process_instance_key=task.process_instance_id)
    assert message.from_staff
    assert message.body == "Skicka situationsplanen.\n\nKomplettera senast 2099-01-31."
    whats = CaseAccess.objects.filter(process_instance_key=task.process_instance_id)
    assert "completion_requested:Granska" in set(whats.values_list("what", flat=True))
