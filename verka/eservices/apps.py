from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EServicesConfig(AppConfig):
    name = "verka.eservices"
    label = "eservices"
    verbose_name = _("E-tjänster")

    def ready(self) -> None:
        from verka.worker.runner import WorkSource, register

        # Registers the outbox's sender of receipt e-mails.
        from . import receipts  # noqa: F401
        from .services import CleanupSource
        from .throttle import check_settings

        check_settings()
        register(WorkSource("draft-cleanup", CleanupSource().poll))
