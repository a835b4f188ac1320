"""Outgoing webhooks: other systems subscribe to process events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Webhook(models.Model):
    """Process events (history events) POSTed, signed, to a URL, in order, at least once."""

    name = models.CharField(_("namn"), max_length=200)
    url = models.URLField(_("adress"), max_length=1000)
    # Shared with the receiver, who checks X-Verka-Signature; may be a {{secrets.NAME}} reference.
    secret = models.CharField(_("hemlighet"), max_length=500)
    event_types = models.CharField(
        _("händelsetyper"),
        max_length=500,
        blank=True,
        help_text=_("Kommaseparerade, t.ex. ELEMENT_COMPLETED; tomt betyder alla."),
    )
    bpmn_process_ids = models.CharField(
        _("processer"), max_length=1000, blank=True, help_text=_("Kommaseparerade; tomt = alla.")
    )
    active = models.BooleanField(_("aktiv"), default=True)
    # The id of the last history event handed to the outbox in a batch (or skipped by the
    # filters); the batch itself, and whether it was accepted, is an outgoing effect.
    delivered_up_to = models.BigIntegerField(default=0)
    # Failed attempts in a row and the last answer, for the admin's list of webhooks.
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if self._state.adding and not self.delivered_up_to:
            # A new webhook hears what happens from now on, not the whole history.
            from verka.processes.models import HistoryEvent

            latest = HistoryEvent.objects.order_by("-id").values_list("id", flat=True).first()
            self.delivered_up_to = latest or 0
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class InboundWebhook(models.Model):
    """Another system tells Verka something by POSTing JSON to /webhooks/<slug>/, signed with the
    shared secret; Verka publishes it as a message that waiting instances correlate to."""

    slug = models.SlugField(unique=True)
    secret = models.CharField(_("hemlighet"), max_length=500)
    message_name = models.CharField(_("meddelande"), max_length=255)
    # FEEL over the posted JSON's top-level keys, e.g. `=faultId` or `=ticket.reference`.
    correlation_key = models.CharField(_("korrelationsnyckel"), max_length=500)
    # FEEL giving the message's variables; empty: the posted JSON object itself.
    variables = models.CharField(_("variabler"), max_length=2000, blank=True)
    time_to_live_seconds = models.PositiveIntegerField(default=3600)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("inkommande webhook")
        verbose_name_plural = _("inkommande webhooks")

    def __str__(self) -> str:
        return self.slug
