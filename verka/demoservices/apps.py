from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "verka.demoservices"
    label = "demoservices"
    verbose_name = "Demo services"

    def ready(self) -> None:
        from django.conf import settings

        if settings.VERKA_DEMO_SERVICES:
            from verka.worker.runner import WorkSource, register

            from .maintenance import advance_faults

            register(WorkSource("demo-maintenance", advance_faults))
