"""Django admin: the digitalisation team grants groups read access to processes' cases here."""

from django.contrib import admin

from .models import ProcessAccess


@admin.register(ProcessAccess)
class ProcessAccessAdmin(admin.ModelAdmin):
    list_display = ("group", "bpmn_process_id")
    list_filter = ("group",)
    search_fields = ("bpmn_process_id", "group__name")
