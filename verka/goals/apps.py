"""The goals app: mission, goals, indicators measured from the event log, IT systems, initiatives."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "verka.goals"
    label = "goals"
    verbose_name = _("Mål och nytta")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from verka.worker.runner import WorkSource, register

        from .snapshots import SnapshotSource

        # Closed periods are frozen by the worker, so the dashboard need not compute them.
        register(WorkSource("goals-snapshots", SnapshotSource().poll))
