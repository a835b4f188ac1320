"""The Studio's rows in the Django admin, read-only: changes go through the Studio's pages."""

from django.contrib import admin

from .models import Project, Publication


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_sv", "bpmn_process_id", "updated_at")
    search_fields = ("slug", "title_sv")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("project", "version", "deployment", "catalogue_visible", "published_at")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
