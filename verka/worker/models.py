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


class Effect(models.Model):
    """One effect that leaves the system (an e-mail, a webhook batch), written in the same
    transaction as its cause and sent by exactly one worker (verka.worker.outbox)."""

    class State(models.TextChoices):
        PENDING = "pending", _("väntar")
        SENDING = "sending", _("skickas")
        SENT = "sent", _("skickad")
        FAILED = "failed", _("misslyckad")

    kind = models.CharField(_("slag"), max_length=50)
    # One effect per cause: writing the same key twice (a retried job, a repeated request)
    # adds nothing. Also what the receiver sees (Message-ID, X-Verka-Delivery).
    key = models.CharField(_("nyckel"), max_length=200, unique=True)
    # Effects of one group are sent one at a time, in order (a webhook's batches).
    group = models.CharField(_("grupp"), max_length=200, blank=True, db_index=True)
    payload = models.JSONField(_("innehåll"), default=dict)
    state = models.CharField(_("läge"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("försök"), default=0)
    # Pending: when to try (again). Sending: when the lease of the worker sending it runs out;
    # a worker killed while sending leaves it due again at that moment.
    due_at = models.DateTimeField(_("nästa försök"))
    claimed_by = models.CharField(_("arbetsprocess"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("skapad"))
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    last_error = models.CharField(_("senaste fel"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("utgående effekt")
        verbose_name_plural = _("utgående effekter")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="worker_effect_due",
            ),
            models.Index(fields=["state", "kind"], name="worker_effect_state"),
        ]

    def __str__(self) -> str:
        return self.key


class Duty(models.Model):
    """A periodic duty that one worker at a time performs (indicator snapshots …): held by a
    lease, so a worker that dies lets another take it over once the lease has run out."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    held_by = models.CharField(_("arbetsprocess"), max_length=200, blank=True)
    held_until = models.DateTimeField(_("till"))

    class Meta:
        verbose_name = _("återkommande uppgift")
        verbose_name_plural = _("återkommande uppgifter")

    def __str__(self) -> str:
        return self.name
