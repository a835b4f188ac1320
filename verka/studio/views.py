"""The Studio's pages and the editor's JSON endpoints (contract: /work/notes/STUDIO.md). Only
the digitalisation team gets in; everyone else gets what the workspace gives them (404 for other
staff, 403 for citizens, the login page for visitors)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from verka.conf import inputs
from verka.conf.inputs import answers_json
from verka.workspace.access import operator_required

from . import archive, labels, services
from .forms import (
    ArchiveForm,
    CreateProjectForm,
    ImportProjectForm,
    NewFileForm,
    PublishForm,
    RenameForm,
    SettingsForm,
    TestInstanceForm,
    TextFileForm,
    UploadForm,
    VersionForm,
)
from .models import Project, ProjectFile
from .services import StudioError

EDITOR_KINDS = ("bpmn", "dmn", "form")
CONTENT_TYPES = {"bpmn": "application/xml", "dmn": "application/xml"}
MAX_JSON_BODY = services.MAX_FILE_BYTES * 2


def _project(slug: str) -> Project:
    return get_object_or_404(Project, slug=slug)


def _file(project: Project, name: str) -> ProjectFile:
    return get_object_or_404(ProjectFile, project=project, name=name)


def _errors(error: StudioError) -> list[str]:
    return [error.message, *error.problems]


def _form_errors(form: Any) -> list[str]:
    found = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            found.append(f"{label}: {error}" if label else str(error))
    return found


# --- project list ----------------------------------------------------------------------------


def _list_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    projects = Project.objects.prefetch_related("publications").order_by("slug")
    context = {
        "projects": [(p, services.current_publication(p)) for p in projects],
        "create_form": CreateProjectForm(),
        "import_form": ImportProjectForm(),
        **extra,
    }
    return render(request, "studio/projects.html", context, status=status)


@require_GET
@operator_required
def projects(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@operator_required
def create(request: HttpRequest) -> HttpResponse:
    form = CreateProjectForm(request.POST)
    if not form.is_valid():
        return _list_page(request, 400, create_form=form, errors=_form_errors(form))
    try:
        project = services.create_project(
            request.user,
            form.cleaned_data["slug"],
            form.cleaned_data["title_sv"],
            title_en=form.cleaned_data["title_en"],
            template=form.cleaned_data["template"],
        )
    except StudioError as error:
        return _list_page(request, 400, create_form=form, errors=_errors(error))
    messages.success(request, _("Projektet är skapat."))
    return HttpResponseRedirect(reverse("studio:project", args=[project.slug]))


@require_POST
@operator_required
def import_project(request: HttpRequest) -> HttpResponse:
    form = ImportProjectForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, 400, import_form=form, errors=_form_errors(form))
    try:
        project = archive.import_new_project(
            request.user, form.cleaned_data["archive"].read(), form.cleaned_data["slug"] or ""
        )
    except StudioError as error:
        return _list_page(request, 400, import_form=form, errors=_errors(error))
    messages.success(request, _("Projektet är inläst."))
    return HttpResponseRedirect(reverse("studio:project", args=[project.slug]))


# --- the project page ------------------------------------------------------------------------


def _findings_by_file(project: Project) -> tuple[list[tuple[str, list[dict[str, Any]]]], int, int]:
    findings = [labels.finding_json(f) for f in services.check(project)]
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        grouped[finding["file"]].append(finding)
    errors = sum(1 for f in findings if f["severity"] == "error")
    return sorted(grouped.items()), errors, len(findings) - errors


def _project_page(
    request: HttpRequest, project: Project, status: int = 200, **extra: Any
) -> HttpResponse:
    files = list(project.files.all())
    names = {f.name for f in files}
    by_file, error_count, warning_count = _findings_by_file(project)
    versions = list(project.versions.all())
    publications = list(project.publications.select_related("version", "rollback_of__version"))
    context = {
        "project": project,
        "files": [
            (f, labels.KIND_LABELS.get(f.kind, f.kind), f.kind in EDITOR_KINDS) for f in files
        ],
        "findings_by_file": [(name, name in names, items) for name, items in by_file],
        "error_count": error_count,
        "warning_count": warning_count,
        "versions": versions,
        "unsaved": services.has_unsaved_changes(project),
        "publications": publications,
        "current": publications[0] if publications else None,
        "rollback_target": services.rollback_target(project),
        "events": [
            (event, labels.event_text(event.action, event.detail))
            for event in project.events.select_related("user")[:15]
        ],
        "settings_form": SettingsForm(instance=project),
        "new_file_form": NewFileForm(),
        "upload_form": UploadForm(),
        "archive_form": ArchiveForm(),
        "version_form": VersionForm(),
        "publish_form": PublishForm(
            initial={
                "catalogue_visible": publications[0].catalogue_visible if publications else True
            }
        ),
        "test_form": TestInstanceForm(),
        "severity_labels": labels.SEVERITY_LABELS,
        **extra,
    }
    return render(request, "studio/project.html", context, status=status)


@require_GET
@operator_required
def project_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _project_page(request, _project(slug))


def _done(request: HttpRequest, project: Project, text: str, anchor: str) -> HttpResponse:
    messages.success(request, text)
    return HttpResponseRedirect(reverse("studio:project", args=[project.slug]) + anchor)


@require_POST
@operator_required
def update_settings(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = SettingsForm(request.POST, instance=Project.objects.get(pk=project.pk))
    if not form.is_valid():
        return _project_page(request, project, 400, settings_form=form, errors=_form_errors(form))
    services.update_settings(
        request.user, project, {name: form.cleaned_data[name] for name in form.fields}
    )
    return _done(request, project, _("Inställningarna är sparade."), "#settings")


@require_POST
@operator_required
def new_file(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = NewFileForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, 400, new_file_form=form, errors=_form_errors(form))
    name = form.cleaned_data["name"].strip()
    try:
        services.add_file(request.user, project, name, services.new_file_content(project, name))
    except StudioError as error:
        return _project_page(request, project, 400, new_file_form=form, errors=_errors(error))
    if services.check_name(name) in EDITOR_KINDS:
        return HttpResponseRedirect(reverse("studio:edit", args=[project.slug, name]))
    return _done(request, project, _("Filen %(name)s är skapad.") % {"name": name}, "#files")


@require_POST
@operator_required
def upload_file(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _project_page(request, project, 400, upload_form=form, errors=_form_errors(form))
    upload = form.cleaned_data["file"]
    try:
        services.upload_file(request.user, project, upload.name, upload.read())
    except StudioError as error:
        return _project_page(request, project, 400, upload_form=form, errors=_errors(error))
    return _done(
        request, project, _("Filen %(name)s är uppladdad.") % {"name": upload.name}, "#files"
    )


@require_POST
@operator_required
def rename_file(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    project = _project(slug)
    _file(project, name)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, 400, errors=_form_errors(form))
    try:
        services.rename_file(request.user, project, name, form.cleaned_data["new_name"].strip())
    except StudioError as error:
        return _project_page(request, project, 400, errors=_errors(error))
    return _done(request, project, _("Filen har bytt namn."), "#files")


@require_POST
@operator_required
def delete_file(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    project = _project(slug)
    _file(project, name)
    services.delete_file(request.user, project, name)
    return _done(request, project, _("Filen %(name)s är borttagen.") % {"name": name}, "#files")


@require_GET
@operator_required
def download_file(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    file = _file(_project(slug), name)
    response = HttpResponse(
        file.content.encode("utf-8"), content_type=CONTENT_TYPES.get(file.kind, "application/json")
    )
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    return response


# --- versions --------------------------------------------------------------------------------


@require_POST
@operator_required
def save_version(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, 400, version_form=form, errors=_form_errors(form))
    try:
        version = services.save_version(request.user, project, form.cleaned_data["message"])
    except StudioError as error:
        return _project_page(request, project, 400, version_form=form, errors=_errors(error))
    return _done(
        request,
        project,
        _("Version %(number)d är sparad.") % {"number": version.number},
        "#versions",
    )


@require_GET
@operator_required
def diff(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    old, new = request.GET.get("fran", ""), request.GET.get("till", "working")
    try:
        file_diffs = services.diff(project, old, new)
    except StudioError as error:
        raise Http404(error.message) from None
    label = {"working": _("arbetskopian")}
    return render(
        request,
        "studio/diff.html",
        {
            "project": project,
            "old": label.get(old or "working", _("version %(n)s") % {"n": old}),
            "new": label.get(new or "working", _("version %(n)s") % {"n": new}),
            "diffs": [(d, labels.STATUS_LABELS[d.status]) for d in file_diffs],
        },
    )


@require_GET
@operator_required
def export(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    which = request.GET.get("version", "")
    try:
        source, files = services.snapshot(project, which)
    except StudioError as error:
        raise Http404(error.message) from None
    data = archive.export_archive(project, files, source)
    filename = f"{project.slug}.zip" if source == "working" else f"{project.slug}-{source}.zip"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@operator_required
def import_working_copy(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = ArchiveForm(request.POST, request.FILES)
    if not form.is_valid():
        return _project_page(request, project, 400, archive_form=form, errors=_form_errors(form))
    try:
        archive.import_working_copy(request.user, project, form.cleaned_data["archive"].read())
    except StudioError as error:
        return _project_page(request, project, 400, archive_form=form, errors=_errors(error))
    return _done(request, project, _("Arbetskopian är ersatt med arkivets filer."), "#files")


# --- publishing --------------------------------------------------------------------------------


@require_POST
@operator_required
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, 400, publish_form=form, errors=_form_errors(form))
    try:
        publication = services.publish(
            request.user,
            project,
            catalogue_visible=form.cleaned_data["catalogue_visible"],
            message=form.cleaned_data["message"],
        )
    except services.PublishRefused as error:
        problems = [*error.problems]
        problems += [
            f"{f.file}: {labels.rule_title(f.rule)} – {labels.finding_message(f)}"
            for f in error.findings
        ]
        return _project_page(
            request, project, 400, publish_form=form, errors=[error.message, *problems]
        )
    except StudioError as error:
        return _project_page(request, project, 400, publish_form=form, errors=_errors(error))
    return _done(
        request,
        project,
        _("Version %(number)d är publicerad.") % {"number": publication.version.number},
        "#publish",
    )


@require_POST
@operator_required
def rollback(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    try:
        publication = services.rollback(request.user, project)
    except StudioError as error:
        return _project_page(request, project, 400, errors=_errors(error))
    return _done(
        request,
        project,
        _("Version %(number)d är publicerad igen.") % {"number": publication.version.number},
        "#publish",
    )


# --- trying it out -------------------------------------------------------------------------------


@require_POST
@operator_required
def run_tests(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    try:
        outcomes = services.run_tests(request.user, project)
    except StudioError as error:
        return _project_page(request, project, 400, errors=_errors(error))
    return _project_page(
        request,
        project,
        test_results=outcomes,
        tests_passed=sum(1 for o in outcomes if o.passed),
    )


@require_POST
@operator_required
def start_test_instance(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    form = TestInstanceForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, 400, test_form=form, errors=_form_errors(form))
    try:
        variables = services.parse_variables(form.cleaned_data["variables"])
        instance = services.start_test_instance(request.user, project, variables)
    except StudioError as error:
        return _project_page(
            request, project, 400, test_form=form, errors=_errors(error), test_form_invalid=True
        )
    return _project_page(request, project, test_form=form, test_instance=instance)


# --- the editor and its endpoints ----------------------------------------------------------------


def editor_config(request: HttpRequest, project: Project, file: ProjectFile) -> dict[str, Any]:
    files = services.working_files(project)
    own = services.model_ids(files)
    deployed = services.deployed_ids()
    args = [project.slug, file.name]
    return {
        "kind": file.kind,
        "fileName": file.name,
        "sourceUrl": reverse("studio:source", args=args),
        "saveUrl": reverse("studio:save", args=args),
        "checkUrl": reverse("studio:check", args=[project.slug]),
        "projectUrl": reverse("studio:project", args=[project.slug]),
        "sha": file.sha,
        "language": "en" if (get_language() or "sv").startswith("en") else "sv",
        "formIds": _merged(own.forms, deployed.forms),
        "decisionIds": _merged(own.decisions, deployed.decisions),
        "processIds": _merged(own.processes, deployed.processes),
    }


def _merged(own: list[str], deployed: list[str]) -> list[str]:
    """The project's own ids first, then those other e-services have deployed."""
    return [*own, *sorted(set(deployed) - set(own))]


