"""Verka's demo identity provider: test personas, its signing key, codes and tokens.

A real, minimal OpenID Connect provider for `verka demo` (authorization code flow with PKCE,
RS256 ID tokens, userinfo), so that the demo logs in through exactly the code a real eID broker
uses. It is enabled only by the setting VERKA_DEMO_IDP and is never a real e-identification.

Each persona's subject is the username of a demo user (verka.demo.DEMO_LOGINS), and the relying
party stores demo identities under the fixed issuer key DEMO_IDENTITY_ISSUER, so `anna` is the same
user whether she logs in with her password or here, on whichever host the demo runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.jwk import RSAKey

from .oidc_config import Provider

DEMO_IDENTITY_ISSUER = "urn:verka:demo-idp"
CODE_LIFETIME = 120  # seconds
TOKEN_LIFETIME = 600
_CODE_SALT = "verka.accounts.demo_idp.code"
_ACCESS_SALT = "verka.accounts.demo_idp.access"


class DemoIdpError(Exception):
    """A request to the demo identity provider is not acceptable; `error` is the OAuth code."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Persona:
    subject: str
    name: str
    kind: str
    role: Any  # a lazily translated description
    groups: tuple[str, ...] = ()
    personal_number: str = ""

    @property
    def given_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def family_name(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else ""

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.subject,
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "preferred_username": self.subject,
            "email": f"{self.subject}@demo.exempelkommun.example",
            "email_verified": True,
        }
        if self.personal_number:
            claims["personal_number"] = self.personal_number
        if self.kind == "staff":
            claims["groups"] = list(self.groups)
        return claims


# Fictitious test numbers, shown on the demo login page; never a real person's number.
_PERSONAL_NUMBERS = {"anna": "198503142344", "bertil": "197209181234"}
_ROLES = {
    "anna": _("Vårdnadshavare som söker förskoleplats"),
    "bertil": _("Byggherre som söker bygglov"),
    "petra": _("Placeringshandläggare, förskola"),
    "olle": _("Bygglovshandläggare"),
    "admin": _("Digitaliseringsteamet (administratör)"),
}


def personas() -> list[Persona]:
    """The demo municipality's people, as the demo identity provider knows them."""
    from verka.demo import DEMO_LOGINS

    return [
        Persona(
            subject=login.username,
            name=login.display_name,
            kind=login.kind,
            role=_ROLES.get(login.username, login.role),
            groups=tuple(login.groups),
            personal_number=_PERSONAL_NUMBERS.get(login.username, ""),
        )
        for login in DEMO_LOGINS
    ]


def persona(subject: str) -> Persona | None:
    return next((p for p in personas() if p.subject == subject), None)


# --- clients: one for citizens, one for staff, both Verka itself ------------------------------

CLIENTS = {"verka-demo": "citizen", "verka-demo-personal": "staff"}
# The relying-party side: provider name -> client id.
RP_PROVIDERS = {"demo": "verka-demo", "demo-personal": "verka-demo-personal"}


def enabled() -> bool:
    return bool(getattr(settings, "VERKA_DEMO_IDP", False))


def client_secret(client_id: str) -> str:
    """Derived from the installation's secret key, so there is nothing to configure."""
    key = f"verka.demo-idp.client:{settings.SECRET_KEY}".encode()
    return hmac.new(key, client_id.encode(), hashlib.sha256).hexdigest()


def issuer(request: HttpRequest) -> str:
    """The issuer is wherever this Verka is reached, e.g. http://127.0.0.1:8000/demo-idp."""
    return request.build_absolute_uri(reverse("demo_idp:about")).rstrip("/")


def rp_providers(request: HttpRequest | None) -> list[Provider]:
    """The demo provider as Verka's relying party sees it (empty unless the demo IdP is on)."""
    if not enabled() or request is None:
        return []
    try:
        demo_issuer = issuer(request)
    except NoReverseMatch:  # /demo-idp/ is not mounted
        return []
    return [
        Provider(
            name=name,
            issuer=demo_issuer,
            client_id=client_id,
            client_secret=client_secret(client_id),
            kind=CLIENTS[client_id],
            scopes="openid profile email",
            groups_claim="groups" if CLIENTS[client_id] == "staff" else "",
            personal_number_claim="personal_number" if CLIENTS[client_id] == "citizen" else "",
            label_sv="Demo-inloggning (ingen riktig e-legitimation)"
            if CLIENTS[client_id] == "citizen"
            else "Demo-inloggning för personal",
            label_en="Demo login (not a real e-identification)"
            if CLIENTS[client_id] == "citizen"
            else "Demo login for staff",
            identity_issuer=DEMO_IDENTITY_ISSUER,
            demo=True,
        )
        for name, client_id in RP_PROVIDERS.items()
    ]


def same_origin(url: str, issuer_url: str) -> bool:
    """The demo provider serves only this Verka: it redirects nowhere else."""
    target, own = urlsplit(url), urlsplit(issuer_url)
    return (
        target.scheme == own.scheme
        and target.netloc == own.netloc
        and target.path.startswith("/")
        and not target.fragment
    )


# --- the signing key ---------------------------------------------------------------------------

_key_lock = threading.Lock()
_keys: dict[Path, RSAKey] = {}


