"""The Studio's public functions: projects and their files, versions, checks, publishing,
rollback and trying an e-service out. Views call these; every change is logged
(`ProjectEvent`). Bad input raises `StudioError` (a sentence in the active language) and
changes nothing."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from verka.conf import inputs
from verka.eservices.models import Category, EService
from verka.processes import services as processes
from verka.processes.models import (
    DecisionDefinition,
    FormDefinition,
    ProcessDefinition,
    ProcessInstance,
)

from . import diffs, starters
from .models import (
    Project,
    ProjectEvent,
    ProjectFile,
    ProjectVersion,
    Publication,
    content_sha,
    file_kind,
)

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 100
MAX_NAME_LENGTH = 100
DEPLOYABLE = (".bpmn", ".dmn", ".form")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
# Letters, digits, dot, dash and underscore only: the name ends up in URLs, zip archives and
# Camunda Modeler's file dialogs on every operating system.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TRANSLATION = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.json$")

# Audit codes (labels.EVENT_LABELS says them in words).
CREATED = "created"
IMPORTED = "imported"
FILE_ADDED = "file_added"
FILE_SAVED = "file_saved"
FILE_RENAMED = "file_renamed"
FILE_DELETED = "file_deleted"
SETTINGS_CHANGED = "settings_changed"
VERSION_SAVED = "version_saved"
PUBLISHED = "published"
ROLLED_BACK = "rolled_back"
TESTS_RUN = "tests_run"
TEST_STARTED = "test_started"


class StudioError(ValueError):
    """Something cannot be done; the message says what and where. Nothing was changed."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class FileConflict(StudioError):
    """The file changed since the editor loaded it."""


class PublishRefused(StudioError):
    def __init__(self, message: str, problems: Sequence[str], findings: Sequence[Any]) -> None:
        super().__init__(message, problems)
        self.findings = list(findings)


def record(project: Project, user: Any, action: str, detail: str = "") -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        user=user if getattr(user, "pk", None) else None,
        action=action,
        detail=detail[:255],
        at=timezone.now(),
    )


# --- file names and contents ---------------------------------------------------------------


def check_name(name: str) -> str:
    """The file's kind; StudioError when the name is not one the Studio keeps."""
    if not name or len(name) > MAX_NAME_LENGTH or not NAME.match(name) or ".." in name:
        raise StudioError(
            _(
                "Filnamnet ”%(name)s” går inte att använda: använd bokstäverna a–z, siffror, "
                "punkt, bindestreck och understreck (högst %(max)d tecken)."
            )
            % {"name": name, "max": MAX_NAME_LENGTH}
        )
    kind = file_kind(name)
    stem_ok = bool(name.rsplit(".", 1)[0]) if kind in ("bpmn", "dmn", "form") else True
    if kind == "test":
        stem_ok = name != ".test.json" and len(name) > len(".test.json")
    if kind == "translation":
        stem_ok = bool(TRANSLATION.match(name))
    if kind not in ("bpmn", "dmn", "form", "test", "translation") or not stem_ok:
        raise StudioError(
            _(
                "Filen ”%(name)s” har en filtyp som Studion inte känner till. Tillåtna är "
                ".bpmn, .dmn, .form, .test.json (CPT-tester) och .<språk>.json "
                "(översättningar, t.ex. .en.json)."
            )
            % {"name": name}
        )
    return kind


def _xml_problem(name: str, data: bytes, kind: str) -> str:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        return _("%(name)s är inte välformad XML (rad %(line)d, kolumn %(column)d): %(why)s") % {
            "name": name,
            "line": line,
            "column": column,
            "why": error.msg,
        }
    if root.getroottree().docinfo.doctype:
        return _("%(name)s: en DOCTYPE-deklaration är inte tillåten.") % {"name": name}
    if etree.QName(root).localname != "definitions":
        return _(
            "%(name)s är inte en %(kind)s-fil: rotelementet är <%(root)s>, inte <definitions>."
        ) % {"name": name, "kind": kind.upper(), "root": etree.QName(root).localname}
    return ""


def _json_problem(name: str, text: str) -> str:
    if inputs.json_depth_exceeds(text):
        return _("%(name)s: JSON-värdet är nästlat i fler än %(depth)d nivåer.") % {
            "name": name,
            "depth": inputs.MAX_JSON_DEPTH,
        }
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return _("%(name)s är inte giltig JSON (rad %(line)d, kolumn %(column)d): %(why)s") % {
            "name": name,
            "line": error.lineno,
            "column": error.colno,
            "why": error.msg,
        }
    if not isinstance(value, dict):
        return _("%(name)s: JSON-filen ska innehålla ett objekt ({ … }).") % {"name": name}
    return ""


