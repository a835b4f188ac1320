"""Receipts for submitted applications: a PDF the citizen can keep, and a confirmation e-mail."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from verka.worker import outbox
from verka.worker.models import Effect

from .models import Submission


def answer_rows(submission: Submission) -> list[tuple[str, str]]:
    """(question, answer) pairs in form order, for the receipt and the review page."""
    from .services import start_form

    form = start_form(submission.eservice).form
    return summarize(form, submission.data)


def summarize(form: Any, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) rows in form order; rows of a repeating group are numbered."""
    rows: list[tuple[str, str]] = []
    lists_done: set[str] = set()
    for field in form.fields:
        if not field.segments:
            continue
        if field.repeated and "[]" in field.segments:
            list_path = field.segments[: field.segments.index("[]")]
            key = "/".join(list_path)
            if key in lists_done:
                continue
            lists_done.add(key)
            rows.extend(_list_rows(form, list_path, data))
            continue
        value = _lookup(data, field.segments)
        if value in (None, "", []):
            continue
        rows.append((field.label or field.key, display(value)))
    return rows


def _lookup(data: Any, segments: tuple[str, ...]) -> Any:
    value = data
    for part in segments:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _list_rows(
    form: Any, list_path: tuple[str, ...], data: dict[str, Any]
) -> list[tuple[str, str]]:
    items = _lookup(data, list_path)
    if not isinstance(items, list):
        return []
    depth = len(list_path) + 1
    members = [
        f
        for f in form.fields
        if f.segments[: len(list_path)] == list_path
        and len(f.segments) == depth + 1
        and f.segments[len(list_path)] == "[]"
    ]
    rows = []
    for number, item in enumerate(items, 1):
        for member in members:
            value = item.get(member.segments[-1]) if isinstance(item, dict) else None
            if value not in (None, "", []):
                rows.append((f"{member.label or member.key} ({number})", display(value)))
    return rows


def display(value: Any) -> str:
    if isinstance(value, bool):
        return translation.gettext("Ja") if value else translation.gettext("Nej")
    if isinstance(value, list):
        return ", ".join(display(item) for item in value)
    if isinstance(value, dict):
        if "documentId" in value:
            metadata = value.get("metadata")
            return str(metadata.get("fileName", "")) if isinstance(metadata, dict) else ""
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


def receipt_pdf(submission: Submission) -> bytes:
    with translation.override(submission.language):
        styles = getSampleStyleSheet()
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            title=translation.gettext("Kvitto") + " " + submission.case_number,
            author=settings.VERKA_SITE_NAME,
            lang=submission.language,
        )
        submitted = timezone.localtime(submission.submitted_at).strftime("%Y-%m-%d %H:%M")
        story: list[Any] = [
            Paragraph(escape(settings.VERKA_SITE_NAME), styles["Title"]),
            Paragraph(escape(translation.gettext("Kvitto på din ansökan")), styles["Heading1"]),
            Paragraph(escape(submission.eservice.text("title")), styles["Heading2"]),
            Table(
                [
                    [translation.gettext("Ärendenummer"), submission.case_number],
                    [translation.gettext("Inskickad"), submitted],
                ],
                colWidths=[50 * mm, 110 * mm],
            ),
            Spacer(1, 8 * mm),
            Paragraph(escape(translation.gettext("Dina svar")), styles["Heading2"]),
        ]
        rows = [
            [
                Paragraph(escape(question), styles["Normal"]),
                Paragraph(escape(answer), styles["Normal"]),
            ]
            for question, answer in answer_rows(submission)
        ]
        if rows:
            table = Table(rows, colWidths=[60 * mm, 100 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999"),
                    ]
                )
            )
            story.append(table)
        document.build(story)
        return buffer.getvalue()


@outbox.sender("receipt-email")
def send_receipt_email(effect: Effect) -> None:
    """The outbox's sender of a submission's confirmation e-mail (plain text)."""
    submission = (
        Submission.objects.select_related("eservice")
        .filter(pk=effect.payload.get("submission"))
        .first()
    )
    if submission is None or not submission.email:
        raise outbox.Undeliverable("the submission or its e-mail address is gone")
    with translation.override(submission.language):
        context = {
            "submission": submission,
            "title": submission.eservice.text("title"),
            "site_name": settings.VERKA_SITE_NAME,
        }
        subject = translation.gettext("Vi har tagit emot din ansökan %(case)s") % {
            "case": submission.case_number
        }
        # The template turns autoescaping off: plain text shows what was typed, as typed.
        body = render_to_string("eservices/receipt_email.txt", context)
    outbox.email(effect, subject, body, [submission.email]).send()
    Submission.objects.filter(pk=submission.pk).update(receipt_sent_at=timezone.now())
