"""XML Schema / XPath regular expressions (as FEEL's matches, replace and split use).

A pattern is translated to Python's syntax, checked by re (whose messages name the problem) and
compiled for matching by the regex library within a time budget (see engine.bounded_regex).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Callable

import regex

from verka.engine.bounded_regex import PatternTooLarge, compile_bounded
from verka.engine.feel.builtins.core import BuiltinError

_FLAGS = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE, "x": 0, "q": 0}
_SINGLE_ESCAPES = set("nrt\\|.?*+(){}-[]^$")
_CONTROL = {"n": "\n", "r": "\r", "t": "\t"}
_XML_NAME_START = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_XML_NAME = _XML_NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
# Unicode blocks that \p{IsName} may name; the common ones, by XML Schema's spelling.
_BLOCKS = {
    "BasicLatin": (0x0000, 0x007F),
    "Latin-1Supplement": (0x0080, 0x00FF),
    "LatinExtended-A": (0x0100, 0x017F),
    "LatinExtended-B": (0x0180, 0x024F),
    "IPAExtensions": (0x0250, 0x02AF),
    "Greek": (0x0370, 0x03FF),
    "GreekandCoptic": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "Armenian": (0x0530, 0x058F),
    "Hebrew": (0x0590, 0x05FF),
    "Arabic": (0x0600, 0x06FF),
    "Devanagari": (0x0900, 0x097F),
    "Thai": (0x0E00, 0x0E7F),
    "LatinExtendedAdditional": (0x1E00, 0x1EFF),
    "GreekExtended": (0x1F00, 0x1FFF),
    "GeneralPunctuation": (0x2000, 0x206F),
    "CurrencySymbols": (0x20A0, 0x20CF),
    "LetterlikeSymbols": (0x2100, 0x214F),
    "Arrows": (0x2190, 0x21FF),
    "MathematicalOperators": (0x2200, 0x22FF),
    "BoxDrawing": (0x2500, 0x257F),
    "Hiragana": (0x3040, 0x309F),
    "Katakana": (0x30A0, 0x30FF),
    "CJKUnifiedIdeographs": (0x4E00, 0x9FFF),
    "HangulSyllables": (0xAC00, 0xD7AF),
    "PrivateUse": (0xE000, 0xF8FF),
    "AlphabeticPresentationForms": (0xFB00, 0xFB4F),
    "Specials": (0xFFF0, 0xFFFF),
}
_CATEGORIES = {
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp",
    "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn",
}  # fmt: skip


def _char(code: int) -> str:
    """One code point written so that it is literal anywhere in a Python pattern."""
    char = chr(code)
    if char.isalnum() and code < 128:
        return char
    return f"\\U{code:08x}"


@functools.cache
def _category_ranges() -> dict[str, list[tuple[int, int]]]:
    """Code point ranges of every two-letter Unicode general category, in one pass."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for code in range(sys.maxunicode + 1):
        found = ranges.setdefault(unicodedata.category(chr(code)), [])
        if found and found[-1][1] == code - 1:
            found[-1] = (found[-1][0], code)
        else:
            found.append((code, code))
    return ranges


@functools.cache
def _category_set(category: str) -> str:
    """The code points of a Unicode general category as the inside of a Python class."""
    parts = []
    for name, ranges in _category_ranges().items():
        if name.startswith(category):
            parts += [_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in ranges]
    return "".join(parts)


class _ClassSet:
    """A character set being built: parts for `[...]` plus complemented parts for `[^...]`."""

    def __init__(self) -> None:
        self.inside: list[str] = []
        self.complements: list[str] = []

    def add(self, other: _ClassSet) -> None:
        self.inside += other.inside
        self.complements += other.complements

    def expression(self) -> str:
        alternatives = []
        if self.inside:
            alternatives.append("[" + "".join(self.inside) + "]")
        alternatives += ["[^" + part + "]" for part in self.complements]
        if not alternatives:
            return "(?!)"
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"


def _simple(inside: str = "", complement: str = "") -> _ClassSet:
    result = _ClassSet()
    if inside:
        result.inside.append(inside)
    if complement:
        result.complements.append(complement)
    return result


