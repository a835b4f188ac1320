from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class VerkaUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "kind", "is_staff")
    list_filter = ("kind", "is_staff", "groups")
    fieldsets = (*UserAdmin.fieldsets, ("Verka", {"fields": ("kind", "display_name")}))  # type: ignore[misc]
