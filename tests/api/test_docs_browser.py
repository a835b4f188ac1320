"""The interactive API documentation renders in a real browser with no network but Verka's."""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_every_operation_from_local_files_only(live_server):
    chromium = os.environ.get("VERKA_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is missing: `python3 dev.py test` installs it")
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()

            def only_verka(route):
                if route.request.url.startswith(live_server.url):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_verka)
            page.goto(f"{live_server.url}/api/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=15_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            title = page.locator(".info .title").first.inner_text()
        finally:
            browser.close()
    assert outside == []
    assert "Verka API" in title
    assert "/api/v1/jobs/activation" in [p.replace("\u200b", "") for p in paths]
    assert len(paths) >= 20
