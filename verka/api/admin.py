"""API tokens and service accounts' grants in the admin: see who has which token and revoke one
(secrets are never shown; tokens are created with `verka token create`, which prints the secret
once), and give service accounts their grants."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verka.accounts.models import ServiceGrant

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "prefix",
        "owner",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "owner__kind"]
    search_fields = ["name", "prefix", "owner__username"]
    # The owner is who the token acts for: it is chosen when the token is made, never moved.
    readonly_fields = ["owner", "secret_hash", "prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # a token made here would have no secret anyone has seen

    @admin.action(description=_("Återkalla valda API-nycklar"))
    def revoke(self, request: Any, queryset: Any) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(ServiceGrant)
class ServiceGrantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Only service accounts can be chosen (the model's `limit_choices_to`); staff reach what
    their groups reach (workspace process grants)."""

    list_display = ["user", "kind", "value"]
    list_filter = ["kind"]
    search_fields = ["user__username", "value"]