@operator_required
def edit(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    project = _project(slug)
    file = _file(project, name)
    if file.kind in EDITOR_KINDS:
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET"})
        return render(
            request,
            "studio/editor.html",
            {
                "project": project,
                "file": file,
                "editor_config": editor_config(request, project, file),
            },
        )
    # CPT tests and translations are JSON text: a plain text field is the editor.
    form = TextFileForm(initial={"content": file.content, "sha": file.sha})
    errors: list[str] = []
    if request.method == "POST":
        form = TextFileForm(request.POST)
        if form.is_valid():
            content = form.cleaned_data["content"].replace("\r\n", "\n")
            try:
                services.save_file(request.user, project, name, content, form.cleaned_data["sha"])
            except StudioError as error:
                errors = _errors(error)
            else:
                messages.success(request, _("Filen %(name)s är sparad.") % {"name": name})
                return HttpResponseRedirect(reverse("studio:edit", args=[slug, name]))
        else:
            errors = _form_errors(form)
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(
        request,
        "studio/text_editor.html",
        {
            "project": project,
            "file": file,
            "form": form,
            "errors": errors,
            "kind_label": labels.KIND_LABELS.get(file.kind, file.kind),
        },
        status=400 if errors else 200,
    )


@require_GET
@operator_required
def source(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    file = _file(_project(slug), name)
    content_type = CONTENT_TYPES.get(file.kind, "application/json")
    response = HttpResponse(
        file.content.encode("utf-8"), content_type=f"{content_type}; charset=utf-8"
    )
    response["ETag"] = f'"{file.sha}"'
    response["Cache-Control"] = "no-store"
    return response


def _json_body(request: HttpRequest) -> Any:
    try:
        return inputs.json_body(request, max_bytes=MAX_JSON_BODY)
    except inputs.BadInput as error:  # the editors show {"error": …}
        raise StudioError(error.message) from None


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@answers_json
@require_POST
@operator_required
def save(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    project = _project(slug)
    _file(project, name)
    try:
        body = _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("content"), str):
            raise StudioError(_('Anropet ska vara {"content": text, "sha": text}.'))
        file = services.save_file(
            request.user, project, name, body["content"], str(body.get("sha", ""))
        )
    except services.FileConflict as error:
        return _bad(error.message, 409)
    except StudioError as error:
        return _bad(" ".join(_errors(error)))
    findings = [labels.finding_json(f) for f in services.check(project)]
    return JsonResponse({"sha": file.sha, "findings": findings})


@answers_json
@require_POST
@operator_required
def check(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    try:
        body = _json_body(request)
        files = body.get("files", {}) if isinstance(body, dict) else None
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise StudioError(_('Anropet ska vara {"files": {filnamn: innehåll}}.'))
    except StudioError as error:
        return _bad(error.message)
    findings = [labels.finding_json(f) for f in services.check(project, files)]
    return JsonResponse({"findings": findings})
