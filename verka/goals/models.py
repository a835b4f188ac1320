"""Mission → goals → indicators (defined over the event log) → processes, e-services, IT systems;
immutable measurements and improvement initiatives."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from verka.portal.bilingual import Bilingual


class GoalsError(Exception):
    """Root of the goals app's errors."""


class ImmutableMeasurement(GoalsError):
    """A measurement snapshot was about to be changed or deleted."""


class Mission(Bilingual):
    organisation = models.CharField(_("organisation"), max_length=200)
    text_sv = models.TextField(_("uppdrag (svenska)"))
    text_en = models.TextField(_("uppdrag (engelska)"), blank=True)

    class Meta:
        verbose_name = _("uppdrag")
        verbose_name_plural = _("uppdrag")

    def __str__(self) -> str:
        return self.organisation

    @property
    def statement(self) -> str:
        return self.text("text")


class Goal(Bilingual):
    mission = models.ForeignKey(
        Mission, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    title_sv = models.CharField(_("mål (svenska)"), max_length=300)
    title_en = models.CharField(_("mål (engelska)"), max_length=300, blank=True)
    description_sv = models.TextField(_("beskrivning (svenska)"), blank=True)
    description_en = models.TextField(_("beskrivning (engelska)"), blank=True)
    # The benefit owner stays when the project ends: a person, or a named role.
    benefit_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    benefit_owner_role = models.CharField(_("nyttoägare (roll)"), max_length=200, blank=True)
    contributes_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="contributors"
    )
    period_start = models.DateField(_("period från"), null=True, blank=True)
    period_end = models.DateField(_("period till"), null=True, blank=True)
    process_ids = models.JSONField(_("processer"), default=list, blank=True)
    eservices = models.ManyToManyField("eservices.EService", blank=True, related_name="goals")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")

    def __str__(self) -> str:
        return self.text("title")

    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def owner_label(self) -> str:
        if self.benefit_owner is not None:
            name = self.benefit_owner.get_full_name() or self.benefit_owner.get_username()
            return f"{name} ({self.benefit_owner_role})" if self.benefit_owner_role else name
        return self.benefit_owner_role


