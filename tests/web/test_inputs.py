"""The shared reader of JSON and file names (verka/conf/inputs.py): depth and size limits that
hold before parsing, errors that name where, file names that cannot hide or reorder text."""

from __future__ import annotations

import time

import pytest

from verka.conf import inputs


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "[" * 100_000,  # never closed
        '[{"x": [' * 30 + "]}" * 30 + "]",  # 90 levels
    ],
)
def test_deep_json_is_refused_before_parsing_and_names_where(text):
    with pytest.raises(inputs.BadInput) as refused:
        inputs.parse_json(text, where="answers")
    assert refused.value.code == "too-deep"
    assert refused.value.where == "answers"
    assert "answers" in refused.value.message and "64" in refused.value.message


def test_brackets_inside_strings_do_not_count():
    text = '{"a": "' + "[" * 10_000 + '\\"' + "{" * 10_000 + '"}'
    assert inputs.parse_json(text, where="body") == {"a": "[" * 10_000 + '"' + "{" * 10_000}


def test_depth_up_to_the_limit_is_taken():
    assert inputs.parse_json("[" * 64 + "]" * 64, where="body") is not None
    with pytest.raises(inputs.BadInput):
        inputs.parse_json("[" * 65 + "]" * 65, where="body")


@pytest.mark.parametrize(
    ("raw", "code", "text"),
    [
        ("{", "malformed-json", "rad 1, kolumn 2"),
        ('"unterminated', "malformed-json", "rad 1"),
        ("[NaN]", "malformed-json", "inte giltig JSON"),
        (b"\xff\xfe", "not-utf8", "UTF-8"),
        ("[" + "1," * 600_000 + "1]", "too-large", "kB"),
    ],
)
def test_other_bad_json_says_what_and_where(raw, code, text):
    with pytest.raises(inputs.BadInput) as refused:
        inputs.parse_json(raw, where="definition")
    assert refused.value.code == code
    assert refused.value.message.startswith("definition: ")
    assert text in refused.value.message


def test_the_depth_scan_is_linear_even_for_hostile_strings():
    # Many escaped quotes and no closing one: a backtracking scan would take minutes.
    hostile = '"' + '\\"' * 400_000
    started = time.perf_counter()
    assert not inputs.json_depth_exceeds(hostile)
    assert not inputs.json_depth_exceeds('["' + "a" * 1_000_000 + '"]')
    # Linear: well under a second here; a quadratic scan of 800 kB would take hours.
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override
        ("a\u202ab\u202bc\u202cd\u202de.pdf", "abcde.pdf"),  # embeddings
        ("pl\u2066an\u2069\u200e\u200f.pdf", "plan.pdf"),  # isolates and marks
        ("\ufeffplan\u200b\u200d.pdf", "plan.pdf"),  # BOM and zero-width
        ("ta\tb\x00\x1b[31m\nle.pdf", "tab[31mle.pdf"),  # control characters
        ("line\u2028break\u2029.pdf", "linebreak.pdf"),
        ("C:\\Users\\anna\\plan.pdf", "plan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("Pla\u0308n.pdf", "Pl\u00e4n.pdf"),  # NFC
        ("  plan.pdf  ", "plan.pdf"),
        ("Ansökan om bygglov (slutlig) – 2026.pdf", "Ansökan om bygglov (slutlig) – 2026.pdf"),
    ],
)
def test_file_names_are_normalised(given, expected):
    assert inputs.file_name(given) == expected


def test_a_long_file_name_keeps_its_extension():
    name = inputs.file_name("x" * 5000 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")
    assert inputs.file_name("y" * 300 + ".not-an-extension-at-all") == "y" * 200


@pytest.mark.parametrize("given", ["", None, "\u202e", "..", "folder/", "\u200b\u200b", " . "])
def test_an_empty_file_name_is_refused(given):
    with pytest.raises(inputs.BadInput) as refused:
        inputs.file_name(given)
    assert refused.value.code == "bad-file-name"
