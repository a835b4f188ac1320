"""Studio projects: an e-service's model files as the team works on them (the working copy),
its saved versions, its publications and a log of every change."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from verka.eservices.models import Category
from verka.portal.bilingual import Bilingual

# The e-service settings a project carries; copied to the catalogue's EService when published.
SETTINGS_FIELDS = (
    "title_sv",
    "title_en",
    "summary_sv",
    "summary_en",
    "description_sv",
    "description_en",
    "privacy_sv",
    "privacy_en",
    "handling_time_sv",
    "handling_time_en",
    "bpmn_process_id",
    "start_form_id",
    "case_prefix",
    "allow_anonymous",
    "keywords",
)


def content_sha(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def file_kind(name: str) -> str:
    """bpmn, dmn, form, test (CPT test file) or translation (`<form>.<lang>.json`)."""
    if name.endswith(".test.json"):
        return "test"
    if name.endswith(".json"):
        return "translation"
    return name.rsplit(".", 1)[-1]


class Project(Bilingual):
    """One e-service under construction; its slug is the e-service's slug once published."""

    slug = models.SlugField(_("kortnamn"), unique=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("kategori")
    )
    title_sv = models.CharField(_("rubrik (svenska)"), max_length=200)
    title_en = models.CharField(_("rubrik (engelska)"), max_length=200, blank=True)
    summary_sv = models.CharField(_("sammanfattning (svenska)"), max_length=500, blank=True)
    summary_en = models.CharField(_("sammanfattning (engelska)"), max_length=500, blank=True)
    description_sv = models.TextField(_("beskrivning (svenska)"), blank=True)
    description_en = models.TextField(_("beskrivning (engelska)"), blank=True)
    privacy_sv = models.TextField(_("personuppgifter (svenska)"), blank=True)
    privacy_en = models.TextField(_("personuppgifter (engelska)"), blank=True)
    handling_time_sv = models.CharField(_("handläggningstid (svenska)"), max_length=200, blank=True)
    handling_time_en = models.CharField(
        _("handläggningstid (engelska)"), max_length=200, blank=True
    )
    bpmn_process_id = models.CharField(_("process-id"), max_length=255, blank=True)
    start_form_id = models.CharField(_("startformulär"), max_length=255, blank=True)
    case_prefix = models.CharField(_("ärendeprefix"), max_length=8, default="ARE")
    allow_anonymous = models.BooleanField(_("utan inloggning"), default=False)
    keywords = models.CharField(_("sökord"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("skapat"))
    updated_at = models.DateTimeField(_("ändrat"))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("projekt")
        verbose_name_plural = _("projekt")

    def __str__(self) -> str:
        return self.text("title")

    @property
    def title(self) -> str:
        return self.text("title")

    def settings_snapshot(self) -> dict[str, object]:
        snapshot: dict[str, object] = {name: getattr(self, name) for name in SETTINGS_FIELDS}
        snapshot["category"] = self.category.slug if self.category else ""
        return snapshot


class ProjectFile(models.Model):
    """A file of the working copy. `sha` is the SHA-256 of its UTF-8 bytes: an editor saves
    with the sha it loaded, so two people cannot overwrite each other's work unnoticed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("filnamn"), max_length=120)
    content = models.TextField()
    sha = models.CharField(max_length=64)
    updated_at = models.DateTimeField(_("ändrad"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="studio_file_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        return file_kind(self.name)

    @property
    def size(self) -> int:
        return len(self.content.encode("utf-8"))


class ProjectVersion(models.Model):
    """A saved snapshot of the working copy: `files` is {name: content}, never changed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    message = models.CharField(_("beskrivning"), max_length=500, blank=True)
    files = models.JSONField(default=dict)
    eservice_settings = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sparad"))

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="studio_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.project.slug} v{self.number}"


class Publication(models.Model):
    """A version deployed to the process engine and handed to the e-service catalogue."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="publications")
    version = models.ForeignKey(ProjectVersion, on_delete=models.PROTECT, related_name="+")
    deployment = models.ForeignKey(
        "processes.Deployment", on_delete=models.PROTECT, related_name="+"
    )
    catalogue_visible = models.BooleanField(_("visas i e-tjänstekatalogen"), default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("publicerad"))
    rollback_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The e-service settings the catalogue got, so a rollback restores them too.
    eservice_settings = models.JSONField(default=dict)

    class Meta:
        ordering = ["project", "-published_at", "-id"]


class ProjectEvent(models.Model):
    """The Studio's audit log: who changed what in which project, and when. `action` is a code
    (see labels.EVENT_LABELS); `detail` names the file or version, never its content."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    detail = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
