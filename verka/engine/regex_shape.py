"""The shape of a regular expression in Python syntax: what compiling it expands, and where
matching it can backtrack catastrophically.

FEEL's XPath patterns and form-js's JavaScript patterns are both translated to Python syntax
first, so one reading serves both. The reading is for limits and warnings, not for matching:
it only needs the structure (sequences, alternatives, repeats, single characters), and it
learns what a single character item matches by asking Python's re about sample characters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Counted repeats are unrolled by the matching engine when compiled: `(a{1000}){1000}` is a
# million nodes. A modeller's pattern needs a few hundred at most (`[0-9]{10}`, `.{0,5000}`
# costs 1: only the repeats' minimum is unrolled).
MAX_EXPANSION = 10_000

# An outer repeat that may run more often than this makes ambiguity inside it exponential in
# practice; `(\d{1,3}\.){3}` is fine, `(\w+\s?){1,50}` is not.
_MANY = 10

#: What backtracking_risk finds: a repeat inside a repeat over characters that overlap what
#: follows it (`(a+)+`, `(\\w+\\s?)*`), or repeated alternatives that can match the same text
#: (`(a|a)*`, `(a|aa)+`).
NESTED = "nested"
ALTERNATIVES = "alternatives"

_ZERO_WIDTH_ESCAPES = frozenset("AbBZ")
_CLASS_ESCAPES = frozenset("dDsSwW")
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_QUANTITY = re.compile(r"\{(\d*)(,(\d*))?\}")
_FLAG_GROUP = re.compile(r"\(\?[aiLmsux-]*:")
_SAMPLES = "".join(chr(code) for code in range(0x250)) + (
    "\u0300\u0391\u03b1\u0410\u0434\u05d0\u0627\u0905\u1680\u2000\u2028\u2029\u202f\u205f"
    "\u3000\u4e2d\ufeff\U0001f600"
)


@dataclass(frozen=True)
class Char:
    """One character item: a literal, a class, `.` or a class escape, as written."""

    text: str
    flags: int


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    branches: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    low: int
    high: int | None  # None: no upper bound
    body: Node


@dataclass(frozen=True)
class ZeroWidth:
    """An anchor or a lookaround: it matches no characters."""


@dataclass(frozen=True)
class Backref:
    """A back-reference: any text, as far as the reading knows."""


Node = Char | Seq | Alt | Repeat | ZeroWidth | Backref


class ShapeError(ValueError):
    """The text is not a pattern this reading understands (re would refuse it too)."""


class _Reader:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.pos = 0
        self.flags = flags

    def peek(self) -> str:
        return self.pattern[self.pos] if self.pos < len(self.pattern) else ""

    def alternatives(self) -> Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else Alt(tuple(branches))

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            items.append(self.quantified(atom))
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def quantified(self, atom: Node) -> Node:
        while True:
            char = self.peek()
            if char in ("*", "+", "?"):
                self.pos += 1
                low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
            elif (
                char == "{"
                and (match := _QUANTITY.match(self.pattern, self.pos))
                and (match[1] or match[3])
            ):
                self.pos = match.end()
                low = int(match[1] or 0)
                high = low if match[2] is None else (int(match[3]) if match[3] else None)
            else:
                return atom
            if self.peek() in ("?", "+"):  # lazy or possessive: the same shape
                self.pos += 1
            atom = Repeat(low, high, atom)

    def atom(self) -> Node:
        char = self.peek()
        start = self.pos
        if char == "(":
            return self.group()
        if char == "[":
            self.skip_class()
            return Char(self.pattern[start : self.pos], self.flags)
        if char == "\\":
            return self.escape()
        self.pos += 1
        if char in "^$":
            return ZeroWidth()
        return Char(char, self.flags)

    def group(self) -> Node:
        rest = self.pattern[self.pos :]
        if rest.startswith("(?#"):
            end = self.pattern.find(")", self.pos)
            if end < 0:
                raise ShapeError("unterminated comment")
            self.pos = end + 1
            return ZeroWidth()
        if rest.startswith("(?P="):
            end = self.pattern.find(")", self.pos)
            if end < 0:
                raise ShapeError("unterminated back-reference")
            self.pos = end + 1
            return Backref()
        zero_width = rest.startswith(("(?=", "(?!", "(?<=", "(?<!"))
        if rest.startswith("(?P<"):
            self.pos = self.pattern.index(">", self.pos) + 1
        elif match := _FLAG_GROUP.match(self.pattern, self.pos):
            self.pos = match.end()
        elif zero_width:
            self.pos += 4 if rest.startswith("(?<") else 3
        elif rest.startswith("(?"):
            raise ShapeError(f"unknown group at offset {self.pos}")
        else:
            self.pos += 1
        body = self.alternatives()
        if self.peek() != ")":
            raise ShapeError("missing )")
        self.pos += 1
        return ZeroWidth() if zero_width else body

    def skip_class(self) -> None:
        self.pos += 1
        if self.peek() == "^":
            self.pos += 1
        if self.peek() == "]":
            self.pos += 1
        while self.peek() != "]":
            if self.peek() == "":
                raise ShapeError("unterminated character class")
            self.pos += 2 if self.peek() == "\\" else 1
        self.pos += 1

    def escape(self) -> Node:
        start = self.pos
        self.pos += 1
        letter = self.peek()
        if letter == "":
            raise ShapeError("\\ at the end")
        self.pos += 1
        if letter in _ZERO_WIDTH_ESCAPES:
            return ZeroWidth()
        if letter.isdigit() and letter != "0":
            while self.peek().isdigit():
                self.pos += 1
            return Backref()
        if letter in _HEX_ESCAPES:
            self.pos += _HEX_ESCAPES[letter]
        elif letter == "0":
            while self.peek() in "01234567" and self.pos - start < 4:
                self.pos += 1
        return Char(self.pattern[start : self.pos], self.flags)


@functools.lru_cache(maxsize=512)
def read(pattern: str, flags: int = 0) -> Node:
    """The structure of a Python pattern; ShapeError for text it cannot follow."""
    reader = _Reader(pattern, flags)
    try:
        node = reader.alternatives()
    except (IndexError, ValueError, RecursionError) as error:
        raise ShapeError(str(error) or "nested too deeply") from None
    if reader.pos != len(pattern):
        raise ShapeError(f"unbalanced ) at offset {reader.pos}")
    return node


def expansion(node: Node) -> int:
    """How many nodes compiling unrolls: every counted repeat's minimum, multiplied out."""
    if isinstance(node, Seq | Alt):
        parts = node.items if isinstance(node, Seq) else node.branches
        return sum(expansion(part) for part in parts)
    if isinstance(node, Repeat):
        return expansion(node.body) * max(node.low, 1)
    return 1


