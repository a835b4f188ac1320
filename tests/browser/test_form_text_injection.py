"""A value someone typed, shown through a form's templated text (`{{contact.name}}` in a staff
form, `{{missingInformation}}` in a citizen's task), is text: no image is fetched, no link or
markup comes alive, while the text the form's author wrote keeps its markdown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from verka.processes import services as processes

from ..workspace.conftest import (  # noqa: F401 - fixtures
    PASSWORD,
    open_task,
    people,
    run_job,
)
from ..workspace.test_markup_in_answers import start_case
from .conftest import assert_accessible
from .test_form_input import open_form, report_eservice  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Bait:
    """An HTTP server standing for the attacker's: it counts the requests that reach it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        bait = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                bait.paths.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bait() -> Iterator[Bait]:
    server = Bait()
    yield server
    server.close()


def log_in(page: Any, base_url: str, username: str, *, staff: bool) -> None:
    page.goto(base_url + ("/konto/logga-in/personal/" if staff else "/konto/logga-in/"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_load_state()


def record_requests(page: Any, prefix: str) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda request: seen.append(request.url) if request.url.startswith(prefix) else None,
    )
    return seen


def assert_shown_as_text(text_view: Any) -> None:
    """No live element came from a value: only what the author's markdown makes."""
    live = text_view.evaluate(
        "el => Array.from(el.querySelectorAll('*')).map(e => e.tagName.toLowerCase())"
    )
    assert set(live) <= {"h3", "h2", "p", "br", "strong", "em"}, live


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_citizens_answer_in_a_staff_form_is_shown_as_text(
    live_server,
    browser,
    people,  # noqa: F811
    bait,
    width,
):
    name = f"<img src={bait.url}/x onerror=alert(1)>Bertil"
    designation = (
        f"<a href=javascript:alert(1)>Klicka</a> [länk]({bait.url}/y) {bait.url}/z **fet**"
    )
    case = start_case(people["applicant"], name, designation)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        seen = record_requests(page, bait.url)
        log_in(page, live_server.url, "olle", staff=True)
        task = open_task(case, "checkCompleteness")
        page.goto(f"{live_server.url}/handlaggning/uppgifter/{task.key}/")
        text_view = page.locator("#form-container .fjs-form-field-text").first
        text_view.wait_for()
        page.wait_for_timeout(500)  # time for an image request to go out

        shown = text_view.inner_text()
        assert name in shown
        assert designation in shown
        assert_shown_as_text(text_view)
        assert text_view.locator("h3").inner_text() == "Ansökan"  # the author's markdown
        assert text_view.locator("img, a").count() == 0
        assert seen == [] and bait.paths == [] and dialogs == []
        assert_accessible(page)
    finally:
        context.close()


def test_an_officers_text_in_a_citizens_task_is_shown_as_text(
    live_server,
    page,
    people,  # noqa: F811
    bait,
):
    case = start_case(people["applicant"], "Bertil Bengtsson", "Exempelby 1:23")
    missing = f"Fasadritning saknas.\n\n## Rubrik\n<img src={bait.url}/x> [här]({bait.url}/y)"
    check = open_task(case, "checkCompleteness")
    processes.complete_user_task(
        check.key,
        {
            "completeness": "incomplete",
            "missingInformation": missing,
            "completionDueDate": (date.today() + timedelta(days=14)).isoformat(),
        },
        user="olle",
    )
    run_job("verka-email")
    supplement = open_task(case, "supplementApplication")
    seen = record_requests(page, bait.url)
    log_in(page, live_server.url, "bertil", staff=False)
    page.goto(f"{live_server.url}/mina-sidor/uppgift/{supplement.key}/")
    text_view = page.locator("#form-container .fjs-form-field-text").first
    text_view.wait_for()
    page.wait_for_timeout(500)

    shown = text_view.inner_text()
    assert "## Rubrik" in shown
    assert f"<img src={bait.url}/x>" in shown
    assert text_view.locator("h2").inner_text() == "Komplettera din ansökan"
    assert_shown_as_text(text_view)
    assert text_view.locator("img, a").count() == 0
    assert seen == [] and bait.paths == []
    assert_accessible(page)


TRICKY_VALUES = [
    "<img src={bait}/a>",
    "[länk]({bait}/b)",
    "![bild]({bait}/c)",
    "{bait}/d www.example.se anna@example.se",
    "<a href=javascript:alert(1)>x</a> <script>alert(1)</script> <!-- x -->",
    "**fet** _kursiv_ `kod` ~~struken~~ \\*",
    "# Rubrik",
    "- punkt",
    "1. punkt",
    "> citat",
    "| a | b |",
    "---",
    "&lt;b&gt; &amp;",
    "rad 1\n\n## rad 2\n- rad 3",
    "    indrag",
    "{{{{ applicantName }}}}",
]

TEMPLATE = "### Rubrik\n\n{{v}}\n\n- {{v}}\n\n| A | B |\n|---|---|\n| {{v}} | x |\n\n**Fet: {{v}}**"


RENDER = """([template, value]) => {
    const host = document.createElement("div");
    document.getElementById("form-container").after(host);
    const viewer = window.VerkaFormViewer.create(host);
    const schema = {type: "default", components: [{id: "t", type: "text", text: template}]};
    return viewer.importSchema(schema, {v: value}).then(() => {
        const view = host.querySelector(".fjs-form-field-text");
        const rendered = {
            tags: Array.from(view.querySelectorAll("*")).map(e => e.tagName.toLowerCase()),
            texts: Array.from(view.querySelectorAll("p, li, td")).map(e => e.innerText),
        };
        viewer.destroy();
        host.remove();
        return rendered;
    });
}"""

AUTHORED = ["h3", "p", "ul", "li", "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]


def test_any_value_in_a_text_view_is_text(live_server, page, report_eservice, bait):  # noqa: F811
    seen = record_requests(page, bait.url)
    open_form(page, live_server.url)
    for value in (value.format(bait=bait.url) for value in TRICKY_VALUES):
        rendered = page.evaluate(RENDER, [TEMPLATE, value])

        # The author's markdown and nothing more; the value is in it four times, as text (its
        # line breaks as <br>).
        expected = AUTHORED + ["p", "strong"] + ["br"] * (4 * value.count("\n"))
        assert sorted(rendered["tags"]) == sorted(expected), (value, rendered["tags"])
        words = " ".join(value.split())
        shown = [" ".join(text.split()) for text in rendered["texts"]]
        assert shown == [words, words, words, "x", "Fet: " + words], value
    page.wait_for_timeout(300)  # time for an image request to go out
    assert seen == [] and bait.paths == []
