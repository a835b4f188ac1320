"""People who use Verka: citizens (who log in with eID), staff (who work cases), and service
accounts (programs that use the REST API with explicit grants)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Invånare")
        STAFF = "staff", _("Personal")
        # A program (an integration, an external job worker, a records system): it cannot log
        # in to the web and reaches through the API only what its ServiceGrants name.
        SERVICE = "service", _("Tjänstekonto")

    kind = models.CharField(_("typ"), max_length=16, choices=Kind.choices, default=Kind.CITIZEN)
    display_name = models.CharField(_("visningsnamn"), max_length=200, blank=True)
    # The subject the identity provider vouches for (e.g. a personal identity number from an eID
    # broker); unique per issuer so that the same person always maps to the same account.
    identity_issuer = models.CharField(_("identitetsutfärdare"), max_length=200, blank=True)
    identity_subject = models.CharField(_("identitet"), max_length=200, blank=True)
    # Stored only when a provider is configured to send it (PERSONAL_NUMBER_CLAIM); never logged.
    personal_number = models.CharField(_("personnummer"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("språk"), max_length=8, blank=True, choices=[("sv", "Svenska"), ("en", "English")]
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_issuer", "identity_subject"],
                condition=~models.Q(identity_subject=""),
                name="accounts_user_unique_identity",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    @property
    def is_service_account(self) -> bool:
        return self.kind == self.Kind.SERVICE


class ServiceGrant(models.Model):
    """What a service account may reach through the API: one process, e-service, job type,
    message or signal name per row ("*" for every one), or the right to deploy or to read the
    goals' indicators. Without a grant a service account reaches nothing (verka/access)."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("process (instanser, uppgifter, incidenter)")
        ESERVICE = "eservice", _("e-tjänst (ärenden)")
        JOB_TYPE = "job-type", _("jobbtyp (externa workers)")
        MESSAGE = "message", _("meddelande")
        SIGNAL = "signal", _("signal")
        DEPLOY = "deploy", _("driftsätta modeller")
        INDICATORS = "indicators", _("läsa indikatorer")

    EVERY = "*"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="service_grants",
        limit_choices_to={"kind": "service"},
        verbose_name=_("tjänstekonto"),
    )
    kind = models.CharField(_("typ"), max_length=16, choices=Kind.choices)
    value = models.CharField(
        _("id"),
        max_length=255,
        help_text=_("process-id, e-tjänstens slug, jobbtyp eller namn; * för alla"),
    )

    class Meta:
        verbose_name = _("behörighet för tjänstekonto")
        verbose_name_plural = _("behörigheter för tjänstekonton")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "value"], name="accounts_one_service_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.kind} {self.value}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind in (self.Kind.DEPLOY, self.Kind.INDICATORS) and self.value != self.EVERY:
            raise ValidationError({"value": _("Den här typen gäller allt: ange *.")})


class RedeemedDemoCode(models.Model):
    """An authorization code the demo identity provider has exchanged. Kept in the database,
    not a process-local cache, so a replayed code is refused by every web process."""

    code_id = models.CharField(max_length=64, unique=True)
    redeemed_at = models.DateTimeField(db_index=True)
