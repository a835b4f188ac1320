"""Fill English translations into verka/locale/en from a TSV of `Swedish<TAB>English` lines.

Usage: python tools/translate.py < pairs.tsv — after `django-admin makemessages -l en`.
Entries already translated are kept unless the TSV names them again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = (
    Path(__file__).resolve().parent.parent / "verka" / "locale" / "en" / "LC_MESSAGES" / "django.po"
)


def main() -> int:
    pairs = {}
    for line in sys.stdin:
        if "\t" in line:
            swedish, english = line.rstrip("\n").split("\t", 1)
            pairs[swedish] = english
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in pairs:
            message.string = pairs[key]
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(key)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print(f"untranslated: {key}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
