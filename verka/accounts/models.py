"""People who use Verka: citizens (who log in with eID) and staff (who work cases)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Invånare")
        STAFF = "staff", _("Personal")

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


class RedeemedDemoCode(models.Model):
    """An authorization code the demo identity provider has exchanged. Kept in the database,
    not a process-local cache, so a replayed code is refused by every web process."""

    code_id = models.CharField(max_length=64, unique=True)
    redeemed_at = models.DateTimeField(db_index=True)
