"""Admin pages for what the dashboard only shows: mission, goals, IT systems, initiatives.
Indicator definitions are edited on the indicator page, which versions them."""

from django.contrib import admin

from .models import Goal, Indicator, IndicatorTarget, Initiative, ITSystem, Mission


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["organisation"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title_sv", "benefit_owner_role", "contributes_to"]
    filter_horizontal = ["eservices"]


class TargetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = IndicatorTarget
    extra = 1


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_sv", "goal", "unit", "direction", "version"]
    # The definition changes through services.set_definition (a new version), not here.
    readonly_fields = ["definition", "version", "baseline"]
    inlines = [TargetInline]
    filter_horizontal = ["eservices", "systems"]


@admin.register(ITSystem)
class ITSystemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "owner", "lifecycle", "annual_cost"]
    filter_horizontal = ["eservices", "goals"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "change_kind", "go_live", "goal"]
    filter_horizontal = ["indicators"]
