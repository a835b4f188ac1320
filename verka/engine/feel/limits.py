"""How much work one FEEL evaluation may do: loop steps and time in regular expressions.

The host sets the process's default once at start-up (the Django side from VERKA_FEEL_MAX_STEPS
and VERKA_REGEX_TIMEOUT_MS); a caller may pass other Limits to one evaluation's Diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass

from verka.engine.bounded_regex import DEFAULT_SECONDS


@dataclass(frozen=True)
class Limits:
    """steps: loop iterations and function calls (a call costs four); regex_seconds: CPU time
    that all regular expressions of the evaluation may take together."""

    steps: int = 2_000_000
    regex_seconds: float = DEFAULT_SECONDS


_default = Limits()


def default_limits() -> Limits:
    return _default


def set_default_limits(limits: Limits) -> Limits:
    """Make limits the default of every evaluation not given its own; returns the previous."""
    global _default
    previous, _default = _default, limits
    return previous
