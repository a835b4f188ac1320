"""Connector secrets: `{{secrets.NAME}}` in a header is replaced by the environment variable
VERKA_SECRET_NAME, so models never contain passwords or addresses that differ per installation."""

from __future__ import annotations

import os
import re

SECRET = re.compile(r"\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class MissingSecret(LookupError):
    pass


def resolve(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = os.environ.get(f"VERKA_SECRET_{name}")
        if found is None:
            raise MissingSecret(f"secret '{name}' is not configured (VERKA_SECRET_{name})")
        return found

    return SECRET.sub(value, text)
