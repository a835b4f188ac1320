"""Cases (submitted applications) and their documents: a citizen reaches their own, an officer
those whose process instance they may read, a service account those of its granted e-services,
the digitalisation team all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from verka.eservices.models import EService, Submission

from .callers import Role, granted, role_of
from .processes import instances_for


def submissions_for(user: Any) -> QuerySet[Submission]:
    submissions = Submission.objects.all()
    role = role_of(user)
    if role == Role.OPERATOR:
        return submissions
    if role == Role.OFFICER:
        # One statement: the case's instance must be of a process the officer reads.
        return submissions.filter(process_instance_key__in=instances_for(user).values("key"))
    if role == Role.SERVICE:
        return granted(user, "eservice").filter(submissions, "eservice__slug")
    if role == Role.CITIZEN:
        return submissions.filter(applicant=user)
    return submissions.none()


def submission_for(user: Any, case_number: str) -> Submission | None:
    """The case with this number if the user may read it, else None (the caller answers 404)."""
    return (
        submissions_for(user)
        .filter(case_number=case_number)
        .select_related("eservice", "applicant")
        .first()
    )


def may_see_submission(user: Any, submission: Submission) -> bool:
    return submissions_for(user).filter(pk=submission.pk).exists()


def may_open_document(user: Any, submission: Submission, visible_to_applicant: bool) -> bool:
    """A citizen opens the documents of their own cases that are shown to the applicant; staff
    the documents of the cases they may read."""
    if role_of(user) == Role.CITIZEN:
        return submission.applicant_id == user.pk and visible_to_applicant
    return may_see_submission(user, submission)


def eservices_for(user: Any) -> QuerySet[EService]:
    """The catalogue: published e-services are public, whoever asks."""
    return EService.objects.filter(published=True)


def may_read_indicators(user: Any) -> bool:
    """The goals' indicators (aggregates, no personal data): staff, as on the goals pages, and
    service accounts granted `indicators`."""
    role = role_of(user)
    if role in (Role.OFFICER, Role.OPERATOR):
        return True
    return role == Role.SERVICE and granted(user, "indicators").every
