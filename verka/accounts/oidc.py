"""Verka as an OpenID Connect relying party: configured providers, the code flow and logout.

Authorization code flow with PKCE (S256), state and nonce, via authlib. The ID token is checked
for signature (the provider's JWKS), issuer, audience, expiry and nonce; userinfo must name the
same subject. Every failure becomes a LoginFailed with a reason the views turn into a friendly
page; logs carry the provider and reason, never tokens, claims or personal numbers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import traceback
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from joserfc.errors import JoseError

from . import demo_idp
from .mfa import provider_vouches_for_factors
from .models import User
from .oidc_config import Provider, parse_providers, providers_from_environ
from .services import AccountError, Identity, sign_in_with_identity

log = logging.getLogger("verka.accounts.oidc")

SESSION_KEY = "verka_oidc"
HTTP_TIMEOUT = 10  # seconds for each call to a provider
METADATA_TTL = 3600  # discovery and JWKS are read again after this many seconds
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated on exp/iat
# Symmetric algorithms would let anyone holding the client secret forge tokens; "none" is unsigned.
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


class LoginFailed(Exception):
    """An OIDC login could not be completed.

    reason is one of: unavailable, cancelled, bad_state, provider_error, invalid_token,
    not_allowed. detail is for the log and must never hold a claim value.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.next_url = ""
        self.language = ""


@dataclass(frozen=True)
class LoginResult:
    user: User
    created: bool
    next_url: str
    language: str
    # The provider vouched, in its signed claims, for several factors (see mfa).
    several_factors: bool = False


# --- configuration ----------------------------------------------------------------------------


def configured_providers(request: HttpRequest | None = None) -> list[Provider]:
    """The real providers from settings.VERKA_OIDC_PROVIDERS, then the demo IdP when it is on.

    VERKA_OIDC_PROVIDERS may be a list of dicts (see verka.accounts.oidc_config), a JSON string
    of that list, or absent, in which case the VERKA_OIDC_* environment variables are read.
    """
    raw = getattr(settings, "VERKA_OIDC_PROVIDERS", None)
    if raw is None:
        entries = providers_from_environ(os.environ)
    elif isinstance(raw, str):
        entries = json.loads(raw) if raw.strip() else []
    else:
        entries = list(raw)
    return parse_providers(entries) + demo_idp.rp_providers(request)


def provider_named(request: HttpRequest, name: str) -> Provider | None:
    return next((p for p in configured_providers(request) if p.name == name), None)


# --- the authlib client for a provider --------------------------------------------------------


class ProviderClient(DjangoOAuth2App):  # type: ignore[misc]
    """authlib's Django client, made strict about the discovery document it trusts."""

    expected_issuer = ""

    def load_server_metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = super().load_server_metadata()
        if not metadata.get("_verka_checked"):
            issuer = str(metadata.get("issuer") or "")
            # OIDC Discovery 4.3: the document must name the issuer it was fetched for.
            if issuer.rstrip("/") != self.expected_issuer.rstrip("/"):
                raise LoginFailed("unavailable", "discovery document names another issuer")
            offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
            allowed = [alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS]
            metadata["id_token_signing_alg_values_supported"] = allowed or ["RS256"]
            metadata["_verka_checked"] = True
        return metadata


_clients: dict[tuple[str, ...], tuple[float, ProviderClient]] = {}


def client_for(provider: Provider) -> ProviderClient:
    key = (provider.name, provider.issuer, provider.client_id, provider.client_secret)
    cached = _clients.get(key)
    if cached is not None and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    client = ProviderClient(
        DjangoIntegration(f"verka-{provider.name}"),
        name=provider.name,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.metadata_url,
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": provider.token_auth,
            "default_timeout": HTTP_TIMEOUT,
        },
    )
    client.expected_issuer = provider.issuer
    _clients[key] = (time.monotonic(), client)
    return client


def forget_provider_metadata() -> None:
    """Read every provider's discovery document and keys afresh (tests; key rotation)."""
    _clients.clear()


# --- the flow -----------------------------------------------------------------------------------


def callback_url(request: HttpRequest, provider: Provider) -> str:
    """One redirect URI per provider, without a language prefix, to register at the provider."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("accounts:oidc_callback", kwargs={"provider": provider.name})
    return request.build_absolute_uri(path)


def start_login(request: HttpRequest, provider: Provider, next_url: str) -> str:
    """Remembers state, nonce and PKCE verifier in the session; returns the provider's URL."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    client = client_for(provider)
    redirect_uri = callback_url(request, provider)
    params = {"ui_locales": language}
    if provider.acr_values:
        params["acr_values"] = provider.acr_values
    try:
        authorization = client.create_authorization_url(redirect_uri, **params)
    except LoginFailed:
        raise
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        raise LoginFailed("unavailable", type(exc).__name__) from exc
    client.save_authorize_data(
        request, redirect_uri=redirect_uri, next=next_url, language=language, **authorization
    )
    log.info("oidc login started", extra={"provider": provider.name})
    return str(authorization["url"])


_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")


def _safe_code(value: object) -> str:
    """An OAuth error code from the provider, if it looks like one (it reaches the log)."""
    text = str(value or "")
    return text if _ERROR_CODE.match(text) else "unrecognised"


