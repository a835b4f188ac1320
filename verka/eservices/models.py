"""E-services: what the catalogue offers, citizens' drafts, submitted applications, attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from verka.portal.bilingual import Bilingual


class Category(Bilingual):
    slug = models.SlugField(unique=True)
    name_sv = models.CharField(_("namn (svenska)"), max_length=200)
    name_en = models.CharField(_("namn (engelska)"), max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name_sv"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")

    def __str__(self) -> str:
        return self.text("name")


class EService(Bilingual):
    """A published process with a start form, as citizens find it in the catalogue."""

    slug = models.SlugField(unique=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)
    title_sv = models.CharField(_("rubrik (svenska)"), max_length=200)
    title_en = models.CharField(_("rubrik (engelska)"), max_length=200, blank=True)
    summary_sv = models.CharField(_("sammanfattning (svenska)"), max_length=500)
    summary_en = models.CharField(_("sammanfattning (engelska)"), max_length=500, blank=True)
    description_sv = models.TextField(_("beskrivning (svenska)"), blank=True)
    description_en = models.TextField(_("beskrivning (engelska)"), blank=True)
    privacy_sv = models.TextField(_("personuppgifter (svenska)"), blank=True)
    privacy_en = models.TextField(_("personuppgifter (engelska)"), blank=True)
    handling_time_sv = models.CharField(_("handläggningstid (svenska)"), max_length=200)
    handling_time_en = models.CharField(
        _("handläggningstid (engelska)"), max_length=200, blank=True
    )
    bpmn_process_id = models.CharField(_("process-id"), max_length=255)
    start_form_id = models.CharField(_("startformulär"), max_length=255)
    case_prefix = models.CharField(_("ärendeprefix"), max_length=8, default="ARE")
    published = models.BooleanField(_("publicerad"), default=False)
    allow_anonymous = models.BooleanField(_("utan inloggning"), default=False)
    keywords = models.CharField(_("sökord"), max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "title_sv"]
        verbose_name = _("e-tjänst")
        verbose_name_plural = _("e-tjänster")

    def __str__(self) -> str:
        return self.text("title")

    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def summary(self) -> str:
        return self.text("summary")

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def privacy(self) -> str:
        return self.text("privacy")

    @property
    def handling_time(self) -> str:
        return self.text("handling_time")


class Draft(models.Model):
    """An application being filled in. One per person and e-service: coming back resumes it."""

    eservice = models.ForeignKey(EService, on_delete=models.CASCADE, related_name="drafts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # Anonymous applicants keep their draft in their session only.
    session_key = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    step = models.PositiveIntegerField(default=0)
    # Sent with the final submit: the same token twice (double click, retry) is one case.
    submit_token = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["eservice", "owner"],
                condition=models.Q(owner__isnull=False),
                name="eservices_one_draft_per_owner",
            )
        ]


class Submission(models.Model):
    """A submitted application: the case the citizen follows and the officer handles."""

    eservice = models.ForeignKey(EService, on_delete=models.PROTECT, related_name="submissions")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    case_number = models.CharField(_("ärendenummer"), max_length=32, unique=True)
    data = models.JSONField(default=dict)
    submit_token = models.UUIDField(unique=True)
    submitted_at = models.DateTimeField(db_index=True)
    process_instance_key = models.BigIntegerField(null=True, blank=True, db_index=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="sv")
    # The confirmation e-mail is sent by the worker from this row (an outbox), so a crash right
    # after the submit commits cannot lose it.
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("ansökan")
        verbose_name_plural = _("ansökningar")

    def __str__(self) -> str:
        return self.case_number


class CaseCounter(models.Model):
    """The last case number handed out per prefix and year (e.g. FSK-2026-000042)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="eservices_counter_year")
        ]


class Attachment(models.Model):
    """An uploaded file, stored outside the web root under a random name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(max_length=64, blank=True)
    field_path = models.CharField(max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=80, unique=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class RateCounter(models.Model):
    """Requests of one kind from one client in one fixed time window, counted in the database
    so that every web process sees the same count (see verka/eservices/throttle.py)."""

    bucket = models.CharField(max_length=32)
    client = models.CharField(max_length=80)
    # The window's end in seconds since the epoch: a plain number, the same on every database.
    window_end = models.BigIntegerField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "client", "window_end"], name="eservices_rate_window"
            )
        ]
