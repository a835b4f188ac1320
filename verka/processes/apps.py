from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "verka.processes"
    label = "processes"
    verbose_name = _("Processer")

    def ready(self) -> None:
        from django.conf import settings

        from verka.engine import feel

        from . import worker

        worker.register_work_sources()
        # The engine reads no settings: every evaluation in this process gets these limits.
        feel.set_default_limits(
            feel.Limits(
                steps=settings.VERKA_FEEL_MAX_STEPS,
                regex_seconds=settings.VERKA_REGEX_TIMEOUT_MS / 1000,
            )
        )
