"""HTTP endpoints of the demo identity provider; every one is 404 unless VERKA_DEMO_IDP is on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from verka.conf import inputs

from . import demo_idp
from .demo_idp import DemoIdpError

AUTHORIZATION_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "ui_locales",
)

View = Callable[..., HttpResponse]


def demo_only(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not demo_idp.enabled():
            raise Http404("the demo identity provider is off")
        return view(request, *args, **kwargs)

    return wrapper


def _absolute(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


def with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _ui_language(params: Any) -> str | None:
    for tag in str(params.get("ui_locales", "")).split():
        code = tag.split("-")[0].lower()
        if code in {"sv", "en"}:
            return code
    return None


@demo_only
@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/demo_idp/about.html", {"personas": demo_idp.personas()})


@demo_only
@require_GET
def discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            "issuer": demo_idp.issuer(request),
            "authorization_endpoint": _absolute(request, "demo_idp:authorize"),
            "token_endpoint": _absolute(request, "demo_idp:token"),
            "userinfo_endpoint": _absolute(request, "demo_idp:userinfo"),
            "jwks_uri": _absolute(request, "demo_idp:jwks"),
            "end_session_endpoint": _absolute(request, "demo_idp:end_session"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "name",
                "given_name",
                "family_name",
                "preferred_username",
                "email",
                "email_verified",
                "personal_number",
                "groups",
            ],
            "ui_locales_supported": ["sv", "en"],
        }
    )


@demo_only
@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    return JsonResponse(demo_idp.jwks())


@demo_only
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    params = {key: source.get(key, "") for key in AUTHORIZATION_PARAMS}
    language = _ui_language(params) or translation.get_language()
    with translation.override(language):
        return _authorize(request, params)


def _authorize(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    issuer = demo_idp.issuer(request)
    try:
        kind = demo_idp.check_authorization_request(params, issuer)
    except DemoIdpError as error:
        if error.error in {"invalid_client", "invalid_redirect_uri"}:
            # Never redirect to an address that is not known to be Verka's own.
            return render(request, "accounts/demo_idp/error.html", {"error": error}, status=400)
        return _back(params, {"error": error.error, "error_description": error.description})
    people = [p for p in demo_idp.personas() if p.kind == kind]
    problem = ""
    if request.method == "POST":
        # Anyone may log in as a demo persona: each try counts against the address's limit.
        from verka.eservices import throttle

        wait = throttle.hit(request, "demo-logins")
        if wait is not None:
            raise inputs.TooManyRequests(wait)
        if "cancel" in request.POST:
            return _back(params, {"error": "access_denied"})
        chosen = demo_idp.persona(request.POST.get("persona", ""))
        if chosen is not None and chosen.kind == kind:
            code = demo_idp.issue_code(params, chosen.subject)
            return _back(params, {"code": code, "iss": issuer})
        problem = "persona"
    hidden = [(key, value) for key, value in params.items() if value]
    return render(
        request,
        "accounts/demo_idp/authorize.html",
        {"personas": people, "hidden": hidden, "kind": kind, "problem": problem},
        status=400 if problem else 200,
    )


def _back(params: dict[str, str], answer: dict[str, str]) -> HttpResponse:
    if params.get("state"):
        answer = {**answer, "state": params["state"]}
    return HttpResponseRedirect(with_params(params["redirect_uri"], answer))


def _oauth_error(error: DemoIdpError) -> HttpResponse:
    status = 401 if error.error in {"invalid_client", "invalid_token"} else 400
    response = JsonResponse(
        {"error": error.error, "error_description": error.description}, status=status
    )
    response["Cache-Control"] = "no-store"
    if error.error == "invalid_token":
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@demo_only
@csrf_exempt  # called server to server with client authentication, not from a browser form
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    try:
        client_id = demo_idp.client_from_token_request(request)
        if request.POST.get("grant_type") != "authorization_code":
            raise DemoIdpError("unsupported_grant_type", "only authorization_code is supported")
        grant = demo_idp.redeem_code(
            request.POST.get("code", ""),
            client_id=client_id,
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
        )
        body = demo_idp.token_response(grant, demo_idp.issuer(request))
    except DemoIdpError as error:
        return _oauth_error(error)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@demo_only
@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _oauth_error(DemoIdpError("invalid_token", "a Bearer access token is required"))
    try:
        claims = demo_idp.userinfo(header[7:].strip())
    except DemoIdpError as error:
        return _oauth_error(error)
    response = JsonResponse(claims)
    response["Cache-Control"] = "no-store"
    return response


@demo_only
@require_GET
def end_session(request: HttpRequest) -> HttpResponse:
    target = request.GET.get("post_logout_redirect_uri", "")
    if target and demo_idp.same_origin(target, demo_idp.issuer(request)):
        answer = {"state": request.GET["state"]} if request.GET.get("state") else {}
        return HttpResponseRedirect(with_params(target, answer))
    language = _ui_language(request.GET) or translation.get_language()
    with translation.override(language):
        return render(request, "accounts/demo_idp/logged_out.html")
