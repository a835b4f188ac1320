"""Models whose texts come in Swedish and English (`title_sv`, `title_en`, …)."""

from django.db import models
from django.utils.translation import get_language


class Bilingual(models.Model):
    """`text("title")` picks the active language's text, falling back to Swedish."""

    class Meta:
        abstract = True

    def text(self, field: str) -> str:
        language = (get_language() or "sv")[:2]
        value = getattr(self, f"{field}_{language}", "") if language == "en" else ""
        return value or getattr(self, f"{field}_sv")
