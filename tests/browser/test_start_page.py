"""A visitor opens the start page in Swedish, switches to English, and finds no WCAG violation."""

from __future__ import annotations

import pytest

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_in_both_languages_is_accessible(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Välkommen")
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server.url + "/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert_accessible(page)

    page.get_by_role("button", name="Svenska").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"


def test_skip_link_moves_focus_to_main_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_start_page_on_a_phone_has_no_horizontal_scroll(live_server, phone_page):
    phone_page.goto(live_server.url + "/")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(phone_page)
