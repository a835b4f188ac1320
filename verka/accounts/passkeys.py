"""WebAuthn passkeys as a second factor (django-otp-webauthn), bound to the host Verka is on.

A passkey is scoped to a relying party id (a domain) and checked against the origin the
browser reports. Both come from configuration when set (VERKA_WEBAUTHN_RP_ID,
VERKA_WEBAUTHN_ORIGINS); otherwise from the request's host, which Django has already checked
against ALLOWED_HOSTS, so one installation works on its own name without extra settings.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_otp_webauthn.helpers import WebAuthnHelper


def relying_party_id(request: HttpRequest) -> str:
    configured = str(getattr(settings, "VERKA_WEBAUTHN_RP_ID", "") or "")
    if configured:
        return configured
    host = request.get_host()
    if host.startswith("["):  # [::1]:8000
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class PasskeyHelper(WebAuthnHelper):  # type: ignore[misc]
    def get_allowed_origins(self) -> list[str]:
        configured = list(getattr(settings, "VERKA_WEBAUTHN_ORIGINS", []) or [])
        if configured:
            return configured
        scheme = "https" if self.request.is_secure() else "http"
        return [f"{scheme}://{self.request.get_host()}"]
