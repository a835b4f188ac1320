"""A second factor for staff: who must use one, what counts as one, and enrolling devices.

Devices are django-otp's: an authenticator app (TOTP, RFC 6238), one-time recovery codes, and
WebAuthn passkeys (django-otp-webauthn). A password login leaves a staff member who needs a
second factor half logged in: `SecondFactorMiddleware` sends every request of theirs to the
verify page (or to enrolment, when they have no device yet) until a device has verified the
session. A staff login through the organisation's OpenID Connect provider counts as verified
when the provider says it used several factors (its `amr` or `acr` claim, as configured per
provider); otherwise the same step follows.

Who needs a second factor:
- superusers and members of VERKA_MFA_GROUPS (default: the digitalisation team, `digitalisering`),
- every staff member when VERKA_MFA_REQUIRED_FOR=staff,
- anyone who has enrolled a device (having one means being asked for it),
- anyone opening the Django admin.
Citizens (e-identification, itself strong) are never asked.
"""

from __future__ import annotations

import base64
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from verka.conf.network import client_address

log = logging.getLogger("verka.accounts.mfa")

# Session key: the OIDC provider that vouched for several factors at this login.
OIDC_VERIFIED_KEY = "verka_mfa_oidc"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODES = 10

# The demo's published authenticator key (base32 below, hex for django-otp). Only `verka demo`
# enrols it, for its `admin`; with the demo switched on the verify page shows its current code.
DEMO_TOTP_SECRET = "VERKADEMOADMINTOTPKEY234"
DEMO_TOTP_NAME = "Demo"


def _base32_to_hex(secret: str) -> str:
    return base64.b32decode(secret).hex()


DEMO_TOTP_KEY = _base32_to_hex(DEMO_TOTP_SECRET)


def is_staff_person(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    kind = getattr(user, "kind", "")
    return kind == "staff" or (bool(user.is_staff) and kind != "citizen")


def required_groups() -> list[str]:
    return list(getattr(settings, "VERKA_MFA_GROUPS", ["digitalisering"]))


def required_for(user: Any) -> bool:
    """Must this person use a second factor (whether or not they have enrolled one)?"""
    if not is_staff_person(user):
        return False
    if user.is_superuser:
        return True
    if getattr(settings, "VERKA_MFA_REQUIRED_FOR", "groups") == "staff":
        return True
    groups = set(required_groups())
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def has_device(user: Any) -> bool:
    return bool(user_has_device(user, confirmed=True))


def needs_second_factor(user: Any) -> bool:
    return is_staff_person(user) and (required_for(user) or has_device(user))


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    if getattr(user, "is_verified", None) is not None and user.is_verified():  # type: ignore[union-attr]
        return True
    return bool(request.session.get(OIDC_VERIFIED_KEY))


def verified_by(request: HttpRequest) -> str:
    """How this session's second factor was given, for the security page."""
    device = getattr(request.user, "otp_device", None)
    if device is not None:
        return str(device.name)
    return str(request.session.get(OIDC_VERIFIED_KEY) or "")


# --- OIDC ----------------------------------------------------------------------------------------


def _listed(value: str) -> set[str]:
    return {item for item in value.replace(",", " ").split() if item}


def provider_vouches_for_factors(provider: Any, claims: dict[str, Any]) -> bool:
    """Did the staff provider authenticate the person with several factors, by its claims?

    `amr` (RFC 8176: e.g. "mfa", "hwk", "otp") must name one of the provider's MFA_AMR values,
    or `acr` must be one of its MFA_ACR values (e.g. an assurance level that implies two
    factors). Nothing is trusted unless configured: the claims come signed in the ID token."""
    if getattr(provider, "kind", "") != "staff":
        return False
    trusted_amr = _listed(getattr(provider, "mfa_amr", ""))
    trusted_acr = _listed(getattr(provider, "mfa_acr", ""))
    amr = claims.get("amr")
    methods = {str(item) for item in amr} if isinstance(amr, list | tuple) else set()
    if trusted_amr & methods:
        return True
    return bool(trusted_acr) and str(claims.get("acr") or "") in trusted_acr


def note_oidc_login(request: HttpRequest, provider_name: str, vouched: bool) -> None:
    """After login(): remember that the provider did the second factor, or that it did not."""
    if vouched:
        request.session[OIDC_VERIFIED_KEY] = provider_name
    else:
        request.session.pop(OIDC_VERIFIED_KEY, None)


# --- devices --------------------------------------------------------------------------------------


def confirmed_devices(user: Any) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))


