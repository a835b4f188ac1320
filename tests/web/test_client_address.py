"""The client's address: forwarded headers are believed only from trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from verka.conf.network import client_address


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.VERKA_TRUSTED_PROXIES = []
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.VERKA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),
        # A client may send its own X-Forwarded-For; the proxy appends what it saw.
        ("1.2.3.4, 198.51.100.1", "198.51.100.1"),
        ("198.51.100.1, 10.0.0.7", "198.51.100.1"),
        ("198.51.100.1:5555", "198.51.100.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("not-an-address", "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_behind_a_trusted_proxy_the_first_untrusted_hop_from_the_right(
    settings, forwarded, expected
):
    settings.VERKA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request("10.0.0.2", forwarded)) == expected