def finish_login(request: HttpRequest, provider: Provider) -> LoginResult:
    """Handles the provider's redirect back: checks everything, then maps the person to a user."""
    client = client_for(provider)
    state = request.GET.get("state", "")
    state_data = client.framework.get_state_data(request.session, state) if state else None
    if not state_data:
        raise LoginFailed("bad_state", "no login was started with this state")
    try:
        return _finish(request, provider, client, state, state_data)
    except LoginFailed as failure:
        failure.next_url = state_data.get("next", "")
        failure.language = state_data.get("language", "")
        raise


def _finish(
    request: HttpRequest,
    provider: Provider,
    client: ProviderClient,
    state: str,
    state_data: dict[str, Any],
) -> LoginResult:
    error = request.GET.get("error")
    if error:
        client.framework.clear_state_data(request.session, state)
        reason = "cancelled" if error == "access_denied" else "provider_error"
        raise LoginFailed(reason, f"provider answered {_safe_code(error)}")
    try:
        metadata = client.load_server_metadata()
        claims_options = {
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": provider.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        token = client.authorize_access_token(
            request, claims_options=claims_options, leeway=CLOCK_LEEWAY
        )
    except LoginFailed:
        raise
    except MismatchingStateError as exc:
        raise LoginFailed("bad_state", "state not found") from exc
    except OAuthError as exc:
        raise LoginFailed("provider_error", f"token endpoint: {_safe_code(exc.error)}") from exc
    except requests.RequestException as exc:
        raise LoginFailed("unavailable", type(exc).__name__) from exc
    except JoseError as exc:
        raise LoginFailed("invalid_token", f"{type(exc).__name__} {_safe_code(exc.error)}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise LoginFailed("invalid_token", type(exc).__name__) from exc
    if "userinfo" not in token:
        raise LoginFailed("invalid_token", "the token response has no ID token")
    claims: dict[str, Any] = dict(token["userinfo"])
    if metadata.get("userinfo_endpoint"):
        claims = _with_userinfo(client, token, claims)
    return _sign_in(request, provider, claims, token, metadata, state_data)


def _with_userinfo(
    client: ProviderClient, token: dict[str, Any], claims: dict[str, Any]
) -> dict[str, Any]:
    try:
        info = dict(client.userinfo(token=token))
    except requests.RequestException as exc:
        raise LoginFailed("unavailable", f"userinfo {type(exc).__name__}") from exc
    except (OAuthError, ValueError) as exc:
        raise LoginFailed("invalid_token", f"userinfo {type(exc).__name__}") from exc
    # OIDC Core 5.3.2: a userinfo response for another subject must not be used.
    if info.get("sub") != claims.get("sub"):
        raise LoginFailed("invalid_token", "userinfo names another subject")
    # The signed ID token wins where both say something.
    return {**info, **claims}


def _sign_in(
    request: HttpRequest,
    provider: Provider,
    claims: dict[str, Any],
    token: dict[str, Any],
    metadata: dict[str, Any],
    state_data: dict[str, Any],
) -> LoginResult:
    identity = Identity(
        issuer=provider.identity_issuer or str(claims["iss"]),
        subject=str(claims["sub"]),
        kind=provider.kind,
        claims=claims,
        personal_number_claim=provider.personal_number_claim,
        groups_claim=provider.groups_claim,
        link_demo_user=provider.demo,
    )
    try:
        user, created = sign_in_with_identity(identity)
    except AccountError as exc:
        raise LoginFailed("not_allowed", exc.code) from exc
    # Kept for RP-initiated logout; only when the provider offers it, since an ID token may
    # carry personal data.
    request.session[SESSION_KEY] = {
        "provider": provider.name,
        "id_token": token.get("id_token", "") if metadata.get("end_session_endpoint") else "",
    }
    log.info(
        "oidc login succeeded",
        extra={"provider": provider.name, "user_id": user.pk, "new_user": created},
    )
    return LoginResult(
        user=user,
        created=created,
        next_url=state_data.get("next", ""),
        language=state_data.get("language", ""),
        several_factors=provider_vouches_for_factors(provider, claims),
    )


def log_failure(provider_name: str, failure: LoginFailed) -> None:
    log.warning(
        "oidc login failed",
        extra={"provider": provider_name, "reason": failure.reason, "detail": failure.detail},
    )


def log_unexpected(provider_name: str, exc: BaseException) -> None:
    """Where it failed, without the exception's message (which could quote a claim value)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-4:])
    log.error(
        "oidc login broke",
        extra={"provider": provider_name, "error": type(exc).__name__, "where": frames},
    )


# --- logout -------------------------------------------------------------------------------------


def end_session_url(request: HttpRequest, post_logout_url: str) -> str:
    """The provider's logout URL for the session's OIDC login, or "" when there is none.

    Call before Django's logout, which empties the session.
    """
    remembered = request.session.get(SESSION_KEY)
    if not remembered:
        return ""
    provider = provider_named(request, remembered.get("provider", ""))
    if provider is None:
        return ""
    client = client_for(provider)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return ""
        logout = client.create_logout_url(
            post_logout_redirect_uri=post_logout_url,
            id_token_hint=remembered.get("id_token") or None,
            client_id=provider.client_id,
            ui_locales=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except (LoginFailed, requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        # Logging out of Verka must work even when the provider is down.
        log.warning(
            "oidc logout at provider skipped",
            extra={"provider": provider.name, "error": type(exc).__name__},
        )
        return ""
    return str(logout["url"])
