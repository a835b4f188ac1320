"""What a citizen types is what the server gets: characters typed right after leaving a number
field, typed at full speed, or followed at once by choosing a file are all kept, in the field
and in the saved draft; a save that fails says so on the page (at desktop and phone width)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from verka.accounts.services import create_user
from verka.eservices.models import Category, Draft, EService
from verka.processes import services as processes

from ..eservices.conftest import PDF
from ..processes import models as m
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = {
    "id": "report-form",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {"id": "lampsField", "key": "lamps", "type": "number", "label": "Antal lampor"},
        {"id": "streetField", "key": "street", "type": "textfield", "label": "Gata"},
        {"id": "notesField", "key": "notes", "type": "textarea", "label": "Beskrivning"},
        {
            "id": "photoField",
            "key": "photo",
            "type": "filepicker",
            "label": "Bild",
            "accept": ".pdf,.png",
        },
    ],
}

PROCESS = m.bpmn(
    '<bpmn:startEvent id="start"><bpmn:extensionElements>'
    '<zeebe:formDefinition formId="report-form"/></bpmn:extensionElements></bpmn:startEvent>'
    '<bpmn:endEvent id="end"/>' + m.flow("f1", "start", "end"),
    process_id="report",
)

STREET = "Gatlampan vid Storgatan 12 är trasig"
NOTES = "Lampan blinkar sedan i måndags,\noch på natten är det helt mörkt."


@pytest.fixture
def report_eservice(db: Any) -> EService:
    processes.deploy([("report.bpmn", PROCESS), ("report.form", json.dumps(FORM).encode())])
    category = Category.objects.create(slug="gata", name_sv="Gata och trafik", name_en="Streets")
    create_user("anna", "pw-anna-123", kind="citizen", display_name="Anna Andersson")
    return EService.objects.create(
        slug="felanmalan",
        category=category,
        title_sv="Felanmälan gatubelysning",
        title_en="Report a broken street light",
        summary_sv="Anmäl en trasig lampa.",
        handling_time_sv="1 vecka",
        bpmn_process_id="report",
        start_form_id="report-form",
        case_prefix="FEL",
        published=True,
    )


def open_form(page: Any, base_url: str) -> None:
    page.goto(base_url + "/konto/logga-in/")
    page.get_by_role("textbox", name="Användarnamn").fill("anna")
    page.get_by_label("Lösenord", exact=True).fill("pw-anna-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    page.goto(base_url + "/e-tjanster/felanmalan/ansok/")
    page.wait_for_selector(".fjs-form")


def saved_answers() -> dict[str, Any]:
    return dict(Draft.objects.get(eservice__slug="felanmalan").data)


def wait_until_saved(page: Any) -> None:
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.startsWith('Sparat')"
    )


@pytest.mark.parametrize("delay", [40, 0], ids=["typing", "typing-fast"])
def test_text_typed_right_after_a_number_field_is_kept(live_server, page, report_eservice, delay):
    open_form(page, live_server.url)
    page.get_by_label("Antal lampor").click()
    page.keyboard.type("3", delay=delay)
    page.keyboard.press("Tab")
    page.keyboard.type(STREET, delay=delay)

    street = page.get_by_label("Gata")
    # Long enough for the viewer's delayed updates and the autosave to have come and gone.
    page.wait_for_timeout(2500)
    assert street.input_value() == STREET
    wait_until_saved(page)
    answers = saved_answers()
    assert (answers["lamps"], answers["street"]) == (3, STREET)

    page.get_by_role("button", name="Granska").click()
    page.wait_for_url("**/granska/")
    assert STREET in page.locator("main").inner_text()
    assert saved_answers()["street"] == STREET


def test_text_is_kept_when_a_file_is_chosen_right_after_typing(
    live_server, page, report_eservice, tmp_path
):
    open_form(page, live_server.url)
    page.get_by_label("Beskrivning").click()
    page.keyboard.type(NOTES, delay=20)
    photo = tmp_path / "lampa.pdf"
    photo.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(photo))

    page.wait_for_timeout(1000)
    assert page.get_by_label("Beskrivning").input_value() == NOTES
    page.get_by_role("button", name="Granska").click()
    page.wait_for_url("**/granska/")
    answers = saved_answers()
    assert answers["notes"] == NOTES
    assert answers["photo"][0]["metadata"]["fileName"] == "lampa.pdf"


def test_typing_at_phone_width_is_kept_and_a_failed_save_is_announced(
    live_server, phone_page, report_eservice
):
    page = phone_page
    open_form(page, live_server.url)
    assert_accessible(page)
    # The server stops answering the autosave: the page must say so, not drop the answers.
    page.route("**/spara/", lambda route: route.abort())
    page.get_by_label("Antal lampor").click()
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    page.keyboard.type(STREET)

    warning = page.locator("#save-warning")
    warning.wait_for()
    assert warning.get_attribute("role") == "alert"
    assert "Dina svar är inte sparade" in warning.inner_text()
    assert page.get_by_label("Gata").input_value() == STREET
    assert_accessible(page)

    # The server answers again: the next save goes through and the warning goes away.
    page.unroute("**/spara/")
    page.get_by_label("Gata").press("End")
    page.keyboard.type(".")
    warning.wait_for(state="detached")
    assert page.locator("#save-status").inner_text().startswith("Sparat")
    assert saved_answers()["street"] == STREET + "."
    assert saved_answers()["lamps"] == 12


def test_answers_typed_just_before_leaving_the_page_are_saved(live_server, page, report_eservice):
    open_form(page, live_server.url)
    page.get_by_label("Gata").click()
    page.keyboard.type(STREET)
    page.goto(live_server.url + "/e-tjanster/")  # well within the autosave's delay

    page.wait_for_timeout(1000)  # the save sent while leaving arrives on its own
    assert saved_answers()["street"] == STREET


def test_a_save_the_server_refuses_is_announced_in_its_words(live_server, page, report_eservice):
    open_form(page, live_server.url)
    page.route(
        "**/spara/",
        lambda route: route.fulfill(
            status=401,
            content_type="application/json",
            body=json.dumps({"title": "Logga in för att spara."}),
        ),
    )
    page.get_by_label("Gata").fill(STREET)

    warning = page.locator("#save-warning")
    warning.wait_for()
    assert warning.inner_text() == "Dina svar är inte sparade. Logga in för att spara."
    assert page.get_by_label("Gata").input_value() == STREET
