"""Compile the JavaScript regular expressions of form-js `validate.pattern` for the server.

The pattern is translated to Python's syntax, checked by re (whose messages name the problem)
and compiled for matching within a time budget by the regex library (engine.bounded_regex).
"""

from __future__ import annotations

import re

import regex

from verka.engine.bounded_regex import PatternTooLarge, compile_bounded

_JS_WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_JS_DOT = "[^\\n\\r\\u2028\\u2029]"
_HEX = frozenset("0123456789abcdefABCDEF")
# Escapes that mean the same in both dialects and are copied as they are.
_SHARED_ESCAPES = frozenset("dDwWbBnrtfv0123456789")
_QUANTIFIER = re.compile(r"\{(\d+)(,(\d*))?\}")
_GROUP_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


class JsRegexError(ValueError):
    """A pattern that is not a valid regular expression; `offset` points into the pattern."""

    def __init__(self, message: str, offset: int) -> None:
        self.offset = offset
        super().__init__(message)


def compile_js_pattern(source: str) -> regex.Pattern[str]:
    """A compiled Python pattern that finds what ``new RegExp(source).test`` finds (use search).

    form-js tests a value with ``new RegExp(pattern).test(value)``: no flags, and a match
    anywhere in the value. The translation keeps JavaScript's meaning where the dialects differ:
    ``\\d``/``\\w``/``\\b`` are ASCII-only, ``\\s`` is JavaScript's whitespace set, ``.``
    stops at every line terminator, ``$`` matches only at the very end, named groups are
    ``(?<name>)``, ``[^]`` matches anything and ``[]`` nothing, and an unknown escape such as
    ``\\e`` is the letter itself.
    """
    translated = translate(source)
    try:
        re.compile(translated, re.ASCII)
        return compile_bounded(translated, re.ASCII)
    except re.error as problem:
        raise JsRegexError(str(problem.msg), _source_offset(problem, source)) from None
    except regex.error as problem:
        raise JsRegexError(str(problem), 0) from None
    except PatternTooLarge as problem:
        raise JsRegexError(f"pattern repeats too much: {problem}", 0) from None
    except (RecursionError, OverflowError):
        raise JsRegexError("pattern is nested too deeply or repeats too often", 0) from None


def _source_offset(problem: re.error, source: str) -> int:
    # The offset re reports is into the translation; it is only a hint for the author.
    position = problem.pos if problem.pos is not None else 0
    return min(position, len(source))


def translate(source: str) -> str:
    """The Python spelling of a JavaScript pattern without flags."""
    out: list[str] = []
    i = 0
    in_class = False
    length = len(source)
    while i < length:
        char = source[i]
        if char == "\\":
            if i + 1 >= length:
                raise JsRegexError("\\ at end of pattern", i)
            escaped, i = _escape(source, i + 1, in_class)
            out.append(escaped)
            continue
        if in_class:
            if char == "]":
                in_class = False
                out.append("]")
            elif char in "[&~|":
                # Python reserves these for set operations; in JavaScript they are literal.
                out.append("\\" + char)
            else:
                out.append(char)
            i += 1
            continue
        if char == "[":
            if source.startswith("[^]", i):
                out.append("[\\s\\S]")
                i += 3
                continue
            if source.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append("[")
            i += 1
            if i < length and source[i] == "^":
                out.append("^")
                i += 1
            continue
        if char == ".":
            out.append(_JS_DOT)
        elif char == "$":
            out.append("\\Z")
        elif (
            char == "("
            and source.startswith("(?<", i)
            and not source.startswith(("(?<=", "(?<!"), i)
        ):
            match = _GROUP_NAME.match(source, i + 3)
            if match is None or not source.startswith(">", match.end()):
                raise JsRegexError("invalid group name", i)
            out.append(f"(?P<{match.group()}>")
            i = match.end() + 1
            continue
        elif char == "{":
            match = _QUANTIFIER.match(source, i)
            if match is None:
                out.append("\\{")
            else:
                out.append(match.group())
                i = match.end()
                continue
        elif char == "}":
            out.append("\\}")
        else:
            out.append(char)
        i += 1
    if in_class:
        raise JsRegexError("character class [ is never closed", length)
    return "".join(out)


def _escape(source: str, i: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape whose letter is at source[i]; returns text and the next index."""
    letter = source[i]
    if letter == "s":
        return (_JS_WHITESPACE if in_class else f"[{_JS_WHITESPACE}]"), i + 1
    if letter == "S" and not in_class:
        return f"[^{_JS_WHITESPACE}]", i + 1
    if letter == "S":
        return "\\S", i + 1
    if letter in _SHARED_ESCAPES:
        return "\\" + letter, i + 1
    if letter == "x" and len(source) >= i + 3 and set(source[i + 1 : i + 3]) <= _HEX:
        return source[i - 1 : i + 3], i + 3
    if letter == "u" and len(source) >= i + 5 and set(source[i + 1 : i + 5]) <= _HEX:
        return source[i - 1 : i + 5], i + 5
    if (
        letter == "c"
        and i + 1 < len(source)
        and source[i + 1].isascii()
        and source[i + 1].isalpha()
    ):
        return re.escape(chr(ord(source[i + 1]) % 32)), i + 2
    if letter == "k" and not in_class and source.startswith("<", i + 1):
        match = _GROUP_NAME.match(source, i + 2)
        if match is not None and source.startswith(">", match.end()):
            return f"(?P={match.group()})", match.end() + 1
    # Any other escape stands for the character itself.
    return re.escape(letter), i + 1
