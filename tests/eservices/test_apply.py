"""A citizen finds the e-service, fills it in step by step, uploads drawings and submits it:
one case, one process instance, a receipt page, a PDF and an e-mail."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from verka.accounts.services import create_user
from verka.eservices.models import Attachment, Draft, Submission
from verka.processes.models import ProcessInstance, UserTask, Variable
from verka.worker.outbox import send_due

from .conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(client):  # type: ignore[no-untyped-def]
    user = create_user(
        "anna",
        "pw-anna-123",
        kind="citizen",
        display_name="Anna Andersson",
        email="anna@example.se",
    )
    client.force_login(user)
    return user


def post_step(client, step, answers, action="next"):  # type: ignore[no-untyped-def]
    return client.post(
        "/e-tjanster/bygglov/ansok/",
        {"step": step, "answers": json.dumps(answers), "action": action},
    )


def test_catalogue_searches_and_filters(client, permit_eservice):
    assert "Ansök om bygglov" in client.get("/e-tjanster/").content.decode()
    assert "Ansök om bygglov" in client.get("/e-tjanster/?q=tillbyggnad").content.decode()
    assert "Ansök om bygglov" not in client.get("/e-tjanster/?q=förskola").content.decode()
    assert "Ansök om bygglov" in client.get("/e-tjanster/?kategori=bygga").content.decode()
    english = client.get("/en/e-tjanster/bygglov/").content.decode()
    assert "Apply for a building permit" in english and "10 weeks" in english


def test_unpublished_or_unknown_eservice_is_404(client, permit_eservice):
    permit_eservice.published = False
    permit_eservice.save()
    assert client.get("/e-tjanster/bygglov/").status_code == 404
    assert client.get("/e-tjanster/finns-inte/ansok/").status_code == 404


def test_applying_needs_login_unless_anonymous_is_allowed(client, permit_eservice):
    response = client.get("/e-tjanster/bygglov/ansok/")
    assert response.status_code == 302
    assert "/konto/logga-in/" in response["Location"]


def test_the_whole_application(client, anna, permit_eservice, django_capture_on_commit_callbacks):
    page = client.get("/e-tjanster/bygglov/ansok/")
    assert page.status_code == 200
    step_schema = json.loads(
        page.content.decode()
        .split('id="step-schema" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert [c["id"] for c in step_schema["components"]] == ["stepProperty"]

    # The server refuses what the browser would refuse, with the same field errors.
    refused = post_step(client, 0, {"property": "", "area": 0})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "propertyField" in text and "areaField" in text
    assert Draft.objects.get(owner=anna).step == 0

    assert post_step(client, 0, {"property": "Exempel 1:23", "area": 120}).status_code == 302
    assert Draft.objects.get(owner=anna).step == 1

    upload = client.post(
        "/e-tjanster/bygglov/ansok/bilaga/",
        {"field": "drawings", "file": SimpleUploadedFile("plan.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 201
    reference = upload.json()
    assert reference["metadata"]["fileName"] == "plan.pdf"

    answers = {
        "property": "Exempel 1:23",
        "area": 120,
        "drawings": [reference],
        "description": "Tillbyggnad av garage",
    }
    assert post_step(client, 1, answers).status_code == 302
    review = client.get("/e-tjanster/bygglov/ansok/granska/")
    assert "Exempel 1:23" in review.content.decode()
    token = str(Draft.objects.get(owner=anna).submit_token)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    again = client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    submission = Submission.objects.get()
    assert submission.case_number.startswith("BYG-")
    assert first["Location"].endswith(f"/kvitto/{submission.case_number}/")
    assert not Draft.objects.exists()
    assert Attachment.objects.get().submission == submission

    instance = ProcessInstance.objects.get(key=submission.process_instance_key)
    assert instance.business_key == submission.case_number
    stored = {v.name: v.value for v in Variable.objects.filter(process_instance=instance)}
    assert stored["property"] == '"Exempel 1:23"'
    assert stored["area"] == "120"
    assert json.loads(stored["drawings"])[0]["documentId"] == reference["documentId"]
    assert stored["applicant"] == '"anna"'
    assert UserTask.objects.get(process_instance=instance).name == "Kontrollera"

    receipt = client.get(first["Location"])
    assert submission.case_number in receipt.content.decode()
    pdf = client.get(f"/e-tjanster/kvitto/{submission.case_number}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert len(mail.outbox) == 0  # the request only records it; a worker sends it
    assert send_due("w") == 1
    assert len(mail.outbox) == 1
    assert submission.case_number in mail.outbox[0].subject


def test_resuming_uses_the_same_draft(client, anna, permit_eservice):
    client.post(
        "/e-tjanster/bygglov/ansok/spara/",
        data=json.dumps({"data": {"property": "Halvvägs 2:1"}}),
        content_type="application/json",
    )
    client.get("/e-tjanster/bygglov/ansok/")
    assert Draft.objects.count() == 1
    assert Draft.objects.get().data == {"property": "Halvvägs 2:1"}


def test_autosave_drops_keys_the_form_does_not_have(client, anna, permit_eservice):
    client.post(
        "/e-tjanster/bygglov/ansok/spara/",
        data=json.dumps({"data": {"property": "X 1:1", "isApproved": True}}),
        content_type="application/json",
    )
    assert Draft.objects.get().data == {"property": "X 1:1"}


@pytest.mark.parametrize("payload", [b"not json", b"[1,2]", b'{"data": [1]}'])
def test_autosave_rejects_malformed_payloads(client, anna, permit_eservice, payload):
    response = client.post(
        "/e-tjanster/bygglov/ansok/spara/", data=payload, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.exe", b"MZ\x90\x00", "Only PDF"),
        ("fake.pdf", b"MZ\x90\x00not a pdf", "does not match"),
        ("image.png", b"%PDF-1.4", "does not match"),
    ],
)
def test_hostile_uploads_are_refused(client, anna, permit_eservice, name, content, message):
    response = client.post(
        "/en/e-tjanster/bygglov/ansok/bilaga/",
        {"field": "drawings", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert message in response.json()["title"]
    assert not Attachment.objects.exists()


def test_upload_to_a_field_the_form_does_not_have_is_refused(client, anna, permit_eservice):
    response = client.post(
        "/e-tjanster/bygglov/ansok/bilaga/",
        {"field": "secret", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 400


def test_tampered_submission_is_refused_at_review(client, anna, permit_eservice):
    post_step(client, 0, {"property": "A 1:1"})
    draft = Draft.objects.get()
    draft.data = {"property": "A 1:1", "description": "x", "area": -5}  # below the form's min
    draft.save()
    response = client.post(
        "/e-tjanster/bygglov/ansok/granska/", {"submit_token": str(draft.submit_token)}
    )
    assert response.status_code == 400
    assert not Submission.objects.exists()
    assert not ProcessInstance.objects.exists()


def test_another_citizen_cannot_see_the_receipt(client, anna, permit_eservice):
    post_step(client, 0, {"property": "A 1:1"})
    post_step(client, 1, {"property": "A 1:1"})
    token = str(Draft.objects.get().submit_token)
    client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    case = Submission.objects.get().case_number
    other = create_user("eve", "pw-eve-12345", kind="citizen")
    client.force_login(other)
    assert client.get(f"/e-tjanster/kvitto/{case}/").status_code == 404
    assert client.get(f"/e-tjanster/kvitto/{case}/pdf/").status_code == 404
    assert client.get("/e-tjanster/kvitto/BYG-2026-999999/").status_code == 404


def test_a_receipt_e_mail_is_recorded_with_the_case_and_sent_by_a_worker_once(
    client, anna, permit_eservice
):
    post_step(client, 0, {"property": "A 1:1"})
    post_step(client, 1, {"property": "A 1:1"})
    token = str(Draft.objects.get().submit_token)
    client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    # Even with the process dead right after the commit, the receipt is waiting to be sent.
    assert len(mail.outbox) == 0
    assert Submission.objects.get().receipt_sent_at is None
    assert send_due("w") == 1
    assert send_due("w") == 0
    assert len(mail.outbox) == 1
    assert Submission.objects.get().receipt_sent_at is not None