class Indicator(Bilingual):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("högre är bättre")
        LOWER = "lower", _("lägre är bättre")

    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    name_sv = models.CharField(_("namn (svenska)"), max_length=300)
    name_en = models.CharField(_("namn (engelska)"), max_length=300, blank=True)
    description_sv = models.TextField(_("beskrivning (svenska)"), blank=True)
    description_en = models.TextField(_("beskrivning (engelska)"), blank=True)
    unit = models.CharField(_("enhet"), max_length=40)
    direction = models.CharField(_("riktning"), max_length=8, choices=Direction.choices)
    # The current definition; every edit also writes an IndicatorDefinitionVersion row.
    definition = models.JSONField(_("definition"), default=dict)
    version = models.PositiveIntegerField(_("definitionsversion"), default=0)
    baseline = models.ForeignKey(
        "Measurement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    eservices = models.ManyToManyField("eservices.EService", blank=True, related_name="indicators")
    systems = models.ManyToManyField("ITSystem", blank=True, related_name="indicators")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")

    def __str__(self) -> str:
        return self.text("name")

    @property
    def name(self) -> str:
        return self.text("name")

    @property
    def process_ids(self) -> list[str]:
        return list(self.definition.get("processes", []))

    def target_on(self, day: Any) -> IndicatorTarget | None:
        """The target in force on a day: the latest one dated on or before it (else the first)."""
        targets = list(self.targets.all())
        due = [t for t in targets if t.date <= day]
        if due:
            return due[-1]
        return targets[0] if targets else None


class IndicatorDefinitionVersion(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["indicator", "number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="goals_definition_number")
        ]


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    date = models.DateField(_("från datum"))
    value = models.FloatField(_("målvärde"))

    class Meta:
        ordering = ["indicator", "date"]


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableMeasurement("measurements are immutable snapshots")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableMeasurement("measurements are immutable snapshots")


class Measurement(models.Model):
    """One computed value, frozen: it survives when the case data behind it is deleted."""

    class Kind(models.TextChoices):
        SNAPSHOT = "snapshot", _("mätning")
        BASELINE = "baseline", _("nollmätning")

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="measurements")
    definition_version = models.ForeignKey(
        IndicatorDefinitionVersion, on_delete=models.PROTECT, related_name="measurements"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SNAPSHOT)
    # Taken by the worker when the period closed (snapshots.py), not by hand: the pages show
    # these instead of computing closed periods again.
    scheduled = models.BooleanField(default=False)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    n = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    details = models.JSONField(default=dict)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_start", "computed_at"]
        indexes = [models.Index(fields=["indicator", "period_start"])]
        constraints = [
            # Two workers may close the same period at once: the second insert fails and is
            # dropped, so a period has one scheduled snapshot per definition version.
            models.UniqueConstraint(
                fields=["indicator", "definition_version", "period_start"],
                condition=models.Q(scheduled=True),
                name="goals_one_scheduled_snapshot",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableMeasurement("measurements are immutable snapshots")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableMeasurement("measurements are immutable snapshots")


class ITSystem(models.Model):
    class Lifecycle(models.TextChoices):
        PLANNED = "planned", _("planerad")
        INTRODUCING = "introducing", _("införs")
        IN_USE = "in_use", _("i drift")
        PHASING_OUT = "phasing_out", _("avvecklas")
        RETIRED = "retired", _("avvecklad")

    name = models.CharField(_("namn"), max_length=200, unique=True)
    owner = models.CharField(_("systemägare"), max_length=200, blank=True)
    lifecycle = models.CharField(
        _("livscykel"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.IN_USE
    )
    annual_cost = models.DecimalField(
        _("årskostnad (kr)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    description = models.TextField(_("beskrivning"), blank=True)
    # How deployed processes reveal that they use this system: a job type of its own, or a task
    # header value (e.g. `system` = "Ärendesystemet" on a `verka-http` task) naming it.
    job_types = models.JSONField(_("jobbtyper"), default=list, blank=True)
    header_values = models.JSONField(_("huvudvärden"), default=list, blank=True)
    process_ids = models.JSONField(_("processer (manuellt)"), default=list, blank=True)
    eservices = models.ManyToManyField("eservices.EService", blank=True, related_name="systems")
    goals = models.ManyToManyField(Goal, blank=True, related_name="systems")

    class Meta:
        ordering = ["name"]
        verbose_name = _("IT-system")
        verbose_name_plural = _("IT-system")

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    """A change measured before and after its go-live on the same indicator definitions."""

    class ChangeKind(models.TextChoices):
        PROCESS_VERSION = "process", _("ny processversion")
        DECISION_VERSION = "decision", _("ny version av beslutstabell")
        SYSTEM = "system", _("nytt eller ändrat IT-system")
        OTHER = "other", _("annan förändring")

    title = models.CharField(_("namn"), max_length=300)
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    hypothesis = models.TextField(_("hypotes"))
    change_kind = models.CharField(_("förändring"), max_length=16, choices=ChangeKind.choices)
    change = models.TextField(_("vad ändras"), blank=True)
    bpmn_process_id = models.CharField(_("process-id"), max_length=255, blank=True)
    version_before = models.PositiveIntegerField(null=True, blank=True)
    version_after = models.PositiveIntegerField(null=True, blank=True)
    decision_id = models.CharField(max_length=255, blank=True)
    system = models.ForeignKey(ITSystem, null=True, blank=True, on_delete=models.SET_NULL)
    go_live = models.DateField(_("driftstart"))
    window_days = models.PositiveIntegerField(_("mätfönster (dagar)"), default=90)
    indicators = models.ManyToManyField(Indicator, related_name="initiatives")

    class Meta:
        ordering = ["-go_live", "id"]
        verbose_name = _("förbättringsinitiativ")
        verbose_name_plural = _("förbättringsinitiativ")

    def __str__(self) -> str:
        return self.title
