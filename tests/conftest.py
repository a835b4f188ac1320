"""Test-suite wiring: the PostgreSQL run keeps only persistence tests; browser tests need Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the test
# itself are still synchronous, so the async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "client", "admin_client"}


def uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("VERKA_TEST_PERSISTENCE_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        persistence = uses_database(item) and item.get_closest_marker("browser") is None
        (keep if persistence else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language (Swedish): a request to an /en/ page leaves
    English active in the thread that ran it (LocaleMiddleware activates, nothing resets), and
    with tests spread over processes, whichever test runs next in that process would see it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def pytest_configure(config: pytest.Config) -> None:
    from verka.i18n import compile_catalogs

    compile_catalogs()


@pytest.fixture
def admin_client(db: None, admin_user: object) -> object:
    """pytest-django's admin client, logged in with a verified second factor: superusers must
    give one before any staff page or the Django admin opens (verka.accounts.mfa)."""
    from django.test import Client

    from tests.accounts.helpers import log_in_with_second_factor

    return log_in_with_second_factor(Client(), admin_user)
