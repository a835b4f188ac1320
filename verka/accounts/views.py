"""Login and logout pages: e-identification for citizens, organisation login or password for staff."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import mfa, oidc
from .models import User

# reason -> (heading, explanation, HTTP status)
FAILURES: dict[str, tuple[Any, Any, int]] = {
    "unavailable": (
        _("Inloggningstjänsten svarar inte"),
        _("Vi kunde inte nå inloggningstjänsten just nu. Vänta en stund och försök igen."),
        503,
    ),
    "cancelled": (
        _("Inloggningen avbröts"),
        _("Du avbröt inloggningen. Du är inte inloggad, och inget har ändrats."),
        200,
    ),
    "bad_state": (
        _("Inloggningen kunde inte slutföras"),
        _(
            "Inloggningen tog för lång tid, startades i en annan webbläsarflik eller har redan "
            "använts. Börja om från början."
        ),
        400,
    ),
    "provider_error": (
        _("Inloggningstjänsten avbröt inloggningen"),
        _("Inloggningstjänsten kunde inte slutföra inloggningen. Försök igen."),
        400,
    ),
    "invalid_token": (
        _("Vi kunde inte bekräfta din identitet"),
        _(
            "Svaret från inloggningstjänsten gick inte att godkänna, så du är inte inloggad. "
            "Försök igen, och kontakta oss om felet finns kvar."
        ),
        400,
    ),
    "not_allowed": (
        _("Du kan inte logga in här"),
        _(
            "Kontot kan inte användas med den här inloggningen. Personal loggar in via "
            "inloggningen för personal och invånare med e-legitimation."
        ),
        403,
    ),
}


def safe_next(request: HttpRequest, value: str | None) -> str:
    """A local path to go to after login, or "" for anything that could lead off the site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value


def default_redirect(user: Any) -> str:
    """Citizens go to My pages, staff to their task inbox."""
    names = (
        ["cases:list"] if getattr(user, "kind", "") == User.Kind.CITIZEN else ["workspace:inbox"]
    )
    for name in [*names, "portal:start"]:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def _providers(request: HttpRequest, kind: str) -> list[dict[str, Any]]:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return [
        {"name": p.name, "label": p.label(language), "demo": p.demo}
        for p in oidc.configured_providers(request)
        if p.kind == kind
    ]


def login_page_context(request: HttpRequest, audience: str = "staff") -> dict[str, Any]:
    """What the login page shows besides the form (also for the lockout page)."""
    from django.contrib.auth.forms import AuthenticationForm

    citizen_providers = _providers(request, "citizen")
    # With no e-identification configured, or after a failed password login, the page a
    # visitor needs is the staff page.
    if request.method == "POST" or not citizen_providers:
        audience = "staff"
    # Unbound: binding it would check the password again.
    typed = str(request.POST.get("username", ""))[:150] if request.method == "POST" else ""
    return {
        "form": AuthenticationForm(request, initial={"username": typed}),
        "audience": audience,
        "citizen_providers": citizen_providers,
        "staff_providers": _providers(request, "staff"),
        "next": safe_next(request, request.POST.get("next") or request.GET.get("next")),
    }


class VerkaLoginView(LoginView):
    """Citizens' page (e-identification) or staff page (organisation login and password)."""

    template_name = "accounts/login.html"
    audience = "citizen"

    def get_redirect_url(self) -> str:
        return safe_next(
            self.request, self.request.POST.get("next") or self.request.GET.get("next")
        )

    def get_default_redirect_url(self) -> str:
        return default_redirect(self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        login(self.request, form.get_user())
        user = self.request.user
        if not mfa.needs_second_factor(user):
            return HttpResponseRedirect(self.get_success_url())
        # Half logged in: the second factor comes next (SecondFactorMiddleware holds every
        # other page until then).
        step = "accounts:mfa_verify" if mfa.has_device(user) else "accounts:mfa_setup"
        target = reverse(step)
        next_url = self.get_redirect_url()
        if next_url:
            target += "?" + urlencode({"next": next_url})
        return HttpResponseRedirect(target)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = login_page_context(self.request, self.audience)
        page.pop("form")
        context.update(page)
        return context


login_page = VerkaLoginView.as_view()
staff_login_page = VerkaLoginView.as_view(audience="staff")


def failure_page(
    request: HttpRequest, failure: oidc.LoginFailed, next_url: str = ""
) -> HttpResponse:
    heading, explanation, status = FAILURES.get(failure.reason, FAILURES["invalid_token"])
    retry = reverse("accounts:login")
    if next_url:
        retry += "?" + urlencode({"next": next_url})
    return render(
        request,
        "accounts/login_failed.html",
        {"heading": heading, "explanation": explanation, "retry_url": retry},
        status=status,
    )


@never_cache
@require_POST
def oidc_start(request: HttpRequest, provider: str) -> HttpResponse:
    configured = oidc.provider_named(request, provider)
    if configured is None:
        raise Http404("no such identity provider")
    next_url = safe_next(request, request.POST.get("next"))
    try:
        return HttpResponseRedirect(oidc.start_login(request, configured, next_url))
    except oidc.LoginFailed as failure:
        oidc.log_failure(configured.name, failure)
        return failure_page(request, failure, next_url)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest, provider: str) -> HttpResponse:
    configured = oidc.provider_named(request, provider)
    if configured is None:
        raise Http404("no such identity provider")
    try:
        result = oidc.finish_login(request, configured)
    except oidc.LoginFailed as failure:
        oidc.log_failure(configured.name, failure)
        with _language(failure.language):
            return failure_page(request, failure, failure.next_url)
    except Exception as exc:  # a citizen never sees a traceback
        oidc.log_unexpected(configured.name, exc)
        return failure_page(request, oidc.LoginFailed("invalid_token"))
    remembered = request.session.get(oidc.SESSION_KEY)
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    # login() keeps the session's data but rotates its key; keep the provider for logout.
    request.session[oidc.SESSION_KEY] = remembered
    mfa.note_oidc_login(request, configured.name, result.several_factors)
    target = safe_next(request, result.next_url)
    if not target:
        with _language(result.language):
            target = default_redirect(result.user)
    if mfa.needs_second_factor(result.user) and not mfa.is_verified(request):
        # The provider did not vouch for a second factor: Verka asks for its own.
        with _language(result.language):
            step = "accounts:mfa_verify" if mfa.has_device(result.user) else "accounts:mfa_setup"
            return HttpResponseRedirect(reverse(step) + "?" + urlencode({"next": target}))
    return HttpResponseRedirect(target)


def _language(language: str) -> translation.override:
    """The callback URL has no language prefix; answer in the language the login started in."""
    known = {code for code, _name in settings.LANGUAGES}
    return translation.override(language if language in known else translation.get_language())


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/logged_out.html")
    # The address registered at providers as post-logout redirect URI has no language prefix.
    with translation.override(settings.LANGUAGE_CODE):
        logged_out = request.build_absolute_uri(reverse("accounts:logged_out"))
    at_provider = oidc.end_session_url(request, logged_out) if request.user.is_authenticated else ""
    logout(request)
    return HttpResponseRedirect(at_provider or reverse("accounts:logged_out"))


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/logged_out.html")
