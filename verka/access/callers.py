"""Who is calling: the caller's role, their groups and grants, and the set of processes (or
e-services, job types, names) they reach, computed once per request and kept on the user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

OPERATIONS_GROUP = "digitalisering"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"
    OFFICER = "officer"
    OPERATOR = "operator"  # the digitalisation team
    SERVICE = "service"


def group_names(user: Any) -> list[str]:
    # Cached on the user object: one query per request however many checks a page makes.
    cached = getattr(user, "_workspace_groups", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._workspace_groups = cached
    return list(cached)


def role_of(user: Any) -> Role:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Role.ANONYMOUS
    kind = getattr(user, "kind", "")
    if kind == "service":
        return Role.SERVICE  # groups and superuser flags give a service account nothing
    if user.is_superuser:
        return Role.OPERATOR
    if kind == "staff":
        return Role.OPERATOR if OPERATIONS_GROUP in group_names(user) else Role.OFFICER
    return Role.CITIZEN


def is_staff_member(user: Any) -> bool:
    return role_of(user) in (Role.OFFICER, Role.OPERATOR)


def is_operator(user: Any) -> bool:
    """The digitalisation team: Operations, and every case."""
    return role_of(user) == Role.OPERATOR


def token_refusal(user: Any) -> str:
    """Why `user` may not hold or use an API token ("" if they may). Citizens act on their own
    cases through My pages only: a token would be a second, weaker way into personal data."""
    role = role_of(user)
    if role == Role.CITIZEN:
        return "API tokens cannot act for citizen accounts; use a staff or service account"
    if role == Role.ANONYMOUS:
        return "the token's owner is not an active account"
    return ""


@dataclass(frozen=True)
class Reach:
    """A set of ids (process ids, e-service slugs, job types, message names) or every one.
    `more` is an optional values() query adding ids that a subquery finds (the processes of an
    officer's tasks), so that a list is filtered in one statement."""

    every: bool = False
    ids: frozenset[str] = frozenset()
    more: QuerySet[Any] | None = field(default=None, compare=False)

    def __contains__(self, value: object) -> bool:
        if self.every or value in self.ids:
            return True
        if self.more is None or not isinstance(value, str):
            return False
        column = next(iter(self.more.query.values_select))
        return bool(self.more.filter(**{column: value}).exists())

    def condition(self, column: str) -> Q:
        """The WHERE condition on `column` (an id column of the queried model)."""
        if self.every:
            return Q()
        condition = Q(**{f"{column}__in": sorted(self.ids)})
        if self.more is not None:
            condition |= Q(**{f"{column}__in": self.more})
        return condition

    def filter(self, query: QuerySet[Any], column: str) -> QuerySet[Any]:
        if self.every:
            return query
        if not self.ids and self.more is None:
            return query.none()
        return query.filter(self.condition(column))


NOTHING = Reach()
EVERYTHING = Reach(every=True)


def _reach(values: Iterable[str]) -> Reach:
    wanted = set(values)
    if "*" in wanted:
        return EVERYTHING
    return Reach(ids=frozenset(wanted))


def grants(user: Any) -> dict[str, Reach]:
    """A service account's grants by kind (accounts.ServiceGrant); empty for anyone else."""
    cached = getattr(user, "_service_grants", None)
    if cached is not None:
        return dict(cached)
    found: dict[str, set[str]] = {}
    if role_of(user) == Role.SERVICE:
        from verka.accounts.models import ServiceGrant

        for kind, value in ServiceGrant.objects.filter(user=user).values_list("kind", "value"):
            found.setdefault(kind, set()).add(value)
    cached = {kind: _reach(values) for kind, values in found.items()}
    user._service_grants = cached
    return dict(cached)


def granted(user: Any, kind: str) -> Reach:
    """What one kind of grant reaches: every one for the digitalisation team, the granted ids
    for a service account, nothing for anyone else."""
    role = role_of(user)
    if role == Role.OPERATOR:
        return EVERYTHING
    if role == Role.SERVICE:
        return grants(user).get(kind, NOTHING)
    return NOTHING


def may(user: Any, kind: str) -> bool:
    """A grant without an id (deploy, indicators) is a grant of "*"."""
    return granted(user, kind).every


def granted_processes(user: Any) -> list[str]:
    """The processes the user's groups are granted (workspace.ProcessAccess)."""
    from verka.workspace.models import ProcessAccess

    return list(
        ProcessAccess.objects.filter(group__name__in=group_names(user))
        .values_list("bpmn_process_id", flat=True)
        .distinct()
    )


def readable_processes(user: Any) -> Reach:
    """The processes whose cases, instances, definitions and tasks the user may read."""
    role = role_of(user)
    if role == Role.OPERATOR:
        return EVERYTHING
    if role == Role.SERVICE:
        return grants(user).get("process", NOTHING)
    if role != Role.OFFICER:
        return NOTHING
    from .tasks import offered_tasks

    # A process in which the officer has a task (in any of its cases) is theirs to read.
    return Reach(
        ids=frozenset(granted_processes(user)),
        more=offered_tasks(user).order_by().values("bpmn_process_id"),
    )


def changeable_processes(user: Any) -> Reach:
    """The processes whose instances the user may start, cancel, change and repair: the
    engine's operations are the digitalisation team's and granted service accounts'."""
    return granted(user, "process")
