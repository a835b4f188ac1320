"""The form-js viewer's own texts follow the page's language: on a Swedish e-service page a
required field left empty says so in Swedish and the autosave note shows a Swedish time; under
/en/ both are English. axe-core finds nothing on either page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from verka.demo import load_demo

from .conftest import assert_accessible
from .test_demo_preschool import field, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_viewers_texts_are_in_the_pages_language(live_server, page):
    load_demo()
    log_in(page, live_server.url, "anna", "demo-anna")
    page.goto(live_server.url + "/e-tjanster/")
    page.get_by_role("link", name="Ansök om förskoleplats").click()
    page.get_by_role("link", name="Starta e-tjänsten").click()
    page.wait_for_selector(".fjs-form")
    apply_path = urlsplit(page.url).path

    # Swedish: the step is sent with its required fields empty.
    page.get_by_role("button", name="Nästa").click()
    errors = page.locator(".fjs-form-field-error")
    errors.filter(has_text="Fältet är obligatoriskt.").first.wait_for()
    assert errors.filter(has_text="Field is required.").count() == 0
    assert_accessible(page)
    # The autosave note: 24-hour Swedish time, whatever the browser's own locale (en-US here).
    field(page, "Namn").fill("Anna Andersson")
    status = page.locator("#save-status")
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.startsWith('Sparat')"
    )
    assert re.fullmatch(r"Sparat \d{2}:\d{2}", status.inner_text())

    # English: the same step under /en/ keeps the viewer's own English.
    page.goto(live_server.url + "/en" + apply_path)
    page.wait_for_selector(".fjs-form")
    name = page.locator("#form-container input.fjs-input").first  # labelled in English here
    name.fill("")
    page.get_by_role("button", name="Next").click()
    errors.filter(has_text="Field is required.").first.wait_for()
    assert errors.filter(has_text="Fältet är obligatoriskt.").count() == 0
    name.fill("Anna Andersson")
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.startsWith('Saved')"
    )
    assert re.fullmatch(r"Saved \d{2}:\d{2}\s?[AP]M", status.inner_text())
    assert_accessible(page)
