"""String and regular-expression built-ins: results for valid calls, null plus a message otherwise."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verka.engine.feel.builtins import BuiltinError, call
from verka.engine.feel.builtins.regex import compile_pattern
from verka.engine.feel.values import from_python, to_feel_string, type_name


def shown(value: Any) -> tuple[str, str]:
    return type_name(value), to_feel_string(value)


CASES = [
    ("substring", ["foobar", 3], "obar"),
    ("substring", ["foobar", 3, 3], "oba"),
    ("substring", ["foobar", -2, 1], "a"),
    ("substring", ["foobar", -6, 2], "fo"),
    ("substring", ["foobar", 7], ""),
    ("substring", ["\U0001f40efoo", 2], "foo"),
    ("substring", ["\ud83d\udc0efoo", 1, 1], "\U0001f40e"),
    ("string length", ["foo"], 3),
    ("string length", [""], 0),
    ("string length", ["\ud83d\udca9"], 1),
    ("string length", ["\U0001f40e\U0001f600"], 2),
    ("upper case", ["aBc4"], "ABC4"),
    ("lower case", ["aBc4"], "abc4"),
    ("substring before", ["foobar", "bar"], "foo"),
    ("substring before", ["foobar", "xyz"], ""),
    ("substring before", ["abc", ""], ""),
    ("substring after", ["foobar", "ob"], "ar"),
    ("substring after", ["abc", ""], "abc"),
    ("substring after", ["foobar", "x"], ""),
    ("contains", ["foobar", "of"], False),
    ("contains", ["foobar", "bar"], True),
    ("contains", ["", ""], True),
    ("contains", ["\ud83d\udc0e\ud83d\ude00", "\U0001f600"], True),
    ("starts with", ["foobar", "fo"], True),
    ("starts with", ["foobar", "x"], False),
    ("ends with", ["foobar", "r"], True),
    ("ends with", ["foobar", "o"], False),
    ("matches", ["foobar", "^fo*b"], True),
    ("matches", ["abc", "ABC", "i"], True),
    ("matches", ["abracadabra", "bra", None], True),
    ("matches", ["Mary\rJones", "Mary.Jones"], False),
    ("matches", ["Mary\rJones", "Mary.Jones", "s"], True),
    ("matches", ["\nabcd\ndefg\n", "^$", "m"], True),
    ("matches", ["ab\n", "b$"], False),
    ("matches", ["x", "[A-Z-[OI]]", "i"], True),
    ("matches", ["i", "[A-Z-[OI]]", "i"], False),
    ("matches", ["q", "[^Q]", "i"], False),
    ("matches", ["a", "a[^b]"], False),
    ("matches", ["a ", "a[^b]"], True),
    ("matches", ["aA", "(a)\\1", "i"], True),
    ("matches", ["hello world", "hello\\ sworld", "x"], True),
    ("matches", ["hello world", "\\p{ IsBasicLatin}+", "x"], True),
    ("matches", ["a.b", "a.b", "q"], True),
    ("matches", ["axb", "a.b", "q"], False),
    ("matches", ["Ä", "^\\p{Lu}$"], True),
    ("matches", ["ä", "^\\P{Lu}$"], True),
    ("matches", ["a_b", "^\\w+$"], False),
    ("matches", ["a1b", "^\\w+$"], True),
    ("matches", ["x:y", "^\\i\\c*$"], True),
    ("matches", ["\t", "^\\s$"], True),
    ("matches", ["12", "^\\d{2}$"], True),
    ("matches", ["ab", "^(?:a)b$"], True),
    ("matches", ["-", "[a-]"], True),
    ("replace", ["banana", "a", "o"], "bonono"),
    ("replace", ["banana", "(an)+", "**"], "b**a"),
    ("replace", ["facetiously", "[iouy]", "[$0]"], "facet[i][o][u]sl[y]"),
    ("replace", ["abcd", "(ab)|(a)", "[1=$1][2=$2]"], "[1=ab][2=]cd"),
    ("replace", ["abracadabra", "a.*?a", "*"], "*c*bra"),
    ("replace", ["darted", "^(.*?)d(.*)$", "$1c$2"], "carted"),
    ("replace", ["0123456789", "(\\d{3})(\\d{3})(\\d{4})", "($1) $2-$3"], "(012) 345-6789"),
    ("replace", ["abc", "[A-Z]", "#", "i"], "###"),
    ("replace", ["a b c d ", "[a-z]", "#", "x"], "# # # # "),
    ("replace", ["a.b", ".", "$", "q"], "a$b"),
    ("replace", ["abc", "b", "\\$\\\\"], "a$\\c"),
    ("replace", ["abc", "(b)", "$10"], "ab0c"),
    ("split", ["John Doe", "\\s"], ["John", "Doe"]),
    ("split", ["a;b;c;;", ";"], ["a", "b", "c", "", ""]),
    ("split", ["a1b22c", "\\d+"], ["a", "b", "c"]),
    ("string join", [["a", "b", "c"]], "abc"),
    ("string join", [["a", "b", "c"], " and "], "a and b and c"),
    ("string join", [["a", None, "c"], "X"], "aXc"),
    ("string join", [["a", "b"], None], "ab"),
    ("string join", [[]], ""),
    ("string join", ["a", "X"], "a"),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_string_function_results(name: str, args: list[Any], expected: Any) -> None:
    result, messages = call(name, from_python(args))
    assert shown(result) == shown(from_python(expected)), messages
    assert messages == []


ERRORS = [
    ("substring", ["foobar", 0]),
    ("substring", ["foobar", -7]),
    ("substring", ["foobar", 1, -1]),
    ("substring", [None, 1]),
    ("substring", ["abc"]),
    ("string length", [3]),
    ("string length", ["a", "b"]),
    ("upper case", [None]),
    ("contains", [None, "bar"]),
    ("contains", ["bar", None]),
    ("matches", ["abracadabra", "bra", "p"]),
    ("matches", ["input", "pattern", " "]),
    ("matches", ["input", None]),
    ("matches", ["input"]),
    ("matches", ["input", "pattern", "", []]),
    ("matches", ["h", "(.)\\3"]),
    ("matches", ["h", "\\3"]),
    ("matches", ["abcd", "(asd)[\\1]"]),
    ("matches", ["abcd", "1[asd\\0]"]),
    ("matches", ["hello", "\\p{ IsBasicLatin}+"]),
    ("matches", ["hello", "(?i)hello"]),
    ("matches", ["hello", "a{,3}"]),
    ("matches", ["hello", "a*+"]),
    ("matches", ["hello", "\\Ahello"]),
    ("matches", ["hello", "[a"]),
    ("matches", ["hello", "a)"]),
    ("matches", ["hello", "a}"]),
    ("matches", ["hello", "\\p{Foo}"]),
    ("replace", ["abc", "x*", "y"]),
    ("replace", ["abc", "b", "$"]),
    ("replace", ["abc", "b", "\\n"]),
    ("split", ["abc", "x*"]),
    ("split", ["foo", None]),
    ("split", ["foo"]),
    ("string join", [[1, 2, 3], "X"]),
    ("string join", [None]),
    ("string join", [123, "X"]),
    ("string join", [["a"], "X", "foo"]),
]


@pytest.mark.parametrize(("name", "args"), ERRORS)
def test_string_function_misuse_gives_null_with_a_message(name: str, args: list[Any]) -> None:
    result, messages = call(name, from_python(args))
    assert result is None
    assert len(messages) == 1
    assert messages[0].startswith(name + ":")


NAMED = [
    ("substring", {"string": "abc", "start position": 2}, "bc"),
    ("substring", {"string": "abcd", "start position": 2, "length": 2}, "bc"),
    ("string length", {"string": "xyz123"}, 6),
    ("substring before", {"string": "foobar", "match": "b"}, "foo"),
    ("replace", {"input": "abc", "pattern": "[A-Z]", "replacement": "#", "flags": "i"}, "###"),
    ("split", {"delimiter": ",", "string": "foo,bar"}, ["foo", "bar"]),
    ("string join", {"delimiter": "X", "list": ["a", "c"]}, "aXc"),
    ("string join", {"list": "a", "delimiter": "X"}, "a"),
    ("matches", {"input": "abc", "pattern": "b"}, True),
]


@pytest.mark.parametrize(("name", "named", "expected"), NAMED)
def test_string_functions_take_named_arguments(
    name: str, named: dict[str, Any], expected: Any
) -> None:
    result, messages = call(name, None, from_python(named))
    assert shown(result) == shown(from_python(expected)), messages


def test_unknown_parameter_name_is_reported() -> None:
    result, messages = call("split", None, from_python({"delimiter": ",", "str": "a,b"}))
    assert result is None
    assert messages[0].startswith("split: no parameter named 'str'")


def test_invalid_pattern_message_names_offset() -> None:
    _, messages = call("matches", ["abc", "ab(c"])
    assert messages == [
        "matches: invalid regular expression 'ab(c' at offset 4: ')' to close a group"
    ]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        # XSD: the subtraction applies to the negated group, [^a-z] minus the vowels.
        ("^[^a-z-[aeiou]]$", "e", False),
        ("^[^a-z-[aeiou]]$", "b", False),
        ("^[^a-z-[aeiou]]$", "1", True),
        ("^[^a-z-[0-4]]$", "1", False),
        ("^[a-z-[b-y-[m]]]+$", "amz", True),
        ("^[a-z-[b-y-[m]]]+$", "ab", False),
        ("^[\\p{Lu}\\d]+$", "A1", True),
        ("^[^\\s]+$", "ab", True),
        ("^[^\\s]+$", "a b", False),
        ("^[\\S\\d]+$", "a1", True),
        ("^\\p{IsGreek}+$", "αβ", True),
        ("^\\P{IsGreek}+$", "αβ", False),
    ],
)
def test_character_class_translation(pattern: str, text: str, expected: bool) -> None:
    assert call("matches", [text, pattern]) == (expected, [])


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab\\[]^-(){},?*+.|$sdpPL:0123 x", max_size=12),
    st.text(alphabet="smixq", max_size=3),
)
def test_any_pattern_compiles_or_is_rejected_cleanly(pattern: str, flags: str) -> None:
    try:
        compiled = compile_pattern(pattern, flags)
    except BuiltinError:
        return
    compiled.search("ab[]-(){},s1 x")
