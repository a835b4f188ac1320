"""Every user-facing text has its English translation (Swedish is the source language)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUES = sorted((Path(__file__).resolve().parents[2] / "verka").rglob("en/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_catalogue_is_fully_translated(path):
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    missing = [
        message.id
        for message in catalog
        if message.id
        and not message.fuzzy
        and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not missing, f"{path}: untranslated: {missing}"
    assert not fuzzy, f"{path}: fuzzy (check and clear the flag): {fuzzy}"


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 2