class _Translator:
    """Walks an XSD/XPath pattern and writes the equivalent Python pattern."""

    def __init__(self, pattern: str, dot_all: bool, multiline: bool) -> None:
        self.pattern = pattern
        self.pos = 0
        self.dot_all = dot_all
        self.multiline = multiline
        self.groups_opened = 0
        self.groups_closed: set[int] = set()
        self.open_groups: list[int | None] = []

    def fail(self, expected: str) -> BuiltinError:
        return BuiltinError(
            f"invalid regular expression {self.pattern!r} at offset {self.pos}: {expected}"
        )

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.pattern[index] if index < len(self.pattern) else ""

    def translate(self) -> str:
        out: list[str] = []
        while self.pos < len(self.pattern):
            char = self.peek()
            if char == "\\":
                out.append(self.escape_outside())
            elif char == "[":
                out.append(self.char_class().expression())
            elif char == "(":
                out.append(self.open_group())
            elif char == ")":
                if not self.open_groups:
                    raise self.fail("unbalanced ')'")
                number = self.open_groups.pop()
                if number is not None:
                    self.groups_closed.add(number)
                self.pos += 1
                out.append(")")
            elif char in "?*+":
                self.pos += 1
                out.append(char + self.lazy_suffix())
            elif char == "{":
                out.append(self.quantity())
            elif char in "}]":
                raise self.fail(f"'{char}' must be escaped")
            elif char == ".":
                self.pos += 1
                out.append("." if self.dot_all else "[^\\n\\r]")
            elif char == "$":
                self.pos += 1
                out.append("$" if self.multiline else "(?!(?s:.))")
            elif char in "^|":
                self.pos += 1
                out.append(char)
            else:
                self.pos += 1
                out.append(re.escape(char))
        if self.open_groups:
            raise self.fail("')' to close a group")
        return "".join(out)

    def lazy_suffix(self) -> str:
        if self.peek() == "?":
            self.pos += 1
            return "?"
        if self.peek() == "+":
            raise self.fail("a quantifier may not be followed by '+'")
        return ""

    def quantity(self) -> str:
        match = re.compile(r"\{(\d+)(,(\d*))?\}").match(self.pattern, self.pos)
        if match is None:
            raise self.fail("a quantifier {n}, {n,} or {n,m}")
        if match[3] and int(match[3]) < int(match[1]):
            raise self.fail("a quantifier {n,m} with n <= m")
        self.pos = match.end()
        return match[0] + self.lazy_suffix()

    def open_group(self) -> str:
        self.pos += 1
        if self.peek() == "?":
            if self.peek(1) != ":":
                raise self.fail("'(?:' is the only group extension XPath allows")
            self.pos += 2
            self.open_groups.append(None)
            return "(?:"
        self.groups_opened += 1
        self.open_groups.append(self.groups_opened)
        return "("

    def escape_outside(self) -> str:
        self.pos += 1
        char = self.peek()
        if char.isdigit() and char != "0":
            number = int(char)
            self.pos += 1
            while self.peek().isdigit() and int(f"{number}{self.peek()}") in self.groups_closed:
                number = int(f"{number}{self.peek()}")
                self.pos += 1
            if number not in self.groups_closed:
                raise self.fail(f"back-reference \\{number} to a group closed before it")
            return f"(?:\\{number})"
        if char in _SINGLE_ESCAPES:
            self.pos += 1
            return re.escape(_CONTROL.get(char, char))
        return self.multi_escape().expression()

    def multi_escape(self) -> _ClassSet:
        """The set of \\s \\d \\w \\i \\c \\p{..} and their complements, pos after the letter."""
        char = self.peek()
        if char == "":
            raise self.fail("a character after '\\'")
        self.pos += 1
        if char in "pP":
            inside = self.property_set()
            return _simple(inside) if char == "p" else _simple(complement=inside)
        sets: dict[str, Callable[[], str]] = {
            "s": lambda: " \\t\\n\\r",
            "d": lambda: "\\d",  # Python's \d on str is Unicode Nd, as in XSD
            "i": lambda: _XML_NAME_START,
            "c": lambda: _XML_NAME,
        }
        if char.lower() in sets:
            inside = sets[char.lower()]()
            return _simple(inside) if char.islower() else _simple(complement=inside)
        if char in "wW":
            # XSD \w is everything but punctuation, separators and others.
            other = _category_set("P") + _category_set("Z") + _category_set("C")
            return _simple(complement=other) if char == "w" else _simple(other)
        self.pos -= 1
        raise self.fail(f"a valid escape, not '\\{char}'")

    def property_set(self) -> str:
        match = re.compile(r"\{([A-Za-z0-9\-]+)\}").match(self.pattern, self.pos)
        if match is None:
            raise self.fail("a property name in braces after \\p")
        self.pos = match.end()
        name = match[1]
        if name in _CATEGORIES:
            return _category_set(name)
        if name.startswith("Is") and name[2:] in _BLOCKS:
            start, end = _BLOCKS[name[2:]]
            return f"{_char(start)}-{_char(end)}"
        raise self.fail(f"a known Unicode category or block, not {name!r}")

    def char_class(self) -> _ClassSet:
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        result = _ClassSet()
        first = True
        while True:
            char = self.peek()
            if char == "":
                raise self.fail("']' to close the character class")
            if char == "]" and not first:
                self.pos += 1
                break
            if char == "-" and self.peek(1) == "[" and not first:
                self.pos += 1
                subtracted = self.char_class()
                if self.peek() != "]":
                    raise self.fail("']' right after a class subtraction")
                self.pos += 1
                base = result.expression() if not negated else _negate(result)
                return _Expression(f"(?:(?!{subtracted.expression()}){base})")
            if char == "[":
                raise self.fail("'[' must be escaped inside a character class")
            result.add(self.class_item(first))
            first = False
        if negated:
            return _Expression(_negate(result))
        return result

    def class_item(self, first: bool) -> _ClassSet:
        start = self.class_char()
        if isinstance(start, _ClassSet):
            return start
        if self.peek() == "-" and self.peek(1) not in ("]", "["):
            self.pos += 1
            end = self.class_char()
            if isinstance(end, _ClassSet) or ord(end) < ord(start):
                raise self.fail("a character range a-b with a <= b")
            return _simple(f"{_char(ord(start))}-{_char(ord(end))}")
        if start == "-" and not first and self.peek() != "]":
            raise self.fail("'-' only at the start or end of a character class")
        return _simple(_char(ord(start)))

    def class_char(self) -> str | _ClassSet:
        char = self.peek()
        if char == "":
            raise self.fail("']' to close the character class")
        self.pos += 1
        if char != "\\":
            return char
        escaped = self.peek()
        if escaped in _SINGLE_ESCAPES:
            self.pos += 1
            return _CONTROL.get(escaped, escaped)
        return self.multi_escape()


