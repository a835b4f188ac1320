"""What an anonymous e-service takes from one client: uploads per draft in count and bytes,
requests per window (429 with Retry-After), only the files the answers name become the case's,
and drafts nobody finished are removed with their files after the retention time."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from verka.eservices import services, throttle
from verka.eservices.models import Attachment, Draft, RateCounter, Submission
from verka.worker.models import Duty

from .conftest import PDF

pytestmark = pytest.mark.django_db

UPLOAD = "/e-tjanster/bygglov/ansok/bilaga/"
AUTOSAVE = "/e-tjanster/bygglov/ansok/spara/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def anonymous(permit_eservice):  # type: ignore[no-untyped-def]
    permit_eservice.allow_anonymous = True
    permit_eservice.save()
    return permit_eservice


def pdf(name: str = "plan.pdf", size: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"0" * size, "application/pdf")


def upload(client, file=None, **extra):  # type: ignore[no-untyped-def]
    return client.post(UPLOAD, {"field": "drawings", "file": file or pdf()}, **extra)


def stored_files(media_root: Path) -> list[Path]:
    folder = media_root / "attachments"
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --- uploads per draft ------------------------------------------------------------------


def test_thirty_uploads_into_one_draft_stop_at_the_cap(client, anonymous, media_root):
    answers = [upload(client, pdf(size=1024)) for _ in range(30)]
    accepted = [r for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code != 201]
    assert len(accepted) == 20  # VERKA_DRAFT_MAX_FILES
    assert {r.status_code for r in refused} == {400}
    problem = refused[0].json()
    assert refused[0]["Content-Type"] == "application/problem+json"
    assert "20 filer" in problem["title"]
    assert Attachment.objects.count() == 20
    assert len(stored_files(media_root)) == 20  # a refused upload leaves no file behind


def test_the_draft_cap_on_bytes_in_english(client, anonymous, settings):
    settings.VERKA_DRAFT_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
    one_mb = pdf(size=1024 * 1024)
    for _ in range(2):
        assert upload(client, pdf(size=1024 * 1024)).status_code == 201
    refused = client.post("/en" + UPLOAD, {"field": "drawings", "file": one_mb})
    assert refused.status_code == 400
    assert refused.json()["title"] == "The files of an application may be at most 3 MB together."


@pytest.mark.django_db(transaction=True)  # threads need committed rows
def test_parallel_uploads_cannot_pass_the_cap_together(client, anonymous, settings):
    settings.VERKA_DRAFT_MAX_FILES = 3
    draft = services.draft_for(anonymous, None, "session-1")
    barrier = threading.Barrier(6)
    results: list[str] = []

    def one() -> None:
        barrier.wait()
        try:
            services.store_upload(draft, "drawings", pdf())
            results.append("ok")
        except services.UploadRefused:
            results.append("refused")
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok"] * 3 + ["refused"] * 3
    assert Attachment.objects.filter(draft=draft).count() == 3


# --- only referenced files become the case's ---------------------------------------------


def fill_in(client, references):  # type: ignore[no-untyped-def]
    answers = {"property": "Exempel 1:23", "drawings": references}
    for step in (0, 1):
        response = client.post(
            "/e-tjanster/bygglov/ansok/",
            {"step": step, "answers": json.dumps(answers), "action": "next"},
        )
        assert response.status_code == 302, response.content.decode()[:500]


def test_only_files_the_answers_name_become_case_attachments(client, anonymous, media_root):
    kept = upload(client, pdf("kept.pdf")).json()
    replaced = upload(client, pdf("replaced.pdf")).json()
    fill_in(client, [kept])
    token = str(Draft.objects.get().submit_token)
    with django_on_commit():
        response = client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert [a.original_name for a in submission.attachments.all()] == ["kept.pdf"]
    assert not Attachment.objects.filter(pk=replaced["documentId"]).exists()
    assert [p.name for p in stored_files(media_root)] == [Attachment.objects.get().storage_name]


def test_a_reference_to_a_file_of_another_draft_is_refused_at_submit(client, anonymous):
    other = services.draft_for(anonymous, None, "someone-else")
    foreign = services.attachment_reference(services.store_upload(other, "drawings", pdf()))
    fill_in(client, [foreign])
    token = str(Draft.objects.get(session_key=client.session.session_key).submit_token)
    response = client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    assert response.status_code == 400
    assert "Filen hittades inte" in response.content.decode()
    assert not Submission.objects.exists()
    assert Attachment.objects.get().draft == other


def test_the_case_keeps_the_servers_file_name_not_the_one_sent_back(client, anonymous):
    reference = upload(client, pdf("plan.pdf")).json()
    reference["metadata"]["fileName"] = "forged.pdf"
    fill_in(client, [reference])
    token = str(Draft.objects.get().submit_token)
    client.post("/e-tjanster/bygglov/ansok/granska/", {"submit_token": token})
    assert Submission.objects.get().data["drawings"][0]["metadata"]["fileName"] == "plan.pdf"


class django_on_commit:
    """Run on-commit callbacks of the test's transaction when the block ends."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        from django.test import TestCase

        self.context = TestCase.captureOnCommitCallbacks(execute=True)
        return self.context.__enter__()

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        return self.context.__exit__(*exc)


