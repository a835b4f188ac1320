from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EServicesConfig(AppConfig):
    name = "verka.eservices"
    label = "eservices"
    verbose_name = _("E-tjänster")

    def ready(self) -> None:
        from verka.worker.runner import WorkSource, register

        from .services import CleanupSource, send_pending_receipts
        from .throttle import check_settings

        check_settings()
        register(WorkSource("receipts", lambda worker_name: send_pending_receipts()))
        register(WorkSource("draft-cleanup", CleanupSource().poll))
