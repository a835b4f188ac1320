"""FEEL errors: the package's root exception and syntax errors that point at the problem."""

from __future__ import annotations


class FeelError(Exception):
    """Root of every error the FEEL package raises."""


class FeelSyntaxError(FeelError):
    """Text that is not valid FEEL; says where (offset, line, column) and what was expected."""

    def __init__(self, text: str, offset: int, problem: str, expected: str = "") -> None:
        self.text = text
        self.offset = max(0, min(offset, len(text)))
        self.problem = problem
        self.expected = expected
        self.line, self.column = line_and_column(text, self.offset)
        super().__init__(self._render())

    def _render(self) -> str:
        line_start = self.text.rfind("\n", 0, self.offset) + 1
        line_end = self.text.find("\n", self.offset)
        if line_end < 0:
            line_end = len(self.text)
        source_line = self.text[line_start:line_end].replace("\t", " ")
        column = self.offset - line_start
        # Long lines are cut to a window around the problem so that the caret stays readable.
        if len(source_line) > 2 * _CONTEXT_CHARS:
            start = max(0, column - _CONTEXT_CHARS)
            end = column + _CONTEXT_CHARS
            prefix = "..." if start > 0 else ""
            suffix = "..." if end < len(source_line) else ""
            source_line = prefix + source_line[start:end] + suffix
            column = column - start + len(prefix)
        message = f"{self.problem} at line {self.line}, column {self.column}"
        if self.expected:
            message += f"; expected {self.expected}"
        return f"{message}\n  {source_line}\n  {' ' * column}^"


_CONTEXT_CHARS = 60


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset into text."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
