"""The workspace's own rows: which groups may see which processes' cases, and officers' drafts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessAccess(models.Model):
    """Members of `group` may read every case of the process `bpmn_process_id`, also those
    where none of their groups has a task (a manager, a registrar, a supporting unit)."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="process_access", verbose_name=_("grupp")
    )
    bpmn_process_id = models.CharField(_("process-id"), max_length=255)

    class Meta:
        verbose_name = _("behörighet till process")
        verbose_name_plural = _("behörigheter till processer")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "bpmn_process_id"], name="workspace_one_access_per_process"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.bpmn_process_id}"


class TaskDraft(models.Model):
    """What an officer has filled in on a task's form but not yet completed."""

    task_key = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_key", "user"], name="workspace_one_draft")
        ]
