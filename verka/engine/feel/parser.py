"""FEEL parser: recursive descent over the lexer's tokens, producing the syntax tree in ast.py."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from decimal import Decimal

from verka.engine.feel import ast
from verka.engine.feel.errors import FeelSyntaxError
from verka.engine.feel.lexer import Kind, Token, tokenize
from verka.engine.feel.values import NUMBER_CONTEXT

# Words that end a multi-word name because they have a meaning of their own in FEEL.
KEYWORDS = frozenset(
    {
        "and",
        "or",
        "if",
        "then",
        "else",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "between",
        "instance",
        "of",
        "function",
        "external",
        "true",
        "false",
        "null",
    }
)

# Words that end a multi-word name: the operators and clause words that may follow a name.
# Words such as `for`, `if` or `of` cannot follow a name, so they may be part of one
# ("Amount for tax", "date of birth"); `instance` ends a name only when `of` follows.
_NAME_STOPS = frozenset({"and", "or", "in", "between", "then", "else", "return", "satisfies"})

# Built-in names that contain a keyword, so that they parse even before the library loads.
_STANDARD_NAMES = ("date and time", "years and months duration", "index of", "get or else")

_TYPE_NAMES = ("date and time", "years and months duration", "days and time duration")

_NOT_NAME_PARTS = frozenset({Kind.EOF, Kind.STRING, Kind.TEMPORAL, Kind.QUOTED_NAME})
_COMPARISON_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_NAME_SYMBOLS = frozenset({".", "/", "-", "+", "*"})

# A pattern is the token texts of a multi-token name and, per token, whether space precedes it.
Pattern = tuple[tuple[str, ...], tuple[bool, ...], str]
NameIndex = dict[str, list[Pattern]]


@functools.lru_cache(maxsize=16384)
def name_pattern(name: str) -> Pattern | None:
    """How a name looks as tokens; None for names that are one token (they need no matching)."""
    try:
        tokens = tokenize(name)[:-1]
    except FeelSyntaxError:
        return None
    if len(tokens) < 2 or any(t.kind in _NOT_NAME_PARTS for t in tokens):
        return None
    gaps = tuple([False] + [tokens[k].offset > tokens[k - 1].end for k in range(1, len(tokens))])
    return tuple(t.text for t in tokens), gaps, name


def build_name_index(names: Iterable[str]) -> NameIndex:
    index: NameIndex = {}
    for name in names:
        pattern = name_pattern(name)
        if pattern is not None:
            index.setdefault(pattern[0][0], []).append(pattern)
    for patterns in index.values():
        patterns.sort(key=lambda p: -len(p[0]))
    return index


_builtin_index: NameIndex | None = None


def builtin_name_index() -> NameIndex:
    """Index of the built-in function names (loaded from the library once it is importable)."""
    global _builtin_index
    if _builtin_index is not None:
        return _builtin_index
    names = set(_STANDARD_NAMES)
    try:
        builtins = importlib.import_module("verka.engine.feel.builtins")
        library = getattr(builtins, "BUILTINS", None)
    except ImportError:
        library = None
    if library is None:
        # Not cached: the library may still be importing (and parsing FEEL while it does).
        return build_name_index(names)
    names.update(str(n) for n in library)
    _builtin_index = build_name_index(names)
    return _builtin_index


class Parser:
    """Parses one text; `known_names` resolves names with spaces and operator characters."""

    def __init__(self, text: str, known_names: Iterable[str] = ()) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.pos = 0
        self.indexes = [build_name_index(known_names), builtin_name_index()]
        self.scoped: list[Pattern] = []
        # True while parsing a range's end point, where `[` closes the range (`]1..10[`).
        self.in_range_end = False

    # ---- entry points -------------------------------------------------------------------

    def parse_expression_text(self) -> ast.Node:
        node = self.expression()
        self.expect_end()
        return node

    def parse_unary_tests_text(self) -> ast.UnaryTestsNode:
        first = self.peek()
        if first.kind is Kind.OP and first.text == "-" and self.peek(1).kind is Kind.EOF:
            self.pos += 1
            return ast.UnaryTestsNode(first.offset, (), False, True)
        if first.kind is Kind.EOF:
            raise self.error(first, "empty unary tests", "'-' or a test such as '< 10'")
        if self.is_word(first, "not") and self.is_op(self.peek(1), "("):
            closing = self.matching_paren(self.pos + 1)
            if closing is not None and self.tokens[closing + 1].kind is Kind.EOF:
                self.pos += 2
                tests = self.positive_tests()
                self.expect_op(")", "')' to close 'not('")
                self.expect_end()
                return ast.UnaryTestsNode(first.offset, tests, True, False)
        tests = self.positive_tests()
        self.expect_end()
        return ast.UnaryTestsNode(first.offset, tests, False, False)

    def positive_tests(self) -> tuple[ast.Node, ...]:
        tests = [self.positive_test(full=True)]
        while self.is_op(self.peek(), ","):
            self.pos += 1
            tests.append(self.positive_test(full=True))
        return tuple(tests)

    def positive_test(self, full: bool) -> ast.Node:
        token = self.peek()
        if token.kind is Kind.OP and token.text in _COMPARISON_OPERATORS:
            self.pos += 1
            return ast.UnaryComparison(token.offset, token.text, self.additive())
        return self.expression() if full else self.additive()

    # ---- token helpers ------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        index = self.pos + ahead
        if index >= len(self.tokens):
            return self.tokens[-1]
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind is not Kind.EOF:
            self.pos += 1
        return token

    @staticmethod
    def is_op(token: Token, text: str) -> bool:
        return token.kind is Kind.OP and token.text == text

    @staticmethod
    def is_word(token: Token, text: str) -> bool:
        return token.kind is Kind.NAME and token.text == text

    def error(self, token: Token, problem: str, expected: str) -> FeelSyntaxError:
        return FeelSyntaxError(self.text, token.offset, problem, expected)

    def unexpected(self, token: Token, expected: str) -> FeelSyntaxError:
        return self.error(token, f"unexpected {token.describe()}", expected)

    def expect_op(self, text: str, expected: str) -> Token:
        token = self.peek()
        if not self.is_op(token, text):
            raise self.unexpected(token, expected)
        return self.advance()

    def expect_word(self, text: str, expected: str) -> Token:
        token = self.peek()
        if not self.is_word(token, text):
            raise self.unexpected(token, expected)
        return self.advance()

    def expect_end(self) -> None:
        token = self.peek()
        if token.kind is not Kind.EOF:
            raise self.unexpected(token, "an operator or the end of the expression")

    def matching_paren(self, index: int) -> int | None:
        depth = 0
        for k in range(index, len(self.tokens)):
            token = self.tokens[k]
            if token.kind is Kind.OP and token.text in "([{":
                depth += 1
            elif token.kind is Kind.OP and token.text in ")]}":
                depth -= 1
                if depth == 0:
                    return k
        return None

    # ---- names --------------------------------------------------------------------------

    def match_known_name(self) -> tuple[str, int] | None:
        """The longest known name starting at the current token, and its token count."""
        first = self.peek().text
        best: Pattern | None = None
        candidates: list[Pattern] = [p for p in self.scoped if p[0][0] == first]
        for index in self.indexes:
            candidates.extend(index.get(first, ()))
        for pattern in candidates:
            if (best is None or len(pattern[0]) > len(best[0])) and self.pattern_matches(pattern):
                best = pattern
        if best is None:
            return None
        return best[2], len(best[0])

    def pattern_matches(self, pattern: Pattern) -> bool:
        texts, gaps, _ = pattern
        for k in range(1, len(texts)):
            token = self.peek(k)
            previous = self.peek(k - 1)
            if token.kind in _NOT_NAME_PARTS or token.text != texts[k]:
                return False
            if (token.offset > previous.end) != gaps[k]:
                return False
        return True

    def plain_name(self, what: str, allow_keywords: bool = False) -> str:
        """A name made of adjacent words (`Monthly Salary`), as in declarations and paths."""
        token = self.peek()
        if token.kind is Kind.QUOTED_NAME:
            return self.advance().text
        if token.kind is not Kind.NAME or (token.text in KEYWORDS and not allow_keywords):
            raise self.unexpected(token, what)
        words = [self.advance().text]
        while True:
            token = self.peek()
            is_word = (
                token.kind is Kind.NAME
                and token.text not in _NAME_STOPS
                and token.text != "?"
                and not (token.text == "instance" and self.is_word(self.peek(1), "of"))
            )
            if is_word or (token.kind is Kind.NUMBER and token.text.isdigit()):
                words.append(self.advance().text)
            else:
                return " ".join(words)

    def declare(self, name: str) -> None:
        pattern = name_pattern(name)
        if pattern is not None:
            self.scoped.append(pattern)

    def name_reference(self) -> ast.Name:
        token = self.peek()
        known = self.match_known_name()
        if known is not None:
            self.pos += known[1]
            return ast.Name(token.offset, known[0])
        if token.text == "?":
            self.pos += 1
            return ast.Name(token.offset, "?")
        return ast.Name(token.offset, self.plain_name("a name"))

    def entry_key(self, what: str) -> str:
        """A context entry key: a string literal or a name, up to the ':'."""
        token = self.peek()
        if token.kind in (Kind.STRING, Kind.QUOTED_NAME):
            self.advance()
            return token.text
        if token.kind is not Kind.NAME:
            raise self.unexpected(token, what)
        start = token.offset
        end = self.advance().end
        while True:
            token = self.peek()
            if token.kind in (Kind.NAME, Kind.NUMBER) or (
                token.kind is Kind.OP and token.text in _NAME_SYMBOLS
            ):
                end = self.advance().end
            else:
                break
        return " ".join(self.text[start:end].split())

    # ---- expressions, lowest precedence first ------------------------------------------

    def expression(self) -> ast.Node:
        left = self.conjunction()
        while self.is_word(self.peek(), "or"):
            token = self.advance()
            left = ast.Or(token.offset, left, self.conjunction())
        return left

    def conjunction(self) -> ast.Node:
        left = self.comparison()
        while self.is_word(self.peek(), "and"):
            token = self.advance()
            left = ast.And(token.offset, left, self.comparison())
        return left

    def comparison(self) -> ast.Node:
        left = self.additive()
        while True:
            token = self.peek()
            if token.kind is Kind.OP and token.text in _COMPARISON_OPERATORS:
                self.advance()
                left = ast.Comparison(token.offset, token.text, left, self.additive())
            elif self.is_word(token, "between"):
                self.advance()
                low = self.additive()
                self.expect_word("and", "'and' between the two bounds of 'between'")
                left = ast.Between(token.offset, left, low, self.additive())
            elif self.is_word(token, "in"):
                self.advance()
                left = ast.In(token.offset, left, self.in_tests())
            elif self.is_word(token, "instance") and self.is_word(self.peek(1), "of"):
                self.pos += 2
                left = ast.InstanceOf(token.offset, left, self.type_ref())
            else:
                return left

    def in_tests(self) -> tuple[ast.Node, ...]:
        if not self.is_op(self.peek(), "("):
            return (self.positive_test(full=False),)
        # `x in (1, 2)`, `x in (1..5]` and `x in (a) * 2` all start alike; parse once and decide
        # by what follows the first test (no backtracking, so parsing stays linear).
        opening = self.advance()
        first = self.nested(lambda: self.positive_test(full=True))
        plain = not isinstance(first, ast.UnaryComparison)
        if plain and self.is_op(self.peek(), ".."):
            bounded = self.nested(lambda: self.range_rest(opening, first, False))
            return (self.additive(bounded),)
        tests = [first]
        while self.is_op(self.peek(), ","):
            self.advance()
            tests.append(self.nested(lambda: self.positive_test(full=True)))
        self.expect_op(")", "',' or ')' in the list of tests after 'in'")
        if plain and len(tests) == 1 and self.continues_operand():
            return (self.additive(first),)
        return tuple(tests)

    def continues_operand(self) -> bool:
        token = self.peek()
        return token.kind is Kind.OP and token.text in {"+", "-", "*", "/", "**", ".", "[", "("}

    # `seed` is an operand already parsed (by `in`), to continue the expression from.

    def additive(self, seed: ast.Node | None = None) -> ast.Node:
        left = self.multiplicative(seed)
        while True:
            token = self.peek()
            if token.kind is Kind.OP and token.text in ("+", "-"):
                self.advance()
                left = ast.Arithmetic(token.offset, token.text, left, self.multiplicative())
            else:
                return left

    def multiplicative(self, seed: ast.Node | None = None) -> ast.Node:
        left = self.power(seed)
        while True:
            token = self.peek()
            if token.kind is Kind.OP and token.text in ("*", "/"):
                self.advance()
                left = ast.Arithmetic(token.offset, token.text, left, self.power())
            else:
                return left

    def power(self, seed: ast.Node | None = None) -> ast.Node:
        # `**` is left associative and binds looser than unary minus: -3 ** 2 = 9 (DMN TCK 0075).
        left = self.unary() if seed is None else self.postfix(seed)
        while self.is_op(self.peek(), "**"):
            token = self.advance()
            left = ast.Arithmetic(token.offset, "**", left, self.unary())
        return left

    def unary(self) -> ast.Node:
        token = self.peek()
        if self.is_op(token, "-"):
            self.advance()
            operand = self.unary()
            if isinstance(operand, ast.Literal) and type(operand.value) is Decimal:
                return ast.Literal(token.offset, -operand.value)
            return ast.Negation(token.offset, operand)
        return self.postfix()

    def postfix(self, seed: ast.Node | None = None) -> ast.Node:
        node = self.primary() if seed is None else seed
        while True:
            token = self.peek()
            if self.is_op(token, "[") and not self.in_range_end:
                self.advance()
                condition = self.nested(self.expression)
                self.expect_op("]", "']' to close the filter")
                node = ast.Filter(token.offset, node, condition)
            elif self.is_op(token, "."):
                self.advance()
                node = ast.Path(token.offset, node, self.plain_name("a name after '.'", True))
            elif self.is_op(token, "("):
                self.advance()
                node = self.nested(functools.partial(self.arguments, node, token))
            else:
                return node

    def nested(self, parse: Callable[[], ast.Node]) -> ast.Node:
        saved = self.in_range_end
        self.in_range_end = False
        try:
            return parse()
        finally:
            self.in_range_end = saved

    def arguments(self, function: ast.Node, opening: Token) -> ast.Node:
        if self.is_op(self.peek(), ")"):
            self.advance()
            return ast.Invocation(opening.offset, function, (), None)
        if self.named_argument_ahead():
            named: list[tuple[str, ast.Node]] = []
            while True:
                name = self.plain_name("a parameter name", allow_keywords=True)
                self.expect_op(":", "':' after the parameter name")
                named.append((name, self.expression()))
                if not self.is_op(self.peek(), ","):
                    break
                self.advance()
            self.expect_op(")", "',' or ')' after the argument")
            return ast.Invocation(opening.offset, function, None, tuple(named))
        positional = [self.expression()]
        while self.is_op(self.peek(), ","):
            self.advance()
            positional.append(self.expression())
        self.expect_op(")", "',' or ')' after the argument")
        return ast.Invocation(opening.offset, function, tuple(positional), None)

    def named_argument_ahead(self) -> bool:
        k = 0
        while self.peek(k).kind is Kind.NAME or (k == 0 and self.peek(k).kind is Kind.QUOTED_NAME):
            k += 1
        return k > 0 and self.is_op(self.peek(k), ":")

    def primary(self) -> ast.Node:
        token = self.peek()
        kind = token.kind
        if kind is Kind.NUMBER:
            self.advance()
            # FEEL numbers are 34-digit decimals; longer literals are rounded like results.
            number = NUMBER_CONTEXT.create_decimal(token.text)
            if not number.is_finite():
                raise self.error(token, "number out of range", "a number below 1E+6145")
            return ast.Literal(token.offset, number)
        if kind is Kind.STRING:
            self.advance()
            return ast.Literal(token.offset, token.text)
        if kind is Kind.TEMPORAL:
            self.advance()
            return ast.TemporalLiteral(token.offset, token.text)
        if kind is Kind.NAME:
            return self.word(token)
        if kind is Kind.QUOTED_NAME:
            self.advance()
            return ast.Name(token.offset, token.text)
        if kind is Kind.OP:
            if token.text == "(":
                return self.nested(self.parenthesised)
            if token.text == "[":
                return self.nested(self.bracketed)
            if token.text == "]":
                self.advance()
                return self.nested(lambda: self.range_rest(token, None, False))
            if token.text == "{":
                return self.nested(self.context_literal)
            if token.text in _COMPARISON_OPERATORS:
                # DMN 1.5 range literal such as `< 10` or `(=10)` used as a value.
                self.advance()
                operand = self.additive()
                return ast.UnaryComparison(token.offset, token.text, operand)
        raise self.unexpected(token, "an expression")

    def word(self, token: Token) -> ast.Node:
        text = token.text
        if text in KEYWORDS:
            if text == "true" or text == "false":
                self.advance()
                return ast.Literal(token.offset, text == "true")
            if text == "null":
                self.advance()
                return ast.Literal(token.offset, None)
            if text == "if":
                return self.if_expression()
            if text == "for":
                return self.for_expression()
            if text in ("some", "every"):
                return self.quantified()
            if text == "function":
                return self.function_definition()
            if self.match_known_name() is None:
                raise self.unexpected(token, "an expression")
        return self.name_reference()

    def parenthesised(self) -> ast.Node:
        opening = self.advance()
        inner = self.expression()
        if self.is_op(self.peek(), ".."):
            return self.range_rest(opening, inner, False)
        self.expect_op(")", "')' to close '('")
        return inner

    def bracketed(self) -> ast.Node:
        opening = self.advance()
        if self.is_op(self.peek(), "]"):
            self.advance()
            return ast.ListLiteral(opening.offset, ())
        first = self.expression()
        if self.is_op(self.peek(), ".."):
            return self.range_rest(opening, first, True)
        items = [first]
        while self.is_op(self.peek(), ","):
            self.advance()
            items.append(self.expression())
        self.expect_op("]", "',' or ']' in the list")
        return ast.ListLiteral(opening.offset, tuple(items))

    def range_rest(self, opening: Token, start: ast.Node | None, included: bool) -> ast.Node:
        if start is None:
            start = self.additive()
        self.expect_op("..", "'..' between the range's end points")
        self.in_range_end = True
        end = self.additive()
        self.in_range_end = False
        closing = self.peek()
        if not (closing.kind is Kind.OP and closing.text in ("]", ")", "[")):
            raise self.unexpected(closing, "']', ')' or '[' to close the range")
        self.advance()
        return ast.RangeLiteral(opening.offset, start, end, included, closing.text == "]")

    def context_literal(self) -> ast.Node:
        opening = self.advance()
        entries: list[tuple[str, ast.Node]] = []
        declared = len(self.scoped)
        if not self.is_op(self.peek(), "}"):
            while True:
                key_token = self.peek()
                key = self.entry_key("a context entry name or string")
                if any(key == existing for existing, _ in entries):
                    raise self.error(key_token, f"duplicate context entry '{key}'", "unique keys")
                self.expect_op(":", "':' after the context entry name")
                entries.append((key, self.expression()))
                self.declare(key)
                if not self.is_op(self.peek(), ","):
                    break
                self.advance()
        del self.scoped[declared:]
        self.expect_op("}", "',' or '}' in the context")
        return ast.ContextLiteral(opening.offset, tuple(entries))

    def iterations(self, closing_word: str) -> tuple[ast.Iteration, ...]:
        result: list[ast.Iteration] = []
        while True:
            token = self.peek()
            name = self.plain_name("an iteration variable name")
            self.expect_word("in", "'in' after the iteration variable")
            domain = self.expression()
            end = None
            if self.is_op(self.peek(), ".."):
                self.advance()
                end = self.expression()
            result.append(ast.Iteration(token.offset, name, domain, end))
            self.declare(name)
            if not self.is_op(self.peek(), ","):
                break
            self.advance()
        if not self.is_word(self.peek(), closing_word):
            raise self.unexpected(self.peek(), f"',' or '{closing_word}'")
        self.advance()
        return tuple(result)

    def if_expression(self) -> ast.Node:
        token = self.advance()
        condition = self.expression()
        self.expect_word("then", "'then' after the condition")
        then = self.expression()
        self.expect_word("else", "'else' after the 'then' branch")
        return ast.If(token.offset, condition, then, self.expression())

    def for_expression(self) -> ast.Node:
        token = self.advance()
        declared = len(self.scoped)
        iterations = self.iterations("return")
        body = self.expression()
        del self.scoped[declared:]
        return ast.For(token.offset, iterations, body)

    def quantified(self) -> ast.Node:
        token = self.advance()
        declared = len(self.scoped)
        iterations = self.iterations("satisfies")
        condition = self.expression()
        del self.scoped[declared:]
        return ast.Quantified(token.offset, token.text == "every", iterations, condition)

    def function_definition(self) -> ast.Node:
        token = self.advance()
        self.expect_op("(", "'(' after 'function'")
        parameters: list[ast.Parameter] = []
        declared = len(self.scoped)
        if not self.is_op(self.peek(), ")"):
            while True:
                start = self.peek()
                name = self.plain_name("a parameter name")
                type_ref = None
                if self.is_op(self.peek(), ":"):
                    self.advance()
                    type_ref = self.type_ref()
                parameters.append(ast.Parameter(start.offset, name, type_ref))
                self.declare(name)
                if not self.is_op(self.peek(), ","):
                    break
                self.advance()
        self.expect_op(")", "',' or ')' after the parameter")
        external = self.is_word(self.peek(), "external")
        if external:
            self.advance()
        body = self.expression()
        del self.scoped[declared:]
        return ast.FunctionDefinition(token.offset, tuple(parameters), body, external)

    # ---- types --------------------------------------------------------------------------

    def type_ref(self) -> ast.TypeRef:
        token = self.peek()
        if token.kind is not Kind.NAME:
            raise self.unexpected(token, "a type name")
        generic = token.text in ("list", "range", "context", "function")
        if generic and self.is_op(self.peek(1), "<"):
            self.pos += 2
            if token.text == "context":
                return self.context_type(token)
            if token.text == "function":
                return self.function_type(token)
            element = self.type_ref()
            self.expect_op(">", f"'>' to close '{token.text}<'")
            return ast.TypeRef(token.offset, token.text, token.text, (element,), ())
        for type_name in _TYPE_NAMES:
            pattern = name_pattern(type_name)
            if (
                pattern is not None
                and token.text == pattern[0][0]
                and self.pattern_matches(pattern)
            ):
                self.pos += len(pattern[0])
                return ast.TypeRef(token.offset, "named", type_name, (), ())
        parts = [self.plain_name("a type name", allow_keywords=True)]
        while self.is_op(self.peek(), ".") and self.peek(1).kind is Kind.NAME:
            self.advance()
            parts.append(self.plain_name("a type name", allow_keywords=True))
        return ast.TypeRef(token.offset, "named", ".".join(parts), (), ())

    def context_type(self, token: Token) -> ast.TypeRef:
        keys: list[str] = []
        types: list[ast.TypeRef] = []
        if not self.is_op(self.peek(), ">"):
            while True:
                keys.append(self.entry_key("a context entry name"))
                self.expect_op(":", "':' after the entry name")
                types.append(self.type_ref())
                if not self.is_op(self.peek(), ","):
                    break
                self.advance()
        self.expect_op(">", "',' or '>' in the context type")
        return ast.TypeRef(token.offset, "context", "context", tuple(types), tuple(keys))

    def function_type(self, token: Token) -> ast.TypeRef:
        types: list[ast.TypeRef] = []
        if not self.is_op(self.peek(), ">"):
            while True:
                types.append(self.type_ref())
                if not self.is_op(self.peek(), ","):
                    break
                self.advance()
        self.expect_op(">", "',' or '>' in the function type")
        self.expect_op("->", "'->' and the result type")
        types.append(self.type_ref())
        return ast.TypeRef(token.offset, "function", "function", tuple(types), ())


def parse_expression_node(text: str, known_names: Iterable[str] = ()) -> ast.Node:
    parser = Parser(text, known_names)
    try:
        return parser.parse_expression_text()
    except RecursionError:
        raise FeelSyntaxError(text, 0, "expression nested too deeply", "less nesting") from None


def parse_unary_tests_node(text: str, known_names: Iterable[str] = ()) -> ast.UnaryTestsNode:
    parser = Parser(text, known_names)
    try:
        return parser.parse_unary_tests_text()
    except RecursionError:
        raise FeelSyntaxError(text, 0, "unary tests nested too deeply", "less nesting") from None
