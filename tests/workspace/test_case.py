"""The case page's files: attachments and documents download only for those who may see the
case, and every download is in the access log."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from verka.cases import files as case_files
from verka.cases.models import CaseAccess, CaseDocument
from verka.eservices.models import Attachment
from verka.eservices.services import upload_dir

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def files(settings, tmp_path, permit_case):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    storage = uuid.uuid4().hex
    (upload_dir() / storage).write_bytes(PDF)
    attachment = Attachment.objects.create(
        submission=permit_case,
        field_path="drawings",
        original_name="planritning.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="x",
        storage_name=storage,
    )
    name, digest = case_files.write_bytes(PDF)
    decision = CaseDocument.objects.create(
        submission=permit_case,
        kind=CaseDocument.Kind.DECISION,
        title="Beslut om bygglov",
        original_name="beslut.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=digest,
        storage_name=name,
        created_at=timezone.now(),
    )
    return attachment, decision


def test_the_case_page_lists_files_and_an_officer_downloads_them(
    client, people, permit_case, files
):
    attachment, decision = files
    key = permit_case.process_instance_key
    client.force_login(people["officer"])

    page = client.get(reverse("workspace:case", args=[key])).content.decode()
    assert "planritning.pdf" in page and "Beslut om bygglov" in page
    got = client.get(reverse("workspace:attachment", args=[key, attachment.id]))
    doc = client.get(reverse("workspace:document", args=[key, decision.id]))

    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert doc.status_code == 200 and "beslut.pdf" in doc["Content-Disposition"]
    reads = CaseAccess.objects.filter(user=people["officer"], what__startswith="document_read")
    assert sorted(reads.values_list("what", flat=True)) == [
        "document_read:beslut.pdf",
        "document_read:planritning.pdf",
    ]


def test_files_are_404_for_an_officer_without_the_case_and_under_another_case(
    client, people, permit_case, files
):
    attachment, decision = files
    key = permit_case.process_instance_key
    client.force_login(people["outsider"])
    assert client.get(reverse("workspace:attachment", args=[key, attachment.id])).status_code == 404
    assert client.get(reverse("workspace:document", args=[key, decision.id])).status_code == 404

    from .conftest import submit_permit

    other = submit_permit(people["applicant"], number=2)
    client.force_login(people["officer"])
    wrong_case = reverse("workspace:attachment", args=[other.process_instance_key, attachment.id])
    assert client.get(wrong_case).status_code == 404
