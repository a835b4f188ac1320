"""Template helpers of the staff workspace."""

from __future__ import annotations

from typing import Any

from django import template

from ..access import is_operator as _is_operator

register = template.Library()


@register.simple_tag(takes_context=True)
def user_is_operator(context: Any) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and _is_operator(user))
