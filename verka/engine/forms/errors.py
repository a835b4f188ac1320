"""Errors of the forms package: its root exception and schema errors that name the component."""

from __future__ import annotations


class FormError(Exception):
    """Root of every error the forms package raises."""


class FormSchemaError(FormError):
    """A form-js schema that cannot be used; says which component and what was expected.

    `location` is the component's position in the schema (``components[2].components[0]``),
    followed by its id or key when it has one, so that an author finds it in the modeler.
    """

    def __init__(self, location: str, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}" if location else problem)
