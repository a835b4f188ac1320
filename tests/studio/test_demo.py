"""The demo Studio: Exempelkommun's three e-services as projects, published as version 1 of
exactly what the demo deployed."""

from __future__ import annotations

import hashlib

import pytest

from verka.demo.eservices import ESERVICES, load_eservices
from verka.studio import services
from verka.studio.demo import load_demo_projects
from verka.studio.models import Project

pytestmark = pytest.mark.django_db


def test_the_demo_eservices_are_published_projects_and_loading_again_changes_nothing():
    load_eservices()
    created = load_demo_projects()
    assert sorted(p.slug for p in created) == sorted(e["slug"] for e in ESERVICES)
    for entry in ESERVICES:
        project = Project.objects.get(slug=entry["slug"])
        assert (project.title_sv, project.bpmn_process_id, project.category.slug) == (
            entry["title_sv"],
            entry["bpmn_process_id"],
            entry["category"],
        )
        publication = services.current_publication(project)
        assert publication.version.number == 1 and publication.catalogue_visible
        assert not services.has_unsaved_changes(project)
        deployed = {r.name: r.checksum for r in publication.deployment.resources.all()}
        ours = services.with_translations(publication.version.files)
        assert ours, entry["slug"]
        for name, content in ours:
            assert deployed[name] == hashlib.sha256(content).hexdigest(), name
        assert not services.errors_of(services.check(project)), entry["slug"]
    assert "queue-priority.dmn" in services.working_files(Project.objects.get(slug="forskoleplats"))

    load_eservices()
    assert load_demo_projects() == []
    assert Project.objects.count() == 3
