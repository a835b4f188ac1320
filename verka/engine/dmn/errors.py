"""The root exception of the DMN package: a model that cannot be read or used."""

from __future__ import annotations


class DmnError(Exception):
    """A DMN model problem, naming the element id and the line where it was found."""

    def __init__(
        self,
        message: str,
        *,
        element_id: str | None = None,
        line: int | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.element_id = element_id
        self.line = line
        self.source = source
        super().__init__(self._describe())

    def _describe(self) -> str:
        where: list[str] = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.element_id:
            where.append(f"element '{self.element_id}'")
        if not where:
            return self.message
        return f"{', '.join(where)}: {self.message}"
