from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class VerkaUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "kind", "is_staff")
    list_filter = ("kind", "is_staff", "groups")
    fieldsets = (  # type: ignore[misc]
        *UserAdmin.fieldsets,
        ("Verka", {"fields": ("kind", "display_name", "identity_issuer")}),
    )
    # The issuer is set by the identity provider at each login. The subject and the personal
    # number are deliberately not shown: for eID brokers the subject can be the personal number.
    readonly_fields = ("identity_issuer",)
