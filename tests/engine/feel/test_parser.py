"""Parser: tree shapes, precedence, names with spaces, and syntax errors with a caret."""

from __future__ import annotations

from decimal import Decimal

import pytest

from verka.engine.feel import FeelSyntaxError, ast, parse_expression, parse_unary_tests
from verka.engine.feel.lexer import Kind, tokenize


def shape(node: object) -> object:
    """A compact, offset-free rendering of a tree for table-driven comparisons."""
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Arithmetic | ast.Comparison):
        return (node.operator, shape(node.left), shape(node.right))
    if isinstance(node, ast.And):
        return ("and", shape(node.left), shape(node.right))
    if isinstance(node, ast.Or):
        return ("or", shape(node.left), shape(node.right))
    if isinstance(node, ast.Negation):
        return ("neg", shape(node.operand))
    if isinstance(node, ast.Invocation):
        if node.named is not None:
            return ("call", shape(node.function), {k: shape(v) for k, v in node.named})
        assert node.positional is not None
        return ("call", shape(node.function), [shape(a) for a in node.positional])
    if isinstance(node, ast.Path):
        return ("path", shape(node.target), node.name)
    if isinstance(node, ast.Filter):
        return ("filter", shape(node.target), shape(node.condition))
    if isinstance(node, ast.Between):
        return ("between", shape(node.value), shape(node.low), shape(node.high))
    if isinstance(node, ast.In):
        return ("in", shape(node.value), [shape(t) for t in node.tests])
    if isinstance(node, ast.UnaryComparison):
        return (node.operator, shape(node.operand))
    if isinstance(node, ast.RangeLiteral):
        start = "[" if node.start_included else "("
        end = "]" if node.end_included else ")"
        return ("range", start, shape(node.start), shape(node.end), end)
    if isinstance(node, ast.ListLiteral):
        return [shape(i) for i in node.items]
    if isinstance(node, ast.InstanceOf):
        return ("instance of", shape(node.value), type_shape(node.type))
    return type(node).__name__


def type_shape(t: ast.TypeRef) -> object:
    if t.kind == "named":
        return t.name
    if t.kind == "context":
        return ("context", dict(zip(t.keys, [type_shape(a) for a in t.args], strict=True)))
    return (t.kind, [type_shape(a) for a in t.args])


