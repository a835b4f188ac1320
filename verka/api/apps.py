from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "verka.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from verka.worker.runner import WorkSource, register

        from .services import purge_idempotency_keys_now_and_then

        register(WorkSource("api-idempotency-keys", purge_idempotency_keys_now_and_then))
