"""URL configuration: each app brings its own urls module."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from verka.conf.csp_reports import csp_report
from verka.portal import views as portal_views

urlpatterns = [
    path("health", portal_views.health, name="health"),
    path("sprak/", portal_views.switch_language, name="set_language"),
    # Browsers report refusals of the content security policy here (verka.conf.headers).
    path("csp-rapport", csp_report, name="csp_report"),
    path("demo-drift/", include("verka.demoservices.maintenance")),
    path("demo-idp/", include("verka.accounts.demo_idp_urls")),
    path("webhooks/", include("verka.connectors.inbound")),
    # The API is language-neutral: no /en/ prefix.
    path("api/", include("verka.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("verka.portal.urls")),
    path("konto/", include("verka.accounts.urls")),
    path("e-tjanster/", include("verka.eservices.urls")),
    path("mina-sidor/", include("verka.cases.urls")),
    path("handlaggning/", include("verka.workspace.urls")),
    path("mal/", include("verka.goals.urls")),
    path("studio/", include("verka.studio.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
