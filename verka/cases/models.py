"""What a case has beyond its process: messages between applicant and officer, documents
(decisions, letters, attachments to messages), and the log of who looked at or changed it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from verka.eservices.models import Submission


class CaseMessage(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("meddelande"))
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")


class CaseDocument(models.Model):
    """A file that belongs to a case: a decision, a letter, or an attachment to a message."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("beslut")
        LETTER = "letter", _("brev")
        ATTACHMENT = "attachment", _("bilaga")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="documents")
    message = models.ForeignKey(
        CaseMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(_("rubrik"), max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=80, unique=True)
    visible_to_applicant = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The job that produced it (decision documents): a retried job must not make a second one.
    job_key = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_at"]


class CaseAccess(models.Model):
    """Audit log of personal data: who read or changed which case, when, and what."""

    class Action(models.TextChoices):
        READ = "read", _("läste")
        CHANGE = "change", _("ändrade")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="accesses"
    )
    process_instance_key = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    what = models.CharField(max_length=255)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]


class SentEmail(models.Model):
    """An e-mail of a `verka-email` job, recorded with its outbox effect (`job-email:<job key>`)
    from which one worker sends it: a retried job finds its row and records nothing more."""

    job_key = models.BigIntegerField(unique=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    template = models.CharField(max_length=100)
    recorded_at = models.DateTimeField()
