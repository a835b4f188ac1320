"""My pages through the web: a citizen sees their own cases, answers tasks with server-side
validation, sends messages with attachments and downloads documents. Anyone else gets 404."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from verka.cases import services
from verka.cases.models import CaseAccess, CaseDocument, CaseMessage
from verka.eservices.models import Attachment, Draft
from verka.processes.models import UserTask, Variable

from .conftest import PDF, PNG, officer_requests_completion, run_jobs, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(eservice, anna):
    return submit(eservice, anna)


def login(client, user):
    client.force_login(user)
    return client


def test_my_cases_lists_own_cases_with_status_in_words(client, case, anna, bertil):
    page = login(client, anna).get("/mina-sidor/").content.decode()
    assert case.case_number in page
    assert "Mottaget" in page and "case-status--received" in page
    other = login(client, bertil).get("/mina-sidor/").content.decode()
    assert case.case_number not in other


def test_my_pages_need_login(client, case):
    response = client.get("/mina-sidor/")
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]
    assert client.get(f"/mina-sidor/arende/{case.case_number}/").status_code == 302


def test_case_page_shows_answers_status_timeline_and_tasks(client, case, anna):
    officer_requests_completion(case)
    page = login(client, anna).get(f"/mina-sidor/arende/{case.case_number}/").content.decode()
    assert "Exempel 1:23" in page  # the answers
    assert "Väntar på dig" in page
    assert "Uppgift till dig: Komplettera ansökan" in page
    task = UserTask.objects.get(element_id="supplement")
    assert f"/mina-sidor/uppgift/{task.key}/" in page
    assert str(task.key) not in page.replace(f"/mina-sidor/uppgift/{task.key}/", "")
    english = client.get(f"/en/mina-sidor/arende/{case.case_number}/").content.decode()
    assert "Waiting for you" in english and "Property designation" in english


def test_another_citizen_gets_404_everywhere(client, case, anna, bertil, tmp_path):
    task = officer_requests_completion(case)
    services.send_message(case, anna, "Fråga", [SimpleUploadedFile("a.pdf", PDF)], from_staff=False)
    run_document = services.store_document(
        case, kind="decision", title="Beslut", filename="beslut.pdf", content=PDF
    )
    attachment_id = CaseDocument.objects.get(kind="attachment").pk
    login(client, bertil)
    number = case.case_number
    for url in [
        f"/mina-sidor/arende/{number}/",
        f"/mina-sidor/uppgift/{task.key}/",
        f"/mina-sidor/dokument/{run_document.pk}/",
        f"/mina-sidor/dokument/{attachment_id}/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/mina-sidor/arende/{number}/meddelande/", {"body": "x"}).status_code == 404
    answers = json.dumps({"supplementAnswer": "kapat"})
    assert client.post(f"/mina-sidor/uppgift/{task.key}/", {"answers": answers}).status_code == 404
    upload = SimpleUploadedFile("a.pdf", PDF)
    response = client.post(
        f"/mina-sidor/uppgift/{task.key}/bilaga/", {"field": "supplementDocuments", "file": upload}
    )
    assert response.status_code == 404
    assert CaseMessage.objects.count() == 1
    assert UserTask.objects.get(key=task.key).state == "CREATED"


def test_a_finished_task_or_an_officers_task_is_404(client, case, anna):
    check = UserTask.objects.get(element_id="check")
    assert login(client, anna).get(f"/mina-sidor/uppgift/{check.key}/").status_code == 404
    assert client.get("/mina-sidor/uppgift/999999/").status_code == 404


def test_task_page_opens_the_form_with_only_the_variables_it_needs(client, case, anna):
    task = officer_requests_completion(case)
    response = login(client, anna).get(f"/mina-sidor/uppgift/{task.key}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "form-viewer.umd.js" in page and 'id="task-schema"' in page
    data = response.context["data"]
    assert data == {"missingInformation": "Fasadritning saknas."}
    assert response["Cache-Control"] == "private, no-store"


def test_bad_answers_get_field_errors_and_complete_nothing(client, case, anna):
    task = officer_requests_completion(case)
    login(client, anna)
    url = f"/mina-sidor/uppgift/{task.key}/"
    response = client.post(url, {"answers": json.dumps({"supplementAnswer": ""})})
    assert response.status_code == 400
    assert "Fältet måste fyllas i" in response.content.decode() or response.context["errors"]
    assert response.context["errors"][0][0] == "supplementAnswer"
    tampered = client.post(
        url, {"answers": json.dumps({"supplementAnswer": "ok", "decision": "granted"})}
    )
    assert tampered.status_code == 400
    assert client.post(url, {"answers": "not json"}).status_code == 400
    assert UserTask.objects.get(key=task.key).state == "CREATED"
    assert not Variable.objects.filter(name__in=["supplementAnswer", "decision"]).exists()


def test_good_answers_with_an_uploaded_file_complete_the_task(client, case, anna):
    task = officer_requests_completion(case)
    login(client, anna)
    upload = client.post(
        f"/mina-sidor/uppgift/{task.key}/bilaga/",
        {"field": "supplementDocuments", "file": SimpleUploadedFile("fasad.pdf", PDF)},
    )
    assert upload.status_code == 201
    reference = upload.json()
    assert reference["metadata"]["fileName"] == "fasad.pdf"
    answers = {"supplementAnswer": "Här är ritningen", "supplementDocuments": [reference]}
    response = client.post(f"/mina-sidor/uppgift/{task.key}/", {"answers": json.dumps(answers)})
    assert response.status_code == 302
    assert response["Location"] == f"/mina-sidor/arende/{case.case_number}/"
    assert UserTask.objects.get(key=task.key).state == "COMPLETED"
    assert UserTask.objects.get(key=task.key).completed_by == "anna"
    stored = Variable.objects.get(name="supplementAnswer", scope_key=case.process_instance_key)
    assert json.loads(stored.value) == "Här är ritningen"
    assert Attachment.objects.get(field_path="supplementDocuments").submission == case
    assert CaseAccess.objects.filter(action="change", what__startswith="task").count() == 1


def test_the_task_answers_keep_the_servers_file_name_not_the_one_sent_back(client, case, anna):
    task = officer_requests_completion(case)
    login(client, anna)
    upload = client.post(
        f"/mina-sidor/uppgift/{task.key}/bilaga/",
        {"field": "supplementDocuments", "file": SimpleUploadedFile("fasad.pdf", PDF)},
    )
    reference = upload.json()
    reference["metadata"]["fileName"] = "fasad\u202egpj.pdf"
    reference["metadata"]["size"] = 1
    answers = {"supplementAnswer": "Här", "supplementDocuments": [reference]}
    response = client.post(f"/mina-sidor/uppgift/{task.key}/", {"answers": json.dumps(answers)})
    assert response.status_code == 302
    stored = Variable.objects.get(name="supplementDocuments", scope_key=case.process_instance_key)
    metadata = json.loads(stored.value)[0]["metadata"]
    assert metadata["fileName"] == "fasad.pdf"
    assert metadata["size"] == len(PDF)


def test_a_file_reference_that_is_not_the_applicants_is_refused(client, case, anna):
    task = officer_requests_completion(case)
    login(client, anna)
    forged = {
        "documentId": "00000000-0000-0000-0000-000000000001",
        "metadata": {"fileName": "x.pdf"},
    }
    answers = {"supplementAnswer": "x", "supplementDocuments": [forged]}
    response = client.post(f"/mina-sidor/uppgift/{task.key}/", {"answers": json.dumps(answers)})
    assert response.status_code == 400
    assert UserTask.objects.get(key=task.key).state == "CREATED"


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>", "supplementDocuments"),
        ("evil.exe", b"MZ\x90\x00", "supplementDocuments"),
        ("photo.gif", b"GIF89a", "supplementDocuments"),  # not in the picker's accept list
        ("ok.pdf", PDF, "noSuchField"),
    ],
)
def test_task_uploads_are_checked(client, case, anna, name, content, field):
    task = officer_requests_completion(case)
    response = login(client, anna).post(
        f"/mina-sidor/uppgift/{task.key}/bilaga/",
        {"field": field, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert response.json()["title"]
    assert not Attachment.objects.filter(field_path=field).exists()


def test_message_with_attachment_and_download(client, case, anna):
    login(client, anna)
    response = client.post(
        f"/mina-sidor/arende/{case.case_number}/meddelande/",
        {"body": "Här kommer en bild.", "files": [SimpleUploadedFile("karta.png", PNG)]},
    )
    assert response.status_code == 302
    message = CaseMessage.objects.get()
    assert message.body == "Här kommer en bild." and not message.from_staff
    document = message.documents.get()
    assert (document.kind, document.content_type, document.size) == (
        "attachment",
        "image/png",
        len(PNG),
    )
    download = client.get(f"/mina-sidor/dokument/{document.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG
    page = client.get(f"/mina-sidor/arende/{case.case_number}/").content.decode()
    assert "Här kommer en bild." in page and "karta.png" in page


@pytest.mark.parametrize(
    ("files", "body"),
    [
        ([("evil.pdf", b"<html><script>alert(1)</script></html>")], "x"),
        ([("virus.exe", b"MZ\x90\x00")], "x"),
        ([("ok.pdf", PDF), ("fake.png", b"GIF89a not a png")], "x"),
        ([], "   "),
        ([(f"f{i}.pdf", PDF) for i in range(6)], "x"),
    ],
)
def test_hostile_or_empty_messages_are_refused_and_leave_nothing(client, case, anna, files, body):
    before = set((Path(settings.MEDIA_ROOT) / "case-documents").glob("*"))
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = login(client, anna).post(
        f"/mina-sidor/arende/{case.case_number}/meddelande/", {"body": body, "files": uploads}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert CaseMessage.objects.count() == 0 and CaseDocument.objects.count() == 0
    assert set((Path(settings.MEDIA_ROOT) / "case-documents").glob("*")) == before


def test_decision_document_download(client, case, anna, officer):
    task = officer_requests_completion(case)
    from verka.processes import services as processes

    processes.complete_user_task(task.key, {"supplementAnswer": "ok"}, user="anna")
    run_jobs("verka-document")
    document = CaseDocument.objects.get(kind="decision")
    login(client, anna)
    page = client.get(f"/mina-sidor/arende/{case.case_number}/").content.decode()
    assert f"/mina-sidor/dokument/{document.pk}/" in page and "Beslutat" in page
    response = client.get(f"/mina-sidor/dokument/{document.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert CaseAccess.objects.filter(action="read", what__startswith="document").count() == 1
    # My pages are for one's own cases, even for staff; the workspace has its own views.
    assert login(client, officer).get(f"/mina-sidor/dokument/{document.pk}/").status_code == 404
    # Staff open a case's documents only where they may read the case (verka.access.cases).
    with pytest.raises(services.NotFound):
        services.open_document(officer, document.pk)
    officer.groups.add(Group.objects.get_or_create(name="bygglov")[0])
    officer = type(officer).objects.get(pk=officer.pk)  # groups are cached on the user object
    opened, handle = services.open_document(officer, document.pk)
    handle.close()
    assert opened == document


def test_a_document_hidden_from_the_applicant_is_404(client, case, anna):
    hidden = services.store_document(
        case,
        kind="letter",
        title="Internt PM",
        filename="pm.pdf",
        content=PDF,
        visible_to_applicant=False,
    )
    response = login(client, anna).get(f"/mina-sidor/dokument/{hidden.pk}/")
    assert response.status_code == 404
    assert (
        "Internt PM" not in client.get(f"/mina-sidor/arende/{case.case_number}/").content.decode()
    )


def test_application_attachment_download(client, case, anna, bertil, tmp_path):
    from verka.eservices.services import upload_dir

    (upload_dir() / "abc123").write_bytes(PDF)
    attachment = Attachment.objects.create(
        submission=case,
        owner=anna,
        field_path="x",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0",
        storage_name="abc123",
    )
    url = f"/mina-sidor/arende/{case.case_number}/bilaga/{attachment.pk}/"
    assert login(client, bertil).get(url).status_code == 404
    response = login(client, anna).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_drafts_continue_and_delete(client, eservice, anna, bertil):
    from verka.eservices import services as eservices

    draft = eservices.draft_for(eservice, anna, "")
    page = login(client, anna).get("/mina-sidor/utkast/").content.decode()
    assert "/e-tjanster/bygglov/ansok/" in page
    url = f"/mina-sidor/utkast/{draft.pk}/ta-bort/"
    assert login(client, bertil).post(url).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()
    login(client, anna)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_views_need_csrf(case, anna):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(anna)
    response = client.post(f"/mina-sidor/arende/{case.case_number}/meddelande/", {"body": "x"})
    assert response.status_code == 403
