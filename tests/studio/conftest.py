"""Fixtures for the Studio: the digitalisation team, other staff, a citizen, and a new project."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.accounts.helpers import log_in_with_second_factor
from verka.accounts.services import create_user
from verka.studio import services

PASSWORD = "pw-studio-1"


@pytest.fixture(autouse=True)
def swedish() -> Any:
    with translation.override("sv"):
        yield


@pytest.fixture
def operator(db: Any) -> Any:
    return create_user(
        "dora", PASSWORD, kind="staff", display_name="Dora Drift", groups=["digitalisering"]
    )


@pytest.fixture
def officer(db: Any) -> Any:
    return create_user("olle", PASSWORD, kind="staff", display_name="Olle", groups=["bygglov"])


@pytest.fixture
def citizen(db: Any) -> Any:
    return create_user("bertil", PASSWORD, kind="citizen", display_name="Bertil")


@pytest.fixture
def operator_client(operator: Any) -> Client:
    client = Client()
    log_in_with_second_factor(client, operator)
    return client


@pytest.fixture
def project(operator: Any) -> Any:
    project = services.create_project(operator, "parkering", "Parkeringstillstånd")
    project.summary_sv = "Ansök om parkeringstillstånd."
    project.handling_time_sv = "2 veckor"
    project.save()
    return project


def save_unknown_form_reference(operator: Any, project: Any) -> None:
    """Save the project's process with its start form pointing at a form that does not exist:
    an error that blocks publishing."""
    file = project.files.get(name="parkering.bpmn")
    broken = file.content.replace('formId="parkering"', 'formId="x"')
    services.save_file(operator, project, file.name, broken, file.sha)
