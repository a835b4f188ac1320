from django.contrib import admin

from .models import InboundWebhook, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "url", "active", "delivered_up_to", "failures", "last_error")
    readonly_fields = ("delivered_up_to", "failures", "last_error")


@admin.register(InboundWebhook)
class InboundWebhookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("slug", "message_name", "correlation_key", "active")
