"""Check uploaded files against a form-js file picker: its `accept` list, `multiple`, and a size limit."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from verka.engine.forms.expressions import (
    evaluate_expression,
    expression_variables,
    is_expression,
)
from verka.engine.forms.model import Component, FilePickerField
from verka.engine.forms.result import FieldError, Segment, field_error

_TEMPLATE_PART = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_MIME = re.compile(r"[a-z0-9!#$&^_.+-]+/([a-z0-9!#$&^_.+-]+|\*)")


@dataclass(frozen=True)
class Upload:
    """What the server knows about one uploaded file before storing it."""

    filename: str
    mime_type: str
    size: int


def accepts_file(accept: str | None, *, filename: str = "", mime_type: str = "") -> bool:
    """Whether a file passes an HTML `accept` list (".pdf", "image/*", "application/pdf").

    An empty list, or one without a single usable entry, accepts everything, as browsers do.
    """
    tokens = [token.strip().lower() for token in (accept or "").split(",")]
    usable = [t for t in tokens if (t.startswith(".") and len(t) > 1) or _MIME.fullmatch(t)]
    if not usable:
        return True
    name = filename.lower()
    mime = mime_type.split(";", 1)[0].strip().lower()
    for token in usable:
        if token.startswith("."):
            if name.endswith(token):
                return True
        elif token.endswith("/*"):
            if mime.startswith(token[:-1]):
                return True
        elif mime == token:
            return True
    return False


def resolve_accept(component: Component, variables: Mapping[str, Any]) -> str | None:
    """The picker's accept list with FEEL (``=...``) or ``{{ }}`` templates worked out."""
    accept = component.accept
    if accept is None:
        return None
    if is_expression(accept):
        result = evaluate_expression(accept, variables)
        return result if isinstance(result, str) else None

    def fill(match: re.Match[str]) -> str:
        result = evaluate_expression("=" + match.group(1), variables)
        return "" if result is None else _text(result)

    # Like the viewer, only the first line of a template counts.
    return _TEMPLATE_PART.sub(fill, accept).split("\n", 1)[0]


def allows_multiple(component: Component, variables: Mapping[str, Any]) -> bool:
    if isinstance(component.multiple, str):
        # The viewer accepts only a boolean result; anything else means one file.
        return evaluate_expression(component.multiple, variables) is True
    return component.multiple


def check_uploads(
    picker: FilePickerField,
    uploads: Sequence[Upload],
    *,
    context: Mapping[str, Any] | None = None,
    max_size: int | None = None,
    segments: tuple[Segment, ...] | None = None,
) -> list[FieldError]:
    """Problems with files about to be stored for a picker; empty when they may be kept.

    `segments` is the concrete data path for a picker inside a dynamic list (``("kids", 0,
    "photo")``); `max_size` in bytes is the e-service's limit, since form-js has none.
    """
    data = dict(context or {})
    variables = expression_variables(data=data, this=data, parent=None, indexes=())
    where = segments if segments is not None else picker.field.segments
    return [
        field_error(where, code, params, field_id=picker.id)
        for code, params in upload_problems(picker.field.component, uploads, variables, max_size)
    ]


def upload_problems(
    component: Component,
    uploads: Sequence[Upload],
    variables: Mapping[str, Any],
    max_size: int | None = None,
) -> list[tuple[str, dict[str, object]]]:
    problems: list[tuple[str, dict[str, object]]] = []
    if len(uploads) > 1 and not allows_multiple(component, variables):
        problems.append(("too_many_files", {"count": len(uploads)}))
    accept = resolve_accept(component, variables)
    for index, upload in enumerate(uploads):
        if not accepts_file(accept, filename=upload.filename, mime_type=upload.mime_type):
            problems.append(
                ("file_type", {"accept": accept or "", "filename": upload.filename, "index": index})
            )
        if max_size is not None and upload.size > max_size:
            problems.append(
                (
                    "file_too_large",
                    {"max_size": max_size, "filename": upload.filename, "index": index},
                )
            )
    return problems


def reference_problems(
    component: Component, references: list[Any], variables: Mapping[str, Any]
) -> list[tuple[str, dict[str, object]]]:
    """Problems with stored-document references (Camunda's shape: documentId and metadata)."""
    uploads = []
    for reference in references:
        metadata = reference.get("metadata") if isinstance(reference, Mapping) else None
        metadata = metadata if isinstance(metadata, Mapping) else {}
        size = metadata.get("size")
        uploads.append(
            Upload(
                filename=_text(metadata.get("fileName", "")),
                mime_type=_text(metadata.get("contentType", "")),
                size=int(size)
                if isinstance(size, int | Decimal) and not isinstance(size, bool)
                else 0,
            )
        )
    if not uploads:
        return []
    return upload_problems(component, uploads, variables)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value if isinstance(value, str) else str(value)
