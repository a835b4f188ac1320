"""Verka's URLs with the goals app mounted at /mal/, whether or not the lead has mounted it yet."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from verka.conf import urls as root


def _mounted(patterns: list) -> bool:  # type: ignore[type-arg]
    for pattern in patterns:
        if getattr(pattern, "namespace", None) == "goals":
            return True
        if _mounted(
            getattr(pattern, "url_patterns", [])
            if hasattr(pattern, "urlconf_name") and not isinstance(pattern.urlconf_name, str)
            else []
        ):
            return True
    return False


urlpatterns = list(root.urlpatterns)
if not _mounted(urlpatterns):
    urlpatterns += i18n_patterns(
        path("mal/", include("verka.goals.urls")), prefix_default_language=False
    )