def N(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", ("+", N("1"), ("*", N("2"), N("3")))),
        ("1 - 2 - 3", ("-", ("-", N("1"), N("2")), N("3"))),
        ("2 ** 3 ** 2", ("**", ("**", N("2"), N("3")), N("2"))),
        ("-x ** 2", ("**", ("neg", "x"), N("2"))),
        ("a ** -b", ("**", "a", ("neg", "b"))),
        ("a or b and c", ("or", "a", ("and", "b", "c"))),
        ("a = 1 and b < 2", ("and", ("=", "a", N("1")), ("<", "b", N("2")))),
        ("a + 1 > b * 2", (">", ("+", "a", N("1")), ("*", "b", N("2")))),
        ("x between 1 + 1 and 5", ("between", "x", ("+", N("1"), N("1")), N("5"))),
        ("x in (1, 2)", ("in", "x", [N("1"), N("2")])),
        ("x in (1..2]", ("in", "x", [("range", "(", N("1"), N("2"), "]")])),
        ("x in < 5", ("in", "x", [("<", N("5"))])),
        ("x in [1, 2] and y", ("and", ("in", "x", [[N("1"), N("2")]]), "y")),
        ("f(1, 2)", ("call", "f", [N("1"), N("2")])),
        ("f(a: 1, b c: 2)", ("call", "f", {"a": N("1"), "b c": N("2")})),
        ("a.b.c", ("path", ("path", "a", "b"), "c")),
        ("a[1].b", ("path", ("filter", "a", N("1")), "b")),
        ("d.time offset", ("path", "d", "time offset")),
        ("]1..10[", ("range", "(", N("1"), N("10"), ")")),
        ("[1..10[", ("range", "[", N("1"), N("10"), ")")),
        ("(a..b)", ("range", "(", "a", "b", ")")),
        ("[a[1]..b]", ("range", "[", ("filter", "a", N("1")), "b", "]")),
        ("Monthly Salary * 12", ("*", "Monthly Salary", N("12"))),
        ("Employee's age", "Employee's age"),
        ("date of birth", "date of birth"),
        ("Amount for tax * 2", ("*", "Amount for tax", N("2"))),
        ("process instance id", "process instance id"),
        ("Line 2 + 1", ("+", "Line 2", N("1"))),
        ("index of(xs, 2)", ("call", "index of", ["xs", N("2")])),
        ("date and time(x)", ("call", "date and time", ["x"])),
        ("date and true", ("and", "date", True)),
        ("string length(s)", ("call", "string length", ["s"])),
        ("x instance of list<number>", ("instance of", "x", ("list", ["number"]))),
        (
            "x instance of context<a: number, b c: list<string>>",
            ("instance of", "x", ("context", {"a": "number", "b c": ("list", ["string"])})),
        ),
        (
            "x instance of function<string, number> -> boolean",
            ("instance of", "x", ("function", ["string", "number", "boolean"])),
        ),
        ("x instance of days and time duration", ("instance of", "x", "days and time duration")),
        ("x instance of date and y", ("and", ("instance of", "x", "date"), "y")),
        ("1.23e4", N("1.23e4")),
        ("1e-2", N("0.01")),
        ("- 5", N("-5")),
        ("?", "?"),
    ],
)
def test_expression_shapes(text: str, expected: object) -> None:
    assert shape(parse_expression(text).node) == expected


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("a-b + 1", ["a-b"], ("+", "a-b", N("1"))),
        ("a-b + 1", [], ("+", ("-", "a", "b"), N("1"))),
        ("a - b", ["a-b"], ("-", "a", "b")),
        ("x.y", ["x.y"], "x.y"),
        ("Total/Count * 2", ["Total/Count"], ("*", "Total/Count", N("2"))),
        ("Is Big and Small", ["Is Big and Small"], "Is Big and Small"),
        ("Is Big and Small", ["Is Big"], ("and", "Is Big", "Small")),
    ],
)
def test_known_names_resolve_names_with_operators(
    text: str, known: list[str], expected: object
) -> None:
    assert shape(parse_expression(text, known).node) == expected


def test_names_with_keywords_need_known_names() -> None:
    assert shape(parse_expression("Applicant in debt").node) == ("in", "Applicant", ["debt"])
    assert shape(parse_expression("Applicant in debt", ["Applicant in debt"]).node) == (
        "Applicant in debt"
    )


def test_context_entries_are_known_names_for_later_entries() -> None:
    node = parse_expression("{a-b: 1, c: a-b * 2}").node
    assert isinstance(node, ast.ContextLiteral)
    assert shape(node.entries[1][1]) == ("*", "a-b", N("2"))


def test_nodes_carry_source_offsets() -> None:
    node = parse_expression("foo +\n  bar").node
    assert isinstance(node, ast.Arithmetic)
    assert (node.offset, node.left.offset, node.right.offset) == (4, 0, 8)


def test_lexer_tokens_and_offsets() -> None:
    tokens = tokenize('a.b >= "x" // note\n ..1.5')
    assert [(t.kind, t.text, t.offset) for t in tokens] == [
        (Kind.NAME, "a", 0),
        (Kind.OP, ".", 1),
        (Kind.NAME, "b", 2),
        (Kind.OP, ">=", 4),
        (Kind.STRING, "x", 7),
        (Kind.OP, "..", 20),
        (Kind.NUMBER, "1.5", 22),
        (Kind.EOF, "", 25),
    ]


