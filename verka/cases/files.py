"""Files of a case on disk: checking uploads the way e-service uploads are checked, and keeping
documents outside the web root under random names."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from verka.conf import inputs
from verka.eservices.services import EXTENSION_TYPES, MAGIC

from .errors import FileRefused

# A message is a note with a few enclosures, not a file transfer.
MAX_FILES_PER_MESSAGE = 5


def document_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "case-documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_name(name: str | None) -> str:
    """The file's own name, safe to store and show (verka.conf.inputs.file_name: no folder
    part, no control or bidi characters, at most 200 characters with the extension kept);
    "file" when nothing is left."""
    try:
        return inputs.file_name(name)
    except inputs.BadInput:
        return "file"


def checked_type(upload: UploadedFile) -> str:
    """The content type of an upload that passes the type, size and content checks.

    The extension decides the type (never the browser's claim), and the first bytes must look
    like that type: a renamed executable or HTML page is refused.
    """
    name = safe_name(upload.name)
    content_type = EXTENSION_TYPES.get(Path(name).suffix.lower())
    if content_type is None:
        raise FileRefused(_("Bara filer av typen PDF, PNG, JPEG och GIF kan skickas."))
    max_size = settings.VERKA_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size > max_size:
        raise FileRefused(_("Filen är större än %(mb)s MB.") % {"mb": max_size // (1024 * 1024)})
    if upload.size == 0:
        raise FileRefused(_("Filen är tom."))
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC[content_type]):
        raise FileRefused(_("Filens innehåll stämmer inte med filtypen."))
    return content_type


def write_upload(upload: UploadedFile) -> tuple[str, str]:
    """Store an upload under a new random name; returns (storage name, sha256)."""
    storage_name = uuid.uuid4().hex
    digest = hashlib.sha256()
    with (document_dir() / storage_name).open("wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    return storage_name, digest.hexdigest()


def write_bytes(content: bytes) -> tuple[str, str]:
    storage_name = uuid.uuid4().hex
    (document_dir() / storage_name).write_bytes(content)
    return storage_name, hashlib.sha256(content).hexdigest()


def open_stored(storage_name: str) -> IO[bytes]:
    return (document_dir() / storage_name).open("rb")


def remove_stored(storage_name: str) -> None:
    (document_dir() / storage_name).unlink(missing_ok=True)
