"""Regular expressions matched within a time budget, so that no pattern can stall a server.

Python's re holds the interpreter lock for as long as one match takes, and a backtracking
pattern such as `^(a|aa)+$` takes minutes on 40 characters: every other thread of the process
(web requests, the in-process worker) waits. The regex library matches str without holding the
lock and stops at a timeout, and it supports everything FEEL's XPath patterns and form-js's
JavaScript patterns need (back-references, lookaround), which a linear-time engine such as RE2
does not. Every FEEL and form pattern is matched through here.

The library measures a call's timeout in the process's CPU time, so on a loaded machine a stopped
match may take a few times its budget in wall time. What the calls of one evaluation have spent
is counted in wall time (reading the CPU clock costs a system call; the wall clock does not),
which spends the budget sooner, never later.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TypeVar

import regex

from verka.engine.regex_shape import MAX_EXPANSION, ShapeError, expansion, read

T = TypeVar("T")

#: What one FEEL evaluation or one form validation may spend on regular expressions by default.
#: Ordinary patterns take microseconds on form-sized text (about 1 ms for 100 kB), so a quarter
#: of a second is two orders of magnitude of headroom, while a stopped call still answers a
#: citizen quickly.
DEFAULT_SECONDS = 0.25


class RegexTimeout(Exception):
    """A pattern ran out of the budget; `pattern` is as the modeller wrote it."""

    def __init__(self, pattern: str, seconds: float) -> None:
        self.pattern = pattern
        self.seconds = seconds
        shown = pattern if len(pattern) <= 120 else pattern[:117] + "..."
        super().__init__(
            f"the regular expression {shown!r} took longer than the {seconds:g} s that regular"
            " expressions may take in one evaluation and was stopped (a pattern with nested"
            " repeats such as (a+)+ can take exponential time)"
        )


class PatternTooLarge(ValueError):
    """Compiling the pattern would unroll more counted repeats than MAX_EXPANSION."""


class RegexBudget:
    """The time regular expressions may still take in one evaluation or one form validation."""

    __slots__ = ("remaining", "seconds")

    def __init__(self, seconds: float = DEFAULT_SECONDS) -> None:
        self.seconds = seconds
        self.remaining = seconds

    def run(self, pattern: str, match: Callable[[float], T]) -> T:
        """match(timeout) with what is left; RegexTimeout when it does not finish in time.

        Once a call has been stopped the budget is spent, so every later call in the same
        evaluation stops at once: a loop over a catastrophic pattern costs one budget in all.
        """
        if self.remaining <= 0:
            raise RegexTimeout(pattern, self.seconds)
        started = time.perf_counter()
        try:
            return match(self.remaining)
        except TimeoutError:
            self.remaining = 0.0
            raise RegexTimeout(pattern, self.seconds) from None
        finally:
            if self.remaining > 0:
                self.remaining -= time.perf_counter() - started


_FLAGS = {
    re.IGNORECASE: regex.IGNORECASE,
    re.MULTILINE: regex.MULTILINE,
    re.DOTALL: regex.DOTALL,
    re.VERBOSE: regex.VERBOSE,
    re.ASCII: regex.ASCII,
}


def compile_bounded(translated: str, flags: int = 0) -> regex.Pattern[str]:
    """The regex-library pattern for a Python-syntax pattern that re has already accepted
    with the same re flags (the two libraries number ASCII differently).

    PatternTooLarge when its counted repeats would unroll into more than MAX_EXPANSION nodes
    (`((a{1000}){1000}){1000}` would take gigabytes, and compiling has no timeout);
    regex.error when the library refuses it.
    """
    try:
        size = expansion(read(translated, flags))
    except ShapeError:
        size = 0  # re accepted it; the library will judge it
    if size > MAX_EXPANSION:
        raise PatternTooLarge(
            f"its counted repeats add up to {size:,} characters; at most {MAX_EXPANSION:,}"
            " are allowed"
        )
    library_flags = 0
    for flag, same in _FLAGS.items():
        if flags & flag:
            library_flags |= same
    return regex.compile(translated, library_flags)


def search(
    budget: RegexBudget, pattern: str, compiled: regex.Pattern[str], text: str
) -> regex.Match[str] | None:
    """compiled.search(text) within the budget; `pattern` names it in a RegexTimeout."""
    return budget.run(pattern, lambda timeout: compiled.search(text, timeout=timeout))


def finditer(
    budget: RegexBudget, pattern: str, compiled: regex.Pattern[str], text: str
) -> list[regex.Match[str]]:
    """Every non-overlapping match, found within the budget."""
    return budget.run(pattern, lambda timeout: list(compiled.finditer(text, timeout=timeout)))


def sub(
    budget: RegexBudget,
    pattern: str,
    compiled: regex.Pattern[str],
    replacement: Callable[[regex.Match[str]], str],
    text: str,
) -> str:
    """compiled.sub(replacement, text) within the budget."""
    return budget.run(pattern, lambda timeout: compiled.sub(replacement, text, timeout=timeout))
