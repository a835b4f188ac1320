"""The second-factor pages: verify after the password, and the security page where staff enrol an
authenticator app or a passkey, get recovery codes and remove devices."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import mfa
from .views import default_redirect, safe_next


def _login_first(request: HttpRequest) -> HttpResponse:
    target = reverse("accounts:staff_login")
    return HttpResponseRedirect(target + "?" + urlencode({"next": request.get_full_path()}))


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(url: str, next_url: str) -> str:
    return url + ("?" + urlencode({"next": next_url}) if next_url else "")


def _staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A second-factor page: a visitor logs in first; citizens never have second factors."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_first(request)
        if not mfa.is_staff_person(request.user):
            raise Http404("second factors are for staff")
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@require_http_methods(["GET", "POST"])
@_staff_only
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app, a recovery code, or a passkey."""
    user = request.user
    next_url = _next(request)
    if not mfa.has_device(user):
        return HttpResponseRedirect(_with_next(reverse("accounts:mfa_setup"), next_url))
    error = ""
    status = 200
    if request.method == "POST":
        verified, wait = mfa.verify(request, request.POST.get("code", ""))
        if verified:
            return HttpResponseRedirect(next_url or default_redirect(user))
        status = 400
        if wait:
            error = _("För många felaktiga koder. Vänta %(seconds)s sekunder och försök igen.") % {
                "seconds": wait
            }
        else:
            error = _("Koden stämmer inte. Kontrollera koden och försök igen.")
    context = {
        "next": next_url,
        "error": error,
        "has_app": bool(mfa.totp_devices(user)),
        "has_passkey": bool(mfa.passkeys(user)),
        "recovery_left": mfa.recovery_codes_left(user),
        "demo_code": mfa.demo_code_for(user),
        "done_url": next_url or default_redirect(user),
    }
    return render(request, "accounts/mfa_verify.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
@_staff_only
def security(request: HttpRequest) -> HttpResponse:
    """The staff member's second factors; also where someone without one is sent to enrol."""
    user = request.user
    next_url = _next(request)
    if mfa.has_device(user) and not mfa.is_verified(request):
        return HttpResponseRedirect(_with_next(reverse("accounts:mfa_verify"), next_url))
    context = {
        "next": next_url,
        "required": mfa.required_for(user),
        "enrolled": mfa.has_device(user),
        "apps": mfa.totp_devices(user),
        "passkeys": mfa.passkeys(user),
        "recovery_left": mfa.recovery_codes_left(user),
        "verified_by": mfa.verified_by(request),
        "done_url": next_url or default_redirect(user),
    }
    return render(request, "accounts/mfa_security.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@_staff_only
def add_app(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), then give one code."""
    user = request.user
    next_url = _next(request)
    if mfa.has_device(user) and not mfa.is_verified(request):
        return HttpResponseRedirect(_with_next(reverse("accounts:mfa_verify"), next_url))
    device = mfa.pending_totp(user)
    error = ""
    status = 200
    if request.method == "POST":
        if mfa.confirm_totp(request, device, request.POST.get("code", "")):
            codes = mfa.new_recovery_codes(user) if not mfa.recovery_codes_left(user) else []
            if codes:
                return _show_codes(request, codes, next_url)
            messages.success(request, _("Autentiseringsappen är tillagd."))
            return HttpResponseRedirect(_with_next(reverse("accounts:mfa_setup"), next_url))
        error = _("Koden stämmer inte. Kontrollera att appen visar koden för det här kontot.")
        status = 400
    context = {
        "next": next_url,
        "error": error,
        "qr_svg": mfa.qr_svg(device.config_url),
        "secret": mfa.secret_base32(device),
        "secret_groups": " ".join(
            mfa.secret_base32(device)[i : i + 4]
            for i in range(0, len(mfa.secret_base32(device)), 4)
        ),
    }
    return render(request, "accounts/mfa_add_app.html", context, status=status)


def _show_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "done_url": next_url or reverse("accounts:mfa_setup")},
    )


@never_cache
@require_POST
@_staff_only
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, replacing the old ones; shown once."""
    if not mfa.has_device(request.user) or not mfa.is_verified(request):
        return HttpResponseRedirect(reverse("accounts:mfa_setup"))
    codes = mfa.new_recovery_codes(request.user)
    mfa.log_second_factor(request, "recovery codes replaced", None)
    return _show_codes(request, codes, _next(request))


DEVICE_KINDS: dict[str, Any] = {"app": TOTPDevice, "recovery": StaticDevice}


@never_cache
@require_POST
@_staff_only
def remove_device(request: HttpRequest, kind: str, device_id: int) -> HttpResponse:
    if not mfa.is_verified(request):
        return HttpResponseRedirect(reverse("accounts:mfa_verify"))
    if kind == "passkey":
        from django_otp_webauthn.models import WebAuthnCredential

        model: Any = WebAuthnCredential
    elif kind in DEVICE_KINDS:
        model = DEVICE_KINDS[kind]
    else:
        raise Http404("no such kind of device")
    device = model.objects.filter(user=request.user, pk=device_id).first()
    if device is None:
        raise Http404("no such device")
    device.delete()
    mfa.log_second_factor(request, "second factor removed", device)
    messages.success(request, _("Enheten är borttagen."))
    return HttpResponseRedirect(reverse("accounts:mfa_setup"))
