"""A project as one .zip: its model files byte for byte, plus verka-project.json with the
e-service settings, so a whole e-service moves between Verka installations and Camunda Modeler.
Imports distrust the archive: sizes, compression ratios, names and contents are checked before
anything is written, and any problem refuses the whole archive."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from verka.eservices.models import Category

from . import services
from .models import SETTINGS_FIELDS, Project
from .services import StudioError

MANIFEST = "verka-project.json"
FORMAT = "verka-project"
FORMAT_VERSION = 1
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
MAX_ENTRIES = services.MAX_FILES + 1
# Model files compress well (10-20x); a far higher ratio is a zip bomb.
MAX_RATIO = 200
# Fixed timestamps: exporting the same files twice gives the same archive.
EPOCH = (1980, 1, 1, 0, 0, 0)


def export_archive(project: Project, files: Mapping[str, str], source: str) -> bytes:
    manifest = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "slug": project.slug,
        "source": source,
        "settings": project.settings_snapshot(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, EPOCH), files[name].encode("utf-8"))
        manifest_text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(zipfile.ZipInfo(MANIFEST, EPOCH), manifest_text.encode("utf-8"))
    return buffer.getvalue()


def _refuse(message: str) -> StudioError:
    return StudioError(_("Arkivet kan inte läsas in: %(why)s") % {"why": message})


def read_archive(data: bytes) -> tuple[dict[str, str], dict[str, Any] | None]:
    """(files, settings or None) of an uploaded archive; StudioError on anything suspect."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise _refuse(_("filen är större än %(max)d MB.") % {"max": MAX_ARCHIVE_BYTES >> 20})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _refuse(_("det är inte en zip-fil.")) from None
    if len(infos) > MAX_ENTRIES:
        raise _refuse(_("fler än %(max)d filer.") % {"max": MAX_ENTRIES})
    total = 0
    seen: set[str] = set()
    raw: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        if info.is_dir():
            raise _refuse(
                _("mappen %(name)s: filerna ska ligga direkt i arkivet.") % {"name": name}
            )
        if "/" in name or "\\" in name or name.startswith("."):
            raise _refuse(
                _("%(name)s: filerna ska ligga direkt i arkivet, utan sökvägar.") % {"name": name}
            )
        if name in seen:
            raise _refuse(_("%(name)s finns två gånger.") % {"name": name})
        seen.add(name)
        if info.flag_bits & 0x1:
            raise _refuse(_("%(name)s är krypterad.") % {"name": name})
        if name != MANIFEST:
            services.check_name(name)
        if info.file_size > services.MAX_FILE_BYTES:
            raise _refuse(
                _("%(name)s är större än %(max)d MB.")
                % {"name": name, "max": services.MAX_FILE_BYTES >> 20}
            )
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise _refuse(_("%(name)s är misstänkt hårt packad (en zip-bomb?).") % {"name": name})
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse(_("filerna är sammanlagt för stora."))
        try:
            with archive.open(info) as handle:
                # The header's size may lie: never read more than the limit allows.
                content = handle.read(services.MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
            raise _refuse(_("%(name)s kan inte packas upp.") % {"name": name}) from None
        if len(content) > services.MAX_FILE_BYTES:
            raise _refuse(
                _("%(name)s är större än %(max)d MB.")
                % {"name": name, "max": services.MAX_FILE_BYTES >> 20}
            )
        raw[name] = content
    settings = _manifest(raw.pop(MANIFEST)) if MANIFEST in raw else None
    if not raw:
        raise _refuse(_("det finns inga modellfiler i det."))
    files = {name: services.checked_content(name, content) for name, content in raw.items()}
    return files, settings


def _manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse(_("%(name)s är inte giltig JSON.") % {"name": MANIFEST}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(_("%(name)s är inte en Verka-projektbeskrivning.") % {"name": MANIFEST})
    if manifest.get("formatVersion") != FORMAT_VERSION:
        raise _refuse(
            _("%(name)s har formatversion %(version)s; den här Verka läser version %(ours)d.")
            % {"name": MANIFEST, "version": manifest.get("formatVersion"), "ours": FORMAT_VERSION}
        )
    settings = manifest.get("settings", {})
    if not isinstance(settings, dict):
        raise _refuse(_("inställningarna i %(name)s är inte ett objekt.") % {"name": MANIFEST})
    return {"slug": manifest.get("slug"), **_checked_settings(settings)}


def _checked_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in settings.items():
        if key == "category":
            if not isinstance(value, str):
                raise _refuse(_("inställningen %(key)s är inte text.") % {"key": key})
            checked["category"] = Category.objects.filter(slug=value).first() if value else None
            continue
        if key not in SETTINGS_FIELDS:
            raise _refuse(_("okänd inställning: %(key)s.") % {"key": key})
        field = Project._meta.get_field(key)
        if key == "allow_anonymous":
            if not isinstance(value, bool):
                raise _refuse(_("inställningen %(key)s ska vara true eller false.") % {"key": key})
        elif not isinstance(value, str):
            raise _refuse(_("inställningen %(key)s är inte text.") % {"key": key})
        elif field.max_length and len(value) > field.max_length:
            raise _refuse(
                _("inställningen %(key)s är längre än %(max)d tecken.")
                % {"key": key, "max": field.max_length}
            )
        checked[key] = value
    return checked


@transaction.atomic
def import_new_project(user: Any, data: bytes, slug: str = "") -> Project:
    """A new project from an archive; its slug is `slug` or the one the archive names."""
    files, settings = read_archive(data)
    settings = dict(settings or {})
    archived_slug = settings.pop("slug", "") or ""
    slug = slug or (archived_slug if isinstance(archived_slug, str) else "")
    if not slug:
        raise StudioError(_("Ange ett kortnamn för det nya projektet."))
    if "title_sv" not in settings or not str(settings["title_sv"]).strip():
        settings["title_sv"] = slug
    project = services.new_project(user, slug, **settings)
    services.replace_working_copy(user, project, files)
    services.record(project, user, services.IMPORTED, "new")
    return project


@transaction.atomic
def import_working_copy(user: Any, project: Project, data: bytes) -> Project:
    """Replace the project's working copy with the archive's files (its settings stay)."""
    files, _settings = read_archive(data)
    services.replace_working_copy(user, project, files)
    services.record(project, user, services.IMPORTED, "working")
    return project
