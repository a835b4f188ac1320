"""JavaScript patterns keep their JavaScript meaning when the server runs them."""

import pytest

from verka.engine.forms.jsregex import JsRegexError, compile_js_pattern


@pytest.mark.parametrize(
    ("pattern", "value", "found"),
    [
        ("^\\d{3}$", "123", True),
        ("^\\d+$", "١٢٣", False),  # JavaScript's \d is ASCII only
        ("^\\w+$", "åäö", False),
        ("^\\s$", "\u00a0", True),  # JavaScript's \s includes no-break space
        ("^[\\s]$", "\ufeff", True),
        ("^\\S+$", "a\u3000", False),
        ("^a$", "a\n", False),  # $ is the very end without the m flag
        ("^a.b$", "a\rb", False),  # . stops at every line terminator
        ("abc", "xxabcxx", True),  # test() finds a match anywhere
        ("^(?<year>\\d{4})-\\k<year>$", "2024-2024", True),
        ("^[^]$", "\n", True),
        ("[]", "anything", False),
        ("^a{,2}$", "a{,2}", True),  # not a quantifier in JavaScript
        ("^\\e$", "e", True),  # unknown escape is the letter
        ("^\\/$", "/", True),
        ("^[a-c&&b]+$", "a&&b", True),  # no set operations in JavaScript
        ("^\\x41\\u0042$", "AB", True),
        ("^\\cJ$", "\n", True),
        ("^[0-9]{4}-[0-9]{2}$", "2024-01", True),
        ("(?<=a)b", "ab", True),
    ],
)
def test_patterns_match_as_in_javascript(pattern, value, found):
    assert (compile_js_pattern(pattern).search(value) is not None) is found


@pytest.mark.parametrize("pattern", ["[a-", "(ab", "a)", "*a", "\\", "(?<1>x)", "a{2,1}"])
def test_invalid_patterns_raise(pattern):
    with pytest.raises(JsRegexError):
        compile_js_pattern(pattern)