def checked_content(name: str, data: bytes) -> str:
    """The file's text when it is small enough, UTF-8 and well-formed for its kind."""
    kind = check_name(name)
    if len(data) > MAX_FILE_BYTES:
        raise StudioError(
            _("%(name)s är för stor: högst %(max)d MB.")
            % {"name": name, "max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StudioError(
            _("%(name)s är inte UTF-8-kodad text (byte %(position)d).")
            % {"name": name, "position": error.start}
        ) from None
    if "\x00" in text:
        raise StudioError(_("%(name)s innehåller ett NUL-tecken.") % {"name": name})
    problem = (
        _xml_problem(name, data, kind) if kind in ("bpmn", "dmn") else _json_problem(name, text)
    )
    if problem:
        raise StudioError(problem)
    return text


# Paths of the Studio's own pages (urls.py), so no project can be named after them.
RESERVED_SLUGS = {"nytt", "importera"}


def check_slug(slug: str) -> None:
    if not SLUG.match(slug or "") or slug in RESERVED_SLUGS:
        raise StudioError(
            _(
                "Kortnamnet ”%(slug)s” går inte att använda: små bokstäver a–z, siffror och "
                "bindestreck, högst 50 tecken."
            )
            % {"slug": slug}
        )


# --- what a project defines ----------------------------------------------------------------


@dataclass(frozen=True)
class ModelIds:
    processes: list[str]
    decisions: list[str]
    forms: list[str]


def model_ids(files: Mapping[str, str]) -> ModelIds:
    """The process, decision and form ids the files define (files that do not parse add none)."""
    found: dict[str, list[str]] = {"bpmn": [], "dmn": [], "form": []}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for name, content in sorted(files.items()):
        kind = file_kind(name)
        if kind in ("bpmn", "dmn"):
            try:
                root = etree.fromstring(content.encode("utf-8"), parser)
            except etree.XMLSyntaxError:
                continue
            wanted = "process" if kind == "bpmn" else "decision"
            found[kind] += [
                e.get("id", "")
                for e in root
                if isinstance(e.tag, str) and etree.QName(e).localname == wanted and e.get("id")
            ]
        elif kind == "form":
            if inputs.json_depth_exceeds(content):
                continue
            try:
                schema = json.loads(content)
            except json.JSONDecodeError:
                continue
            if isinstance(schema, dict) and isinstance(schema.get("id"), str):
                found["form"].append(schema["id"])
    return ModelIds(found["bpmn"], found["dmn"], found["form"])


def deployed_ids() -> ModelIds:
    """Ids live in the engine (test deployments do not count: citizens never meet them)."""

    def live(model: Any, field: str) -> list[str]:
        ids = model.objects.filter(is_test=False).values_list(field, flat=True)
        return list(ids.order_by(field).distinct())

    return ModelIds(
        live(ProcessDefinition, "bpmn_process_id"),
        live(DecisionDefinition, "decision_id"),
        live(FormDefinition, "form_id"),
    )


def working_files(project: Project) -> dict[str, str]:
    return dict(project.files.values_list("name", "content"))


# --- projects ------------------------------------------------------------------------------


@transaction.atomic
def create_project(
    user: Any, slug: str, title_sv: str, *, template: str = "empty", title_en: str = ""
) -> Project:
    """A new project with starter files whose ids come from the slug."""
    check_slug(slug)
    if not title_sv.strip():
        raise StudioError(_("Ange en rubrik på svenska."))
    if template not in starters.TEMPLATES:
        raise StudioError(_("Okänd mall: %(template)s") % {"template": template})
    project = new_project(user, slug, title_sv=title_sv.strip(), title_en=title_en.strip())
    project.bpmn_process_id = starters.process_id_for(slug)
    project.start_form_id = slug
    project.save()
    now = timezone.now()
    for name, content in starters.starter_files(slug, title_sv.strip(), template).items():
        ProjectFile.objects.create(
            project=project,
            name=name,
            content=content,
            sha=content_sha(content),
            updated_at=now,
            updated_by=_user(user),
        )
    record(project, user, CREATED, template)
    return project


def new_project(user: Any, slug: str, **settings: Any) -> Project:
    check_slug(slug)
    if Project.objects.filter(slug=slug).exists():
        raise StudioError(
            _("Det finns redan ett projekt med kortnamnet ”%(slug)s”.") % {"slug": slug}
        )
    if EService.objects.filter(slug=slug).exists():
        raise StudioError(
            _("Det finns redan en e-tjänst med kortnamnet ”%(slug)s” som inte är ett projekt.")
            % {"slug": slug}
        )
    now = timezone.now()
    return Project.objects.create(
        slug=slug, created_by=_user(user), created_at=now, updated_at=now, **settings
    )


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _touch(project: Project) -> None:
    project.updated_at = timezone.now()
    project.save(update_fields=["updated_at"])


@transaction.atomic
def update_settings(user: Any, project: Project, values: Mapping[str, Any]) -> Project:
    """`values` are cleaned form values (views use the settings form)."""
    for name, value in values.items():
        setattr(project, name, value)
    project.updated_at = timezone.now()
    project.save()
    record(project, user, SETTINGS_CHANGED)
    return project


# --- files ---------------------------------------------------------------------------------


@transaction.atomic
def add_file(user: Any, project: Project, name: str, data: bytes) -> ProjectFile:
    """A new file (created or uploaded); refused if a file of that name exists."""
    content = checked_content(name, data)
    if project.files.filter(name=name).exists():
        raise StudioError(_("Det finns redan en fil som heter %(name)s.") % {"name": name})
    if project.files.count() >= MAX_FILES:
        raise StudioError(_("Ett projekt kan ha högst %(max)d filer.") % {"max": MAX_FILES})
    file = ProjectFile.objects.create(
        project=project,
        name=name,
        content=content,
        sha=content_sha(content),
        updated_at=timezone.now(),
        updated_by=_user(user),
    )
    _touch(project)
    record(project, user, FILE_ADDED, name)
    return file


@transaction.atomic
def upload_file(user: Any, project: Project, name: str, data: bytes) -> ProjectFile:
    """An uploaded file, kept byte for byte: a new file, or new content for the file of that
    name (a model edited in Camunda Modeler coming back)."""
    content = checked_content(name, data)
    file = project.files.select_for_update().filter(name=name).first()
    if file is None:
        return add_file(user, project, name, data)
    return _write(user, project, file, content)


def _write(user: Any, project: Project, file: ProjectFile, content: str) -> ProjectFile:
    file.content = content
    file.sha = content_sha(content)
    file.updated_at = timezone.now()
    file.updated_by = _user(user)
    file.save()
    _touch(project)
    record(project, user, FILE_SAVED, file.name)
    return file


def new_file_content(project: Project, name: str) -> bytes:
    """A minimal valid file of the kind the name says, for "new file"."""
    kind = check_name(name)
    stem = name.split(".", 1)[0]
    if kind == "bpmn":
        pid = starters.process_id_for(stem)
        return starters.empty_bpmn(pid, stem, project.start_form_id or stem).encode()
    if kind == "dmn":
        return starters.empty_dmn(starters.process_id_for(stem), stem).encode()
    if kind == "form":
        return starters.form_schema(stem, []).encode()
    if kind == "test":
        cases = {
            "$schema": "https://camunda.com/json-schema/cpt-test-cases/8.9/schema.json",
            "testCases": [],
        }
        return (json.dumps(cases, indent=2) + "\n").encode()
    match = TRANSLATION.match(name)
    assert match is not None  # check_name made sure
    return starters.translation_sidecar(match["stem"], {}, match["lang"]).encode()


@transaction.atomic
def save_file(user: Any, project: Project, name: str, content: str, sha: str) -> ProjectFile:
    """Save new content over the file the editor loaded at `sha`. Well-formed but semantically
    wrong models are saved (work in progress); the checks say what is wrong."""
    file = ProjectFile.objects.select_for_update().filter(project=project, name=name).first()
    if file is None:
        raise StudioError(_("Filen %(name)s finns inte.") % {"name": name})
    if not isinstance(content, str):
        raise StudioError(_("Innehållet saknas."))
    text = checked_content(name, content.encode("utf-8", "surrogatepass"))
    if file.sha != sha:
        raise FileConflict(
            _(
                "%(name)s har ändrats av någon annan sedan du öppnade den. Ladda om sidan för "
                "att se den nya versionen; dina ändringar är inte sparade."
            )
            % {"name": name}
        )
    if text == file.content:
        return file
    return _write(user, project, file, text)


@transaction.atomic
def rename_file(user: Any, project: Project, name: str, new_name: str) -> ProjectFile:
    file = project.files.select_for_update().filter(name=name).first()
    if file is None:
        raise StudioError(_("Filen %(name)s finns inte.") % {"name": name})
    if check_name(new_name) != file.kind:
        raise StudioError(
            _("%(name)s kan inte byta filtyp; skapa en ny fil i stället.") % {"name": name}
        )
    if new_name == name:
        return file
    if project.files.filter(name=new_name).exists():
        raise StudioError(_("Det finns redan en fil som heter %(name)s.") % {"name": new_name})
    file.name = new_name
    file.updated_at = timezone.now()
    file.updated_by = _user(user)
    file.save()
    _touch(project)
    record(project, user, FILE_RENAMED, f"{name} -> {new_name}")
    return file


@transaction.atomic
def delete_file(user: Any, project: Project, name: str) -> None:
    deleted, _rows = project.files.filter(name=name).delete()
    if not deleted:
        raise StudioError(_("Filen %(name)s finns inte.") % {"name": name})
    _touch(project)
    record(project, user, FILE_DELETED, name)


@transaction.atomic
def replace_working_copy(user: Any, project: Project, files: Mapping[str, str]) -> None:
    """Make `files` the working copy (an import); the caller has checked every file."""
    project.files.all().delete()
    now = timezone.now()
    ProjectFile.objects.bulk_create(
        ProjectFile(
            project=project,
            name=name,
            content=content,
            sha=content_sha(content),
            updated_at=now,
            updated_by=_user(user),
        )
        for name, content in sorted(files.items())
    )
    _touch(project)


# --- versions and diffs --------------------------------------------------------------------


def latest_version(project: Project) -> ProjectVersion | None:
    return project.versions.order_by("-number").first()


def has_unsaved_changes(project: Project) -> bool:
    latest = latest_version(project)
    return latest is None or latest.files != working_files(project)


@transaction.atomic
def save_version(user: Any, project: Project, message: str) -> ProjectVersion:
    """Snapshot the working copy; refused when nothing changed since the last version."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    files = working_files(project)
    if not files:
        raise StudioError(_("Projektet har inga filer att spara."))
    latest = latest_version(project)
    if latest is not None and latest.files == files:
        raise StudioError(
            _("Inget har ändrats sedan version %(number)d.") % {"number": latest.number}
        )
    number = (project.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ProjectVersion.objects.create(
        project=project,
        number=number,
        message=message.strip()[:500],
        files=files,
        eservice_settings=project.settings_snapshot(),
        created_by=_user(user),
        created_at=timezone.now(),
    )
    record(project, user, VERSION_SAVED, str(number))
    return version


def snapshot(project: Project, which: str) -> tuple[str, dict[str, str]]:
    """("v3", files) for a version number, ("arbetskopia", files) for the working copy."""
    if which in ("", "working"):
        return "working", working_files(project)
    try:
        number = int(which)
    except ValueError:
        raise StudioError(_("Okänd version: %(which)s") % {"which": which}) from None
    version = project.versions.filter(number=number).first()
    if version is None:
        raise StudioError(_("Version %(number)d finns inte.") % {"number": number})
    return f"v{number}", dict(version.files)


def diff(project: Project, old: str, new: str) -> list[diffs.FileDiff]:
    old_label, old_files = snapshot(project, old)
    new_label, new_files = snapshot(project, new)
    return diffs.diff_files(old_files, new_files, old_label, new_label)


# --- checks --------------------------------------------------------------------------------


def check(project: Project, overrides: Mapping[str, str] | None = None) -> list[Any]:
    """Findings of the engine's checks for the whole project; `overrides` are unsaved editor
    contents by file name. Ids deployed by other e-services count as known."""
    files = working_files(project)
    for name, content in (overrides or {}).items():
        if name in files:
            files[name] = content
    return run_checks(files)


def run_checks(files: Mapping[str, str]) -> list[Any]:
    from verka.engine.checks import check_files

    own = model_ids(files)
    deployed = deployed_ids()
    return list(
        check_files(
            {name: content.encode("utf-8") for name, content in files.items()},
            deployed_forms=sorted(set(deployed.forms) - set(own.forms)),
            deployed_decisions=sorted(set(deployed.decisions) - set(own.decisions)),
            deployed_processes=sorted(set(deployed.processes) - set(own.processes)),
        )
    )


def errors_of(findings: Iterable[Any]) -> list[Any]:
    return [f for f in findings if f.severity == "error"]


# --- publishing ----------------------------------------------------------------------------


def with_translations(files: Mapping[str, str]) -> list[tuple[str, bytes]]:
    """The deployable files; each form carries its `<form>.<lang>.json` texts inside, as the
    e-services expect (eservices.localized_schema); the demo deploys its models this way too."""
    deployable = []
    for name in sorted(files):
        if not name.endswith(DEPLOYABLE):
            continue
        content = files[name].encode("utf-8")
        if name.endswith(".form"):
            stem = name.removesuffix(".form")
            translations = {}
            for other in sorted(files):
                match = TRANSLATION.match(other)
                if match and match["stem"] == stem and match["lang"] != "sv":
                    components = json.loads(files[other]).get("components", {})
                    if isinstance(components, dict) and components:
                        translations[match["lang"]] = components
            if translations:
                schema = json.loads(content)
                schema["verka:translations"] = translations
                content = json.dumps(schema, ensure_ascii=False, indent=2).encode()
        deployable.append((name, content))
    return deployable


def publish_problems(project: Project, files: Mapping[str, str]) -> list[str]:
    """What the e-service settings lack before citizens can use the e-service."""
    problems = []
    ids = model_ids(files)
    if not project.title_sv.strip():
        problems.append(_("E-tjänsten saknar rubrik på svenska."))
    if not project.summary_sv.strip():
        problems.append(_("E-tjänsten saknar sammanfattning på svenska."))
    if not project.handling_time_sv.strip():
        problems.append(_("E-tjänsten saknar handläggningstid på svenska."))
    if project.bpmn_process_id not in ids.processes:
        problems.append(
            _("Processen ”%(id)s” (process-id i inställningarna) finns inte i projektets filer.")
            % {"id": project.bpmn_process_id}
        )
    if project.start_form_id not in ids.forms:
        problems.append(
            _("Startformuläret ”%(id)s” finns inte i projektets filer.")
            % {"id": project.start_form_id}
        )
    other = (
        EService.objects.filter(bpmn_process_id=project.bpmn_process_id)
        .exclude(slug=project.slug)
        .first()
    )
    if other is not None:
        problems.append(
            _("Processen ”%(id)s” används redan av e-tjänsten ”%(other)s”.")
            % {"id": project.bpmn_process_id, "other": other.slug}
        )
    return problems


def current_publication(project: Project) -> Publication | None:
    return project.publications.order_by("-published_at", "-id").first()


def _deploy(user: Any, project: Project, version: ProjectVersion) -> Any:
    try:
        return processes.deploy(
            with_translations(version.files),
            user=_user(user),
            name=f"Studio {project.slug} v{version.number}",
        )
    except processes.DeploymentError as error:
        raise StudioError(_("Motorn tog inte emot filerna."), error.problems) from None


def _update_eservice(settings: Mapping[str, Any], slug: str, visible: bool) -> EService:
    fields = {k: v for k, v in settings.items() if k != "category"}
    category = Category.objects.filter(slug=settings.get("category") or "").first()
    eservice, _created = EService.objects.update_or_create(
        slug=slug, defaults={**fields, "category": category, "published": visible}
    )
    return eservice


@transaction.atomic
def publish(
    user: Any, project: Project, *, catalogue_visible: bool, message: str = ""
) -> Publication:
    """Deploy the working copy as a new version and update the catalogue. Refused while the
    checks find errors or the settings are incomplete."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    files = working_files(project)
    problems = publish_problems(project, files)
    errors = errors_of(run_checks(files))
    if problems or errors:
        raise PublishRefused(
            _("E-tjänsten kan inte publiceras förrän felen är rättade."), problems, errors
        )
    version = latest_version(project)
    if version is None or version.files != files:
        version = save_version(user, project, message or _("Publicerad"))
    result = _deploy(user, project, version)
    settings = project.settings_snapshot()
    _update_eservice(settings, project.slug, catalogue_visible)
    publication = Publication.objects.create(
        project=project,
        version=version,
        deployment_id=result.deployment_id,
        catalogue_visible=catalogue_visible,
        eservice_settings=settings,
        published_by=_user(user),
        published_at=timezone.now(),
    )
    record(project, user, PUBLISHED, str(version.number))
    return publication


def rollback_target(project: Project) -> Publication | None:
    """The publication of the version before the one that is live now."""
    current = current_publication(project)
    if current is None:
        return None
    return (
        project.publications.filter(version__number__lt=current.version.number)
        .order_by("-published_at", "-id")
        .first()
    )


@transaction.atomic
def rollback(user: Any, project: Project) -> Publication:
    """Deploy the previous version's files again, as a new deployment, and give the catalogue
    its settings back."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    current = current_publication(project)
    target = rollback_target(project)
    if current is None or target is None:
        raise StudioError(_("Det finns ingen tidigare publicerad version att gå tillbaka till."))
    result = _deploy(user, project, target.version)
    _update_eservice(target.eservice_settings, project.slug, current.catalogue_visible)
    publication = Publication.objects.create(
        project=project,
        version=target.version,
        deployment_id=result.deployment_id,
        catalogue_visible=current.catalogue_visible,
        eservice_settings=target.eservice_settings,
        published_by=_user(user),
        published_at=timezone.now(),
        rollback_of=current,
    )
    record(project, user, ROLLED_BACK, str(target.version.number))
    return publication


# --- trying it out -------------------------------------------------------------------------


@dataclass(frozen=True)
class TestOutcome:
    file: str
    name: str
    passed: bool
    message: str


def run_tests(user: Any, project: Project) -> list[TestOutcome]:
    """Run the project's CPT test files against its working copy. The files are deployed as a
    test deployment; each case runs in a transaction that is rolled back."""
    from verka.processes.cpt import runner

    files = working_files(project)
    tests = sorted(name for name in files if name.endswith(".test.json"))
    if not tests:
        raise StudioError(_("Projektet har inga testfiler (.test.json)."))
    with tempfile.TemporaryDirectory(prefix="verka-studio-") as tmp:
        resources = Path(tmp) / "resources"
        resources.mkdir()
        for name, content in with_translations(files):
            (resources / name).write_bytes(content)
        try:
            runner.deploy_resources(resources)
        except runner.ResourceError as error:
            raise StudioError(
                _("Filerna kunde inte driftsättas för testerna."), [str(error)]
            ) from None
        outcomes = []
        for name in tests:
            path = Path(tmp) / name
            path.write_bytes(files[name].encode("utf-8"))
            for result in runner.run_test_file(path, deploy=False):
                outcomes.append(TestOutcome(name, result.name, result.passed, result.message))
    record(project, user, TESTS_RUN, f"{sum(o.passed for o in outcomes)}/{len(outcomes)}")
    return outcomes


def parse_variables(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    if inputs.json_depth_exceeds(text):
        raise StudioError(
            _("Variablerna: JSON-värdet är nästlat i fler än %(depth)d nivåer.")
            % {"depth": inputs.MAX_JSON_DEPTH}
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise StudioError(
            _("Variablerna är inte giltig JSON (rad %(line)d, kolumn %(column)d): %(why)s")
            % {"line": error.lineno, "column": error.colno, "why": error.msg}
        ) from None
    if not isinstance(value, dict):
        raise StudioError(_('Variablerna ska vara ett JSON-objekt, t.ex. {"namn": "Anna"}.'))
    return value


@transaction.atomic
def start_test_instance(
    user: Any, project: Project, variables: Mapping[str, Any]
) -> ProcessInstance:
    """Deploy the working copy as test versions and start the project's process on them: a
    test instance, left out of indicators and inboxes."""
    files = working_files(project)
    if project.bpmn_process_id not in model_ids(files).processes:
        raise StudioError(
            _("Processen ”%(id)s” (process-id i inställningarna) finns inte i projektets filer.")
            % {"id": project.bpmn_process_id}
        )
    try:
        processes.deploy(
            with_translations(files),
            user=_user(user),
            name=f"Studio {project.slug} test",
            is_test=True,
        )
        instance = processes.start_instance(project.bpmn_process_id, variables, test=True)
    except processes.DeploymentError as error:
        raise StudioError(_("Motorn tog inte emot filerna."), error.problems) from None
    except (processes.CommandRejected, LookupError, ValueError) as error:
        raise StudioError(
            _("Testinstansen kunde inte startas: %(why)s") % {"why": str(error).strip("'\"")}
        ) from None
    record(project, user, TEST_STARTED, str(instance.key))
    return instance
