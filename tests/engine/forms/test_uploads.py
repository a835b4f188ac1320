"""Uploads against a file picker's accept list, multiple flag and the e-service's size limit."""

import pytest

from verka.engine.forms import Upload, accepts_file, check_uploads, parse_form


@pytest.mark.parametrize(
    ("accept", "filename", "mime_type", "accepted"),
    [
        (None, "a.exe", "application/x-msdownload", True),
        ("", "a.exe", "application/x-msdownload", True),
        (".pdf", "Ansökan.PDF", "application/octet-stream", True),
        (".pdf", "a.pdf.exe", "application/pdf", False),
        ("application/pdf", "scan", "application/pdf; charset=binary", True),
        ("image/*", "photo.heic", "image/heic", True),
        ("image/*", "photo.txt", "text/plain", False),
        (".jpg, .png ,image/webp", "a.webp", "image/webp", True),
        (".jpg, .png", "a.gif", "image/gif", False),
        ("nonsense", "a.gif", "image/gif", True),  # nothing usable: browsers accept all
    ],
)
def test_accepts_file(accept, filename, mime_type, accepted):
    assert accepts_file(accept, filename=filename, mime_type=mime_type) is accepted


FORM = parse_form(
    {
        "type": "default",
        "components": [
            {"type": "filepicker", "key": "cv", "accept": ".pdf"},
            {"type": "filepicker", "key": "photos", "accept": "=allowed", "multiple": "=many"},
            {"type": "filepicker", "key": "scan", "accept": "{{kind}}/*"},
        ],
    }
)


def test_check_uploads_reports_type_count_and_size():
    cv, photos, scan = FORM.file_pickers
    pdf = Upload("cv.pdf", "application/pdf", 2_000)
    exe = Upload("cv.exe", "application/x-msdownload", 10)
    assert check_uploads(cv, [pdf]) == []
    errors = check_uploads(cv, [pdf, exe], max_size=1_000)
    assert [(e.path, e.code, e.params.get("filename")) for e in errors] == [
        ("cv", "too_many_files", None),
        ("cv", "file_too_large", "cv.pdf"),
        ("cv", "file_type", "cv.exe"),
    ]
    assert errors[2].message_en == "This type of file is not allowed. Allowed types: .pdf."


def test_accept_and_multiple_may_be_feel_or_templates():
    _, photos, scan = FORM.file_pickers
    jpgs = [Upload("a.jpg", "image/jpeg", 1), Upload("b.jpg", "image/jpeg", 1)]
    context = {"allowed": ".jpg", "many": True}
    assert check_uploads(photos, jpgs, context=context) == []
    assert [e.code for e in check_uploads(photos, jpgs, context={"allowed": ".png"})] == [
        "too_many_files",
        "file_type",
        "file_type",
    ]
    assert check_uploads(scan, jpgs[:1], context={"kind": "image"}) == []
    assert [e.code for e in check_uploads(scan, jpgs[:1], context={"kind": "audio"})] == [
        "file_type"
    ]


def test_picker_inside_a_dynamic_list_takes_the_concrete_path():
    form = parse_form(
        {
            "type": "default",
            "components": [
                {
                    "type": "dynamiclist",
                    "path": "kids",
                    "components": [{"type": "filepicker", "key": "photo", "accept": ".jpg"}],
                }
            ],
        }
    )
    (picker,) = form.file_pickers
    assert picker.path == "kids[].photo"
    (error,) = check_uploads(
        picker, [Upload("a.png", "image/png", 1)], segments=("kids", 2, "photo")
    )
    assert error.path == "kids[2].photo"


def test_picker_inside_a_dynamic_list_without_a_row_reports_the_field_path():
    form = parse_form(
        {
            "type": "default",
            "components": [
                {
                    "type": "dynamiclist",
                    "path": "kids",
                    "components": [{"type": "filepicker", "key": "photo", "accept": ".jpg"}],
                }
            ],
        }
    )
    (error,) = check_uploads(form.file_pickers[0], [Upload("a.png", "image/png", 1)])
    assert error.path == "kids[].photo"
