"""The demo's stand-in for the maintenance contractor's system (only used by `verka demo`)."""

from django.db import models


class DemoFault(models.Model):
    fault_id = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=16, default="received")
    payload = models.JSONField(default=dict)
