"""Browser tests: Playwright for Python driving Debian's Chromium, with axe-core checks.

Every page of every browser test runs under Verka's real content security policy, and a test
fails when the browser refuses anything under it (a script, a style, a form's target, an
eval): the editors, form-js and the API documentation are proven to work with the policy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE_SCRIPT.read_text() if AXE_SCRIPT.is_file() else ""
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Runs in every document before its own scripts (as the browser's own code, which the policy
# does not govern) and reports each refusal of the content security policy to the test.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__verkaCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || '(inline)'} on ` +
    `${event.documentURI} at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
});
"""

# The refusals seen in the running test, by every page of every context it opened.
csp_violations: list[str] = []


def watch_csp(context: Any) -> Any:
    """Record every content security policy refusal in the pages of this browser context."""
    context.expose_binding("__verkaCspViolation", lambda _source, text: csp_violations.append(text))
    context.add_init_script(CSP_LISTENER)

    def on_console(message: Any) -> None:
        # Refusals the event does not reach (e.g. in workers) still reach the console.
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            csp_violations.append(f"console: {message.text}")

    context.on("console", on_console)
    return context


class WatchedBrowser:
    """The browser, with every context it opens watched for policy refusals."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        return watch_csp(self._browser.new_context(**options))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_csp_violations() -> Iterator[None]:
    """Fails the test if the browser refused anything under the content security policy.

    Autouse, so it is set up first and torn down last: after the pages' contexts have closed
    and delivered their last events."""
    csp_violations.clear()
    yield
    found = list(csp_violations)
    csp_violations.clear()
    if found:
        pytest.fail("The browser refused under the page's policies:\n" + "\n".join(found[:20]))


def chromium_executable() -> str:
    path = os.environ.get("VERKA_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing: `python3 dev.py test` installs it (apt-get chromium)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page; returns the violations."""
    # Evaluated by the test's driver rather than added as an inline <script>, which the
    # page's content security policy rightly refuses.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return result["violations"]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert not violations, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(summary)