# --- rate limits ---------------------------------------------------------------------------


def test_autosaves_over_the_limit_get_429_with_retry_after(client, anonymous, settings):
    settings.VERKA_RATE_LIMITS = {**settings.VERKA_RATE_LIMITS, "autosaves": "3/m"}
    body = json.dumps({"data": {"property": "A 1:1"}})
    answers = [
        client.post(AUTOSAVE, body, content_type="application/json").status_code for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    refused = client.post(AUTOSAVE, body, content_type="application/json")
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "För många försök" in refused.json()["title"]


def test_new_drafts_per_address_are_limited_with_an_html_429(client, anonymous, settings):
    from django.test import Client

    settings.VERKA_RATE_LIMITS = {**settings.VERKA_RATE_LIMITS, "drafts": "2/h"}
    statuses = [Client().get("/e-tjanster/bygglov/ansok/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    page = Client().get("/en/e-tjanster/bygglov/ansok/")
    assert page.status_code == 429 and "<html" in page.content.decode()
    assert "Too many attempts" in page.content.decode()
    assert int(page["Retry-After"]) <= 3600
    assert Draft.objects.count() == 2
    # Coming back to one's own draft is not a new draft.
    assert client.get("/e-tjanster/bygglov/ansok/").status_code in {200, 429}


def test_the_limit_is_per_address_and_shared_through_the_database(client, anonymous, settings):
    settings.VERKA_RATE_LIMITS = {**settings.VERKA_RATE_LIMITS, "uploads": "2/h"}
    assert upload(client, REMOTE_ADDR="10.0.0.1").status_code == 201
    assert upload(client, REMOTE_ADDR="10.0.0.1").status_code == 201
    assert upload(client, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert upload(client, REMOTE_ADDR="10.0.0.2").status_code == 201
    assert RateCounter.objects.get(bucket="uploads", client="ip:10.0.0.1").count == 3


def test_submits_are_limited(client, anonymous, settings):
    settings.VERKA_RATE_LIMITS = {**settings.VERKA_RATE_LIMITS, "submits": "1/h"}
    review = "/e-tjanster/bygglov/ansok/granska/"
    assert client.post(review, {"submit_token": "x"}).status_code == 400
    assert client.post(review, {"submit_token": "x"}).status_code == 429


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/h", throttle.Rate(30, 3600)),
        ("120/m", throttle.Rate(120, 60)),
        ("10/15m", throttle.Rate(10, 900)),
        (" 5 / 30s ", throttle.Rate(5, 30)),
        ("off", None),
        ("0/h", None),
    ],
)
def test_rate_settings_are_read(text, rate):
    assert throttle.parse_rate(text) == rate


@pytest.mark.parametrize("text", ["30", "30/d", "x/h", "-1/h"])
def test_unreadable_rate_settings_are_refused(text):
    with pytest.raises(ValueError, match="30/h"):
        throttle.parse_rate(text)


@pytest.mark.django_db(transaction=True)  # threads need committed rows
def test_the_window_count_is_one_atomic_upsert_across_connections(anonymous):
    """Two threads (two connections) counting into one window see every hit exactly once."""
    seen: list[int] = []
    barrier = threading.Barrier(4)

    def count() -> None:
        barrier.wait()
        try:
            for _ in range(10):
                seen.append(throttle._count("test", "ip:10.9.9.9", 999))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 41))


# --- abandoned drafts ------------------------------------------------------------------


def age(draft: Draft, days: int) -> None:
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=days))


def test_abandoned_drafts_and_their_files_are_removed(anonymous, media_root, settings):
    settings.VERKA_DRAFT_RETENTION_DAYS = 30
    old = services.draft_for(anonymous, None, "old-session")
    services.store_upload(old, "drawings", pdf())
    recent = services.draft_for(anonymous, None, "recent-session")
    kept = services.store_upload(recent, "drawings", pdf())
    age(old, 31)
    age(recent, 29)
    RateCounter.objects.create(bucket="uploads", client="ip:1", window_end=1, count=3)
    with django_on_commit():
        assert services.remove_abandoned_drafts() == 1
    assert list(Draft.objects.all()) == [recent]
    assert list(Attachment.objects.all()) == [kept]
    assert [p.name for p in stored_files(media_root)] == [kept.storage_name]
    assert not RateCounter.objects.exists()


