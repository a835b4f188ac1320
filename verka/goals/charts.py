"""Trend charts as inline SVG (no JavaScript), with a text summary for everyone who cannot see
them; the page also shows the same numbers as a data table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Units are stored as Swedish words (definition.unit_label); these are shown translated.
UNIT_NAMES = {
    "dagar": gettext_lazy("dagar"),
    "arbetsdagar": gettext_lazy("arbetsdagar"),
    "timmar": gettext_lazy("timmar"),
    "ärenden": gettext_lazy("ärenden"),
    "ärenden/vecka": gettext_lazy("ärenden/vecka"),
}

# Drawn small so that the text keeps a readable size when the card scales the chart down.
WIDTH, HEIGHT = 400, 180
LEFT, RIGHT, TOP, BOTTOM = 60, 14, 14, 28


@dataclass
class Point:
    period: date
    value: float | None
    n: int
    target: float | None


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    whole = abs(value) >= 100 or float(value).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.1f}"
    text = text.replace(",", "\u00a0").replace(".", ",")
    return f"{text}\u00a0{unit}" if unit else text


def unit_text(unit: str) -> str:
    return str(UNIT_NAMES.get(unit, unit))


def month_label(day: date) -> str:
    return date_format(day, "M Y")


def svg(points: list[Point], unit: str, baseline: float | None, title: str) -> SafeString:
    """A line chart of the values per period, the target as a dashed line, the baseline dotted."""
    values = [p.value for p in points if p.value is not None]
    levels = values + [p.target for p in points if p.target is not None]
    if baseline is not None:
        levels.append(baseline)
    if not points or not values:
        return mark_safe("")
    low, high = min(levels + [0.0]), max(levels)
    high = high if high > low else low + 1
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    step = span_x / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step

    def y(value: float) -> float:
        return TOP + span_y * (1 - (value - low) / (high - low))

    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" focusable="false">',
        f'<line class="axis" x1="{LEFT}" y1="{y(low):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{y(low):.1f}"/>',
    ]
    for value in (low, high):
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(number(value))}</text>"
        )
    if baseline is not None:
        parts.append(
            f'<line class="baseline" x1="{LEFT}" y1="{y(baseline):.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(baseline):.1f}"/>'
        )
    target_points = [(x(i), y(p.target)) for i, p in enumerate(points) if p.target is not None]
    if target_points:
        coordinates = " ".join(f"{a:.1f},{b:.1f}" for a, b in target_points)
        parts.append(f'<polyline class="target" points="{coordinates}"/>')
    segment: list[str] = []
    for index, point in enumerate(points):
        if point.value is None:
            if len(segment) > 1:
                parts.append(f'<polyline class="value" points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{x(index):.1f},{y(point.value):.1f}")
        parts.append(f'<circle class="dot" cx="{x(index):.1f}" cy="{y(point.value):.1f}" r="3"/>')
    if len(segment) > 1:
        parts.append(f'<polyline class="value" points="{" ".join(segment)}"/>')
    every = max(len(points) // 4, 1)
    for index, point in enumerate(points):
        if index % every == 0:
            parts.append(
                f'<text class="tick" x="{x(index):.1f}" y="{HEIGHT - 8}" text-anchor="middle">'
                f"{escape(month_label(point.period))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def status(value: float | None, target: float | None, direction: str) -> str:
    """on_target, off_target or unknown."""
    if value is None or target is None:
        return "unknown"
    good = value >= target if direction == "higher" else value <= target
    return "on_target" if good else "off_target"


def summary(
    points: list[Point], unit: str, baseline: float | None, direction: str
) -> dict[str, Any]:
    measured = [p for p in points if p.value is not None]
    if not measured:
        return {"text": _("Inga mätvärden ännu."), "status": "unknown", "latest": None}
    latest = measured[-1]
    sentences = [
        _("Senaste värde %(value)s (%(period)s, %(n)s ärenden).")
        % {"value": number(latest.value, unit), "period": month_label(latest.period), "n": latest.n}
    ]
    if latest.target is not None:
        sentences.append(_("Målet är %(target)s.") % {"target": number(latest.target, unit)})
    if baseline is not None:
        sentences.append(_("Nollmätningen var %(value)s.") % {"value": number(baseline, unit)})
        assert latest.value is not None
        if latest.value != baseline:
            better = (latest.value > baseline) == (direction == "higher")
            sentences.append(
                _("Det är bättre än nollmätningen.")
                if better
                else _("Det är sämre än nollmätningen.")
            )
    state = status(latest.value, latest.target, direction)
    if state == "on_target":
        sentences.append(_("Målet är nått."))
    elif state == "off_target":
        sentences.append(_("Målet är inte nått."))
    return {"text": " ".join(sentences), "status": state, "latest": latest}
