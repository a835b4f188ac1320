"""Login and logout, mounted at /konto/ (and /en/konto/)."""

from django.urls import URLPattern, include, path
from django_otp_webauthn import urls as webauthn_urls

from verka.conf.inputs import answers_json

from . import mfa_views, views

# django-otp-webauthn's endpoints answer in JSON: bad input to them gets problem JSON too.
for _pattern in webauthn_urls.urlpatterns:
    if isinstance(_pattern, URLPattern):
        answers_json(_pattern.callback)

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.login_page, name="login"),
    path("logga-in/personal/", views.staff_login_page, name="staff_login"),
    # The callback is the redirect URI to register at each provider: /konto/oidc/<name>/callback/
    path("oidc/<slug:provider>/", views.oidc_start, name="oidc_start"),
    path("oidc/<slug:provider>/callback/", views.oidc_callback, name="oidc_callback"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("utloggad/", views.logged_out, name="logged_out"),
    # The second factor (verka.accounts.mfa).
    path("tvastegsverifiering/", mfa_views.verify, name="mfa_verify"),
    path("sakerhet/", mfa_views.security, name="mfa_setup"),
    path("sakerhet/app/", mfa_views.add_app, name="mfa_add_app"),
    path("sakerhet/aterstallningskoder/", mfa_views.recovery_codes, name="mfa_recovery_codes"),
    path(
        "sakerhet/ta-bort/<slug:kind>/<int:device_id>/",
        mfa_views.remove_device,
        name="mfa_remove_device",
    ),
    # django-otp-webauthn's JSON endpoints for registering and using passkeys.
    path("passkey/", include(webauthn_urls, namespace="otp_webauthn")),
]
