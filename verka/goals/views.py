"""The management dashboard and its pages: goals, indicators (with drill-down to the cases),
initiatives and the IT-system register. Staff only; the digitalisation team edits."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from verka.conf import inputs
from verka.processes import clock

from . import charts, measure, presets, services
from .definition import DefinitionError
from .models import Goal, Indicator, Initiative, ITSystem, Measurement, Mission
from .workdays import local_midnight, next_period, period_start

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.can_view(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _require_editor(request: HttpRequest) -> None:
    if not services.can_edit(request.user):
        raise PermissionDenied


def indicator_view(indicator: Indicator, months: int = 12) -> dict[str, Any]:
    """Everything a page shows about one indicator: the trend, table, summary, target, baseline.
    Closed periods come from their scheduled snapshots where the worker has taken them."""
    values = services.trend(indicator, months)
    unit = charts.unit_text(indicator.unit)
    points = []
    for value in values:
        first = timezone.localtime(value.start).date()
        target = indicator.target_on(first)
        points.append(charts.Point(first, value.value, value.n, target.value if target else None))
    baseline = indicator.baseline.value if indicator.baseline else None
    summary = charts.summary(points, unit, baseline, indicator.direction)
    rows = [
        {
            "point": p,
            "value": charts.number(p.value, unit),
            "target": charts.number(p.target, unit),
            "label": charts.month_label(p.period),
            "end": next_period(p.period, indicator.definition.get("period", "month")),
            "snapshot": v.snapshot,
        }
        for p, v in zip(points, values, strict=True)
    ]
    return {
        "indicator": indicator,
        "unit": unit,
        "rows": rows,
        "stored": sum(1 for v in values if v.snapshot is not None),
        "svg": charts.svg(points, unit, baseline, indicator.name),
        "summary": summary,
        "latest": charts.number(summary["latest"].value if summary["latest"] else None, unit),
        "baseline": charts.number(baseline, unit),
        "target": charts.number(summary["latest"].target if summary["latest"] else None, unit),
    }


def _goal_context(goal: Goal, derived: dict[int, set[str]]) -> dict[str, Any]:
    indicators = list(goal.indicators.select_related("baseline").prefetch_related("targets"))
    processes = set(goal.process_ids)
    for indicator in indicators:
        processes.update(indicator.process_ids)
    systems = [
        s
        for s in ITSystem.objects.all()
        if s in goal.systems.all() or processes & set(services.system_processes(s, derived))
    ]
    from verka.eservices.models import EService

    eservices = set(goal.eservices.all()) | set(
        EService.objects.filter(bpmn_process_id__in=processes)
    )
    return {
        "goal": goal,
        "indicators": [indicator_view(i) for i in indicators],
        "processes": sorted(processes),
        "eservices": sorted(eservices, key=str),
        "systems": systems,
    }


@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    derived = services.derived_system_processes()
    goals = Goal.objects.select_related("benefit_owner", "contributes_to")
    return render(
        request,
        "goals/dashboard.html",
        {
            "mission": Mission.objects.first(),
            "goals": [_goal_context(g, derived) for g in goals],
            "unlinked": services.systems_without_goal(),
            "can_edit": services.can_edit(request.user),
        },
    )


@staff_only
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("benefit_owner"), pk=pk)
    context = _goal_context(goal, services.derived_system_processes())
    context["initiatives"] = goal.initiatives.all()
    context["contributors"] = goal.contributors.all()
    return render(request, "goals/goal.html", context)


@staff_only
def indicator_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _require_editor(request)
        goal = Goal.objects.filter(pk=inputs.int_field(request.POST, "goal", default=0)).first()
        template = presets.BY_SLUG.get(request.POST.get("template", ""))
        parameters = {
            key: request.POST.get(key, "").strip()
            for key in (template.parameters if template else {})
        }
        try:
            indicator = services.apply_template(
                request.POST.get("template", ""), parameters, goal=goal, user=request.user
            )
        except DefinitionError as error:
            messages.error(request, str(error))
            return redirect("goals:indicators")
        return redirect("goals:indicator", pk=indicator.pk)
    return render(
        request,
        "goals/indicators.html",
        {
            "indicators": Indicator.objects.select_related("goal"),
            "templates": presets.TEMPLATES,
            "goals": Goal.objects.all(),
            "can_edit": services.can_edit(request.user),
        },
    )


@staff_only
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=pk)
    error = None
    text = json.dumps(indicator.definition, indent=2, ensure_ascii=False)
    if request.method == "POST":
        _require_editor(request)
        action = request.POST.get("action")
        if action == "definition":
            text = request.POST.get("definition", "")
            try:
                definition = inputs.parse_json(text, where="definition")
                changed = services.set_definition(indicator, definition, user=request.user)
            except inputs.BadInput as problem:
                error = problem.message
            except DefinitionError as problem:
                error = str(problem)
            else:
                if changed:
                    messages.success(request, _("Definitionen sparades som en ny version."))
                return redirect("goals:indicator", pk=pk)
        elif action in ("snapshot", "baseline"):
            try:
                start = date.fromisoformat(request.POST.get("start", ""))
                end = date.fromisoformat(request.POST.get("end", ""))
            except ValueError:
                messages.error(request, _("Ange datum som ÅÅÅÅ-MM-DD."))
                return redirect("goals:indicator", pk=pk)
            if action == "baseline":
                services.set_baseline(indicator, start, end)
                messages.success(request, _("Nollmätningen sparades."))
            else:
                services.take_measurement(indicator, start, end)
                messages.success(request, _("Mätningen sparades."))
            return redirect("goals:indicator", pk=pk)
    today = timezone.localtime(clock.now()).date()
    context = {
        "iv": indicator_view(indicator),
        "indicator": indicator,
    }
    context.update(
        {
            "definition_text": text,
            "error": error,
            "versions": indicator.versions.all(),
            "measurements": Measurement.objects.filter(indicator=indicator).select_related(
                "definition_version"
            ),
            "can_edit": services.can_edit(request.user),
            "default_start": date(today.year - 1, today.month, 1),
            "default_end": date(today.year, today.month, 1),
            "initiatives": indicator.initiatives.all(),
        }
    )
    return render(request, "goals/indicator.html", context, status=400 if error else 200)


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return default


@staff_only
def indicator_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """The cases behind one number: the window is given as ?fran=…&till=… (end exclusive)."""
    indicator = get_object_or_404(Indicator, pk=pk)
    today = timezone.localtime(clock.now()).date()
    period = indicator.definition.get("period", "month")
    first = _day(request.GET.get("fran"), period_start(today, period))
    end = _day(request.GET.get("till"), next_period(first, period))
    start_at, end_at = local_midnight(first), local_midnight(end)
    snapshot = services.snapshot_for(indicator, start_at, end_at)
    if snapshot is not None:
        # A closed period: the cases that were measured when it was frozen, as measured then.
        cases = services.stored_cases(snapshot)
        value, n = snapshot.value, snapshot.n
    else:
        result = measure.measure_window(indicator.definition, start_at, end_at, clock.now())
        cases, value, n = result.cases, result.value, result.n
    measure.with_instance_times(indicator.definition, cases)
    numbers = services.case_numbers([c.key for c in cases])
    definition = snapshot.definition_version.definition if snapshot else indicator.definition
    shows_duration = (
        definition["kind"] == "duration"
        or "limit" in definition
        and (definition["kind"] == "share")
    )
    rows = [
        {
            "case": case,
            "number": numbers.get(case.key, ""),
            "value": charts.number(case.value, _unit_of_case(definition))
            if case.value is not None
            else "–",
        }
        for case in sorted(cases, key=lambda c: c.at or c.started or _epoch())
    ]
    return render(
        request,
        "goals/cases.html",
        {
            "indicator": indicator,
            "first": first,
            "last": end - timedelta(days=1),
            "value": charts.number(value, charts.unit_text(indicator.unit)),
            "n": n,
            "rows": rows,
            "snapshot": snapshot,
            "shows_duration": shows_duration,
            "shows_meets": any(c.meets is not None for c in cases),
        },
    )


def _epoch() -> datetime:
    return datetime.min.replace(tzinfo=timezone.get_current_timezone())


def _unit_of_case(definition: dict[str, Any]) -> str:
    if definition.get("aggregate") == "fee_reduction":
        return "kr"
    return {"days": _("dagar"), "working_days": _("arbetsdagar"), "hours": _("timmar")}.get(
        definition.get("unit", "days"), ""
    )


@staff_only
def initiative_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "goals/initiatives.html",
        {"initiatives": Initiative.objects.select_related("goal", "system")},
    )


@staff_only
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, pk=pk)
    comparisons = []
    for comparison in services.compare(initiative):
        unit = charts.unit_text(
            "ärenden/vecka" if comparison.statistic == "rate" else comparison.indicator.unit
        )
        interval = comparison.interval
        comparisons.append(
            {
                "c": comparison,
                "before": charts.number(comparison.before.value, unit),
                "after": charts.number(comparison.after.value, unit),
                "before_ci": _interval(comparison.before.interval, unit),
                "after_ci": _interval(comparison.after.interval, unit),
                "difference": charts.number(comparison.difference, unit),
                "ci": _interval(interval, unit),
            }
        )
    return render(
        request,
        "goals/initiative.html",
        {"initiative": initiative, "comparisons": comparisons},
    )


def _interval(interval: Any, unit: str) -> str:
    if interval is None:
        return "–"
    return f"{charts.number(interval.low)} … {charts.number(interval.high, unit)}"


@staff_only
def system_list(request: HttpRequest) -> HttpResponse:
    derived = services.derived_system_processes()
    rows = []
    for system in ITSystem.objects.prefetch_related("eservices"):
        processes = services.system_processes(system, derived)
        from verka.eservices.models import EService

        eservices = set(system.eservices.all()) | set(
            EService.objects.filter(bpmn_process_id__in=processes)
        )
        rows.append(
            {
                "system": system,
                "processes": processes,
                "derived": sorted(derived.get(system.pk, set())),
                "eservices": sorted(eservices, key=str),
                "goals": sorted(services.system_goals(system, processes), key=lambda g: g.pk),
            }
        )
    return render(request, "goals/systems.html", {"rows": rows})
