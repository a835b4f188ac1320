"""Django app configuration for the staff workspace."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "verka.workspace"
    label = "workspace"
    verbose_name = _("Handläggning")
    default_auto_field = "django.db.models.BigAutoField"
