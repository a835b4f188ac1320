"""Small helpers the workspace views share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from verka.accounts.views import safe_next


def language() -> str:
    return (get_language() or "sv")[:2]


def back_to(request: HttpRequest, default: str, *args: Any) -> HttpResponse:
    """Redirect to the page the form came from (a local path only), or the default."""
    target = safe_next(request, request.POST.get("next"))
    return HttpResponseRedirect(target or reverse(default, args=args))


def explain(error: Exception) -> str:
    """The officer's sentence for a refused action (the services' messages are English)."""
    code = getattr(error, "code", "")
    known = {
        "task_closed": _("Uppgiften är inte längre öppen."),
        "claimed_by_other": _("Någon annan har redan tagit uppgiften."),
        "not_yours": _("Bara den som har uppgiften kan släppa den."),
        "not_in_groups": _("Uppgiften kan bara tilldelas någon i dess grupper."),
        "changed_meanwhile": _("Uppgiften har ändrats under tiden. Ladda om sidan."),
        "completion_text_missing": _("Skriv vad sökanden behöver komplettera."),
        "no_applicant": _("Ärendet har ingen sökande att skriva till."),
        "message_empty": _("Meddelandet är tomt."),
        "message_too_long": _("Meddelandet är för långt."),
        "bad_answers": _("Svaren kunde inte läsas."),
        "answers_too_large": _("Svaren är för stora."),
    }
    return str(known.get(code, str(error)))
