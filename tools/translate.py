"""Fill English translations into a catalogue from a TSV of `Swedish<TAB>English` lines.

Usage: python tools/translate.py [PO_FILE] < pairs.tsv — after `makemessages -l en`.
PO_FILE defaults to the project catalogue. In the TSV, `\\n` stands for a line break; for a
plural entry give the singular and plural English separated by ` || `.
Entries already translated are kept unless the TSV names them again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PROJECT_PO = (
    Path(__file__).resolve().parent.parent / "verka" / "locale" / "en" / "LC_MESSAGES" / "django.po"
)


def main(argv: list[str]) -> int:
    po_path = Path(argv[0]) if argv else PROJECT_PO
    pairs = {}
    for line in sys.stdin:
        if "\t" in line:
            swedish, english = line.rstrip("\n").split("\t", 1)
            pairs[swedish.replace("\\n", "\n")] = english.replace("\\n", "\n")
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in pairs:
            english = pairs[key]
            message.string = tuple(english.split(" || ")) if message.pluralizable else english
            message.flags.discard("fuzzy")
        elif not message.string or message.string == ("", ""):
            missing.append(key)
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print(f"untranslated: {key!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
