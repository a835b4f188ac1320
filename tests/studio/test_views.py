"""The Studio's pages and the editor's JSON endpoints: who gets in, what bad input gives, and
that every change is a POST with CSRF."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.accounts.helpers import log_in_with_second_factor
from verka.eservices.models import EService
from verka.processes.models import ProcessInstance
from verka.studio import services
from verka.studio.models import Project, Publication

from .conftest import save_unknown_form_reference

pytestmark = pytest.mark.django_db

BASE = "/studio/parkering"


def client_for(user: Any, **options: Any) -> Client:
    client = Client(**options)
    log_in_with_second_factor(client, user)
    return client


def post_json(client: Client, url: str, body: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


# --- who gets in ------------------------------------------------------------------------------

PAGES = [
    ("get", "/studio/"),
    ("get", f"{BASE}/"),
    ("get", f"{BASE}/filer/parkering.bpmn/"),
    ("get", f"{BASE}/filer/parkering.bpmn/kalla/"),
    ("post", f"{BASE}/filer/parkering.bpmn/spara/"),
    ("post", f"{BASE}/kontroll/"),
    ("post", f"{BASE}/publicera/"),
    ("post", f"{BASE}/ga-tillbaka/"),
    ("get", f"{BASE}/arkiv/"),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_only_the_digitalisation_team_gets_in(project, officer, citizen, method, url):
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and "/konto/logga-in/personal/" in anonymous["Location"]
    assert getattr(client_for(citizen), method)(url).status_code == 403
    assert getattr(client_for(officer), method)(url).status_code == 404
    assert Publication.objects.count() == 0


def test_the_operator_sees_the_projects_and_the_workspace_links_to_the_studio(
    project, operator_client, officer
):
    page = operator_client.get("/studio/")
    assert page.status_code == 200
    assert "Parkeringstillstånd" in page.content.decode()
    inbox = operator_client.get("/handlaggning/").content.decode()
    assert 'href="/studio/"' in inbox
    assert 'href="/studio/"' not in client_for(officer).get("/handlaggning/").content.decode()


def test_a_change_without_the_csrf_token_is_refused(project, operator):
    client = client_for(operator, enforce_csrf_checks=True)
    file = project.files.get(name="parkering.form")
    response = post_json(
        client, f"{BASE}/filer/parkering.form/spara/", {"content": "{}", "sha": file.sha}
    )
    assert response.status_code == 403
    assert (
        client.post(
            "/studio/nytt/", {"slug": "x", "title_sv": "X", "template": "empty"}
        ).status_code
        == 403
    )
    assert project.files.get(name="parkering.form").sha == file.sha
    assert Project.objects.count() == 1


# --- projects -------------------------------------------------------------------------------------


def test_creating_a_project(operator_client):
    response = operator_client.post(
        "/studio/nytt/", {"slug": "hundskatt", "title_sv": "Hundskatt", "template": "application"}
    )
    assert response.status_code == 302 and response["Location"] == "/studio/hundskatt/"
    assert "hundskatt-decision.form" in services.working_files(
        Project.objects.get(slug="hundskatt")
    )
    page = operator_client.get("/studio/hundskatt/").content.decode()
    assert "Inga fel hittades" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "Ä", "title_sv": "X", "template": "empty"}, "Kortnamn"),
        ({"slug": "nytt", "title_sv": "X", "template": "empty"}, "går inte att använda"),
        ({"slug": "ok", "title_sv": "", "template": "empty"}, "Rubrik (svenska)"),
        ({"slug": "ok", "title_sv": "X", "template": "hemlig"}, "Börja från"),
    ],
)
def test_a_bad_new_project_is_refused_with_a_reason(operator_client, data, message):
    response = operator_client.post("/studio/nytt/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_the_project_page_shows_files_findings_versions_and_publications(
    project, operator, operator_client
):
    save_unknown_form_reference(operator, project)
    page = operator_client.get(f"{BASE}/").content.decode()
    assert f'href="{BASE}/filer/parkering.bpmn/"' in page
    assert "Okänt formulär" in page and "1 fel" in page
    assert "Inga versioner sparade ännu." in page
    assert "E-tjänsten är inte publicerad." in page


def test_settings_are_saved_and_bad_ones_refused(project, operator_client):
    form = {
        "title_sv": "Nytt",
        "summary_sv": "S",
        "handling_time_sv": "1 dag",
        "bpmn_process_id": "parkering",
        "start_form_id": "parkering",
        "case_prefix": "PRK",
    }
    assert operator_client.post(f"{BASE}/installningar/", form).status_code == 302
    project.refresh_from_db()
    assert (project.title_sv, project.case_prefix) == ("Nytt", "PRK")
    response = operator_client.post(
        f"{BASE}/installningar/", {**form, "case_prefix": "X" * 9, "title_sv": "Annat"}
    )
    assert response.status_code == 400 and "Ärendeprefix" in response.content.decode()
    project.refresh_from_db()
    assert project.title_sv == "Nytt"


# --- files --------------------------------------------------------------------------------------


def test_upload_and_download_keep_the_bytes(project, operator_client):
    data = '<?xml version="1.0"?>\r\n<definitions id="x">å</definitions>\r\n'.encode()
    upload = SimpleUploadedFile("beslut.dmn", data, content_type="application/octet-stream")
    assert operator_client.post(f"{BASE}/filer/ladda-upp/", {"file": upload}).status_code == 302
    download = operator_client.get(f"{BASE}/filer/beslut.dmn/ladda-ner/")
    assert download.content == data
    assert download["Content-Disposition"] == 'attachment; filename="beslut.dmn"'
    bad = SimpleUploadedFile("x.bpmn", b"<definitions>", content_type="application/xml")
    response = operator_client.post(f"{BASE}/filer/ladda-upp/", {"file": bad})
    assert response.status_code == 400 and "inte välformad XML" in response.content.decode()
    assert not project.files.filter(name="x.bpmn").exists()


def test_new_rename_and_delete_through_the_page(project, operator_client):
    response = operator_client.post(f"{BASE}/filer/ny/", {"name": "avgift.dmn"})
    assert response["Location"] == f"{BASE}/filer/avgift.dmn/"
    bad = operator_client.post(f"{BASE}/filer/ny/", {"name": "avgift.exe"})
    assert bad.status_code == 400 and "filtyp" in bad.content.decode()
    assert (
        operator_client.post(
            f"{BASE}/filer/avgift.dmn/byt-namn/", {"new_name": "taxa.dmn"}
        ).status_code
        == 302
    )
    assert operator_client.post(f"{BASE}/filer/taxa.dmn/ta-bort/").status_code == 302
    assert sorted(services.working_files(project)) == [
        "parkering.bpmn",
        "parkering.en.json",
        "parkering.form",
    ]
    assert operator_client.get(f"{BASE}/filer/taxa.dmn/ta-bort/").status_code == 405


def test_test_and_translation_files_are_edited_as_text(project, operator_client):
    file = project.files.get(name="parkering.en.json")
    page = operator_client.get(f"{BASE}/filer/parkering.en.json/")
    assert page.status_code == 200 and 'name="sha"' in page.content.decode()
    response = operator_client.post(
        f"{BASE}/filer/parkering.en.json/", {"content": "{\r\n}", "sha": file.sha}
    )
    assert response.status_code == 302
    assert project.files.get(name=file.name).content == "{\n}"
    stale = operator_client.post(
        f"{BASE}/filer/parkering.en.json/", {"content": "{}", "sha": file.sha}
    )
    assert stale.status_code == 400 and "ändrats av någon annan" in stale.content.decode()


# --- the editor contract ----------------------------------------------------------------------------


def test_the_editor_page_gets_its_configuration(project, operator_client):
    response = operator_client.get(f"{BASE}/filer/parkering.bpmn/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "studio/editor.html"
    config = response.context["editor_config"]
    file = project.files.get(name="parkering.bpmn")
    assert config == {
        "kind": "bpmn",
        "fileName": "parkering.bpmn",
        "sourceUrl": f"{BASE}/filer/parkering.bpmn/kalla/",
        "saveUrl": f"{BASE}/filer/parkering.bpmn/spara/",
        "checkUrl": f"{BASE}/kontroll/",
        "projectUrl": f"{BASE}/",
        "sha": file.sha,
        "language": "sv",
        "formIds": ["parkering"],
        "decisionIds": [],
        "processIds": ["parkering"],
    }
    assert 'id="studio-config"' in response.content.decode()
    english = operator_client.get(f"/en{BASE}/filer/parkering.bpmn/").context["editor_config"]
    assert (
        english["language"] == "en"
        and english["saveUrl"] == f"/en{BASE}/filer/parkering.bpmn/spara/"
    )
    assert operator_client.get(f"{BASE}/filer/saknas.bpmn/").status_code == 404


def test_the_source_is_the_raw_file(project, operator_client):
    response = operator_client.get(f"{BASE}/filer/parkering.bpmn/kalla/")
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.decode() == project.files.get(name="parkering.bpmn").content
    form = operator_client.get(f"{BASE}/filer/parkering.form/kalla/")
    assert form["Content-Type"].startswith("application/json")


def test_save_returns_the_new_sha_and_the_findings(project, operator_client):
    file = project.files.get(name="parkering.bpmn")
    broken = file.content.replace('formId="parkering"', 'formId="x"')
    response = post_json(
        operator_client, f"{BASE}/filer/parkering.bpmn/spara/", {"content": broken, "sha": file.sha}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["sha"] == project.files.get(name=file.name).sha != file.sha
    (finding,) = body["findings"]
    assert finding["rule"] == "verka/unknown-form" and finding["title"] == "Okänt formulär"
    assert set(finding) == {"file", "severity", "rule", "title", "message", "element_id", "line"}

    stale = post_json(
        operator_client,
        f"{BASE}/filer/parkering.bpmn/spara/",
        {"content": file.content, "sha": file.sha},
    )
    assert stale.status_code == 409 and "ändrats av någon annan" in stale.json()["error"]
    sha = body["sha"]
    for bad in ["<definitions>", None]:
        response = post_json(
            operator_client, f"{BASE}/filer/parkering.bpmn/spara/", {"content": bad, "sha": sha}
        )
        assert response.status_code == 400 and response.json()["error"]
    assert (
        post_json(operator_client, f"{BASE}/filer/parkering.bpmn/spara/", "{nope").status_code
        == 400
    )
    assert project.files.get(name=file.name).sha == sha


def test_json_messages_are_in_the_requests_language(project, operator_client):
    file = project.files.get(name="parkering.form")
    response = post_json(
        operator_client, f"/en{BASE}/filer/parkering.form/spara/", {"content": "[", "sha": file.sha}
    )
    assert response.status_code == 400
    assert "is not valid JSON" in response.json()["error"]


def test_check_takes_unsaved_contents(project, operator_client):
    file = project.files.get(name="parkering.bpmn")
    broken = file.content.replace('formId="parkering"', 'formId="x"')
    response = post_json(
        operator_client, f"{BASE}/kontroll/", {"files": {"parkering.bpmn": broken}}
    )
    assert [f["rule"] for f in response.json()["findings"]] == ["verka/unknown-form"]
    assert post_json(operator_client, f"{BASE}/kontroll/", {"files": {}}).json() == {"findings": []}
    for bad in [{"files": []}, {"files": {"a": 1}}, [], "nope"]:
        assert post_json(operator_client, f"{BASE}/kontroll/", bad).status_code == 400


# --- versions, publishing, trying out -------------------------------------------------------------


def test_versions_diffs_and_archives_through_the_page(project, operator, operator_client):
    assert operator_client.post(f"{BASE}/versioner/", {"message": "Första"}).status_code == 302
    again = operator_client.post(f"{BASE}/versioner/", {"message": "Igen"})
    assert (
        again.status_code == 400 and "Inget har ändrats sedan version 1" in again.content.decode()
    )
    file = project.files.get(name="parkering.bpmn")
    services.save_file(
        operator, project, file.name, file.content.replace("Ansökan hanterad", "Klar"), file.sha
    )
    diff = operator_client.get(f"{BASE}/versioner/jamfor/?fran=1&till=working").content.decode()
    assert "applicationHandled" in diff and "Ändrade element" in diff
    assert operator_client.get(f"{BASE}/versioner/jamfor/?fran=7").status_code == 404
    archive = operator_client.get(f"{BASE}/arkiv/?version=1")
    assert archive["Content-Disposition"] == 'attachment; filename="parkering-v1.zip"'
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        assert "Ansökan hanterad" in zf.read("parkering.bpmn").decode()


def test_publish_and_roll_back_through_the_page(project, operator, operator_client):
    response = operator_client.post(f"{BASE}/publicera/", {"catalogue_visible": "on"})
    assert response.status_code == 302
    assert EService.objects.get(slug="parkering").published
    file = project.files.get(name="parkering.bpmn")
    services.save_file(
        operator, project, file.name, file.content.replace("Ansökan hanterad", "Klar"), file.sha
    )
    operator_client.post(f"{BASE}/publicera/", {})
    assert not EService.objects.get(slug="parkering").published
    page = operator_client.get(f"{BASE}/").content.decode()
    assert "Gå tillbaka till version 1" in page
    assert operator_client.post(f"{BASE}/ga-tillbaka/").status_code == 302
    assert services.current_publication(project).rollback_of is not None


def test_publish_refused_shows_the_findings(project, operator, operator_client):
    save_unknown_form_reference(operator, project)
    response = operator_client.post(f"{BASE}/publicera/", {"catalogue_visible": "on"})
    assert response.status_code == 400
    assert "kan inte publiceras" in response.content.decode()
    assert not EService.objects.exists() and not Publication.objects.exists()


def test_tests_and_a_test_instance_from_the_page(project, operator, operator_client):
    case = {
        "name": "ends",
        "instructions": [
            {
                "type": "CREATE_PROCESS_INSTANCE",
                "processDefinitionSelector": {"processDefinitionId": "parkering"},
            },
            {
                "type": "ASSERT_PROCESS_INSTANCE",
                "processInstanceSelector": {"processDefinitionId": "parkering"},
                "state": "IS_COMPLETED",
            },
        ],
    }
    services.add_file(operator, project, "a.test.json", json.dumps({"testCases": [case]}).encode())
    page = operator_client.post(f"{BASE}/testa/").content.decode()
    assert "1 av 1 test gick igenom." in page
    response = operator_client.post(f"{BASE}/testinstans/", {"variables": '{"name": "Anna"}'})
    instance = ProcessInstance.objects.get()
    assert instance.is_test
    assert f'href="/handlaggning/arenden/{instance.key}/"' in response.content.decode()
    bad = operator_client.post(f"{BASE}/testinstans/", {"variables": "[1]"})
    assert bad.status_code == 400 and "JSON-objekt" in bad.content.decode()
    assert ProcessInstance.objects.count() == 1


def test_archives_are_imported_through_the_pages(project, operator_client):
    exported = operator_client.get(f"{BASE}/arkiv/").content
    upload = SimpleUploadedFile("p.zip", exported, content_type="application/zip")
    response = operator_client.post("/studio/importera/", {"archive": upload, "slug": "kopia"})
    assert response.status_code == 302 and response["Location"] == "/studio/kopia/"
    copy = Project.objects.get(slug="kopia")
    assert services.working_files(copy) == services.working_files(project)

    bad = SimpleUploadedFile("p.zip", b"not a zip", content_type="application/zip")
    response = operator_client.post("/studio/importera/", {"archive": bad, "slug": "trasig"})
    assert response.status_code == 400 and "inte en zip-fil" in response.content.decode()
    assert not Project.objects.filter(slug="trasig").exists()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("ny.form", '{"id": "ny"}')
    upload = SimpleUploadedFile("n.zip", buffer.getvalue(), content_type="application/zip")
    assert operator_client.post(f"{BASE}/arkiv/importera/", {"archive": upload}).status_code == 302
    assert list(services.working_files(project)) == ["ny.form"]


def test_lint_findings_read_in_the_pages_language(project, operator_client):
    file = project.files.get(name="parkering.bpmn")
    loose = file.content.replace(
        "</bpmn:process>", '<bpmn:task id="loose" name="Lös"/></bpmn:process>'
    )

    def disconnected(prefix: str) -> str:
        response = post_json(
            operator_client, f"{prefix}{BASE}/kontroll/", {"files": {"parkering.bpmn": loose}}
        )
        found = response.json()["findings"]
        return next(f["message"] for f in found if f["rule"] == "bpmnlint/no-disconnected")

    assert disconnected("") == (
        "Elementet 'loose' (Lös) är inte anslutet: det har varken inkommande eller utgående "
        "sekvensflöden"
    )
    assert disconnected("/en") == (
        "Element 'loose' (Lös) is not connected: it has no incoming or outgoing sequence flow"
    )


def test_an_unknown_reference_reads_in_the_pages_language_with_its_suggestion(
    project, operator_client
):
    file = project.files.get(name="parkering.bpmn")
    typo = file.content.replace('formId="parkering"', 'formId="parkerin"')

    def message(prefix: str) -> str:
        response = post_json(
            operator_client, f"{prefix}{BASE}/kontroll/", {"files": {"parkering.bpmn": typo}}
        )
        (found,) = response.json()["findings"]
        assert found["rule"] == "verka/unknown-form"
        return str(found["message"])

    swedish, english = message(""), message("/en")
    assert "hänvisar till det okända id:t 'parkerin' (formulär)" in swedish
    assert swedish.endswith("(menade du 'parkering'?)")
    assert "references unknown form id 'parkerin'" in english
    assert english.endswith("(did you mean 'parkering'?)")
