"""OpenID Connect providers as configuration: parsed from environment variables or settings.

Standard library only, so that verka/conf/settings.py can import it before Django is set up.

Environment variables (NAME is the provider's name in upper case, `-` written as `_`):

    VERKA_OIDC_PROVIDERS=eid,personal        the providers, in the order the login page shows them
    VERKA_OIDC_<NAME>_ISSUER                 issuer URL; discovery is read from
                                             <issuer>/.well-known/openid-configuration
    VERKA_OIDC_<NAME>_CLIENT_ID              client id registered at the provider
    VERKA_OIDC_<NAME>_CLIENT_SECRET          client secret
    VERKA_OIDC_<NAME>_KIND                   citizen (default) or staff
    VERKA_OIDC_<NAME>_SCOPES                 default "openid profile"
    VERKA_OIDC_<NAME>_GROUPS_CLAIM           staff only: claim listing group names; the user's
                                             groups are set to exactly these at every login
    VERKA_OIDC_<NAME>_PERSONAL_NUMBER_CLAIM  claim with the personal identity number; stored on
                                             the user only when this is set (never logged)
    VERKA_OIDC_<NAME>_LABEL_SV / _LABEL_EN   button text on the login page
    VERKA_OIDC_<NAME>_ACR_VALUES             e.g. a level of assurance an eID broker asks for
    VERKA_OIDC_<NAME>_TOKEN_AUTH             client_secret_basic (default) or client_secret_post
    VERKA_OIDC_<NAME>_MFA_AMR                staff only: `amr` values (RFC 8176) that mean the
                                             provider used several factors, e.g. "mfa,hwk";
                                             such a login needs no second factor in Verka
    VERKA_OIDC_<NAME>_MFA_ACR                staff only: `acr` values that mean the same, e.g.
                                             an assurance level that requires two factors

The callback URL to register at the provider is https://<host>/konto/oidc/<name>/callback/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

KINDS = ("citizen", "staff")
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
# Names of Verka's demo identity provider clients (verka.accounts.demo_idp.RP_PROVIDERS).
RESERVED_NAMES = {"demo", "demo-personal"}


class ProviderConfigError(ValueError):
    """A provider is configured wrongly; the message names the setting and what was expected."""


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str = ""
    kind: str = "citizen"
    scopes: str = "openid profile"
    groups_claim: str = ""
    personal_number_claim: str = ""
    label_sv: str = ""
    label_en: str = ""
    acr_values: str = ""
    token_auth: str = "client_secret_basic"
    # Staff: the claim values that show the provider authenticated with several factors
    # (verka.accounts.mfa.provider_vouches_for_factors); empty trusts nothing.
    mfa_amr: str = ""
    mfa_acr: str = ""
    # Set only for Verka's demo identity provider, whose issuer URL follows the host the demo
    # is reached by: identities are stored under this fixed key instead, and a persona's subject
    # is the demo user's username (see verka.accounts.demo_idp).
    identity_issuer: str = ""
    demo: bool = False

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def label(self, language: str) -> str:
        if language == "en":
            return self.label_en or self.label_sv or self.name
        return self.label_sv or self.label_en or self.name

    def as_setting(self) -> dict[str, Any]:
        return asdict(self)


def env_key(name: str, field: str) -> str:
    return f"VERKA_OIDC_{name.upper().replace('-', '_')}_{field.upper()}"


def providers_from_environ(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """The providers named in VERKA_OIDC_PROVIDERS, as dicts for settings.VERKA_OIDC_PROVIDERS."""
    names = [n.strip() for n in environ.get("VERKA_OIDC_PROVIDERS", "").split(",") if n.strip()]
    result = []
    for name in names:
        entry: dict[str, Any] = {"name": name}
        for field in fields(Provider):
            if field.name in {"name", "identity_issuer", "demo"}:
                continue
            value = environ.get(env_key(name, field.name))
            if field.name == "scopes" and value is None:
                value = environ.get(env_key(name, "SCOPE"))
            if value is not None:
                entry[field.name] = value.strip()
        result.append(entry)
    # Validate now so that a wrong variable stops the start-up with a message naming it.
    parse_providers(result, source="environment")
    return result


def parse_providers(entries: list[dict[str, Any]], *, source: str = "settings") -> list[Provider]:
    providers = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        providers.append(parse_provider(entry, where=f"{source} VERKA_OIDC_PROVIDERS[{index}]"))
        if providers[-1].name in seen:
            raise ProviderConfigError(f"{source}: provider {providers[-1].name!r} is listed twice")
        seen.add(providers[-1].name)
    return providers


def parse_provider(entry: Mapping[str, Any], *, where: str) -> Provider:
    known = {field.name for field in fields(Provider)}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ProviderConfigError(
            f"{where}: unknown keys {unknown}; expected some of {sorted(known)}"
        )
    name = str(entry.get("name", "")).strip().lower()
    if not _NAME.match(name):
        raise ProviderConfigError(
            f"{where}: name {name!r} must be 1–40 lowercase letters, digits or '-'"
        )
    if name in RESERVED_NAMES and not entry.get("demo"):
        raise ProviderConfigError(f"{where}: the name {name!r} is reserved for the demo IdP")
    values = {key: entry[key] for key in entry if key in known}
    values["name"] = name

    def require(key: str) -> None:
        if not str(values.get(key, "")).strip():
            raise ProviderConfigError(f"{where}: {env_key(name, key)} is required")

    require("issuer")
    require("client_id")
    issuer = str(values["issuer"]).strip()
    parts = urlsplit(issuer)
    demo = bool(values.get("demo"))
    if not demo and not (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
    ):
        raise ProviderConfigError(
            f"{where}: {env_key(name, 'issuer')} must be an https:// URL, not {issuer!r}"
        )
    kind = str(values.get("kind") or "citizen").strip().lower()
    if kind not in KINDS:
        raise ProviderConfigError(f"{where}: {env_key(name, 'kind')} must be citizen or staff")
    values["kind"] = kind
    token_auth = str(values.get("token_auth") or "client_secret_basic").strip()
    if token_auth not in TOKEN_AUTH_METHODS:
        raise ProviderConfigError(
            f"{where}: {env_key(name, 'token_auth')} must be one of {', '.join(TOKEN_AUTH_METHODS)}"
        )
    values["token_auth"] = token_auth
    scopes = " ".join(str(values.get("scopes") or "openid profile").replace(",", " ").split())
    if "openid" not in scopes.split():
        scopes = "openid " + scopes
    values["scopes"] = scopes
    if values.get("groups_claim") and kind != "staff":
        raise ProviderConfigError(
            f"{where}: {env_key(name, 'groups_claim')} applies only to KIND=staff providers"
        )
    for key in ("mfa_amr", "mfa_acr"):
        values[key] = " ".join(str(values.get(key) or "").replace(",", " ").split())
        if values[key] and kind != "staff":
            raise ProviderConfigError(
                f"{where}: {env_key(name, key)} applies only to KIND=staff providers"
            )
    values["issuer"] = issuer
    return Provider(**values)
