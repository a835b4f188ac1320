"""The request id a client sends is used only when it is short and plain; otherwise the request
gets a new one, in the log and in the response."""

from __future__ import annotations

import logging
import re

import pytest

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


def request_ids(caplog):  # type: ignore[no-untyped-def]
    return [r.request_id for r in caplog.records if r.name == "verka.request"]


@pytest.mark.parametrize(
    "given",
    [
        "abc\r\nSet-Cookie: x=1",
        "a\nforged log line",
        "x" * 65,
        "x" * 5000,
        "<script>alert(1)</script>",
        "id with spaces",
        "ünïcode",
        "-leading-dash",
        "",
    ],
)
def test_a_client_request_id_that_is_not_plain_is_replaced(client, caplog, given):
    caplog.set_level(logging.INFO, logger="verka.request")
    response = client.get("/health", HTTP_X_REQUEST_ID=given)
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert request_ids(caplog) == [response["X-Request-ID"]]


@pytest.mark.parametrize(
    "given", ["3f2c9a7e-1b1d-4f7e-9a55-0c1d2e3f4a5b", "req_01HX:edge-7.a", "a" * 64]
)
def test_a_plain_client_request_id_is_kept(client, caplog, given):
    caplog.set_level(logging.INFO, logger="verka.request")
    response = client.get("/health", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == given
    assert request_ids(caplog) == [given]
