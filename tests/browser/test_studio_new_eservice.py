"""Issue 9's "done when": the digitalisation team builds a small new e-service from scratch in
the Studio's editors (its form in the form editor, its process in the BPMN modeler with the
zeebe properties panel), publishes it, and a citizen finds it in the catalogue and applies.
axe-core finds nothing on the pages on the way."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.accounts.helpers import log_in_staff_in_browser
from verka.accounts.services import create_user
from verka.eservices.models import EService, Submission
from verka.processes import codec
from verka.processes.models import ProcessInstance, UserTask, Variable

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-new-eservice-1"


def log_in(page: Any, url: str, username: str) -> None:
    # The digitalisation team gives a second factor after the password.
    log_in_staff_in_browser(page, url, username, PASSWORD)


def open_file(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_selector("#studio.is-ready")
    page.wait_for_function(
        "() => document.getElementById('studio-findings-summary').textContent !== ''"
    )


def save(page: Any) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => document.getElementById('studio-status').textContent.startsWith('Sparat')"
        " && document.getElementById('studio-dirty').hidden"
    )


def click_element(page: Any, element_id: str) -> None:
    # Clicked where it is drawn: Locator.click() would scroll the canvas and shift the drawing.
    box = page.locator(f".djs-element[data-element-id='{element_id}']").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def open_group(page: Any, title: str) -> None:
    header = page.locator(
        ".bio-properties-panel-group-header:has(.bio-properties-panel-group-header-title"
        f":text-is('{title}'))"
    )
    if "open" not in (header.get_attribute("class") or "").split():
        header.click()


def test_a_new_eservice_is_built_in_the_editors_published_and_used_by_a_citizen(live_server, page):
    create_user("dora", PASSWORD, kind="staff", display_name="Dora Drift",
                groups=["digitalisering"])  # fmt: skip
    create_user("cilla", PASSWORD, kind="citizen", display_name="Cilla Carlsson")
    base = live_server.url

    # A new, empty project: a start event, an end event and an empty start form.
    log_in(page, base + "/konto/logga-in/personal/", "dora")
    page.goto(base + "/studio/")
    page.get_by_label("Kortnamn").fill("hundregister")
    page.get_by_label("Rubrik (svenska)").fill("Registrera hund")
    page.get_by_label("Rubrik (engelska)").fill("Register a dog")
    page.get_by_role("button", name="Skapa projektet").click()
    assert page.locator("h1").inner_text().startswith("Registrera hund")

    # The start form, in the form editor: a required text field for the dog's name.
    open_file(page, "hundregister.form")
    before = page.locator("#studio-canvas .fjs-element[data-id]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.id)"
    )
    page.locator(".fjs-palette-field[data-field-type='textfield']").focus()
    page.keyboard.press("Enter")
    after = page.locator("#studio-canvas .fjs-element[data-id]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.id)"
    )
    (field_id,) = [i for i in after if i not in before]
    page.locator(f"#studio-canvas .fjs-element[data-id='{field_id}']").click()
    open_group(page, "Allmänt")
    page.locator("#bio-properties-panel-label").fill("Hundens namn")
    page.locator("#bio-properties-panel-key").fill("dogName")
    open_group(page, "Validering")
    page.locator("#bio-properties-panel-required").check()
    page.locator("#studio-preview").get_by_label(re.compile(r"^Hundens namn")).wait_for()
    save(page)
    assert_accessible(page)
    page.get_by_role("link", name="Tillbaka till projektet").click()

    # The process, in the BPMN modeler: the officer registers the dog between start and end.
    open_file(page, "hundregister.bpmn")
    click_element(page, "Flow_toEnd")
    page.locator(".djs-context-pad").get_by_title("Ta bort").click()
    click_element(page, "applicationReceived")
    page.locator(".djs-context-pad").get_by_title("Lägg till uppgift").click()
    page.keyboard.type("Registrera hunden")
    page.keyboard.press("Enter")
    page.locator(".djs-context-pad").get_by_title("Byt elementtyp").click()
    page.locator(".djs-popup [data-id='replace-with-user-task']").click()
    task_id = page.locator(".djs-shape.selected").get_attribute("data-element-id")
    page.locator(".djs-context-pad").get_by_title("Koppla till annat element").click()
    end = page.locator(".djs-element[data-element-id='applicationHandled']").bounding_box()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2)
    click_element(page, "applicationHandled")
    page.wait_for_timeout(450)  # diagram-js ignores a click right after a drag
    click_element(page, task_id)
    open_group(page, "Tilldelning")
    page.locator("#studio-properties").get_by_label("Kandidatgrupper").fill("hundregistret")
    save(page)
    # Nothing in the process is wrong: no finding on the diagram or in the list.
    assert page.locator("#studio-findings-here li").count() == 0
    assert page.locator(".djs-element.studio-finding-error").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Tillbaka till projektet").click()

    # What the catalogue shows, then publish.
    assert "Inga fel hittades" in page.locator("#check-summary").inner_text()
    page.get_by_label("Sammanfattning (svenska)").fill("Anmäl att du har en hund.")
    page.get_by_label("Handläggningstid (svenska)").fill("1 vecka")
    page.get_by_role("button", name="Spara inställningarna").click()
    assert page.get_by_label("Visa e-tjänsten i e-tjänstekatalogen").is_checked()
    page.get_by_role("button", name="Publicera", exact=True).click()
    assert "Version 1 är publicerad." in page.locator(".messages").inner_text()
    assert_accessible(page)
    assert EService.objects.get(slug="hundregister").published

    # A citizen finds it in the catalogue and applies.
    page.context.clear_cookies()
    log_in(page, base + "/konto/logga-in/", "cilla")
    page.goto(base + "/e-tjanster/")
    page.get_by_role("link", name="Registrera hund").click()
    assert_accessible(page)
    page.get_by_role("link", name="Starta e-tjänsten").click()
    page.wait_for_selector(".fjs-form")
    page.get_by_label(re.compile(r"^Namn\s*\*?$")).fill("Cilla Carlsson")  # the starter's field
    page.get_by_label(re.compile(r"^Hundens namn")).fill("Fido")
    assert_accessible(page)
    page.get_by_role("button", name="Granska").click()
    page.wait_for_url("**/granska/")
    page.get_by_role("button", name="Skicka in ansökan").click()
    page.wait_for_selector("#case-number")
    assert_accessible(page)

    # The case runs on the published process and waits for the officer's task.
    submission = Submission.objects.get(case_number=page.locator("#case-number").inner_text())
    instance = ProcessInstance.objects.get(key=submission.process_instance_key)
    assert (instance.bpmn_process_id, instance.is_test) == ("hundregister", False)
    task = UserTask.objects.get(process_instance=instance, state="CREATED")
    assert (task.element_id, task.name) == (task_id, "Registrera hunden")
    assert json.loads(task.candidate_groups) == ["hundregistret"]
    name = Variable.objects.get(process_instance_id=instance.key, name="dogName")
    assert codec.from_json_text(name.value) == "Fido"