def totp_devices(user: Any) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def passkeys(user: Any) -> list[Any]:
    from django_otp_webauthn.models import WebAuthnCredential

    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True))


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__confirmed=True, device__name=RECOVERY_DEVICE_NAME
    ).count()


def pending_totp(user: Any) -> TOTPDevice:
    """The authenticator app being enrolled: one unconfirmed device per user, kept until the
    first code from the app confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=str(_default_app_name()), confirmed=False
        )
    return device


def _default_app_name() -> str:
    from django.utils.translation import gettext

    return gettext("Autentiseringsapp")


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_svg(text: str) -> str:
    """The QR code of an otpauth:// URI as inline SVG (no script, no style: CSP-safe)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title=None
    )
    return out.getvalue().decode("utf-8")


def _clean_code(value: str) -> str:
    return "".join(value.split()).replace("-", "").lower()


@transaction.atomic
def confirm_totp(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """The first code from the app: confirms the device and verifies this session with it."""
    from django_otp import login as otp_login

    token = _clean_code(code)
    allowed, _ = device.verify_is_allowed()
    if not allowed or not token.isdigit() or not device.verify_token(token):
        log_second_factor(request, "enrolment code rejected", device)
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    log_second_factor(request, "second factor enrolled", device)
    return True


def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them to show once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    # 16 base32 characters (80 bits; django-otp's own are 8, 40 bits), the most its column holds.
    codes = [
        base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
        for _ in range(RECOVERY_CODES)
    ]
    for code in codes:
        device.token_set.create(token=code)
    return [_grouped(code) for code in codes]


def _grouped(code: str) -> str:
    """xxxx-xxxx-xxxx-xxxx: easier to copy by hand; the dashes are ignored when typed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def verify(request: HttpRequest, code: str) -> tuple[bool, int]:
    """Check a code from an authenticator app or a recovery code against the user's devices.

    Returns (verified, seconds to wait). django-otp throttles each device: after a wrong code
    the next try is refused for 1, 2, 4, … seconds."""
    from django_otp import login as otp_login

    user = request.user
    token = _clean_code(code)
    if not token:
        return False, 0
    candidates: Iterable[Any] = totp_devices(user) if token.isdigit() and len(token) <= 8 else []
    candidates = [*candidates, *StaticDevice.objects.filter(user=user, confirmed=True)]
    wait = 0
    for device in candidates:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until")
            if until is not None:
                wait = max(wait, int(until.timestamp() - time.time()) + 1)
            continue
        if device.verify_token(token):
            otp_login(request, device)
            log_second_factor(request, "second factor verified", device)
            return True, 0
    log_second_factor(request, "second factor failed", None)
    return False, wait


def log_second_factor(request: HttpRequest, event: str, device: Any) -> None:
    log.log(
        logging.INFO if "verified" in event or "enrolled" in event else logging.WARNING,
        event,
        extra={
            "user_id": getattr(request.user, "pk", None),
            "device": type(device).__name__ if device is not None else "",
            "client_address": client_address(request),
        },
    )


# --- the demo -------------------------------------------------------------------------------------


def ensure_demo_totp(user: Any) -> TOTPDevice:
    """The demo admin's authenticator with the published key (docs and `verka demo` print it)."""
    device = TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=DEMO_TOTP_NAME, key=DEMO_TOTP_KEY, confirmed=True
        )
    return device


def demo_code_for(user: Any) -> str:
    """The demo authenticator's current code, shown on the verify page while the demo runs.
    Never for any other device: only the published demo key qualifies."""
    if not getattr(settings, "VERKA_DEMO_IDP", False):
        return ""
    device = TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY, confirmed=True).first()
    if device is None:
        return ""
    return current_totp(device)


def current_totp(device: TOTPDevice) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"
