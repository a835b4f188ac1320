"""Every check rule has a title in Swedish and English; every Studio text has its translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from django.utils import translation

from verka.engine.checks import RULES
from verka.studio import labels, services

CATALOGUE = Path(__file__).resolve().parents[2] / "verka/studio/locale/en/LC_MESSAGES/django.po"


def test_every_rule_has_a_title():
    assert set(labels.RULE_TITLES) == set(RULES)


def test_every_log_code_has_words():
    codes = [
        "CREATED", "IMPORTED", "FILE_ADDED", "FILE_SAVED", "FILE_RENAMED", "FILE_DELETED",
        "SETTINGS_CHANGED", "VERSION_SAVED", "PUBLISHED", "ROLLED_BACK", "TESTS_RUN",
        "TEST_STARTED",
    ]  # fmt: skip
    assert {getattr(services, code) for code in codes} == set(labels.EVENT_LABELS)


def test_titles_are_translated_to_english():
    with translation.override("en"):
        assert labels.rule_title("verka/unknown-form") == "Unknown form"
        assert labels.rule_title("bpmnlint/no-disconnected") == "The element is not connected"
    with translation.override("sv"):
        assert labels.rule_title("verka/unknown-form") == "Okänt formulär"
    assert labels.rule_title("some/new-rule") == "some/new-rule"


def test_the_studio_catalogue_is_complete():
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert len(catalog) > 200
    assert not untranslated
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_the_log_shows_details_that_mean_something():
    assert labels.event_text(services.FILE_SAVED, "a.bpmn") == "sparade filen a.bpmn"
    assert labels.event_text(services.CREATED, "empty") == "skapade projektet"


def test_every_templated_message_has_a_swedish_text_with_the_same_values():
    from string import Formatter

    from verka.engine.checks import patterns, references
    from verka.engine.checks.lint import MESSAGES as LINT_MESSAGES

    def names(template: str) -> set[str]:
        return {name for _text, name, _spec, _conv in Formatter().parse(template) if name}

    messages = {**LINT_MESSAGES, **references.MESSAGES, **patterns.MESSAGES}
    assert set(labels.FINDING_TEXTS_SV) == set(messages)
    for key, english in messages.items():
        assert names(labels.FINDING_TEXTS_SV[key]) <= names(english), key


def test_a_finding_without_a_swedish_text_keeps_its_english_message():
    from verka.engine.checks.findings import finding
    from verka.engine.checks.lint import text

    made = finding(
        "a.bpmn", "bpmnlint/end-event-required", text("end-event-required", kind="Process")
    )
    plain = finding("a.bpmn", "verka/parse", "line 3: mismatched tag")
    with translation.override("sv"):
        assert labels.finding_message(made) == "Processen saknar sluthändelse"
        assert labels.finding_message(plain) == "line 3: mismatched tag"
    with translation.override("en"):
        assert labels.finding_message(made) == "Process is missing an end event"


def test_a_backtracking_pattern_warning_reads_in_swedish_and_english():
    import json

    from verka.engine.checks import check_files

    form = {
        "id": "f",
        "type": "default",
        "components": [
            {
                "id": "Field_name",
                "type": "textfield",
                "key": "name",
                "validate": {"pattern": "^(a+)+$"},
            }
        ],
    }
    [warning] = [
        f
        for f in check_files({"f.form": json.dumps(form).encode()})
        if f.rule == "verka/regex-backtracking"
    ]
    with translation.override("sv"):
        assert labels.finding_message(warning).startswith(
            "Mönstret '^(a+)+$' för fältet 'name' kan hamna i katastrofal backtracking"
        )
        assert labels.rule_title(warning.rule) == "Reguljärt uttryck som kan ta mycket lång tid"
    with translation.override("en"):
        assert labels.finding_message(warning).startswith(
            "The pattern '^(a+)+$' of field 'name' can backtrack catastrophically"
        )
        assert labels.rule_title(warning.rule) == "Regular expression that can take very long"
