"""What the operations view needs to know about running workers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per worker process, refreshed while it runs, so operators can see who is alive."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    host = models.CharField(_("värd"), max_length=200)
    pid = models.IntegerField(_("process-id"))
    started_at = models.DateTimeField(_("startad"))
    last_seen_at = models.DateTimeField(_("senast sedd"), db_index=True)
    processed = models.BigIntegerField(_("utförda arbeten"), default=0)
    stopped_at = models.DateTimeField(_("stoppad"), null=True, blank=True)

    class Meta:
        verbose_name = _("arbetsprocess")
        verbose_name_plural = _("arbetsprocesser")

    def __str__(self) -> str:
        return self.name
