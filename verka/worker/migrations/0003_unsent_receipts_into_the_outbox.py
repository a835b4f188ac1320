"""Receipts the former per-process sender had not sent yet become outbox effects, so that an
upgrade loses none of them (and the workers, not the web, send them)."""

from django.db import migrations
from django.utils import timezone


def unsent_receipts_into_the_outbox(apps, schema_editor):  # type: ignore[no-untyped-def]
    Submission = apps.get_model("eservices", "Submission")
    Effect = apps.get_model("worker", "Effect")
    now = timezone.now()
    pending = Submission.objects.filter(receipt_sent_at__isnull=True).exclude(email="")
    effects = [
        Effect(
            kind="receipt-email",
            key=f"receipt:{pk}",
            payload={"submission": pk},
            state="pending",
            due_at=now,
            created_at=now,
        )
        for pk in pending.values_list("pk", flat=True).iterator()
    ]
    Effect.objects.bulk_create(effects, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0002_outbox_effects_and_duties"),
        ("eservices", "0002_receipt_outbox"),
    ]

    operations = [
        migrations.RunPython(unsent_receipts_into_the_outbox, migrations.RunPython.noop),
    ]
