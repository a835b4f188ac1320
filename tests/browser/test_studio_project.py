"""The digitalisation team works on a project in the Studio without the editors: creates it,
sees the checks, saves a version, publishes it, tries it and rolls back. axe-core finds no
WCAG 2.1 AA violation on the pages on the way."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.accounts.helpers import log_in_staff_in_browser
from verka.accounts.services import create_user
from verka.eservices.models import EService
from verka.processes.models import ProcessInstance
from verka.studio import services
from verka.studio.models import Project

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-studio-browser-1"


def log_in(page: Any, base_url: str, username: str) -> None:
    # The digitalisation team gives a second factor after the password.
    log_in_staff_in_browser(page, base_url + "/konto/logga-in/personal/", username, PASSWORD)


def test_a_project_from_creation_to_publication_and_back(live_server, page):
    create_user(
        "dora", PASSWORD, kind="staff", display_name="Dora Drift", groups=["digitalisering"]
    )
    base = live_server.url
    log_in(page, base, "dora")

    page.goto(base + "/handlaggning/")
    page.get_by_role("link", name="Studio", exact=True).click()
    assert_accessible(page)

    # A bad short name is refused with a reason, then the project is created.
    page.get_by_label("Kortnamn").fill("Fel namn")
    page.get_by_label("Rubrik (svenska)").fill("Hundskatt")
    page.get_by_label("Ansökan: startformulär").check()
    page.get_by_role("button", name="Skapa projektet").click()
    assert "Kortnamn" in page.locator("#error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Kortnamn").fill("hundskatt")
    page.get_by_label("Rubrik (svenska)").fill("Hundskatt")
    page.get_by_role("button", name="Skapa projektet").click()
    assert page.locator("h1").inner_text().startswith("Hundskatt")
    assert "Inga fel hittades" in page.locator("#check-summary").inner_text()
    assert_accessible(page)

    # The settings the catalogue needs, then a version and a publication.
    page.get_by_label("Sammanfattning (svenska)").fill("Betala skatt för din hund.")
    page.get_by_label("Handläggningstid (svenska)").fill("1 vecka")
    page.get_by_role("button", name="Spara inställningarna").click()
    page.get_by_label("Vad har ändrats?").fill("Första utkastet")
    page.get_by_role("button", name="Spara version").click()
    assert "Version 1 är sparad." in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Publicera", exact=True).click()
    assert "Version 1 är publicerad." in page.locator(".messages").inner_text()
    assert EService.objects.get(slug="hundskatt").published
    assert_accessible(page)

    # A second version, its diff, publication, and the way back.
    project = Project.objects.get(slug="hundskatt")
    file = project.files.get(name="hundskatt.bpmn")
    services.save_file(
        None, project, file.name, file.content.replace("Fatta beslut", "Besluta"), file.sha
    )
    page.reload()
    page.get_by_role("link", name="Visa ändringarna").click()
    assert "decide" in page.locator("dl.facts").inner_text()
    assert_accessible(page)
    page.go_back()
    page.get_by_label("Visa e-tjänsten i e-tjänstekatalogen").uncheck()
    page.get_by_role("button", name="Publicera", exact=True).click()
    assert not EService.objects.get(slug="hundskatt").published
    page.get_by_role("button", name="Gå tillbaka till version 1").click()
    assert "Version 1 är publicerad igen." in page.locator(".messages").inner_text()

    # Try it: a CPT file that passes, and a test instance.
    case = {
        "name": "the officer decides",
        "instructions": [
            {
                "type": "CREATE_PROCESS_INSTANCE",
                "processDefinitionSelector": {"processDefinitionId": "hundskatt"},
            },
            {
                "type": "ASSERT_USER_TASK",
                "userTaskSelector": {"elementId": "decide"},
                "state": "IS_CREATED",
            },
        ],
    }
    services.add_file(
        None, project, "hundskatt.test.json", json.dumps({"testCases": [case]}).encode()
    )
    page.reload()
    page.get_by_role("button", name="Kör testerna").click()
    assert "1 av 1 test gick igenom." in page.locator("#test-results").inner_text()
    assert_accessible(page)
    page.get_by_label("Variabler (JSON-objekt)").fill('{"name": "Anna"}')
    page.get_by_role("button", name="Starta en testinstans").click()
    instance = ProcessInstance.objects.get()
    assert instance.is_test
    page.get_by_role("link", name="Öppna den i Drift").click()
    assert str(instance.key) in page.content()
