from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "verka.worker"
    label = "worker"
    verbose_name = _("Bakgrundsarbete")

    def ready(self) -> None:
        from .outbox import prune_sent, send_due
        from .runner import WorkSource, register

        # Effects that leave the system (e-mails, webhook batches), sent by one worker each.
        register(WorkSource("outbox", send_due))
        register(WorkSource("outbox-prune", prune_sent))
