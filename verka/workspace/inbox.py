"""The task inbox query: open tasks of my groups and mine, filtered, sorted, one page at a time.

Built to stay fast with a six-figure backlog: visibility is a subquery on the indexed
`UserTaskCandidate.group`/`user` columns, sorting follows the `(state, due_date)` and
`(state, created_at)` indexes of `UserTask`, a page is fetched as `LIMIT n+1` (no COUNT over the
whole backlog), and the case numbers, applicants and e-services of a page come in one query each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from verka.eservices.models import EService, Submission
from verka.processes.models import ProcessDefinition, ProcessInstance, UserTask

from .access import group_names, visible_task_keys

PAGE_SIZE = 25
SORTS = {
    "due": ("due_date", "key"),
    "-due": ("-due_date", "-key"),
    "created": ("created_at", "key"),
    "-created": ("-created_at", "-key"),
    "priority": ("-priority", "due_date", "key"),
}
STATES = ("open", "mine", "unassigned")
SOON = timedelta(days=2)
MAX_SEARCH_CASES = 500


@dataclass(frozen=True)
class InboxFilter:
    process: str = ""
    due_from: date | None = None
    due_to: date | None = None
    state: str = "open"
    sort: str = "due"
    search: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query: Any) -> tuple[InboxFilter, dict[str, str]]:
        """The filter a query string asks for, and a message per parameter that was not valid
        (the invalid ones are left out, so the page still shows something useful)."""
        errors: dict[str, str] = {}
        dates: dict[str, date | None] = {}
        for name in ("due_from", "due_to"):
            text = (query.get(name) or "").strip()
            dates[name] = None
            if text:
                try:
                    dates[name] = date.fromisoformat(text)
                except ValueError:
                    errors[name] = text
        state = query.get("state") or "open"
        sort = query.get("sort") or "due"
        try:
            page = max(1, min(int(query.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        return (
            cls(
                process=(query.get("process") or "").strip()[:255],
                due_from=dates["due_from"],
                due_to=dates["due_to"],
                state=state if state in STATES else "open",
                sort=sort if sort in SORTS else "due",
                search=(query.get("q") or "").strip()[:100],
                page=page,
            ),
            errors,
        )


@dataclass
class InboxRow:
    task: UserTask
    case_number: str = ""
    applicant: str = ""
    eservice: str = ""
    process_name: str = ""
    groups: list[str] = field(default_factory=list)
    overdue: bool = False
    due_soon: bool = False


@dataclass
class InboxPage:
    rows: list[InboxRow]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def matching_instances(search: str) -> list[int]:
    """Instance keys of cases whose case number or applicant's name matches the search."""
    words = search.split()
    if not words:
        return []
    query = Submission.objects.exclude(process_instance_key=None)
    for word in words[:4]:
        query = query.filter(
            Q(case_number__icontains=word)
            | Q(applicant__display_name__icontains=word)
            | Q(applicant__first_name__icontains=word)
            | Q(applicant__last_name__icontains=word)
        )
    keys = list(query.values_list("process_instance_key", flat=True)[:MAX_SEARCH_CASES])
    # Instances started without an e-service carry the case number as business key (indexed).
    keys += ProcessInstance.objects.filter(
        business_key__in={search.strip(), search.strip().upper()}
    ).values_list("key", flat=True)[:MAX_SEARCH_CASES]
    return [key for key in keys if key is not None]


def inbox_query(user: Any, wanted: InboxFilter) -> Any:
    username = user.get_username()
    tasks = UserTask.objects.filter(state=UserTask.State.CREATED)
    if wanted.state == "mine":
        tasks = tasks.filter(assignee=username)
    else:
        tasks = tasks.filter(Q(key__in=visible_task_keys(user)) | Q(assignee=username))
        if wanted.state == "unassigned":
            tasks = tasks.filter(assignee="")
    if wanted.process:
        tasks = tasks.filter(bpmn_process_id=wanted.process)
    if wanted.due_from:
        tasks = tasks.filter(due_date__gte=_day_start(wanted.due_from))
    if wanted.due_to:
        tasks = tasks.filter(due_date__lt=_day_start(wanted.due_to + timedelta(days=1)))
    if wanted.search:
        # The few matching cases' open tasks by the instance index first; otherwise the planner
        # may walk the whole backlog in due-date order looking for them.
        found = UserTask.objects.filter(
            process_instance_id__in=matching_instances(wanted.search),
            state=UserTask.State.CREATED,
        ).values_list("key", flat=True)
        tasks = tasks.filter(key__in=list(found[:MAX_SEARCH_CASES]))
    # Tasks without a due date come last in both directions, on every database.
    ordering = [
        F("due_date").asc(nulls_last=True)
        if name == "due_date"
        else F("due_date").desc(nulls_last=True)
        if name == "-due_date"
        else name
        for name in SORTS[wanted.sort]
    ]
    return tasks.order_by(*ordering)


def inbox_page(user: Any, wanted: InboxFilter, *, page_size: int = PAGE_SIZE) -> InboxPage:
    start = (wanted.page - 1) * page_size
    tasks = list(inbox_query(user, wanted)[start : start + page_size + 1])
    has_next = len(tasks) > page_size
    tasks = tasks[:page_size]
    return InboxPage(rows=describe(tasks), page=wanted.page, has_next=has_next)


def describe(tasks: list[UserTask]) -> list[InboxRow]:
    """Case number, applicant, e-service and due markers for a page of tasks: one query each."""
    instance_keys = {task.process_instance_id for task in tasks}
    submissions = {
        s.process_instance_key: s
        for s in Submission.objects.filter(process_instance_key__in=instance_keys).select_related(
            "applicant", "eservice"
        )
    }
    process_ids = {task.bpmn_process_id for task in tasks}
    names: dict[str, str] = {}
    for definition in ProcessDefinition.objects.filter(bpmn_process_id__in=process_ids).order_by(
        "bpmn_process_id", "version"
    ):
        names[definition.bpmn_process_id] = definition.name or definition.bpmn_process_id
    now = timezone.now()
    rows = []
    for task in tasks:
        submission = submissions.get(task.process_instance_id)
        due = task.due_date
        rows.append(
            InboxRow(
                task=task,
                case_number=submission.case_number if submission else "",
                applicant=str(submission.applicant) if submission and submission.applicant else "",
                eservice=submission.eservice.title if submission else "",
                process_name=names.get(task.bpmn_process_id, task.bpmn_process_id),
                groups=_json_list(task.candidate_groups),
                overdue=due is not None and due < now,
                due_soon=due is not None and now <= due < now + SOON,
            )
        )
    return rows


def _json_list(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def process_choices(user: Any) -> list[tuple[str, str]]:
    """(process id, label) for the filter: e-services' titles where there is one."""
    titles = {e.bpmn_process_id: e.title for e in EService.objects.all()}
    names: dict[str, str] = {}
    for definition in ProcessDefinition.objects.filter(is_test=False).order_by("version"):
        names[definition.bpmn_process_id] = definition.name or definition.bpmn_process_id
    choices = {pid: titles.get(pid) or name for pid, name in names.items()}
    return sorted(choices.items(), key=lambda item: item[1].lower())


__all__ = ["InboxFilter", "InboxPage", "InboxRow", "group_names", "inbox_page", "inbox_query"]