def test_files_left_without_a_draft_are_removed_too(anonymous, media_root):
    draft = services.draft_for(anonymous, None, "gone")
    orphan = services.store_upload(draft, "drawings", pdf())
    Attachment.objects.filter(pk=orphan.pk).update(
        draft=None, uploaded_at=timezone.now() - timedelta(days=40)
    )
    with django_on_commit():
        services.remove_abandoned_drafts()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_the_duty_is_done_by_one_worker_per_period(anonymous):
    old = services.draft_for(anonymous, None, "old")
    age(old, 400)
    now = timezone.now()
    assert services.clean_up_if_due("worker-a", now=now) == 1
    other = services.draft_for(anonymous, None, "old-2")
    age(other, 400)
    # Another worker a moment later finds the duty claimed for the next hour.
    assert services.clean_up_if_due("worker-b", now=now + timedelta(minutes=5)) == 0
    assert Draft.objects.filter(pk=other.pk).exists()
    assert Duty.objects.get(name=services.DRAFT_CLEANUP).held_by == "worker-a"
    assert services.clean_up_if_due("worker-b", now=now + timedelta(hours=1, seconds=1)) == 1


@pytest.mark.django_db(transaction=True)  # threads need committed rows
def test_workers_claiming_at_once_do_the_duty_once(anonymous):
    old = services.draft_for(anonymous, None, "old")
    age(old, 400)
    Duty.objects.create(name=services.DRAFT_CLEANUP, held_until=timezone.now())
    now = timezone.now() + timedelta(seconds=1)
    barrier = threading.Barrier(4)
    claims: list[str] = []
    real_removal = services.remove_abandoned_drafts

    def counted_removal(**kwargs):
        claims.append("ran")
        return real_removal(**kwargs)

    def claim(name: str) -> None:
        barrier.wait()
        try:
            services.clean_up_if_due(name, now=now)
        finally:
            connections.close_all()  # this thread's own connection

    services.remove_abandoned_drafts = counted_removal

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    finally:
        services.remove_abandoned_drafts = real_removal
    assert claims == ["ran"]
    assert not Draft.objects.filter(pk=old.pk).exists()


def test_the_cli_removes_abandoned_drafts(anonymous, capsys):
    from verka.cli import main

    old = services.draft_for(anonymous, None, "old")
    age(old, 10)
    assert main(["cleanup", "--days", "7"]) == 0
    assert not Draft.objects.exists()
    assert "1" in capsys.readouterr().out


# --- file names ----------------------------------------------------------------------------


def multipart(file_name: str, content: bytes) -> tuple[bytes, str]:
    """A form with one file, built by hand: the test client shortens long file names itself."""
    boundary = "----verka-test-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="field"\r\n\r\ndrawings\r\n'
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_five_thousand_character_file_name_gets_a_json_400(client, anonymous, caplog):
    body, content_type = multipart("a" * 5000 + ".pdf", PDF)
    response = client.post(UPLOAD, body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Formulärdata i anropet kunde inte läsas."
    assert not [r for r in caplog.records if r.exc_info]
    assert not Attachment.objects.exists()


def test_a_long_file_name_that_can_be_read_is_shortened_keeping_its_extension(client, anonymous):
    body, content_type = multipart("b" * 600 + ".pdf", PDF)
    response = client.post(UPLOAD, body, content_type=content_type)
    assert response.status_code == 201
    assert Attachment.objects.get().original_name == "b" * 196 + ".pdf"


def test_a_right_to_left_override_cannot_disguise_the_extension(client, anonymous):
    # Shown as "invoiceexe.pdf" by a bidi-aware screen; really a name ending in "fdp.exe"…
    # here it ends in .pdf after the override, so the file is taken, with the override gone.
    response = upload(client, pdf("report\u202eslx.pdf"))
    assert response.status_code == 201
    assert response.json()["metadata"]["fileName"] == "reportslx.pdf"
    assert Attachment.objects.get().original_name == "reportslx.pdf"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("plan\u200b.pdf", "plan.pdf"),  # zero-width space
        ("pl\u2066an\u2069.pdf", "plan.pdf"),  # isolates
        ("C:\\Users\\anna\\plan.pdf", "plan.pdf"),
        ("../../etc/plan.pdf", "plan.pdf"),
        ("Pla\u0308n.pdf", "Plän.pdf"),  # NFC: one ä, not a + combining diaeresis
        ("ta\tb\nle.pdf", "table.pdf"),
    ],
)
def test_uploaded_file_names_are_normalised(client, anonymous, given, stored):
    response = upload(client, pdf(given))
    assert response.status_code == 201, response.json()
    assert Attachment.objects.get().original_name == stored


def test_the_worker_runs_the_duty_through_its_cleanup_source(anonymous):
    from verka.worker.runner import registered_sources

    registered = {source.name: source for source in registered_sources()}
    age(services.draft_for(anonymous, None, "old"), 400)
    source = services.CleanupSource()
    assert source.poll("w1") == 1
    age(services.draft_for(anonymous, None, "old-2"), 400)
    assert source.poll("w1") == 0  # asks the database again only after `recheck` seconds
    # Another worker's source asks at once, and finds the duty claimed for the hour.
    assert registered["draft-cleanup"].poll("w2") == 0
    assert Draft.objects.count() == 1
