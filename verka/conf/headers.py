"""The security headers of every response a view makes: the content security policy, the
permissions policy and the rule that nothing rendered by a view is stored in a cache.

Static files are served by WhiteNoise before these run, and keep their own caching.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Verka uses none of these browser features; a page, or anything injected into one, may not.
# The fault report's location is typed into fields (no geolocation); passkeys use WebAuthn.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}={allow}"
    for feature, allow in (
        ("accelerometer", "()"),
        ("autoplay", "()"),
        ("camera", "()"),
        ("display-capture", "()"),
        ("encrypted-media", "()"),
        ("geolocation", "()"),
        ("gyroscope", "()"),
        ("hid", "()"),
        ("idle-detection", "()"),
        ("magnetometer", "()"),
        ("microphone", "()"),
        ("midi", "()"),
        ("payment", "()"),
        ("picture-in-picture", "()"),
        ("publickey-credentials-get", "(self)"),
        ("screen-wake-lock", "()"),
        ("serial", "()"),
        ("usb", "()"),
        ("xr-spatial-tracking", "()"),
        ("browsing-topics", "()"),
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; Cache-Control: no-store on every response a view
    made without choosing its own caching.

    Any page may show personal data: the header names the signed-in person on every page, and
    drafts, cases, tasks, downloads and API answers are personal through and through. Marking
    only "personal" pages would fail the first time someone adds one and forgets; so a view
    that wants caching says so (the API documentation's assets do), and everything else is
    never stored by the browser or a proxy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def login_redirect_origins() -> list[str]:
    """Where a login or logout form may be redirected to: each configured identity provider's
    issuer origin and VERKA_CSP_FORM_ACTION. Browsers apply form-action to the redirects that
    follow a form's submission, and the login buttons post to Verka, which redirects. (The demo
    identity provider is Verka itself.)"""
    from verka.accounts.oidc import configured_providers

    try:
        providers = configured_providers()
    except ValueError:
        providers = []  # a wrong configuration is reported where logins use it
    origins = [_origin(provider.issuer) for provider in providers]
    origins += [_origin(url) for url in getattr(settings, "VERKA_CSP_FORM_ACTION", [])]
    return _unique(origins)


def image_origins() -> list[str]:
    """The site logo may live on another server (VERKA_SITE_LOGO)."""
    return _unique([_origin(getattr(settings, "VERKA_SITE_LOGO", "") or "")])


# Where a page cannot work under the full policy, what it is allowed, by (app, URL name).
# The Studio's editors (diagram-js, dmn-js, form-js' editor) write style="…" attributes in their
# markup. Attributes only: a style attribute has no selectors, so it cannot read the page the
# way an injected <style> can, and <style> elements still need the nonce.
RELAXATIONS: dict[tuple[str, str], dict[str, list[str]]] = {
    ("studio", "edit"): {"style-src-attr": [UNSAFE_INLINE]},
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) with what depends on the
    deployment and the page: the login providers, the logo's server, and the Django admin."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = dict(parts.update or {})
        replace = dict(parts.replace or {})
        if form_action := login_redirect_origins():
            update["form-action"] = [*update.get("form-action", []), *form_action]
        if images := image_origins():
            update["img-src"] = [*update.get("img-src", []), *images]
        match = getattr(request, "resolver_match", None)
        if match is not None:
            update.update(RELAXATIONS.get((match.app_name, match.url_name), {}))
        if match is not None and match.app_name == "admin":
            # The admin's templates load their scripts from files without a nonce and have no
            # inline scripts: same-origin files only.
            replace["script-src"] = [SELF]
        parts.update, parts.replace = update or None, replace or None
        return parts
