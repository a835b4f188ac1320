"""Django admin: operations staff see outgoing effects (failed ones first) and send them again."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import Effect, WorkerHeartbeat


@admin.register(Effect)
class EffectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "kind", "state", "attempts", "due_at", "sent_at", "last_error")
    list_filter = ("state", "kind")
    search_fields = ("key",)
    ordering = ("-created_at",)
    # The payload may hold personal data (an address, a letter): shown, never edited here.
    readonly_fields = [f.name for f in Effect._meta.fields]
    actions = ["send_again"]

    @admin.action(description=_("Skicka de misslyckade igen"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Effect]) -> None:
        count = outbox.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d effekt skickas igen.", "%(count)d effekter skickas igen.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "host", "pid", "last_seen_at", "processed", "stopped_at")
