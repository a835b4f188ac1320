"""The staff workspace's public functions: claim, assign, draft and complete tasks, request
completion, write to the applicant. Every change goes to the case's audit log.

Views call these; they call `verka.processes.services` for anything that moves a process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from verka.engine import forms
from verka.eservices.models import Submission
from verka.processes import codec, repository
from verka.processes import services as processes
from verka.processes.models import FormDefinition, Resource, UserTask, Variable

from . import access
from .access import CHANGE, audit
from .models import TaskDraft

MAX_DRAFT_BYTES = 512 * 1024
MAX_MESSAGE_CHARS = 8000


class WorkspaceError(ValueError):
    """An action cannot be carried out. The message says why (in English, for logs and the
    API); `code` names the reason, and the views show the officer a sentence per code."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class TaskClosed(WorkspaceError):
    def __init__(self, message: str = "the task is no longer open") -> None:
        super().__init__(message, "task_closed")


class TaskValidationFailed(WorkspaceError):
    def __init__(self, errors: Sequence[forms.FieldError]) -> None:
        super().__init__(f"{len(errors)} field(s) need attention")
        self.errors = list(errors)


# Audit entries are `code:detail`; the views turn the code into a sentence in the reader's
# language, so the log itself stays language-neutral. The detail names the part of the case (a
# task, a file, a variable), never its content: the access log must not copy personal data.
READ_CASE = "case_read"
READ_TASK = "task_read"
READ_DOCUMENT = "document_read"
READ_VARIABLE = "variable_read"
CLAIMED = "task_claimed"
UNCLAIMED = "task_unclaimed"
ASSIGNED = "task_assigned"
DRAFT_SAVED = "task_draft_saved"
COMPLETED = "task_completed"
COMPLETION_REQUESTED = "completion_requested"
MESSAGE_SENT = "message_sent"
INSTANCE_CANCELED = "instance_canceled"
INCIDENT_RESOLVED = "incident_resolved"
VARIABLE_CHANGED = "variable_changed"


def entry(code: str, detail: str = "") -> str:
    return f"{code}:{detail}" if detail else code


def _label(task: UserTask) -> str:
    return task.name or task.element_id


# --- assignment -----------------------------------------------------------------------------


def _set_assignee(task: UserTask, assignee: str, *, only_if: Sequence[str]) -> bool:
    """Guarded single-row update: it succeeds only while the task is open and its assignee is
    one of `only_if`, so two officers claiming at the same moment cannot both win."""
    assign = getattr(processes, "assign_user_task", None)
    if assign is not None:  # the engine's own function, once it exists
        try:
            assign(task.key, assignee, expected=list(only_if))
        except processes.CommandRejected:
            return False
        return True
    updated = UserTask.objects.filter(
        key=task.key, state=UserTask.State.CREATED, assignee__in=list(only_if)
    ).update(assignee=assignee)
    return updated == 1


def _refresh(task: UserTask) -> UserTask:
    task.refresh_from_db()
    return task


def claim(user: Any, task: UserTask) -> UserTask:
    username = user.get_username()
    if task.state != UserTask.State.CREATED:
        raise TaskClosed()
    if not _set_assignee(task, username, only_if=["", username]):
        raise WorkspaceError("someone else has already claimed the task", "claimed_by_other")
    audit(user, task.process_instance_id, CHANGE, entry(CLAIMED, _label(task)))
    return _refresh(task)


def unclaim(user: Any, task: UserTask) -> UserTask:
    username = user.get_username()
    allowed = [username, task.assignee] if access.is_operator(user) else [username]
    if not _set_assignee(task, "", only_if=allowed):
        raise WorkspaceError("only the officer who has the task can release it", "not_yours")
    audit(user, task.process_instance_id, CHANGE, entry(UNCLAIMED, _label(task)))
    return _refresh(task)


def candidate_groups(task: UserTask) -> list[str]:
    return _json_list(task.candidate_groups)


def candidate_users(task: UserTask) -> list[str]:
    return _json_list(task.candidate_users)


