"""Reading the HTTPS settings of a deployment behind a reverse proxy from their variables.

Standard library and Django's exceptions only: verka/conf/settings.py imports it before Django
is set up.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured

_SETTING = re.compile(r"([A-Za-z0-9_-]+)\s*[:,]\s*(\S+)")


def proxy_ssl_header(
    value: str, name: str = "VERKA_SECURE_PROXY_SSL_HEADER"
) -> tuple[str, str] | None:
    """Django's SECURE_PROXY_SSL_HEADER from "X-Forwarded-Proto: https" (or Django's own form,
    "HTTP_X_FORWARDED_PROTO,https"); None when the variable is empty."""
    value = value.strip()
    if not value:
        return None
    match = _SETTING.fullmatch(value)
    if match is None:
        raise ImproperlyConfigured(
            f"{name} must name a header and the value it has over HTTPS, "
            f"e.g. 'X-Forwarded-Proto: https', not {value!r}"
        )
    header, expected = match.groups()
    meta = header.upper().replace("-", "_")
    if not meta.startswith("HTTP_"):
        meta = "HTTP_" + meta
    return meta, expected
