"""Compiles the translation catalogues (.po → .mo) so that no gettext install is needed."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_DIR = Path(__file__).resolve().parent


def compile_catalogs(root: Path = PACKAGE_DIR, *, force: bool = False) -> list[Path]:
    """Write every stale .mo file below root; returns the ones written."""
    written = []
    for po_path in sorted(root.rglob("LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written