def key_file() -> Path:
    configured = getattr(settings, "VERKA_DEMO_IDP_KEY_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "demo-idp-signing-key.json"


def signing_key() -> RSAKey:
    """The RS256 key, generated once into var/ and reused by every later start."""
    path = key_file()
    with _key_lock:
        if path in _keys:
            return _keys[path]
        if not path.exists():
            key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
            key.ensure_kid()
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as file:
                json.dump(key.as_dict(private=True), file)
            os.replace(temporary, path)
        key = RSAKey.import_key(json.loads(path.read_text()))
        if not key.kid:
            key.ensure_kid()
        _keys[path] = key
        return key


def jwks() -> dict[str, Any]:
    public = signing_key().as_dict(private=False)
    public.setdefault("use", "sig")
    public.setdefault("alg", "RS256")
    return {"keys": [public]}


# --- authorization codes and tokens -----------------------------------------------------------


def check_authorization_request(params: dict[str, str], issuer_url: str) -> str:
    """Validates an authorization request and returns its client's kind (citizen or staff).

    Raises DemoIdpError; `invalid_client`/`invalid_redirect_uri` must be shown, not redirected.
    """
    client_id = params.get("client_id", "")
    if client_id not in CLIENTS:
        raise DemoIdpError("invalid_client", f"unknown client_id {client_id!r}")
    if not same_origin(params.get("redirect_uri", ""), issuer_url):
        raise DemoIdpError("invalid_redirect_uri", "redirect_uri must be on this Verka")
    if params.get("response_type") != "code":
        raise DemoIdpError("unsupported_response_type", "response_type must be code")
    if "openid" not in params.get("scope", "").split():
        raise DemoIdpError("invalid_scope", "scope must include openid")
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        raise DemoIdpError("invalid_request", "PKCE with code_challenge_method=S256 is required")
    return CLIENTS[client_id]


def issue_code(params: dict[str, str], subject: str) -> str:
    return signing.dumps(
        {
            "client_id": params["client_id"],
            "redirect_uri": params["redirect_uri"],
            "subject": subject,
            "nonce": params.get("nonce", ""),
            "code_challenge": params["code_challenge"],
            "scope": params.get("scope", ""),
            "auth_time": int(time.time()),
            "id": secrets.token_urlsafe(16),
        },
        salt=_CODE_SALT,
    )


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _first_redemption(code_id: str) -> bool:
    """Record the code as used; False if it already was (by any process). Codes past twice
    their lifetime can no longer be redeemed anyway, so their records are dropped."""
    from .models import RedeemedDemoCode

    now = timezone.now()
    RedeemedDemoCode.objects.filter(
        redeemed_at__lt=now - timedelta(seconds=CODE_LIFETIME * 2)
    ).delete()
    try:
        with transaction.atomic():
            RedeemedDemoCode.objects.create(code_id=code_id, redeemed_at=now)
    except IntegrityError:
        return False
    return True


def redeem_code(
    code: str, *, client_id: str, redirect_uri: str, code_verifier: str
) -> dict[str, Any]:
    """Checks a code once: an expired, replayed or foreign code is an invalid_grant."""
    try:
        grant: dict[str, Any] = signing.loads(code, salt=_CODE_SALT, max_age=CODE_LIFETIME)
    except signing.BadSignature as exc:
        raise DemoIdpError("invalid_grant", "the code is invalid or expired") from exc
    if not _first_redemption(str(grant["id"])):
        raise DemoIdpError("invalid_grant", "the code was already used")
    if grant["client_id"] != client_id or grant["redirect_uri"] != redirect_uri:
        raise DemoIdpError("invalid_grant", "the code was issued to another client or redirect_uri")
    expected = grant["code_challenge"]
    if not code_verifier or not hmac.compare_digest(pkce_challenge(code_verifier), expected):
        raise DemoIdpError("invalid_grant", "code_verifier does not match the code_challenge")
    return grant


def token_response(grant: dict[str, Any], issuer_url: str) -> dict[str, Any]:
    person = persona(grant["subject"])
    if person is None:
        raise DemoIdpError("invalid_grant", "the persona no longer exists")
    now = int(time.time())
    access_token = signing.dumps(
        {"subject": person.subject, "client_id": grant["client_id"]}, salt=_ACCESS_SALT
    )
    claims = {
        "iss": issuer_url,
        "aud": grant["client_id"],
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "auth_time": grant["auth_time"],
        "acr": "urn:verka:demo:no-assurance",
        **person.claims(),
    }
    if grant["nonce"]:
        claims["nonce"] = grant["nonce"]
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "scope": grant["scope"],
        "id_token": sign_id_token(claims),
    }


def sign_id_token(claims: dict[str, Any]) -> str:
    key = signing_key()
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def userinfo(access_token: str) -> dict[str, Any]:
    try:
        data = signing.loads(access_token, salt=_ACCESS_SALT, max_age=TOKEN_LIFETIME)
    except signing.BadSignature as exc:
        raise DemoIdpError("invalid_token", "the access token is invalid or expired") from exc
    person = persona(data["subject"])
    if person is None:
        raise DemoIdpError("invalid_token", "the persona no longer exists")
    return person.claims()


def client_from_token_request(request: HttpRequest) -> str:
    """Client authentication: client_secret_basic or client_secret_post."""
    client_id, secret = "", ""
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise DemoIdpError("invalid_client", "malformed Basic authorization") from exc
        raw_id, _, raw_secret = decoded.partition(":")
        client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    else:
        client_id = request.POST.get("client_id", "")
        secret = request.POST.get("client_secret", "")
    if client_id not in CLIENTS or not hmac.compare_digest(secret, client_secret(client_id)):
        raise DemoIdpError("invalid_client", "client authentication failed")
    return client_id
