"""The demo identity provider, mounted at /demo-idp/ outside the language prefixes."""

from django.urls import path

from . import demo_idp_views as views

app_name = "demo_idp"
urlpatterns = [
    path("", views.about, name="about"),
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks", views.jwks, name="jwks"),
    path("authorize", views.authorize, name="authorize"),
    path("token", views.token, name="token"),
    path("userinfo", views.userinfo, name="userinfo"),
    path("logout", views.end_session, name="end_session"),
]
