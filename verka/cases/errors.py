"""The cases app's exceptions: one root, messages safe to show to the person who asked."""

from __future__ import annotations

from collections.abc import Sequence

from verka.engine import forms


class CaseError(ValueError):
    """The request cannot be carried out; the message is safe to show."""


class NotFound(CaseError, LookupError):
    """No such case, task or document — or not one this person may see (the same answer)."""


class FileRefused(CaseError):
    """An uploaded file was not accepted."""


class TaskValidationFailed(CaseError):
    """A task's answers did not pass its form; `errors` say which fields and why."""

    def __init__(self, errors: Sequence[forms.FieldError]) -> None:
        super().__init__(f"{len(errors)} field(s) need attention")
        self.errors = list(errors)
