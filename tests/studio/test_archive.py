"""Project archives: the model files come back byte for byte; hostile archives are refused
whole, with a reason, and change nothing."""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from typing import Any

import pytest

from verka.demo.models import MODELS_DIR
from verka.studio import archive, services
from verka.studio.models import Project
from verka.studio.services import StudioError

pytestmark = pytest.mark.django_db


def make_zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is what some tests want
        for name, data in entries:
            zf.writestr(name, data)
    return buffer.getvalue()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_export_and_import_give_back_every_file_byte_for_byte(project, operator):
    demo = {p.name: p.read_bytes() for p in MODELS_DIR.iterdir() if p.name.startswith("fault-")}
    awkward = '\ufeff<?xml version="1.0"?>\r\n<definitions id="x">\t<!-- ö -->\r\n</definitions>'
    for name, data in [*demo.items(), ("crlf.dmn", awkward.encode())]:
        services.upload_file(operator, project, name, data)
    exported = archive.export_archive(project, services.working_files(project), "working")
    files = entries(exported)
    for name, data in demo.items():
        assert files[name] == data
    assert files["crlf.dmn"] == awkward.encode()
    manifest = json.loads(files[archive.MANIFEST])
    assert manifest["format"] == "verka-project" and manifest["formatVersion"] == 1
    assert manifest["settings"]["title_sv"] == "Parkeringstillstånd"

    copy = archive.import_new_project(operator, exported, "parkering-kopia")
    assert services.working_files(copy) == services.working_files(project)
    assert (copy.title_sv, copy.summary_sv, copy.bpmn_process_id) == (
        "Parkeringstillstånd",
        "Ansök om parkeringstillstånd.",
        "parkering",
    )
    again = archive.export_archive(copy, services.working_files(copy), "working")
    assert {k: v for k, v in entries(again).items() if k != archive.MANIFEST} == {
        k: v for k, v in files.items() if k != archive.MANIFEST
    }


def test_a_version_is_exported_as_it_was_saved(project, operator):
    services.save_version(operator, project, "v1")
    services.delete_file(operator, project, "parkering.en.json")
    label, files = services.snapshot(project, "1")
    data = entries(archive.export_archive(project, files, label))
    assert "parkering.en.json" in data
    assert json.loads(data[archive.MANIFEST])["source"] == "v1"


def test_an_archive_becomes_the_new_working_copy(project, operator):
    data = make_zip([("ny.form", b'{"id": "ny", "components": []}')])
    archive.import_working_copy(operator, project, data)
    assert list(project.files.values_list("name", flat=True)) == ["ny.form"]
    assert project.title_sv == "Parkeringstillstånd"
    assert project.events.filter(action=services.IMPORTED, detail="working").exists()


def test_the_archive_names_the_new_projects_slug_unless_one_is_given(operator):
    manifest = {"format": "verka-project", "formatVersion": 1, "slug": "fran-arkiv", "settings": {}}
    data = make_zip([("a.form", b"{}"), (archive.MANIFEST, json.dumps(manifest).encode())])
    assert archive.import_new_project(operator, data).slug == "fran-arkiv"
    with pytest.raises(StudioError, match="redan ett projekt"):
        archive.import_new_project(operator, data)
    assert Project.objects.count() == 1


def bomb() -> bytes:
    return make_zip([("bomb.form", b"{" + b" " * (services.MAX_FILE_BYTES - 10) + b"}")])


HOSTILE: list[tuple[str, Any, str]] = [
    ("not a zip", b"PK\x03\x04 nope", "inte en zip-fil"),
    ("traversal", make_zip([("../evil.bpmn", b"<definitions/>")]), "utan sökvägar"),
    ("absolute", make_zip([("/etc/evil.bpmn", b"<definitions/>")]), "utan sökvägar"),
    ("folder", make_zip([("models/a.bpmn", b"<definitions/>")]), "utan sökvägar"),
    ("backslash", make_zip([("..\\evil.bpmn", b"<definitions/>")]), "utan sökvägar"),
    ("duplicate", make_zip([("a.form", b"{}"), ("a.form", b"{}")]), "finns två gånger"),
    ("unknown file", make_zip([("README.md", b"# hej")]), "filtyp som Studion inte känner till"),
    ("non-ASCII name", make_zip([("å.form", b"{}")]), "går inte att använda"),
    ("not UTF-8", make_zip([("a.form", '{"a": "ö"}'.encode("latin-1"))]), "inte UTF-8"),
    ("not well-formed", make_zip([("a.bpmn", b"<definitions>")]), "inte välformad XML"),
    ("zip bomb", "bomb", "zip-bomb"),
    (
        "too large",
        make_zip([("a.form", b" " * (services.MAX_FILE_BYTES + 1))], zipfile.ZIP_STORED),
        "större än",
    ),
    ("empty", make_zip([]), "inga modellfiler"),
    (
        "bad manifest",
        make_zip([("a.form", b"{}"), (archive.MANIFEST, b"[]")]),
        "Verka-projektbeskrivning",
    ),
    (
        "future format",
        make_zip([(archive.MANIFEST, b'{"format": "verka-project", "formatVersion": 9}')]),
        "formatversion 9",
    ),
    (
        "unknown setting",
        make_zip(
            [
                ("a.form", b"{}"),
                (
                    archive.MANIFEST,
                    b'{"format": "verka-project", "formatVersion": 1, "settings": {"is_superuser": true}}',
                ),
            ]
        ),
        "okänd inställning",
    ),
    (
        "too many files",
        make_zip([(f"f{i}.form", b"{}") for i in range(archive.MAX_ENTRIES + 1)]),
        "fler än",
    ),
]


@pytest.mark.parametrize(("case", "data", "message"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_a_hostile_archive_is_refused_and_changes_nothing(project, operator, case, data, message):
    data = bomb() if data == "bomb" else data
    before = sorted(project.files.values_list("name", "sha"))
    with pytest.raises(StudioError, match=message):
        archive.import_working_copy(operator, project, data)
    with pytest.raises(StudioError, match=message):
        archive.import_new_project(operator, data, "ny")
    assert sorted(project.files.values_list("name", "sha")) == before
    assert list(Project.objects.values_list("slug", flat=True)) == ["parkering"]


def test_a_header_that_lies_about_the_size_is_not_trusted(project, operator):
    data = bytearray(make_zip([("a.form", b"{" + b" " * 5000 + b"}")], zipfile.ZIP_STORED))
    # Claim 2 bytes in the central directory: reading must still stop at the real data's CRC.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (2).to_bytes(4, "little")
    with pytest.raises(StudioError, match="kan inte packas upp|inte en zip-fil"):
        archive.import_working_copy(operator, project, bytes(data))
