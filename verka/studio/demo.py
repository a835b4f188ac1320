"""Exempelkommun's three e-services as Studio projects, recorded as published version 1 of what
`verka.demo.eservices.load_eservices` deployed, so the demo Studio starts with real work."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verka.eservices.models import Category
from verka.processes.models import ProcessDefinition

from . import services
from .models import SETTINGS_FIELDS, Project, ProjectFile, ProjectVersion, Publication, content_sha

# Which model files belong to which e-service (see verka/demo/models/README.md).
DEMO_FILES = {
    "forskoleplats": ("preschool-", "queue-priority."),
    "bygglov": ("building-permit",),
    "felanmalan": ("fault-report",),
}


@transaction.atomic
def load_demo_projects() -> list[Project]:
    """Create the projects that are missing; existing ones are left as the team changed them."""
    from verka.demo.eservices import ESERVICES
    from verka.demo.models import MODELS_DIR

    created = []
    for entry in ESERVICES:
        slug = str(entry["slug"])
        if Project.objects.filter(slug=slug).exists():
            continue
        # Bytes decoded as they are: read_text() would turn CRLF into LF and break "unchanged".
        files = {
            path.name: path.read_bytes().decode("utf-8")
            for path in sorted(MODELS_DIR.iterdir())
            if path.name.startswith(DEMO_FILES[slug]) and path.is_file()
        }
        now = timezone.now()
        project = Project.objects.create(
            slug=slug,
            category=Category.objects.filter(slug=entry["category"]).first(),
            created_at=now,
            updated_at=now,
            **{name: entry[name] for name in SETTINGS_FIELDS},
        )
        ProjectFile.objects.bulk_create(
            ProjectFile(project=project, name=n, content=c, sha=content_sha(c), updated_at=now)
            for n, c in files.items()
        )
        version = ProjectVersion.objects.create(
            project=project,
            number=1,
            message="Exempelkommuns e-tjänst",
            files=files,
            eservice_settings=project.settings_snapshot(),
            created_at=now,
        )
        definition = (
            ProcessDefinition.objects.filter(
                bpmn_process_id=entry["bpmn_process_id"], is_test=False
            )
            .select_related("resource__deployment")
            .order_by("-version")
            .first()
        )
        if definition is not None:
            Publication.objects.create(
                project=project,
                version=version,
                deployment=definition.resource.deployment,
                catalogue_visible=True,
                eservice_settings=version.eservice_settings,
                published_at=now,
            )
        services.record(project, None, services.CREATED, "demo")
        created.append(project)
    return created
