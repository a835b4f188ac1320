from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "verka.cases"
    label = "cases"
    verbose_name = _("Ärenden")

    def ready(self) -> None:
        # Registers the verka-document and verka-email job handlers with the worker.
        from . import handlers  # noqa: F401
