"""The `verka-http` connector: a service task that calls a REST endpoint.

Headers (zeebe:taskHeaders): `method` (GET, POST, PUT, PATCH, DELETE), `url`, `resultVariable`,
optional `timeout` (seconds, default 20), `authorization` (e.g. `Bearer {{secrets.TOKEN}}`) and
`contentType`. Input variables: `body` (sent as JSON) and `queryParameters` (a context).
`{{secrets.NAME}}` anywhere in the URL or the authorization reads VERKA_SECRET_NAME.

The answer `{status, body}` is stored in `resultVariable`. 5xx answers and network errors fail
the job so it is retried with back-off; other non-2xx answers fail it without retries (a bad
request does not heal itself), which raises an incident. Every request carries
`Idempotency-Key: verka-job-<job key>`: jobs run at least once, and the receiver can tell a
retry from a new request.

Requests to private, loopback and link-local addresses are refused unless the host is listed in
VERKA_HTTP_ALLOWED_HOSTS or VERKA_HTTP_ALLOW_PRIVATE is true: a model must not be a way into the
internal network.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from verka.processes import codec
from verka.processes.worker import JobFailure, job_handler

from .secrets import MissingSecret, resolve

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
MAX_RESPONSE_BYTES = 1024 * 1024


class RefusedAddress(ValueError):
    pass


def check_destination(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RefusedAddress(f"not an http(s) URL: {parts.scheme or '?'}://{parts.hostname or '?'}")
    host = parts.hostname
    if host in settings.VERKA_HTTP_ALLOWED_HOSTS or settings.VERKA_HTTP_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as error:
        raise RefusedAddress(f"cannot resolve {host}: {error.strerror}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            raise RefusedAddress(
                f"{host} resolves to a private or local address ({address}); list the host in "
                "VERKA_HTTP_ALLOWED_HOSTS to allow it"
            )


def call(job: Any) -> dict[str, Any]:
    headers_in = job.custom_headers
    method = str(headers_in.get("method", "GET")).upper()
    if method not in METHODS:
        raise JobFailure(f"verka-http: unsupported method '{method}'", retries=0)
    result_variable = str(headers_in.get("resultVariable", "")).strip()
    try:
        url = resolve(str(headers_in.get("url", "")))
        authorization = resolve(str(headers_in.get("authorization", "")))
    except MissingSecret as missing:
        raise JobFailure(f"verka-http: {missing}", retries=0) from None
    try:
        check_destination(url)
    except RefusedAddress as refused:
        raise JobFailure(f"verka-http: {refused}", retries=0) from None
    try:
        timeout = float(headers_in.get("timeout", 20))
    except ValueError:
        raise JobFailure("verka-http: timeout must be a number of seconds", retries=0) from None
    request_headers = {
        "Accept": "application/json",
        "Idempotency-Key": f"verka-job-{job.key}",
        "User-Agent": "Verka",
    }
    if authorization:
        request_headers["Authorization"] = authorization
    body = job.variables.get("body")
    content = None
    if body is not None and method in {"POST", "PUT", "PATCH"}:
        content = codec.to_json_text(body, plain=True).encode()
        request_headers["Content-Type"] = str(headers_in.get("contentType", "application/json"))
    params = job.variables.get("queryParameters")
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(
                method,
                url,
                content=content,
                headers=request_headers,
                params={k: str(v) for k, v in params.items()} if isinstance(params, dict) else None,
            )
    except httpx.HTTPError as error:
        raise JobFailure(f"verka-http: {type(error).__name__} calling {_safe(url)}") from None
    answer = {"status": response.status_code, "body": _body(response)}
    if response.status_code >= 500:
        raise JobFailure(f"verka-http: {_safe(url)} answered {response.status_code}")
    if not 200 <= response.status_code < 300:
        raise JobFailure(f"verka-http: {_safe(url)} answered {response.status_code}", retries=0)
    return {result_variable: answer} if result_variable else {}


def _safe(url: str) -> str:
    """The URL without query string or credentials, for messages that reach logs and incidents."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{parts.path}"


def _body(response: httpx.Response) -> Any:
    raw = response.content[:MAX_RESPONSE_BYTES]
    if "json" in response.headers.get("content-type", ""):
        try:
            return codec.from_plain_json(json.loads(raw))
        except ValueError:
            pass
    return raw.decode("utf-8", errors="replace")


job_handler("verka-http", timeout=timedelta(minutes=2), backoff=timedelta(seconds=30))(call)
