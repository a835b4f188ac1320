"""Letters and e-mails from templates: a decision or letter as a PDF, an e-mail as subject and text.

Templates are plain text, one per language, found by name:
`cases/documents/<name>.<language>.txt` and `cases/emails/<name>.<language>.txt` (Swedish is the
fallback). An organisation overrides or adds them in a template folder of its own. Document
templates use a small line syntax the PDF understands:

    # Heading            (the first one is the document's title)
    ## Subheading
    - a bullet point
    | Label | Value      (consecutive lines form a two-column table)
    any other text       (paragraphs are separated by blank lines)

A value put into a document template is text in every line it has: a process variable such as
the applicant's name cannot add a heading, bullet or table row to a decision (see `ValueText`),
and the PDF draws every character as itself (reportlab's markup is escaped).

E-mail templates start with `Subject: …` on the first line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone, translation

from verka.eservices.models import Submission

TEMPLATE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}")

# Marks, in a rendered document, where a value's text starts and where each of its lines
# starts (a character of Unicode's private use area, which no text of ours contains).
VALUE_LINE = "\ue000"


class TemplateMissing(LookupError):
    """No template with that name exists in any language."""


@lru_cache(maxsize=1)
def _engine() -> Engine:
    # Text, not HTML: the PDF builder escapes what it draws, and e-mails are plain text.
    dirs = [d for t in settings.TEMPLATES for d in t.get("DIRS", [])]
    return Engine(
        dirs=dirs,
        app_dirs=True,
        autoescape=False,
        libraries={},
        builtins=[
            "django.templatetags.i18n",
        ],
    )


def render_text(
    folder: str,
    name: str,
    language: str,
    context: Mapping[str, Any],
) -> str:
    """The template filled in, as plain text: letters, e-mails and documents are never HTML."""
    if not TEMPLATE_NAME.fullmatch(name):
        raise TemplateMissing(name)
    candidates = [f"cases/{folder}/{name}.{language}.txt", f"cases/{folder}/{name}.sv.txt"]
    try:
        template = _engine().select_template(candidates)
    except TemplateDoesNotExist:
        raise TemplateMissing(name) from None
    with translation.override(language):
        # The Context, not the Engine, decides escaping here: without autoescape=False a
        # plain-text e-mail would show `&lt;` for what the citizen typed as `<`, and a PDF
        # would print it.
        return template.render(Context(dict(context), autoescape=False))


class ValueText(str):
    """A value's text as a document template puts it in: marked by VALUE_LINE where it starts and
    after each of its line breaks, so that `build_pdf` reads those lines as text, whatever they
    start with. It compares, tests and filters as the plain text does."""

    __slots__ = ()

    def __str__(self) -> str:
        return VALUE_LINE + "\n".join(self.splitlines()).replace("\n", "\n" + VALUE_LINE)


def document_values(value: Any) -> Any:
    """The context with every text in it (also inside mappings and lists) as ValueText."""
    if isinstance(value, str):
        return ValueText(value)
    if isinstance(value, Mapping):
        return {key: document_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [document_values(item) for item in value]
    return value


def case_context(
    submission: Submission | None, variables: Mapping[str, Any], today: date | None = None
) -> dict[str, Any]:
    """What every letter and e-mail can use: the process variables by name (also as `v`),
    and `case_number`, `applicant_name`, `eservice`, `date`, `site_name`."""
    context: dict[str, Any] = {
        key: value
        for key, value in variables.items()
        if isinstance(key, str) and key.isidentifier()
    }
    applicant = submission.applicant if submission is not None else None
    context.update(
        {
            "v": dict(variables),
            "case_number": submission.case_number
            if submission is not None
            else str(variables.get("caseNumber") or ""),
            "applicant_name": str(applicant)
            if applicant is not None
            else str(variables.get("applicantName") or ""),
            "eservice": submission.eservice.text("title") if submission is not None else "",
            "date": (today or timezone.localdate()).isoformat(),
            "site_name": settings.VERKA_SITE_NAME,
            "my_pages_url": my_pages_url(),
        }
    )
    return context


def my_pages_url() -> str:
    base = getattr(settings, "VERKA_BASE_URL", "") or ""
    return f"{base.rstrip('/')}/mina-sidor/" if base else ""


# --- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedDocument:
    title: str
    pdf: bytes


def first_heading(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].replace(VALUE_LINE, "").strip()
    return ""


def build_pdf(text: str, *, title: str, language: str, case_number: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        title=title,
        author=settings.VERKA_SITE_NAME,
        subject=case_number,
        lang=language,
    )
    story: list[Any] = [Paragraph(escape(settings.VERKA_SITE_NAME), styles["Title"])]
    # The open paragraph's lines, each with what joins it to the line before: a space between
    # the template's lines, a line break before a value's line. Bullets and table values hold
    # their lines too. Everything drawn is escaped: reportlab's Paragraph reads <b>, <font> and
    # the like, and a stray "<" would stop the document.
    paragraph: list[tuple[str, str]] = []
    bullets: list[list[str]] = []
    rows: list[tuple[str, list[str]]] = []

    def markup(lines: list[str] | list[tuple[str, str]]) -> str:
        joined = [line if isinstance(line, tuple) else ("<br/>", line) for line in lines]
        return "".join(
            (separator if index else "") + escape(line)
            for index, (separator, line) in enumerate(joined)
        )

    def flush() -> None:
        if paragraph:
            story.append(Paragraph(markup(paragraph), styles["BodyText"]))
            paragraph.clear()
        if bullets:
            items = [ListItem(Paragraph(markup(b), styles["BodyText"])) for b in bullets]
            story.append(ListFlowable(items, bulletType="bullet"))
            bullets.clear()
        if rows:
            cells = [
                [
                    Paragraph(escape(label), styles["BodyText"]),
                    Paragraph(markup(value), styles["BodyText"]),
                ]
                for label, value in rows
            ]
            table = Table(cells, colWidths=[55 * mm, 115 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#999999"),
                    ]
                )
            )
            story.append(table)
            story.append(Spacer(1, 4 * mm))
            rows.clear()

    for raw in text.splitlines():
        stripped = raw.strip()
        line = stripped.replace(VALUE_LINE, "").strip()
        if stripped.startswith(VALUE_LINE):
            # A line of a value: text that goes on with what is open, never a new element.
            if not line:
                flush()
            elif rows:
                rows[-1][1].append(line)
            elif bullets:
                bullets[-1].append(line)
            else:
                paragraph.append(("<br/>", line))
        elif not line:
            flush()
        elif line.startswith("## "):
            flush()
            story.append(Paragraph(escape(line[3:]), styles["Heading2"]))
        elif line.startswith("# "):
            flush()
            story.append(Paragraph(escape(line[2:]), styles["Heading1"]))
        elif line.startswith("- "):
            if paragraph or rows:
                flush()
            bullets.append([line[2:]])
        elif line.startswith("|"):
            if paragraph or bullets:
                flush()
            cells = [cell.strip() for cell in line.strip("|").split("|", 1)]
            if len(cells) == 2 and cells[1]:
                rows.append((cells[0], [cells[1]]))
        else:
            if bullets or rows:
                flush()
            paragraph.append((" ", line))
    flush()
    document.build(story)
    return buffer.getvalue()


def render_document(
    name: str, submission: Submission, variables: Mapping[str, Any], *, title: str = ""
) -> RenderedDocument:
    language = submission.language if submission.language in ("sv", "en") else "sv"
    context = case_context(submission, variables)
    if title:
        context["title"] = title
    text = render_text("documents", name, language, document_values(context))
    title = title or first_heading(text) or name
    pdf = build_pdf(text, title=title, language=language, case_number=submission.case_number)
    return RenderedDocument(title=title[:255], pdf=pdf)


# --- e-mail --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def render_email(name: str, language: str, context: Mapping[str, Any]) -> RenderedEmail:
    text = render_text("emails", name, language, context).lstrip("\n")
    first, _newline, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        subject = first.split(":", 1)[1].strip()
        body = rest.lstrip("\n")
    else:
        subject = settings.VERKA_SITE_NAME
        body = text
    # A header must be one line: a variable with a line break in it must not add headers.
    subject = " ".join(subject.split())[:200]
    return RenderedEmail(subject=subject, body=body.rstrip() + "\n")