def test_strings_keep_unknown_escapes_for_regular_expressions() -> None:
    assert parse_expression('"\\d+\\s"').node == ast.Literal(0, "\\d+\\s")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1 +",
            "unexpected end of input at line 1, column 4; expected an expression\n  1 +\n     ^",
        ),
        (
            "foo(1 2",
            "unexpected '2' at line 1, column 7; expected ',' or ')' after the argument\n"
            "  foo(1 2\n        ^",
        ),
        (
            "[1, 2",
            "unexpected end of input at line 1, column 6; expected ',' or ']' in the list\n"
            "  [1, 2\n       ^",
        ),
        (
            "{a 1}",
            "unexpected '}' at line 1, column 5; expected ':' after the context entry name\n"
            "  {a 1}\n      ^",
        ),
        (
            "if x then 1",
            "unexpected end of input at line 1, column 12; expected 'else' after the 'then' branch\n"
            "  if x then 1\n             ^",
        ),
        (
            "a +\n  * 3",
            "unexpected '*' at line 2, column 3; expected an expression\n    * 3\n    ^",
        ),
        ('"abc', "unterminated string at line 1, column 1; expected a closing '\"'\n  \"abc\n  ^"),
        (
            "1 # 2",
            "unexpected character '#' at line 1, column 3; expected an expression\n  1 # 2\n    ^",
        ),
        (
            "/* x",
            "unterminated comment at line 1, column 1; expected '*/' to close it\n  /* x\n  ^",
        ),
        (
            "for x [1] return x",
            "unexpected '[' at line 1, column 7; expected 'in' after the iteration variable\n"
            "  for x [1] return x\n        ^",
        ),
        (
            "x instance of",
            "unexpected end of input at line 1, column 14; expected a type name\n"
            "  x instance of\n               ^",
        ),
        (
            "{a: 1, a: 2}",
            "duplicate context entry 'a' at line 1, column 8; expected unique keys\n"
            "  {a: 1, a: 2}\n         ^",
        ),
        (
            '"\\u12G4"',
            "invalid unicode escape at line 1, column 2; expected 4 hex digits after '\\u'\n"
            '  "\\u12G4"\n   ^',
        ),
        (
            "[1..5",
            "unexpected end of input at line 1, column 6; expected ']', ')' or '[' to close the range"
            "\n  [1..5\n       ^",
        ),
        (
            "1 2",
            "unexpected '2' at line 1, column 3; expected an operator or the end of the expression"
            "\n  1 2\n    ^",
        ),
        (
            "`abc + 1",
            "unterminated quoted name at line 1, column 1; expected a closing '`'\n  `abc + 1\n  ^",
        ),
        (
            "@x",
            "'@' must be followed by a string at line 1, column 2; expected '\"'\n  @x\n   ^",
        ),
    ],
)
def test_syntax_errors_show_the_line_with_a_caret(text: str, message: str) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "problem", "expected"),
    [
        ("a == 1", "'==' is not FEEL", "'=' to compare"),
        ("a && b", "'&&' is not FEEL", "'and'"),
        ("a || b", "'||' is not FEEL", "'or'"),
        ("!a", "'!' is not FEEL", "'!=' or not(...)"),
        ("'abc'", "''' is not FEEL", "a string in double quotes"),
    ],
)
def test_habits_from_other_languages_get_advice(text: str, problem: str, expected: str) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression(text)
    assert (caught.value.problem, caught.value.expected) == (problem, expected)


def test_syntax_error_attributes() -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression("a and\n(b or")
    error = caught.value
    assert (error.offset, error.line, error.column) == (11, 2, 6)
    assert error.expected == "an expression"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty unary tests at line 1, column 1; expected '-' or a test such as '< 10'"),
        ("< ", "unexpected end of input at line 1, column 3; expected an expression"),
        ("not(1, 2", "unexpected end of input at line 1, column 9; expected ',' or ')'"),
        ("1,", "unexpected end of input at line 1, column 3; expected an expression"),
    ],
)
def test_unary_test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        parse_unary_tests(text)
    assert str(caught.value).startswith(message)


def test_parsing_is_cached() -> None:
    assert parse_expression("a + 1") is parse_expression("a + 1")
    assert parse_unary_tests("< 5") is parse_unary_tests("< 5")
    assert parse_expression("a-b", ["a-b"]) is not parse_expression("a-b")


def test_long_lines_are_cut_around_the_caret() -> None:
    text = "a + " * 40 + ") + b" + " + c" * 40
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression(text)
    message = str(caught.value).splitlines()
    assert message[0] == "unexpected ')' at line 1, column 161; expected an expression"
    assert message[1] == "  ..." + ("a + " * 40)[-60:] + (") + b" + " + c" * 40)[:60] + "..."
    assert message[2] == "  " + " " * 63 + "^"
