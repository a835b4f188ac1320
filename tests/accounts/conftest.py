"""Fixtures for login tests: the demo IdP switched on, and provider calls served in-process.

The relying party talks HTTP (requests, via authlib) to its providers. Here those calls are
answered by this very Django application through the test client, so the whole OIDC exchange
runs for real without a network; `ProviderTraffic` can fail or rewrite the provider's answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from verka.accounts import oidc

SERVED_HOSTS = {"testserver", "localhost"}


@dataclass
class ProviderTraffic:
    """What the relying party asked providers, and ways to make the providers misbehave."""

    calls: list[str] = field(default_factory=list)
    down: set[str] = field(default_factory=set)  # path endings that fail to connect
    rewrite: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = field(default_factory=dict)

    def send(self, prepared: requests.PreparedRequest) -> requests.Response:
        url = urlsplit(prepared.url or "")
        self.calls.append(url.path)
        if url.hostname not in SERVED_HOSTS:
            raise requests.ConnectionError(f"no network in tests: {url.hostname}")
        if any(url.path.endswith(ending) for ending in self.down):
            raise requests.ConnectionError("provider down (test)")
        headers = {
            key: value
            for key, value in prepared.headers.items()
            if key.lower() not in {"content-type", "content-length", "host"}
        }
        body = prepared.body or b""
        answer = Client().generic(
            prepared.method or "GET",
            url.path + (f"?{url.query}" if url.query else ""),
            data=body.encode() if isinstance(body, str) else body,
            content_type=prepared.headers.get("Content-Type", ""),
            headers=headers,
            SERVER_NAME=url.hostname,
            SERVER_PORT=str(url.port or 80),
        )
        content = answer.content
        for ending, change in self.rewrite.items():
            if url.path.endswith(ending) and answer.status_code == 200:
                content = json.dumps(change(json.loads(content))).encode()
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = prepared.url or ""
        response.request = prepared
        response.encoding = "utf-8"
        return response


@pytest.fixture(scope="session")
def demo_key_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("demo-idp") / "signing-key.json")


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> ProviderTraffic:
    recorder = ProviderTraffic()
    monkeypatch.setattr(HTTPAdapter, "send", lambda self, prepared, **kw: recorder.send(prepared))
    return recorder


@pytest.fixture
def demo_on(settings: Any, demo_key_file: str, traffic: ProviderTraffic) -> Iterator[Any]:
    settings.VERKA_DEMO_IDP = True
    settings.VERKA_DEMO_IDP_KEY_FILE = demo_key_file
    settings.VERKA_OIDC_PROVIDERS = []
    settings.ROOT_URLCONF = "tests.accounts.urls"
    # The demo users' passwords need no strong hashing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    oidc.forget_provider_metadata()
    yield settings
    oidc.forget_provider_metadata()


def demo_users() -> None:
    """The demo municipality's people (as verka.demo.load_demo creates them, without e-services)."""
    from verka.accounts.services import ensure_user
    from verka.demo import DEMO_LOGINS

    for login in DEMO_LOGINS:
        ensure_user(
            login.username,
            login.password,
            kind=login.kind,
            display_name=login.display_name,
            groups=login.groups,
            superuser=login.superuser,
        )


def browse(client: Client, method: str, url: str, data: dict[str, str] | None = None) -> Any:
    """Follow an absolute URL the way a browser would, on the host the URL names."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = {"SERVER_NAME": parts.hostname or "testserver"}
    if method == "GET":
        return client.get(path, **extra)
    return client.post(path, data or {}, **extra)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def start_and_authorize(
    client: Client,
    persona: str,
    *,
    provider: str = "demo",
    next_url: str = "",
    host: str = "testserver",
    language_prefix: str = "",
) -> str:
    """Click the login button and pick the persona; returns the callback URL the IdP sends to."""
    started = client.post(
        f"{language_prefix}/konto/oidc/{provider}/", {"next": next_url}, SERVER_NAME=host
    )
    assert started.status_code == 302, started.content[:500]
    authorize_url = started["Location"]
    page = browse(client, "GET", authorize_url)
    assert page.status_code == 200, page.content[:500]
    chosen = browse(
        client, "POST", authorize_url.split("?")[0], {**query(authorize_url), "persona": persona}
    )
    assert chosen.status_code == 302, chosen.content[:500]
    return str(chosen["Location"])


def log_in(client: Client, persona: str, **kwargs: Any) -> Any:
    callback = start_and_authorize(client, persona, **kwargs)
    return browse(client, "GET", callback)


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
