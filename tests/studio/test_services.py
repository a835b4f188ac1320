"""The Studio's services: files, versions, diffs, checks, publishing, rollback and trying out.
Every refusal is checked to change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from verka.eservices.models import EService
from verka.processes.models import Deployment, ProcessDefinition, ProcessInstance
from verka.studio import services
from verka.studio.models import Project, ProjectEvent, Publication
from verka.studio.services import FileConflict, PublishRefused, StudioError

from .conftest import save_unknown_form_reference

pytestmark = pytest.mark.django_db


def state(project: Project) -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    return (
        sorted(project.files.values_list("name", "sha")),
        project.versions.count(),
        Publication.objects.count(),
        Deployment.objects.count(),
        sorted(EService.objects.values_list("slug", "published", "title_sv")),
    )


def bpmn(project: Project) -> str:
    return project.files.get(name="parkering.bpmn").content


# --- projects ----------------------------------------------------------------------------------


def test_a_new_project_has_a_process_and_a_start_form_named_after_its_slug(project, operator):
    assert sorted(project.files.values_list("name", flat=True)) == [
        "parkering.bpmn",
        "parkering.en.json",
        "parkering.form",
    ]
    assert project.bpmn_process_id == "parkering"
    assert project.start_form_id == "parkering"
    assert 'bpmnElement="applicationReceived"' in bpmn(project)  # drawn: it has a diagram
    assert project.events.filter(action=services.CREATED, user=operator).exists()


@pytest.mark.parametrize("template", ["empty", "application"])
def test_every_template_passes_the_checks(operator, template):
    project = services.create_project(operator, "bygglov-altan", "Altan", template=template)
    assert project.bpmn_process_id == "bygglovAltan"
    assert services.check(project) == []


@pytest.mark.parametrize("slug", ["Stora", "-x", "a b", "nytt", "å", ""])
def test_a_bad_slug_is_refused(operator, slug):
    with pytest.raises(StudioError, match="Kortnamnet"):
        services.create_project(operator, slug, "Titel")
    assert not Project.objects.exists()


def test_a_slug_taken_by_a_project_or_an_eservice_is_refused(project, operator):
    with pytest.raises(StudioError, match="redan ett projekt"):
        services.create_project(operator, "parkering", "Igen")
    EService.objects.create(
        slug="gammal", title_sv="G", summary_sv="s", handling_time_sv="t", bpmn_process_id="g"
    )
    with pytest.raises(StudioError, match="redan en e-tjänst"):
        services.create_project(operator, "gammal", "Gammal")
    assert Project.objects.count() == 1


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../x.bpmn",
        "a b.bpmn",
        "x.txt",
        "x.json",
        ".bpmn",
        "en.json",
        "x/y.form",
        "x.BPMN",
        "a..bpmn",
    ],
)
def test_a_file_name_outside_the_rules_is_refused(project, operator, name):
    before = state(project)
    with pytest.raises(StudioError, match=r"\S"):
        services.add_file(operator, project, name, b"{}")
    assert state(project) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.bpmn", b"<definitions><process></definitions>", "inte välformad XML \\(rad 1"),
        ("x.dmn", b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY a 'b'>]><definitions/>", "DOCTYPE"),
        ("x.bpmn", b"<process/>", "rotelementet är <process>"),
        ("x.form", b"[1, 2]", "ett objekt"),
        ("x.form", b'{"id": ', "inte giltig JSON \\(rad 1"),
        ("x.test.json", "{}".encode("utf-16"), "inte UTF-8"),
        ("x.form", b'{"a": "\\u0000", "b": "\x00"}', "NUL"),
        ("x.form", b" " * (services.MAX_FILE_BYTES + 1), "för stor"),
    ],
)
def test_content_that_is_not_well_formed_is_refused(project, operator, name, data, message):
    before = state(project)
    with pytest.raises(StudioError, match=message):
        services.add_file(operator, project, name, data)
    assert state(project) == before


def test_an_upload_is_kept_byte_for_byte_and_replaces_a_file_of_the_same_name(project, operator):
    data = '\ufeff<?xml version="1.0"?>\r\n<definitions id="d">\r\n  <!-- å -->\r\n</definitions>'
    services.upload_file(operator, project, "beslut.dmn", data.encode("utf-8"))
    stored = project.files.get(name="beslut.dmn")
    assert stored.content.encode("utf-8") == data.encode("utf-8")
    services.upload_file(operator, project, "beslut.dmn", b"<definitions/>")
    assert project.files.get(name="beslut.dmn").content == "<definitions/>"
    assert project.files.filter(name="beslut.dmn").count() == 1


def test_a_file_that_exists_cannot_be_added_again(project, operator):
    before = state(project)
    with pytest.raises(StudioError, match="redan en fil"):
        services.add_file(operator, project, "parkering.form", b"{}")
    assert state(project) == before


def test_saving_needs_the_sha_the_editor_loaded(project, operator):
    file = project.files.get(name="parkering.form")
    schema = json.loads(file.content)
    schema["components"] = []
    saved = services.save_file(operator, project, file.name, json.dumps(schema), file.sha)
    assert saved.sha != file.sha
    before = state(project)
    with pytest.raises(FileConflict, match="ändrats av någon annan"):
        services.save_file(operator, project, file.name, "{}", file.sha)
    with pytest.raises(StudioError, match="inte giltig JSON"):
        services.save_file(operator, project, file.name, "{", saved.sha)
    assert state(project) == before


def test_a_well_formed_but_wrong_model_is_saved_and_the_checks_say_why(project, operator):
    file = project.files.get(name="parkering.bpmn")
    broken = file.content.replace('formId="parkering"', 'formId="finns-inte"')
    services.save_file(operator, project, file.name, broken, file.sha)
    findings = services.check(project)
    assert [(f.file, f.rule) for f in services.errors_of(findings)] == [
        ("parkering.bpmn", "verka/unknown-form")
    ]


def test_unsaved_editor_contents_are_checked_without_saving(project):
    file = project.files.get(name="parkering.bpmn")
    broken = file.content.replace('formId="parkering"', 'formId="finns-inte"')
    assert services.errors_of(services.check(project, {file.name: broken}))
    assert services.check(project) == []


def test_forms_of_other_deployed_eservices_count_as_known(project, operator):
    save_unknown_form_reference(operator, project)
    assert services.errors_of(services.check(project))
    from verka.processes import services as processes

    processes.deploy([("x.form", b'{"id": "x", "type": "default", "components": []}')])
    assert not services.errors_of(services.check(project))


def test_rename_and_delete(project, operator):
    services.rename_file(operator, project, "parkering.en.json", "parkering.de.json")
    services.add_file(operator, project, "annan.de.json", b"{}")
    before = state(project)
    with pytest.raises(StudioError, match="byta filtyp"):
        services.rename_file(operator, project, "parkering.form", "parkering.dmn")
    with pytest.raises(StudioError, match="redan en fil"):
        services.rename_file(operator, project, "annan.de.json", "parkering.de.json")
    with pytest.raises(StudioError, match="går inte att använda"):
        services.rename_file(operator, project, "annan.de.json", "../x.de.json")
    assert state(project) == before
    services.rename_file(operator, project, "parkering.de.json", "parkering.en.json")
    services.delete_file(operator, project, "parkering.en.json")
    assert not project.files.filter(name="parkering.en.json").exists()
    with pytest.raises(StudioError, match="finns inte"):
        services.delete_file(operator, project, "parkering.en.json")
    actions = list(project.events.values_list("action", flat=True))
    assert actions.count(services.FILE_RENAMED) == 2
    assert services.FILE_DELETED in actions


@pytest.mark.parametrize("name", ["ny.bpmn", "ny.dmn", "ny.form", "ny.test.json", "ny.fi.json"])
def test_new_files_start_well_formed(project, operator, name):
    services.add_file(operator, project, name, services.new_file_content(project, name))
    if name.endswith((".bpmn", ".dmn", ".form")):
        assert not services.errors_of(
            [
                f
                for f in services.check(project)
                if f.file == name and f.rule != "verka/duplicate-id"
            ]
        )


# --- versions and diffs -------------------------------------------------------------------------


def test_a_version_is_a_snapshot_and_saving_nothing_new_is_refused(project, operator):
    first = services.save_version(operator, project, "Första")
    assert first.number == 1 and first.files == services.working_files(project)
    with pytest.raises(StudioError, match="Inget har ändrats sedan version 1"):
        services.save_version(operator, project, "Igen")
    file = project.files.get(name="parkering.bpmn")
    services.save_file(operator, project, file.name, file.content + "\n", file.sha)
    assert services.save_version(operator, project, "").number == 2
    first.refresh_from_db()
    assert first.files["parkering.bpmn"] == file.content  # immutable


def test_the_diff_names_elements_added_removed_and_changed(project, operator):
    services.save_version(operator, project, "Första")
    file = project.files.get(name="parkering.bpmn")
    changed = (
        file.content.replace('name="Ansökan hanterad"', 'name="Klart"')
        .replace('x="352" y="102"', 'x="400" y="102"')
        .replace("</bpmn:process>", '<bpmn:task id="newTask" name="Ny" /></bpmn:process>')
    )
    services.save_file(operator, project, file.name, changed, file.sha)
    services.save_version(operator, project, "Andra")
    (diff,) = services.diff(project, "1", "2")
    assert diff.name == "parkering.bpmn" and diff.status == "changed"
    assert diff.elements.added == ["newTask"]
    assert diff.elements.changed == ["applicationHandled"]
    assert diff.elements.removed == []
    assert diff.elements.layout_changed
    assert '-    <bpmn:endEvent id="applicationHandled" name="Ansökan hanterad">' in diff.lines
    assert services.diff(project, "2", "working") == []
    services.delete_file(operator, project, "parkering.en.json")
    (removed,) = services.diff(project, "2", "working")
    assert removed.status == "removed"
    with pytest.raises(StudioError, match="Version 9 finns inte"):
        services.diff(project, "9", "working")


# --- publishing -------------------------------------------------------------------------------


def test_publishing_deploys_a_version_and_updates_the_catalogue(project, operator):
    publication = services.publish(operator, project, catalogue_visible=True, message="Ny")
    assert publication.version.number == 1 and publication.version.message == "Ny"
    eservice = EService.objects.get(slug="parkering")
    assert (eservice.title_sv, eservice.published) == ("Parkeringstillstånd", True)
    assert (eservice.bpmn_process_id, eservice.start_form_id) == ("parkering", "parkering")
    definition = ProcessDefinition.objects.get(bpmn_process_id="parkering")
    assert definition.resource.deployment_id == publication.deployment_id
    assert not definition.is_test
    form = publication.deployment.resources.get(name="parkering.form")
    assert json.loads(form.content)["verka:translations"]["en"]["Field_name"] == {"label": "Name"}
    # Nothing changed: the same version is published again, hidden from the catalogue.
    again = services.publish(operator, project, catalogue_visible=False)
    assert again.version == publication.version
    assert not EService.objects.get(slug="parkering").published
    assert project.events.filter(action=services.PUBLISHED).count() == 2


def test_publishing_is_refused_while_there_are_errors(project, operator):
    save_unknown_form_reference(operator, project)
    before = state(project)
    with pytest.raises(PublishRefused) as refused:
        services.publish(operator, project, catalogue_visible=True)
    assert [f.rule for f in refused.value.findings] == ["verka/unknown-form"]
    assert state(project) == before


def test_publishing_is_refused_while_settings_are_missing(project, operator):
    project.summary_sv = ""
    project.start_form_id = "annat"
    project.save()
    before = state(project)
    with pytest.raises(PublishRefused) as refused:
        services.publish(operator, project, catalogue_visible=True)
    assert refused.value.problems == [
        "E-tjänsten saknar sammanfattning på svenska.",
        "Startformuläret ”annat” finns inte i projektets filer.",
    ]
    assert state(project) == before


def test_a_process_id_of_another_eservice_is_refused(project, operator):
    EService.objects.create(
        slug="annan",
        title_sv="A",
        summary_sv="s",
        handling_time_sv="t",
        bpmn_process_id="parkering",
    )
    with pytest.raises(PublishRefused) as refused:
        services.publish(operator, project, catalogue_visible=True)
    assert "används redan av e-tjänsten ”annan”" in refused.value.problems[0]


def test_rollback_deploys_the_previous_version_again(project, operator):
    first = services.publish(operator, project, catalogue_visible=True)
    file = project.files.get(name="parkering.bpmn")
    services.save_file(
        operator, project, file.name, file.content.replace("Ansökan hanterad", "Klart"), file.sha
    )
    project.title_sv = "Nytt namn"
    project.save()
    second = services.publish(operator, project, catalogue_visible=False)
    assert second.version.number == 2
    assert EService.objects.get(slug="parkering").title_sv == "Nytt namn"
    assert services.rollback_target(project) == first

    back = services.rollback(operator, project)
    assert (back.version, back.rollback_of, back.catalogue_visible) == (
        first.version,
        second,
        False,
    )
    assert back.deployment_id not in (first.deployment_id, second.deployment_id)
    live = (
        ProcessDefinition.objects.filter(bpmn_process_id="parkering").order_by("-version").first()
    )
    assert live.resource.deployment_id == back.deployment_id
    assert "Ansökan hanterad" in live.resource.content
    assert EService.objects.get(slug="parkering").title_sv == "Parkeringstillstånd"
    assert project.events.filter(action=services.ROLLED_BACK, detail="1").exists()
    with pytest.raises(StudioError, match="ingen tidigare"):
        services.rollback(operator, project)


def test_rollback_without_an_earlier_publication_is_refused(project, operator):
    with pytest.raises(StudioError, match="ingen tidigare"):
        services.rollback(operator, project)
    services.publish(operator, project, catalogue_visible=True)
    before = state(project)
    with pytest.raises(StudioError, match="ingen tidigare"):
        services.rollback(operator, project)
    assert state(project) == before


# --- trying it out ----------------------------------------------------------------------------


def cpt(state: str) -> bytes:
    case = {
        "name": f"the process ends {state}",
        "instructions": [
            {
                "type": "CREATE_PROCESS_INSTANCE",
                "processDefinitionSelector": {"processDefinitionId": "parkering"},
                "variables": {"name": "Anna"},
            },
            {
                "type": "ASSERT_PROCESS_INSTANCE",
                "processInstanceSelector": {"processDefinitionId": "parkering"},
                "state": state,
            },
        ],
    }
    return json.dumps({"testCases": [case]}).encode()


def test_the_cpt_tests_run_against_the_working_copy(project, operator):
    with pytest.raises(StudioError, match="inga testfiler"):
        services.run_tests(operator, project)
    services.add_file(operator, project, "a.test.json", cpt("IS_COMPLETED"))
    services.add_file(operator, project, "b.test.json", cpt("IS_ACTIVE"))
    outcomes = services.run_tests(operator, project)
    assert [(o.file, o.passed) for o in outcomes] == [("a.test.json", True), ("b.test.json", False)]
    assert "to be active but it is completed" in outcomes[1].message
    # The run deployed test versions only: nothing live.
    assert not ProcessDefinition.objects.filter(is_test=False).exists()
    assert not ProcessInstance.objects.exists()


def test_a_test_instance_runs_the_working_copy_as_a_test(project, operator):
    published = services.publish(operator, project, catalogue_visible=True)
    file = project.files.get(name="parkering.bpmn")
    services.save_file(
        operator,
        project,
        file.name,
        file.content.replace('name="Ansökan hanterad"', 'name="Provad"'),
        file.sha,
    )
    instance = services.start_test_instance(operator, project, {"name": "Anna"})
    assert instance.is_test
    assert instance.definition.is_test
    assert 'name="Provad"' in instance.definition.resource.content
    live = ProcessDefinition.objects.filter(bpmn_process_id="parkering", is_test=False)
    assert [d.resource.deployment_id for d in live] == [published.deployment_id]
    assert project.events.filter(action=services.TEST_STARTED, detail=str(instance.key)).exists()


@pytest.mark.parametrize(
    ("text", "message"), [("[1]", "JSON-objekt"), ("{x", "inte giltig JSON"), ("", None)]
)
def test_test_variables_must_be_a_json_object(text, message):
    if message is None:
        assert services.parse_variables(text) == {}
    else:
        with pytest.raises(StudioError, match=message):
            services.parse_variables(text)


def test_the_events_name_who_did_what(project, operator):
    event = ProjectEvent.objects.filter(project=project).first()
    assert (event.user, event.action, event.detail) == (operator, services.CREATED, "empty")
