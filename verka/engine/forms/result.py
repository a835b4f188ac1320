"""The outcome of validating a submission: cleaned values and field errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from verka.engine.forms.messages import render

Segment = str | int


def path_text(segments: tuple[Segment, ...]) -> str:
    """Display form of a data path: ``children[1].name``."""
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment == "[]":
            # Any row of a dynamic list, as Form.fields writes it.
            text += "[]"
        else:
            text += f".{segment}" if text else segment
    return text


@dataclass(frozen=True)
class FieldError:
    """One problem with one value of a submission.

    `path` is where the value lives in the submitted data (``children[1].name``), `segments` the
    same path as a tuple, `field_id` the form-js component id (the browser keys its errors by it)
    and `indexes` the dynamic-list row numbers on the way, as form-js does.
    """

    path: str
    code: str
    message_sv: str
    message_en: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    segments: tuple[Segment, ...] = ()
    field_id: str | None = None
    indexes: tuple[int, ...] = ()

    def message(self, language: str) -> str:
        """The message in "sv" or "en" (anything but "sv" gets English)."""
        return self.message_sv if language.lower().startswith("sv") else self.message_en


def field_error(
    segments: tuple[Segment, ...],
    code: str,
    params: Mapping[str, object] | None = None,
    *,
    field_id: str | None = None,
    indexes: tuple[int, ...] = (),
    custom_message: str | None = None,
) -> FieldError:
    """A FieldError with its texts looked up from the message catalogue."""
    frozen = MappingProxyType(dict(params or {}))
    message_sv, message_en = render(code, frozen)
    if custom_message:
        # The form author wrote this text for the browser; the server shows the same.
        message_sv = message_en = custom_message
    return FieldError(
        path=path_text(segments),
        code=code,
        message_sv=message_sv,
        message_en=message_en,
        params=frozen,
        segments=segments,
        field_id=field_id,
        indexes=indexes,
    )


@dataclass(frozen=True)
class ValidationResult:
    """Cleaned values (as the browser would submit them, typed) and the errors found."""

    values: Mapping[str, Any]
    errors: list[FieldError]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def errors_by_path(self) -> dict[str, list[FieldError]]:
        """Errors grouped by data path, in the order they were found."""
        grouped: dict[str, list[FieldError]] = {}
        for error in self.errors:
            grouped.setdefault(error.path, []).append(error)
        return grouped

    def viewer_errors(self, language: str = "sv") -> dict[str, Any]:
        """Errors shaped as the form-js viewer keeps them: by field id, then dynamic-list row.

        Lets a page show the server's verdict inside the viewer. Errors that belong to no
        field of the form (unknown keys) are left out; report them separately.
        """
        shaped: dict[str, Any] = {}
        for error in self.errors:
            if error.field_id is None:
                continue
            keys = [error.field_id, *(str(index) for index in error.indexes)]
            node = shaped
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node.setdefault(keys[-1], []).append(error.message(language))
        return shaped
