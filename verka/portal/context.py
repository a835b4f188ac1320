"""Template context shared by every page: the organisation's name and logo."""

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static


def site(request: HttpRequest) -> dict[str, object]:
    logo = settings.VERKA_SITE_LOGO or static("verka/logo.svg")
    return {"site_name": settings.VERKA_SITE_NAME, "site_logo": logo}