# --- catastrophic backtracking -----------------------------------------------------------------

_ESCAPED_CODE = re.compile(r"\\(?:U([0-9a-fA-F]{8})|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")


@functools.lru_cache(maxsize=4096)
def _matched(text: str, flags: int, samples: str) -> frozenset[str]:
    """The sample characters that one character item matches."""
    try:
        single = re.compile(text, flags & ~re.MULTILINE)
    except re.error:
        return frozenset(samples)
    return frozenset(char for char in samples if single.fullmatch(char))


def _fixed(node: Node) -> list[Node] | None:
    """The character items of a part that always matches the same number of characters."""
    if isinstance(node, Char):
        return [node]
    if isinstance(node, ZeroWidth):
        return []
    if isinstance(node, Seq):
        items: list[Node] = []
        for item in node.items:
            fixed = _fixed(item)
            if fixed is None:
                return None
            items += fixed
        return items
    return None


class _Ambiguity:
    """Looks for parts that can split the same text in exponentially many ways."""

    def __init__(self, pattern: str) -> None:
        # Characters the pattern names join the samples, so that `(€+)+` is seen as well.
        named = {
            chr(int("".join(m.groups(default="")), 16)) for m in _ESCAPED_CODE.finditer(pattern)
        }
        self.samples = _SAMPLES + "".join(sorted(named | set(pattern)))

    def chars(self, node: Node) -> frozenset[str]:
        if isinstance(node, Char):
            return _matched(node.text, node.flags, self.samples)
        return self.first(node)[0]

    def first(self, node: Node) -> tuple[frozenset[str], bool]:
        """The characters a match of node can start with, and whether it can match nothing."""
        if isinstance(node, Char):
            return self.chars(node), False
        if isinstance(node, ZeroWidth):
            return frozenset(), True
        if isinstance(node, Backref):
            return frozenset(self.samples), True
        if isinstance(node, Repeat):
            body, empty = self.first(node.body)
            return body, empty or node.low == 0
        if isinstance(node, Alt):
            firsts = [self.first(branch) for branch in node.branches]
            return frozenset().union(*(c for c, _ in firsts)), any(e for _, e in firsts)
        found: frozenset[str] = frozenset()
        for item in node.items:
            more, empty = self.first(item)
            found |= more
            if not empty:
                return found, False
        return found, True

    def conflict(self, one: Node, other: Node, follow: frozenset[str]) -> bool:
        """Whether two alternatives can match the same text (`a|a`), or one the start of the
        other with the rest matched by what follows (`a|aa` repeated)."""
        fixed, more = _fixed(one), _fixed(other)
        if fixed is None or more is None:
            return bool(self.first(one)[0] & self.first(other)[0])
        short, long = sorted((fixed, more), key=len)
        if not all(self.chars(a) & self.chars(b) for a, b in zip(short, long, strict=False)):
            return False
        return len(short) == len(long) or bool(self.chars(long[len(short)]) & follow)

    def find(self, node: Node, follow: frozenset[str], repeated: bool) -> str | None:
        """NESTED or ALTERNATIVES when matching node is ambiguous, else None. follow holds the
        characters that may come right after node; repeated says node lies inside a repeat
        that may run many times, where every ambiguity multiplies."""
        if isinstance(node, Seq):
            after = follow
            for item in reversed(node.items):
                reason = self.find(item, after, repeated)
                if reason:
                    return reason
                chars, empty = self.first(item)
                after = chars | after if empty else chars
            return None
        if isinstance(node, Alt):
            branches = node.branches
            if repeated and any(
                self.conflict(a, b, follow)
                for i, a in enumerate(branches)
                for b in branches[i + 1 :]
            ):
                return ALTERNATIVES
            for branch in branches:
                reason = self.find(branch, follow, repeated)
                if reason:
                    return reason
            return None
        if isinstance(node, Repeat):
            chars, _ = self.first(node.body)
            may_repeat = node.high is None or node.high > 1
            if repeated and may_repeat and chars & follow:
                return NESTED
            many = node.high is None or node.high > _MANY
            inner_follow = chars | follow if may_repeat else follow
            return self.find(node.body, inner_follow, repeated or (many and may_repeat))
        return None


def backtracking_risk(pattern: str, flags: int = 0) -> str | None:
    """NESTED or ALTERNATIVES when a Python pattern can take exponential time on some input,
    None when it cannot as far as this reading sees. A warning, not a proof: it may miss
    ambiguity hidden behind lookaround or back-references, and may flag a pattern whose
    overlap never happens in practice."""
    try:
        return _Ambiguity(pattern).find(read(pattern, flags), frozenset(), False)
    except (ShapeError, RecursionError):
        return None
