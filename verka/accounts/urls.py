"""Login and logout, mounted at /konto/ (and /en/konto/)."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.login_page, name="login"),
    path("logga-in/personal/", views.staff_login_page, name="staff_login"),
    # The callback is the redirect URI to register at each provider: /konto/oidc/<name>/callback/
    path("oidc/<slug:provider>/", views.oidc_start, name="oidc_start"),
    path("oidc/<slug:provider>/callback/", views.oidc_callback, name="oidc_callback"),
    path("logga-ut/", views.logout_view, name="logout"),
    path("utloggad/", views.logged_out, name="logged_out"),
]
