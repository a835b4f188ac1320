from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "verka.connectors"
    label = "connectors"
    verbose_name = _("Kopplingar")

    def ready(self) -> None:
        from verka.worker.runner import WorkSource, register

        from . import http  # noqa: F401 - registers the verka-http job handler
        from .webhooks import queue_due  # also registers the outbox's sender of batches

        register(WorkSource("webhooks", queue_due))