class _Expression(_ClassSet):
    """A set already written as a full expression (negation or subtraction)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def expression(self) -> str:
        return self.text


def _negate(result: _ClassSet) -> str:
    """Any one character not in the set."""
    if not isinstance(result, _Expression) and result.inside and not result.complements:
        return "[^" + "".join(result.inside) + "]"
    return f"(?:(?!{result.expression()})(?s:.))"


def _strip_whitespace(pattern: str) -> str:
    """The x flag: drop whitespace except inside character classes."""
    out = []
    depth = 0
    escaped = False
    for char in pattern:
        if escaped:
            if char in " \t\n\r":
                continue
            out.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char in " \t\n\r" and depth == 0:
            continue
        out.append(char)
    return "".join(out)


def translate_pattern(pattern: str, flags: str = "") -> tuple[str, int]:
    """The Python spelling of an XPath pattern and its re flags, checked by re; BuiltinError
    when the pattern or the flags are invalid."""
    python_flags = 0
    for flag in flags:
        if flag not in _FLAGS:
            raise BuiltinError(f"unknown regular expression flag {flag!r} (use s, m, i, x, q)")
        python_flags |= _FLAGS[flag]
    if "q" in flags:
        translated = re.escape(pattern)
    else:
        if "x" in flags:
            pattern = _strip_whitespace(pattern)
        translated = _Translator(pattern, "s" in flags, "m" in flags).translate()
    try:
        re.compile(translated, python_flags)
    except (re.error, OverflowError, RecursionError) as error:
        raise BuiltinError(f"invalid regular expression {pattern!r}: {error}") from None
    return translated, python_flags


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str, flags: str = "") -> regex.Pattern[str]:
    """The compiled pattern for an XPath pattern and flags; BuiltinError when either is invalid."""
    translated, python_flags = translate_pattern(pattern, flags)
    try:
        return compile_bounded(translated, python_flags)
    except (regex.error, OverflowError, RecursionError) as error:
        raise BuiltinError(f"invalid regular expression {pattern!r}: {error}") from None
    except PatternTooLarge as error:
        raise BuiltinError(f"regular expression {pattern!r} repeats too much: {error}") from None


@functools.lru_cache(maxsize=256)
def matches_empty(pattern: str, flags: str = "") -> bool:
    """Whether the pattern matches the empty string (replace and split refuse such patterns).

    Matching empty text needs no budget: with no characters to try there is nothing to
    backtrack over.
    """
    return compile_pattern(pattern, flags).search("") is not None


def replacer(replacement: str, literal: bool, groups: int) -> Callable[[regex.Match[str]], str]:
    """The XPath replacement string ($n refers to groups, \\$ and \\\\ escape) as a function."""
    if literal:
        return lambda match: replacement
    parts: list[str | int] = []
    pos = 0
    while pos < len(replacement):
        char = replacement[pos]
        if char == "\\":
            if pos + 1 >= len(replacement) or replacement[pos + 1] not in "\\$":
                raise BuiltinError("'\\' in a replacement must be followed by '\\' or '$'")
            parts.append(replacement[pos + 1])
            pos += 2
        elif char == "$":
            pos += 1
            if pos >= len(replacement) or not replacement[pos].isdigit():
                raise BuiltinError("'$' in a replacement must be followed by a group number")
            number = int(replacement[pos])
            pos += 1
            while pos < len(replacement) and replacement[pos].isdigit():
                longer = number * 10 + int(replacement[pos])
                if longer > groups:
                    break
                number = longer
                pos += 1
            parts.append(number)
        else:
            parts.append(char)
            pos += 1

    def substitute(match: regex.Match[str]) -> str:
        text = []
        for part in parts:
            if isinstance(part, int):
                text.append((match.group(part) or "") if part <= groups else "")
            else:
                text.append(part)
        return "".join(text)

    return substitute
