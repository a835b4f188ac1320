"""The API's own rows: access tokens with scopes, and remembered idempotency keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do. Each endpoint names the one scope it needs (docs/api.md)."""

    PROCESSES_READ = "processes:read", _("läsa processer, instanser och incidenter")
    PROCESSES_WRITE = "processes:write", _("starta, avbryta och ändra instanser")
    DEPLOY = "deploy", _("driftsätta BPMN, DMN och formulär")
    JOBS = "jobs", _("hämta och slutföra jobb (externa workers)")
    MESSAGES = "messages", _("publicera meddelanden och signaler")
    TASKS = "tasks", _("läsa och slutföra användaruppgifter")
    ESERVICES_READ = "eservices:read", _("läsa e-tjänster och ärenden")


class ApiToken(models.Model):
    """A bearer token. Only the SHA-256 of the secret is kept: the secret is shown once."""

    name = models.CharField(_("namn"), max_length=100)
    # The secret carries 256 random bits, so a plain SHA-256 cannot be brute-forced and lets
    # the token be found by an indexed lookup.
    secret_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the secret, to recognise a token in lists and logs.
    prefix = models.CharField(max_length=16)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(_("skapad"))
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)
    expires_at = models.DateTimeField(_("går ut"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyKey(models.Model):
    """The first response to a request sent with an `Idempotency-Key` header, replayed for
    repeats of the same request until it expires."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    # Method, path and a hash of the body: a repeat with a different request is refused.
    fingerprint = models.CharField(max_length=64)
    # Null while the first request is still running.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_token_key")
        ]
