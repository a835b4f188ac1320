"""The process engine's rows: deployments, instances, element instances, variables, jobs, timers,
subscriptions, buffered messages, incidents and the append-only history.

Keys of instances, element instances, jobs and incidents are the engine's own 64-bit keys
(allocated by `keys.py`), so the engine can name rows before they are written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Deployment(models.Model):
    created_at = models.DateTimeField(_("skapad"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    name = models.CharField(_("namn"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("driftsättning")
        verbose_name_plural = _("driftsättningar")


class Resource(models.Model):
    """One deployed file (BPMN, DMN or form), kept as text so it can be shown and exported."""

    class Kind(models.TextChoices):
        BPMN = "bpmn", "BPMN"
        DMN = "dmn", "DMN"
        FORM = "form", _("formulär")

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(_("filnamn"), max_length=255)
    content = models.TextField()
    checksum = models.CharField(max_length=64, db_index=True)


class ProcessDefinition(models.Model):
    bpmn_process_id = models.CharField(_("process-id"), max_length=255)
    name = models.CharField(_("namn"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("version"))
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="processes")
    # Checksum of the process's own resource: redeploying unchanged XML makes no new version.
    checksum = models.CharField(max_length=64)
    deployed_at = models.DateTimeField(_("driftsatt"))
    is_test = models.BooleanField(default=False)
    version_tag = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("processversion")
        verbose_name_plural = _("processversioner")
        constraints = [
            models.UniqueConstraint(
                fields=["bpmn_process_id", "version"], name="processes_definition_version"
            )
        ]
        ordering = ["bpmn_process_id", "-version"]

    def __str__(self) -> str:
        return f"{self.bpmn_process_id} v{self.version}"


class DecisionDefinition(models.Model):
    decision_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    version = models.PositiveIntegerField()
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="decisions")
    checksum = models.CharField(max_length=64)
    deployed_at = models.DateTimeField()
    # Deployed by the studio or a CPT run to try a model: only test instances call it.
    is_test = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision_id", "version"], name="processes_decision_version"
            )
        ]
        ordering = ["decision_id", "-version"]


class FormDefinition(models.Model):
    form_id = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="forms")
    checksum = models.CharField(max_length=64)
    deployed_at = models.DateTimeField()
    # Deployed to try a model: citizens and live tasks never get it.
    is_test = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form_id", "version"], name="processes_form_version")
        ]
        ordering = ["form_id", "-version"]


class ProcessInstance(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("pågår")
        COMPLETED = "COMPLETED", _("avslutad")
        TERMINATED = "TERMINATED", _("avbruten")

    key = models.BigIntegerField(primary_key=True)
    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT)
    # Looked up with the status (the index below); an index of its own would only cost writes.
    bpmn_process_id = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    parent_instance_key = models.BigIntegerField(null=True, blank=True, db_index=True)
    parent_element_instance_key = models.BigIntegerField(null=True, blank=True)
    business_key = models.CharField(max_length=100, blank=True, db_index=True)
    is_test = models.BooleanField(default=False)
    has_incident = models.BooleanField(default=False)
    # On SQLite every command on the instance counts it up, so that a command computed before
    # its transaction can tell, under the write lock, that nothing changed the instance since.
    revision = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        indexes = [models.Index(fields=["bpmn_process_id", "status"])]


class ElementInstance(models.Model):
    key = models.BigIntegerField(primary_key=True)
    # The index (process_instance, is_live) serves lookups by instance: no index of its own.
    process_instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="element_instances", db_index=False
    )
    element_id = models.CharField(max_length=255)
    element_type = models.CharField(max_length=64)
    flow_scope_key = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16)
    is_live = models.BooleanField(default=True)
    loop_counter = models.IntegerField(default=0)
    data = models.TextField(default="{}")  # engine bookkeeping, codec-encoded
    activated_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["process_instance", "is_live"])]


class Variable(models.Model):
    # The index (process_instance, name) serves lookups by instance: no index of its own.
    process_instance = models.ForeignKey(
        ProcessInstance, on_delete=models.CASCADE, related_name="variables", db_index=False
    )
    scope_key = models.BigIntegerField()
    name = models.CharField(max_length=255)
    value = models.TextField()  # codec-encoded FEEL value
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "name"], name="processes_variable_scope")
        ]
        indexes = [models.Index(fields=["process_instance", "name"])]


class Job(models.Model):
    class State(models.TextChoices):
        ACTIVATABLE = "ACTIVATABLE", _("väntar")
        ACTIVATED = "ACTIVATED", _("pågår")
        FAILED = "FAILED", _("misslyckad")
        COMPLETED = "COMPLETED", _("klar")
        ERROR_THROWN = "ERROR_THROWN", _("fel kastat")
        CANCELED = "CANCELED", _("avbruten")

    key = models.BigIntegerField(primary_key=True)
    type = models.CharField(max_length=255)
    # A job in these states can still be completed, failed or have its lease changed.
    LIVE_STATES = (State.ACTIVATABLE, State.ACTIVATED)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVATABLE)
    process_instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE)
    element_instance_key = models.BigIntegerField(db_index=True)
    element_id = models.CharField(max_length=255)
    bpmn_process_id = models.CharField(max_length=255)
    retries = models.IntegerField()
    # ACTIVATABLE: not before `due_at` (retry back-off). ACTIVATED: lease ends at `deadline`.
    due_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    custom_headers = models.TextField(default="{}")
    variables = models.TextField(default="{}")
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["type", "state", "due_at"]),
            models.Index(fields=["state", "deadline"]),
        ]


class UserTask(models.Model):
    class State(models.TextChoices):
        CREATED = "CREATED", _("öppen")
        COMPLETED = "COMPLETED", _("klar")
        CANCELED = "CANCELED", _("avbruten")

    key = models.BigIntegerField(primary_key=True)
    process_instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE)
    element_instance_key = models.BigIntegerField(unique=True)
    element_id = models.CharField(max_length=255)
    bpmn_process_id = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    form_key = models.CharField(max_length=255, blank=True)
    form_id = models.CharField(max_length=255, blank=True)
    external_reference = models.CharField(max_length=1000, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CREATED)
    assignee = models.CharField(max_length=255, blank=True, db_index=True)
    candidate_groups = models.TextField(default="[]")
    candidate_users = models.TextField(default="[]")
    due_date = models.DateTimeField(null=True, blank=True)
    follow_up_date = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(default=50)
    custom_headers = models.TextField(default="{}")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_date"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["state", "-priority", "due_date"], name="processes_task_priority"),
        ]


class UserTaskCandidate(models.Model):
    """One candidate group or user of an open task: the inbox filters on this with an index."""

    task = models.ForeignKey(UserTask, on_delete=models.CASCADE, related_name="candidates")
    group = models.CharField(max_length=255, blank=True)
    user = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["group"]), models.Index(fields=["user"])]


class Timer(models.Model):
    process_instance = models.ForeignKey(
        ProcessInstance, null=True, blank=True, on_delete=models.CASCADE
    )
    # Timer start events belong to a process definition instead of an instance.
    definition = models.ForeignKey(
        ProcessDefinition, null=True, blank=True, on_delete=models.CASCADE
    )
    element_instance_key = models.BigIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255)
    due_at = models.DateTimeField(db_index=True)
    repetitions = models.IntegerField(default=1)
    interval_seconds = models.FloatField(null=True, blank=True)
    # Lease: a worker that is firing this timer holds it until `locked_until`.
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["element_instance_key", "element_id"])]


class MessageSubscription(models.Model):
    process_instance = models.ForeignKey(
        ProcessInstance, null=True, blank=True, on_delete=models.CASCADE
    )
    # Message start events subscribe per process definition (latest version only).
    definition = models.ForeignKey(
        ProcessDefinition, null=True, blank=True, on_delete=models.CASCADE
    )
    element_instance_key = models.BigIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255)
    message_name = models.CharField(max_length=255)
    correlation_key = models.CharField(max_length=255, blank=True)
    interrupting = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["message_name", "correlation_key"]),
            models.Index(fields=["element_instance_key"]),
        ]


class SignalSubscription(models.Model):
    process_instance = models.ForeignKey(
        ProcessInstance, null=True, blank=True, on_delete=models.CASCADE
    )
    definition = models.ForeignKey(
        ProcessDefinition, null=True, blank=True, on_delete=models.CASCADE
    )
    element_instance_key = models.BigIntegerField(null=True, blank=True)
    element_id = models.CharField(max_length=255)
    signal_name = models.CharField(max_length=255, db_index=True)


class Message(models.Model):
    """A published message waiting (until it expires) for a subscription to correlate to."""

    name = models.CharField(max_length=255)
    correlation_key = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    variables = models.TextField(default="{}")
    published_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    # Instances this message already started or reached: it correlates once per process.
    correlated_process_ids = models.TextField(default="[]")

    class Meta:
        indexes = [models.Index(fields=["name", "correlation_key"])]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "message_id"],
                condition=~models.Q(message_id=""),
                name="processes_message_unique_id",
            )
        ]


class Incident(models.Model):
    class State(models.TextChoices):
        OPEN = "OPEN", _("öppen")
        RESOLVED = "RESOLVED", _("löst")

    key = models.BigIntegerField(primary_key=True)
    process_instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE)
    element_instance_key = models.BigIntegerField(db_index=True)
    element_id = models.CharField(max_length=255)
    bpmn_process_id = models.CharField(max_length=255)
    job_key = models.BigIntegerField(null=True, blank=True)
    error_type = models.CharField(max_length=64)
    message = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]


class HistoryEvent(models.Model):
    """Append-only: what happened, when, to which element. Indicators are computed from this."""

    id = models.BigAutoField(primary_key=True)
    timestamp = models.DateTimeField()
    process_instance_key = models.BigIntegerField()
    bpmn_process_id = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    element_instance_key = models.BigIntegerField()
    element_id = models.CharField(max_length=255)
    element_type = models.CharField(max_length=64)
    event_type = models.CharField(max_length=32)
    name = models.CharField(max_length=255, blank=True)
    value = models.TextField(blank=True)
    data = models.TextField(default="{}")

    class Meta:
        indexes = [
            models.Index(fields=["process_instance_key", "id"]),
            models.Index(fields=["bpmn_process_id", "event_type", "timestamp"]),
        ]


class KeyBlock(models.Model):
    """SQLite's stand-in for a PostgreSQL sequence: the next block of engine keys to hand out."""

    name = models.CharField(max_length=32, primary_key=True)
    next_block = models.BigIntegerField(default=1)
