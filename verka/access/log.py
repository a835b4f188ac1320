"""The access log of personal data (cases.CaseAccess): who read or changed which case, when, and
which part of it. The one writer for My pages, the staff workspace and the REST API.

`what` is `code:detail`; the detail names the part of the case (a task, a file, a variable, the
API token used), never personal data itself: the log must not copy what it protects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from verka.cases.models import CaseAccess
from verka.eservices.models import Submission
from verka.processes.models import ProcessInstance

READ = CaseAccess.Action.READ
CHANGE = CaseAccess.Action.CHANGE
# A case's instances are its root and those called from it; this bounds the climb.
MAX_CALL_DEPTH = 50


def entry(code: str, *details: str) -> str:
    detail = ", ".join(part for part in details if part)
    return (f"{code}:{detail}" if detail else code)[:255]


def via_token(token: Any) -> str:
    """The detail that names the API token a request used (its id, never its secret)."""
    return f"api-token {token.pk}" if token is not None else ""


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) and getattr(user, "is_authenticated", True) else None


def record(
    user: Any,
    action: str,
    what: str,
    *,
    submission: Submission | None = None,
    instance_key: int | None = None,
) -> CaseAccess:
    """One line of the log. Give the submission when known; an instance key alone is linked to
    its case (climbing from a called instance to the root)."""
    if submission is None and instance_key is not None:
        submission = submissions_of_instances([instance_key]).get(instance_key)
    if instance_key is None and submission is not None:
        instance_key = submission.process_instance_key
    return CaseAccess.objects.create(
        user=_user(user),
        submission=submission,
        process_instance_key=instance_key,
        action=action,
        what=what[:255],
        at=timezone.now(),
    )


def record_submissions(
    user: Any, action: str, what: str, submissions: Iterable[Submission]
) -> list[CaseAccess]:
    """One line per case, written in one statement (a page of an API list)."""
    now = timezone.now()
    rows = [
        CaseAccess(
            user=_user(user),
            submission=submission,
            process_instance_key=submission.process_instance_key,
            action=action,
            what=what[:255],
            at=now,
        )
        for submission in submissions
    ]
    return CaseAccess.objects.bulk_create(rows) if rows else []


def record_instances(
    user: Any, action: str, what: str, instance_keys: Iterable[int]
) -> list[CaseAccess]:
    """One line per process instance (each linked to its case, if it has one), in one
    statement: the instances whose variables a job activation handed out, for example."""
    keys = list(dict.fromkeys(instance_keys))
    if not keys:
        return []
    cases = submissions_of_instances(keys)
    now = timezone.now()
    rows = [
        CaseAccess(
            user=_user(user),
            submission=cases.get(key),
            process_instance_key=key,
            action=action,
            what=what[:255],
            at=now,
        )
        for key in keys
    ]
    return CaseAccess.objects.bulk_create(rows)


def submissions_of_instances(instance_keys: Iterable[int]) -> dict[int, Submission]:
    """The case of each instance that belongs to one, climbing from called instances to their
    root: one query per level of calls, not per instance."""
    wanted = list(dict.fromkeys(instance_keys))
    root_of = {key: key for key in wanted}
    found: dict[int, Submission] = {}
    pending = set(wanted)
    for _level in range(MAX_CALL_DEPTH):
        if not pending:
            break
        tops = {root_of[key] for key in pending}
        by_root = {
            s.process_instance_key: s
            for s in Submission.objects.filter(process_instance_key__in=tops).select_related(
                "eservice", "applicant"
            )
        }
        for key in list(pending):
            submission = by_root.get(root_of[key])
            if submission is not None:
                found[key] = submission
                pending.discard(key)
        parents = dict(
            ProcessInstance.objects.filter(
                key__in={root_of[key] for key in pending}, parent_instance_key__isnull=False
            ).values_list("key", "parent_instance_key")
        )
        for key in list(pending):
            parent = parents.get(root_of[key])
            if parent is None:
                pending.discard(key)  # a root without a case
            else:
                root_of[key] = parent
    return found
