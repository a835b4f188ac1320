"""FEEL lexer: turns expression text into tokens with their source offsets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from verka.engine.feel.errors import FeelSyntaxError


class Kind(Enum):
    NAME = "name"
    QUOTED_NAME = "quoted name"  # `any text`: a Camunda FEEL extension for names
    NUMBER = "number"
    STRING = "string"
    TEMPORAL = "temporal literal"
    OP = "symbol"
    EOF = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the source text (for STRING/TEMPORAL: the decoded string value)
    offset: int
    end: int

    def describe(self) -> str:
        if self.kind is Kind.EOF:
            return "end of input"
        if self.kind is Kind.STRING:
            return "a string"
        return f"'{self.text}'"


# Longest first, so that "**" wins over "*" and "..." never splits a range.
_SYMBOLS = (
    "**",
    "..",
    "<=",
    ">=",
    "!=",
    "->",
    "=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
)

_DIGITS = frozenset("0123456789")

# Operators that people bring from other languages, with what FEEL writes instead.
_OTHER_LANGUAGES = (("==", "'=' to compare"), ("&&", "'and'"), ("||", "'or'"))
_OTHER_CHARACTERS = {"!": "'!=' or not(...)", "'": "a string in double quotes"}

_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def is_name_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_" or (ord(ch) > 127 and not ch.isspace() and ch.isprintable())


def is_name_part(ch: str) -> bool:
    # The apostrophe is one of the spec's additional name symbols ("Employee's age") and has no
    # other meaning in FEEL, so the lexer keeps it inside names.
    return ch.isalnum() or ch == "_" or ch == "'" or (ord(ch) > 127 and not ch.isspace())


def tokenize(text: str) -> list[Token]:
    """Split FEEL text into tokens, ending with an EOF token; comments and whitespace vanish."""
    tokens: list[Token] = []
    append = tokens.append
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "\u200b":
            i += 1
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "/":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        if ch == "/" and i + 1 < n and text[i + 1] == "*":
            close = text.find("*/", i + 2)
            if close < 0:
                raise FeelSyntaxError(text, i, "unterminated comment", "'*/' to close it")
            i = close + 2
            continue
        if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            start = i
            while i < n and text[i] in _DIGITS:
                i += 1
            if i + 1 < n and text[i] == "." and text[i + 1] in _DIGITS:
                i += 1
                while i < n and text[i] in _DIGITS:
                    i += 1
            exponent = _exponent_length(text, i)
            i += exponent
            append(Token(Kind.NUMBER, text[start:i], start, i))
            continue
        if ch == '"':
            value, end = _read_string(text, i)
            append(Token(Kind.STRING, value, i, end))
            i = end
            continue
        if ch == "@":
            if i + 1 < n and text[i + 1] == '"':
                value, end = _read_string(text, i + 1)
                append(Token(Kind.TEMPORAL, value, i, end))
                i = end
                continue
            raise FeelSyntaxError(text, i + 1, "'@' must be followed by a string", "'\"'")
        if ch == "`":
            close = text.find("`", i + 1)
            if close < 0 or close == i + 1:
                raise FeelSyntaxError(text, i, "unterminated quoted name", "a closing '`'")
            append(Token(Kind.QUOTED_NAME, text[i + 1 : close], i, close + 1))
            i = close + 1
            continue
        if ch == "?":
            append(Token(Kind.NAME, "?", i, i + 1))
            i += 1
            continue
        if is_name_start(ch):
            start = i
            i += 1
            while i < n and is_name_part(text[i]):
                i += 1
            append(Token(Kind.NAME, text[start:i], start, i))
            continue
        for habit, advice in _OTHER_LANGUAGES:
            if text.startswith(habit, i):
                raise FeelSyntaxError(text, i, f"'{habit}' is not FEEL", advice)
        for symbol in _SYMBOLS:
            if text.startswith(symbol, i):
                append(Token(Kind.OP, symbol, i, i + len(symbol)))
                i += len(symbol)
                break
        else:
            if ch in _OTHER_CHARACTERS:
                raise FeelSyntaxError(text, i, f"'{ch}' is not FEEL", _OTHER_CHARACTERS[ch])
            raise FeelSyntaxError(text, i, f"unexpected character {ch!r}", "an expression")
    append(Token(Kind.EOF, "", n, n))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Decode the string literal whose opening quote is at start; returns (value, end offset)."""
    parts: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return _join_surrogates("".join(parts)), i + 1
        if ch == "\\":
            if i + 1 >= n:
                break
            code = text[i + 1]
            if code in _ESCAPES:
                parts.append(_ESCAPES[code])
                i += 2
                continue
            if code in "uU":
                digits = 4 if code == "u" else 6
                hex_text = text[i + 2 : i + 2 + digits]
                if len(hex_text) != digits or not all(
                    c in "0123456789abcdefABCDEF" for c in hex_text
                ):
                    raise FeelSyntaxError(
                        text, i, "invalid unicode escape", f"{digits} hex digits after '\\{code}'"
                    )
                point = int(hex_text, 16)
                if point > 0x10FFFF:
                    raise FeelSyntaxError(text, i, "unicode escape out of range", "at most 10FFFF")
                parts.append(chr(point))
                i += 2 + digits
                continue
            # Any other backslash stays in the string, as regular expressions need ("\\d").
            parts.append("\\" + code)
            i += 2
            continue
        parts.append(ch)
        i += 1
    raise FeelSyntaxError(text, start, "unterminated string", "a closing '\"'")


def _exponent_length(text: str, i: int) -> int:
    """Length of an exponent such as `e-4` at offset i, or 0 when there is none."""
    if i >= len(text) or text[i] not in "eE":
        return 0
    k = i + 1
    if k < len(text) and text[k] in "+-":
        k += 1
    if k < len(text) and text[k] in _DIGITS:
        while k < len(text) and text[k] in _DIGITS:
            k += 1
        return k - i
    return 0


def _join_surrogates(value: str) -> str:
    """Combine \\uD83D\\uDC0E-style surrogate pairs into one code point."""
    if not any("\ud800" <= c <= "\udfff" for c in value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