def _json_list(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def colleagues(task: UserTask) -> list[Any]:
    """Staff the task can be assigned to: members of its candidate groups and its candidate
    users (citizens never)."""
    users = get_user_model().objects.filter(is_active=True, kind="staff")
    return list(
        users.filter(
            Q(groups__name__in=candidate_groups(task)) | Q(username__in=candidate_users(task))
        )
        .distinct()
        .order_by("display_name", "username")
    )


def assign(user: Any, task: UserTask, username: str) -> UserTask:
    if task.state != UserTask.State.CREATED:
        raise TaskClosed()
    if username not in {c.get_username() for c in colleagues(task)}:
        raise WorkspaceError(
            "the task can only be assigned to someone in its groups", "not_in_groups"
        )
    if not _set_assignee(task, username, only_if=["", user.get_username(), task.assignee]):
        raise WorkspaceError("the task changed meanwhile; reload the page", "changed_meanwhile")
    audit(user, task.process_instance_id, CHANGE, entry(ASSIGNED, username))
    return _refresh(task)


# --- forms and variables --------------------------------------------------------------------


@dataclass(frozen=True)
class TaskForm:
    definition_id: int
    schema: dict[str, Any]
    form: forms.Form


@lru_cache(maxsize=128)
def _parsed(resource_id: int, checksum: str, definition_id: int) -> TaskForm:
    schema = json.loads(Resource.objects.get(pk=resource_id).content)
    return TaskForm(definition_id, schema, forms.parse_form(schema))


def task_form(task: UserTask) -> TaskForm | None:
    """The form-js form linked to the task (the latest deployed version of its form id)."""
    if not task.form_id:
        return None
    try:
        definition: FormDefinition = repository.latest_form(
            task.form_id, test=task.process_instance.is_test
        )
    except repository.DeploymentMissing:
        return None
    return _parsed(definition.resource_id, definition.checksum, definition.pk)


def case_variables(instance_key: int) -> dict[str, Any]:
    """The instance's own variables as plain JSON (dates as ISO text), for forms and display."""
    rows = Variable.objects.filter(process_instance_id=instance_key, scope_key=instance_key)
    return {row.name: json.loads(_plain(row.value)) for row in rows.order_by("name")}


def _plain(stored: str) -> str:
    try:
        return codec.to_json_text(codec.from_json_text(stored), plain=True)
    except (ValueError, codec.CodecError):
        return json.dumps(stored)


def draft_of(user: Any, task: UserTask) -> TaskDraft | None:
    return TaskDraft.objects.filter(task_key=task.key, user=user).first()


def form_data(user: Any, task: UserTask) -> dict[str, Any]:
    """What the form opens with: the case's variables, overlaid by the officer's draft."""
    data = case_variables(task.process_instance_id)
    draft = draft_of(user, task)
    if draft is not None and isinstance(draft.data, dict):
        data.update(draft.data)
    return data


def _answers(data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise WorkspaceError("the answers must be a JSON object", "bad_answers")
    if len(json.dumps(data, default=str)) > MAX_DRAFT_BYTES:
        raise WorkspaceError("the answers are too large", "answers_too_large")
    return dict(data)


def save_draft(user: Any, task: UserTask, data: Any) -> TaskDraft:
    answers = _answers(data)
    if task.state != UserTask.State.CREATED:
        raise TaskClosed()
    form = task_form(task)
    if form is not None:  # keep only what the form has fields for
        known = {f.segments[0] for f in form.form.fields if f.segments}
        answers = {key: value for key, value in answers.items() if key in known}
    draft, _ = TaskDraft.objects.update_or_create(
        task_key=task.key,
        user=user,
        defaults={"data": answers, "updated_at": timezone.now()},
    )
    audit(user, task.process_instance_id, CHANGE, entry(DRAFT_SAVED, _label(task)))
    return draft


def validate(task: UserTask, data: Any) -> forms.ValidationResult:
    answers = _answers(data)
    form = task_form(task)
    if form is None:
        return forms.ValidationResult(values=answers, errors=[])
    context = case_variables(task.process_instance_id)
    return forms.validate_submission(form.form, answers, context=context, today=date.today())


def complete(user: Any, task: UserTask, data: Any) -> None:
    """Validate the answers with the form's rules and complete the task with them."""
    if task.state != UserTask.State.CREATED:
        raise TaskClosed()
    result = validate(task, data)
    if result.errors:
        raise TaskValidationFailed(result.errors)
    with transaction.atomic():
        try:
            processes.complete_user_task(task.key, dict(result.values), user=user.get_username())
        except processes.CommandRejected as error:
            raise TaskClosed(str(error)) from error
        TaskDraft.objects.filter(task_key=task.key).delete()
        audit(user, task.process_instance_id, CHANGE, entry(COMPLETED, _label(task)))


# --- completion requests and messages -------------------------------------------------------

# The convention a process uses to model "ask the applicant to complete the application" on a
# task's form: a choice field `completeness` with the option `incomplete`, a text field for what
# is missing and (optionally) a date the applicant has to answer by (the demo building permit).
COMPLETENESS_FIELD = "completeness"
INCOMPLETE = "incomplete"
MISSING_FIELDS = ("missingInformation", "completionRequest")
DUE_FIELDS = ("completionDueDate",)


@dataclass(frozen=True)
class CompletionPath:
    """How completing the task with "incomplete" is expressed in its form's data."""

    choice_key: str
    choice_value: str
    text_key: str
    due_key: str


def completion_path(task: UserTask) -> CompletionPath | None:
    form = task_form(task)
    if form is None:
        return None
    keys = {f.segments[0]: f for f in form.form.fields if len(f.segments) == 1}
    choice = keys.get(COMPLETENESS_FIELD)
    if choice is None:
        return None
    source = choice.component.options
    values = {str(option.value) for option in (source.static or ())} if source else set()
    if INCOMPLETE not in values:
        return None
    text_key = next((k for k in MISSING_FIELDS if k in keys), "")
    due_key = next((k for k in DUE_FIELDS if k in keys), "")
    if not text_key:
        return None
    return CompletionPath(COMPLETENESS_FIELD, INCOMPLETE, text_key, due_key)


def request_completion(user: Any, task: UserTask, text: str, due: date | None) -> None:
    """Ask the applicant to complete the application.

    Where the process models the request (the task's form has the completeness choice), the
    task is completed along that path and the process sends the request and waits for the
    applicant's answer. Otherwise the request goes to the applicant as a message and the task
    stays open.
    """
    text = text.strip()
    if not text:
        raise WorkspaceError("say what the applicant needs to complete", "completion_text_missing")
    path = completion_path(task)
    if path is not None:
        data: dict[str, Any] = {path.choice_key: path.choice_value, path.text_key: text}
        if path.due_key and due is not None:
            data[path.due_key] = due.isoformat()
        complete(user, task, data)
        audit(user, task.process_instance_id, CHANGE, entry(COMPLETION_REQUESTED, _label(task)))
        return
    submission = access.submission_of(task.process_instance_id)
    if submission is None or submission.applicant is None:
        raise WorkspaceError("the case has no applicant to write to", "no_applicant")
    body = text
    if due is not None:
        # In the applicant's language: the message is for them, not for the officer.
        with translation.override(submission.language or "sv"):
            deadline = gettext("Komplettera senast %(date)s.") % {"date": due.isoformat()}
        body = f"{text}\n\n{deadline}"
    send_message(user, submission, body, kind=COMPLETION_REQUESTED, detail=_label(task))


def send_message(
    user: Any,
    submission: Submission,
    body: str,
    files: Sequence[Any] = (),
    *,
    kind: str = "",
    detail: str = "",
) -> Any:
    """A message from the officer to the applicant, shown on My pages."""
    body = body.strip()
    if not body:
        raise WorkspaceError("the message is empty", "message_empty")
    if len(body) > MAX_MESSAGE_CHARS:
        raise WorkspaceError(
            f"the message is longer than {MAX_MESSAGE_CHARS} characters", "message_too_long"
        )
    from . import casefile

    message = casefile.send_message(submission, user, body, files)
    audit(
        user,
        submission.process_instance_key,
        CHANGE,
        entry(kind or MESSAGE_SENT, detail),
        submission=submission,
    )
    return message


def open_tasks(instance_key: int) -> list[UserTask]:
    return list(
        UserTask.objects.filter(
            process_instance_id=instance_key, state=UserTask.State.CREATED
        ).order_by("created_at", "key")
    )
