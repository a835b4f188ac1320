from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "verka.processes"
    label = "processes"
    verbose_name = _("Processer")

    def ready(self) -> None:
        from . import worker

        worker.register_work_sources()
