"""Verka's URLs with the demo identity provider mounted, whether or not the lead has mounted it yet."""

from django.urls import include, path

from verka.conf import urls as root

urlpatterns = [
    path("demo-idp/", include("verka.accounts.demo_idp_urls")),
    *[p for p in root.urlpatterns if "demo_idp" not in str(getattr(p, "namespace", ""))],
]
