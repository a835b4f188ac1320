"""Runs engine commands against the database: load live rows, apply, write only what changed.

One call of `execute` is one transaction. Effects that reach other instances (a call activity's
child, a message thrown to another instance, a signal) become further commands processed in the
same transaction, so a command and everything it causes commit together or not at all.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from verka.engine import runtime as rt
from verka.engine.runtime import results as fx
from verka.worker import wakeup

from . import clock, codec, repository, rows
from .keys import keys_for_command
from .models import (
    Incident,
    Job,
    Message,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    SignalSubscription,
    Timer,
    UserTask,
    UserTaskCandidate,
)

log = logging.getLogger(__name__)

# A command may cause others (messages between instances, call activities); a model whose
# instances keep triggering each other must not spin forever inside one transaction.
MAX_FOLLOW_UPS = 10_000
LOAD_INSTANCES = (
    "SELECT i.key, i.status, d.resource_id, d.checksum, i.bpmn_process_id, i.version,"
    " i.parent_instance_key, i.parent_element_instance_key, i.has_incident, i.is_test, d.id"
    " FROM processes_processinstance i"
    " JOIN processes_processdefinition d ON d.id = i.definition_id WHERE i.key {}"
    " ORDER BY i.key"
)
LIVE_STATES = {"ACTIVATING", "ACTIVE", "COMPLETING", "TERMINATING"}


class CommandRejected(Exception):
    """The engine refused the command (stale job, finished task, …); nothing was changed."""


class NeedsTransaction(Exception):
    """A command run ahead of its transaction (`Execution(preparing=True)`) got to something
    that reads or locks rows: it must run again inside the transaction."""


@dataclass
class Start:
    """Start a new instance of a deployed process (optionally at a given start event)."""

    definition: ProcessDefinition
    variables: Mapping[str, Any] = field(default_factory=dict)
    start_at: str = ""
    business_key: str = ""
    parent_instance_key: int | None = None
    parent_element_instance_key: int | None = None


@dataclass
class Outcome:
    """What one `execute` did: the instances it started, and the first command's result."""

    started: list[int] = field(default_factory=list)
    result: rt.Result | None = None
    # The started instances' rows as written, so a caller needs no query to read them back.
    instances: dict[int, ProcessInstance] = field(default_factory=dict)


Work = tuple[int, rt.Command] | Start


@dataclass
class InstanceRow:
    """The columns of a process instance row that commands read and write."""

    key: int
    bpmn_process_id: str
    version: int
    status: str
    has_incident: bool
    is_test: bool
    definition_id: int

    def set_incident_flag(self, value: bool) -> None:
        if self.has_incident != value:
            self.has_incident = value
            ProcessInstance.objects.filter(key=self.key).update(has_incident=value)


class Execution:
    """One transaction's worth of commands; keeps the states it loaded so repeats are cheap.

    With `preparing`, commands that need nothing from the database (a new instance running to
    its first job, or to its end) run before the transaction begins, and only their writes
    happen inside it (`written_in_transaction`): on SQLite, where one writer at a time holds
    the database, the lock is then held for the writes alone. Anything that would read or lock
    rows (another instance, a timer, a message, a user task) raises `NeedsTransaction`."""

    def __init__(self, now: datetime, *, preparing: bool = False) -> None:
        self.preparing = preparing
        self._nudge_pending = False
        # SQLite: commands count up their instance's revision (see ProcessInstance.revision);
        # an instance started in this transaction is new to everyone else anyway.
        self.counts_revisions = rows.vendor() == "sqlite"
        self.started_here: set[int] = set()
        self.now = now
        self.keys = keys_for_command()
        self.states: dict[int, rt.InstanceState] = {}
        self.rows: dict[int, InstanceRow] = {}
        self.queue: deque[Work] = deque()
        self.outcome = Outcome()
        self.decisions = repository.DeployedDecisions()
        # The time as the database stores it, for the hand-written statements.
        self.db_now = rows.db_time(now)
        self.notified_job_types: set[str] = set()
        self.writes = rows.Writes()
        self.test_decisions = repository.DeployedDecisions(test=True)

    # --- loading -------------------------------------------------------------------------

    def load(self, instance_key: int) -> rt.InstanceState:
        state = self.states.get(instance_key)
        if state is not None:
            return state
        if self.preparing:
            raise NeedsTransaction(f"process instance {instance_key} must be loaded")
        self.preload([instance_key])
        state = self.states.get(instance_key)
        if state is None:
            raise CommandRejected(f"process instance {instance_key} does not exist")
        return state

    def preload(self, instance_keys: Iterable[int]) -> None:
        """Load (and lock) several instances' live rows at once: three queries for all of them,
        which on PostgreSQL travel together. Keys that do not exist are left out."""
        wanted = sorted({key for key in instance_keys if key not in self.states})
        if not wanted:
            return
        # Instance rows are locked in key order, so two batches cannot deadlock on each other.
        # Writes still waiting go first (the queries may read them), in the same round trip.
        where, keys = rows.any_of(wanted)
        instance_rows, element_rows, variable_rows = self.writes.fetch(
            [
                (LOAD_INSTANCES.format(where) + rows.lock_clause("i"), keys),
                (rows.LOAD_ELEMENTS.format(where), keys),
                (rows.LOAD_VARIABLES.format(where), keys),
            ]
        )
        elements: dict[int, list[rt.ElementInstance]] = {key: [] for key in wanted}
        for owner, key, element_id, element_type, scope, state, loop_counter, data in element_rows:
            elements[owner].append(
                rt.ElementInstance(
                    key=key,
                    element_id=element_id,
                    element_type=element_type,
                    flow_scope_key=scope,
                    state=rt.ElementState(state),
                    loop_counter=loop_counter,
                    data=json.loads(data),
                )
            )
        variables: dict[int, dict[tuple[int, str], Any]] = {key: {} for key in wanted}
        for owner, scope, name, value in variable_rows:
            variables[owner][(scope, name)] = codec.from_json_text(value)
        for (
            instance_key,
            status,
            resource_id,
            checksum,
            bpmn_process_id,
            version,
            parent,
            parent_element,
            has_incident,
            is_test,
            definition_id,
        ) in instance_rows:
            process = repository.process_model_of(resource_id, checksum, bpmn_process_id)
            self.states[instance_key] = rt.InstanceState.load(
                instance_key,
                process,
                rt.InstanceStatus(status),
                elements[instance_key],
                variables[instance_key],
                parent,
                parent_element,
            )
            self.rows[instance_key] = InstanceRow(
                instance_key,
                bpmn_process_id,
                version,
                status,
                bool(has_incident),
                bool(is_test),
                definition_id,
            )

    # --- running -------------------------------------------------------------------------

    def run(self, first: Work, *, flush: bool = True) -> Outcome:
        """Run a command and its follow-ups; the command itself may be rejected (raises).
        A batch of commands passes `flush=False` and flushes once after the last, so that each
        table's rows go out in one statement for the whole batch."""
        self.queue.append(first)
        return self.run_queue(strict=True, flush=flush)

    def run_queue(self, *, strict: bool = False, flush: bool = True) -> Outcome:
        """Run queued follow-ups; those that no longer apply are dropped, unless `strict` and
        it is the first one."""
        handled = 0
        while self.queue:
            handled += 1
            if handled > MAX_FOLLOW_UPS:
                raise CommandRejected(
                    f"more than {MAX_FOLLOW_UPS} follow-up commands in one transaction: "
                    "instances keep triggering each other"
                )
            work = self.queue.popleft()
            is_first = strict and handled == 1
            if isinstance(work, Start):
                self._start(work, is_first=is_first)
            else:
                instance_key, command = work
                self._apply(instance_key, command, is_first=is_first)
        if flush:
            self.writes.flush()
            self.sync_outcome()
        return self.outcome

    def sync_outcome(self) -> Outcome:
        """Bring the started instances' rows in the outcome up to date. A batch (which runs its
        commands with `flush=False`) calls this once after the last: on every command it
        would cost a pass over every instance started so far."""
        for key, instance in self.outcome.instances.items():
            row = self.rows[key]
            instance.status = row.status
            instance.has_incident = row.has_incident
            instance.ended_at = None if row.status == ProcessInstance.Status.ACTIVE else self.now
        return self.outcome

    def _start(self, start: Start, *, is_first: bool) -> None:
        key = self.keys()
        process = repository.process_model(start.definition)
        # A child of a test instance is a test instance, even on a live version of its process:
        # otherwise trying a model would leave cases that count in the indicators.
        parent = self.rows.get(start.parent_instance_key or 0)
        is_test = start.definition.is_test or (parent is not None and parent.is_test)
        self.writes.insert(
            rows.NEW_INSTANCES,
            [
                (
                    key,
                    start.definition.pk,
                    start.definition.bpmn_process_id,
                    start.definition.version,
                    ProcessInstance.Status.ACTIVE.value,
                    self.db_now,
                    start.parent_instance_key,
                    start.parent_element_instance_key,
                    start.business_key,
                    is_test,
                    False,
                    0,
                )
            ],
        )
        self.started_here.add(key)
        self.rows[key] = InstanceRow(
            key,
            start.definition.bpmn_process_id,
            start.definition.version,
            ProcessInstance.Status.ACTIVE,
            False,
            is_test,
            start.definition.pk,
        )
        self.states[key] = rt.InstanceState.new(
            key, process, start.parent_instance_key, start.parent_element_instance_key
        )
        self.outcome.started.append(key)
        self.outcome.instances[key] = _instance_as_written(start, key, is_test, self.now)
        command = rt.CreateProcessInstance(variables=dict(start.variables), start_at=start.start_at)
        self._apply(key, command, is_first=is_first)

    def _apply(self, instance_key: int, command: rt.Command, *, is_first: bool) -> None:
        state = self.load(instance_key)
        decisions = self.test_decisions if self.rows[instance_key].is_test else self.decisions
        result = rt.apply(state, command, self.now, self.keys, decisions)
        if result.rejection is not None:
            if is_first:
                raise CommandRejected(result.rejection)
            # A follow-up that no longer applies (the target moved on) is not an error of the
            # command that caused it; it is logged and dropped.
            log.info(
                "follow-up rejected", extra={"instance": instance_key, "why": result.rejection}
            )
            return
        if is_first and self.outcome.result is None:
            self.outcome.result = result
        self.writes.begin_command(instance_key)
        try:
            self._write(state, result)
        finally:
            self.writes.end_command()
        state.advance(result)

    # --- writing -------------------------------------------------------------------------

    def _write(self, state: rt.InstanceState, result: rt.Result) -> None:
        row = self.rows[state.key]
        if self.counts_revisions and row.key not in self.started_here:
            self.writes.add(rows.BUMP_REVISION, [(row.key,)])
        self._write_elements(row, result.element_instances, state.element_instances)
        self._write_variables(row, result.variables)
        for effect in result.effects:
            self._effect(row, effect)
        self._write_history(row, result.history)
        if result.status is not None and result.status.value != row.status:
            row.status = result.status.value
            ended = None if result.status is rt.InstanceStatus.ACTIVE else self.db_now
            self.writes.add(rows.UPDATE_INSTANCE_STATUS, [(row.status, ended, row.key)])
        # Not flushed here: the writes wait until something reads (`load`, an effect that
        # queries) or the end of the queue, so a batch of commands sends them in one go.

    def _write_elements(
        self,
        row: InstanceRow,
        changed: Iterable[rt.ElementInstance],
        existing: Mapping[int, rt.ElementInstance],
    ) -> None:
        """`existing`: the instance's live elements before this command; any other element
        is new (a fresh key), so its row is inserted instead of upserted."""
        new: list[tuple[Any, ...]] = []
        upserts: list[tuple[Any, ...]] = []
        for element in changed:
            live = element.state.value in LIVE_STATES
            (upserts if element.key in existing else new).append(
                (
                    element.key,
                    row.key,
                    element.element_id,
                    element.element_type,
                    element.flow_scope_key,
                    element.state.value,
                    live,
                    element.loop_counter,
                    json.dumps(element.data, default=str) if element.data else "{}",
                    self.db_now,
                    None if live else self.db_now,
                )
            )
        self.writes.insert(rows.NEW_ELEMENTS, new)
        self.writes.add(rows.UPSERT_ELEMENT, upserts)

    def _write_variables(self, row: InstanceRow, changes: Iterable[rt.VariableChange]) -> None:
        upserts: dict[tuple[int, str], tuple[Any, ...]] = {}
        deletes = []
        for change in changes:
            key = (change.scope_key, change.name)
            if change.deleted:
                upserts.pop(key, None)
                deletes.append(key)
            else:
                upserts[key] = (
                    row.key,
                    change.scope_key,
                    change.name,
                    codec.to_json_text(change.value),
                    self.db_now,
                )
        self.writes.add(rows.DELETE_VARIABLE, deletes)
        self.writes.add(rows.UPSERT_VARIABLE, list(upserts.values()))

    def _write_history(self, row: InstanceRow, events: Sequence[rt.HistoryEvent]) -> None:
        self.writes.insert(
            rows.HISTORY,
            [
                (
                    self.db_now if event.timestamp == self.now else rows.db_time(event.timestamp),
                    event.instance_key,
                    row.bpmn_process_id,
                    row.version,
                    event.element_instance_key,
                    event.element_id,
                    event.element_type,
                    event.event_type,
                    event.name[:255],
                    "" if event.value is None else _history_value(event.value),
                    json.dumps(event.data, default=str) if event.data else "{}",
                )
                for event in _stored_history(events)
            ],
        )

    # --- effects -------------------------------------------------------------------------

    def _effect(self, row: InstanceRow, effect: rt.Effect) -> None:
        handler = _EFFECTS.get(type(effect))
        if handler is None:  # pragma: no cover - a new effect kind without persistence
            raise TypeError(f"no persistence for effect {type(effect).__name__}")
        if handler not in _BATCHED_EFFECTS:
            if self.preparing:
                raise NeedsTransaction(f"{type(effect).__name__} reads or locks rows")
            # It runs its own statements (and may read rows): what is waiting goes first.
            self.writes.flush()
        handler(self, row, effect)

    def follow(self, work: Work) -> None:
        self.queue.append(work)

    def nudge_workers(self) -> None:
        """Wake idle SQLite workers once the transaction commits."""
        if self.preparing:
            self._nudge_pending = True
        else:
            wakeup.nudge_after_commit()

    def written_in_transaction(self) -> None:
        """Send the writes of commands run while preparing; call inside the transaction."""
        self.preparing = False
        if self._nudge_pending:
            self._nudge_pending = False
            wakeup.nudge_after_commit()
        self.writes.flush()


def _instance_as_written(start: Start, key: int, is_test: bool, now: datetime) -> ProcessInstance:
    """The model object of a row just written, as if read back: built from the columns in
    order (what a query does), which costs a fraction of keyword arguments and the foreign
    key's descriptor; the definition is cached on it, so reading it needs no query."""
    definition = start.definition
    columns = {
        "key": key,
        "definition_id": definition.pk,
        "bpmn_process_id": definition.bpmn_process_id,
        "version": definition.version,
        "status": ProcessInstance.Status.ACTIVE.value,
        "started_at": now,
        "ended_at": None,
        "parent_instance_key": start.parent_instance_key,
        "parent_element_instance_key": start.parent_element_instance_key,
        "business_key": start.business_key,
        "is_test": is_test,
        "has_incident": False,
        "revision": 0,
    }
    instance = ProcessInstance.from_db(
        DEFAULT_DB_ALIAS, None, [columns[name] for name in _instance_columns()]
    )
    instance._state.fields_cache["definition"] = definition
    return instance


@functools.cache
def _instance_columns() -> list[str]:
    return [field.attname for field in ProcessInstance._meta.concrete_fields]


# An element passes through ACTIVATING, COMPLETING and TERMINATING on its way to the state
# after; the engine reports every step, as Zeebe's record stream does.
_PASSED_THROUGH = {
    "ELEMENT_ACTIVATING": "ELEMENT_ACTIVATED",
    "ELEMENT_COMPLETING": "ELEMENT_COMPLETED",
    "ELEMENT_TERMINATING": "ELEMENT_TERMINATED",
}
_REACHED_STATES = set(_PASSED_THROUGH.values())


def _stored_history(events: Sequence[rt.HistoryEvent]) -> list[rt.HistoryEvent]:
    """The events the history table keeps. A passing state whose next state the same command
    reached tells nothing the next one's row does not (same element, same moment), so only
    the next is kept; where an element stopped in a passing state (an incident in an input or
    output mapping), that row is kept. This is a third to a half fewer rows per command, and
    the history's readers (indicators, timelines, milestones, webhooks) read the states after.
    """
    reached = {
        (event.element_instance_key, event.event_type)
        for event in events
        if event.event_type in _REACHED_STATES
    }
    if not reached:
        return list(events)
    return [
        event
        for event in events
        if (event.element_instance_key, _PASSED_THROUGH.get(event.event_type)) not in reached
    ]


def _history_value(value: Any) -> str:
    try:
        return codec.to_json_text(value)
    except codec.CodecError:
        return json.dumps(str(value))


# --- one handler per effect kind ----------------------------------------------------------


def _create_job(ex: Execution, row: InstanceRow, e: fx.CreateJob) -> None:
    ex.writes.insert(
        rows.NEW_JOBS,
        [
            (
                e.key,
                e.type,
                Job.State.ACTIVATABLE.value,
                row.key,
                e.element_instance_key,
                e.element_id,
                row.bpmn_process_id,
                e.retries,
                ex.db_now,
                "",
                json.dumps(dict(e.custom_headers)),
                codec.to_json_text(dict(e.variables)),
                "",
                ex.db_now,
            )
        ],
    )
    if e.type not in ex.notified_job_types:
        # Delivered at commit: waiting workers wake up instead of polling.
        if rows.is_postgresql():
            ex.writes.add(NOTIFY_JOBS, [(e.type[:7000],)])
        elif not ex.notified_job_types:
            ex.nudge_workers()
        ex.notified_job_types.add(e.type)


NOTIFY_JOBS = "SELECT pg_notify('verka_jobs', %s)"


def _cancel_job(ex: Execution, row: InstanceRow, e: fx.CancelJob) -> None:
    Job.objects.filter(key=e.key).exclude(state__in=_ENDED_JOB_STATES).update(
        state=Job.State.CANCELED, ended_at=ex.now
    )


_ENDED_JOB_STATES = [Job.State.COMPLETED, Job.State.CANCELED, Job.State.ERROR_THROWN]


def _job_failed(ex: Execution, row: InstanceRow, e: fx.JobFailed) -> None:
    Job.objects.filter(key=e.key).update(
        retries=e.retries,
        state=Job.State.ACTIVATABLE if e.retries > 0 else Job.State.FAILED,
        due_at=e.retry_at or ex.now,
        deadline=None,
        worker="",
        error_message=e.message,
    )


def _create_user_task(ex: Execution, row: InstanceRow, e: fx.CreateUserTask) -> None:
    task = UserTask.objects.create(
        key=e.key,
        process_instance_id=row.key,
        element_instance_key=e.element_instance_key,
        element_id=e.element_id,
        bpmn_process_id=row.bpmn_process_id,
        name=e.name,
        form_key=e.form_key,
        form_id=e.form_id,
        external_reference=e.external_reference,
        assignee=e.assignee or "",
        candidate_groups=json.dumps(list(e.candidate_groups)),
        candidate_users=json.dumps(list(e.candidate_users)),
        due_date=e.due_date,
        follow_up_date=e.follow_up_date,
        priority=e.priority,
        custom_headers=json.dumps(dict(e.custom_headers)),
        created_at=ex.now,
    )
    UserTaskCandidate.objects.bulk_create(
        [UserTaskCandidate(task=task, group=group) for group in e.candidate_groups]
        + [UserTaskCandidate(task=task, user=user) for user in e.candidate_users]
    )


def _cancel_user_task(ex: Execution, row: InstanceRow, e: fx.CancelUserTask) -> None:
    UserTask.objects.filter(
        element_instance_key=e.element_instance_key, state=UserTask.State.CREATED
    ).update(state=UserTask.State.CANCELED, completed_at=ex.now)


def _schedule_timer(ex: Execution, row: InstanceRow, e: fx.ScheduleTimer) -> None:
    Timer.objects.create(
        process_instance_id=row.key,
        element_instance_key=e.element_instance_key,
        element_id=e.element_id,
        due_at=e.due,
        repetitions=e.repetitions,
        interval_seconds=e.interval.total_seconds() if e.interval else None,
    )


def _cancel_timer(ex: Execution, row: InstanceRow, e: fx.CancelTimer) -> None:
    Timer.objects.filter(
        element_instance_key=e.element_instance_key, element_id=e.element_id
    ).delete()


def _open_message_subscription(
    ex: Execution, row: InstanceRow, e: fx.OpenMessageSubscription
) -> None:
    # The correlation's turn first: a publication of this name and key at the same moment
    # either committed before (its buffered message is found below) or waits for this commit
    # (and finds the subscription). This command already holds its instance's lock. The turn,
    # the subscription and the look into the buffer travel in one round trip.
    for statement, params in rows.correlation_turn(e.message_name, e.correlation_key):
        ex.writes.add(statement, [params])
    ex.writes.add(
        rows.NEW_SUBSCRIPTION,
        [
            (
                row.key,
                e.element_instance_key,
                e.element_id,
                e.message_name,
                e.correlation_key,
                e.interrupting,
                ex.db_now,
            )
        ],
    )
    # A message published before the instance got here waits in the buffer until it expires.
    (buffered,) = ex.writes.fetch(
        [(rows.BUFFERED_MESSAGE, [e.message_name, e.correlation_key, ex.db_now])]
    )
    if buffered and _claim_message(ex, buffered[0], row.bpmn_process_id):
        _id, variables, _taken = buffered[0]
        ex.follow(
            (
                row.key,
                rt.CorrelateMessage(
                    e.element_instance_key, e.element_id, codec.from_json_text(variables)
                ),
            )
        )


def _claim_message(ex: Execution, message: tuple[Any, ...], bpmn_process_id: str) -> bool:
    """A buffered message correlates at most once per process; True if this one may take it.
    Called in the correlation's turn (`rows.lock_correlation`), so no other transaction reads
    or rewrites the message's list of processes meanwhile."""
    message_id, _variables, correlated_process_ids = message
    taken = json.loads(correlated_process_ids)
    if bpmn_process_id in taken:
        return False
    ex.writes.add(rows.CLAIM_MESSAGE, [(json.dumps([*taken, bpmn_process_id]), message_id)])
    return True


def _close_message_subscription(
    ex: Execution, row: InstanceRow, e: fx.CloseMessageSubscription
) -> None:
    MessageSubscription.objects.filter(
        element_instance_key=e.element_instance_key, element_id=e.element_id
    ).delete()


def _open_signal_subscription(
    ex: Execution, row: InstanceRow, e: fx.OpenSignalSubscription
) -> None:
    SignalSubscription.objects.create(
        process_instance_id=row.key,
        element_instance_key=e.element_instance_key,
        element_id=e.element_id,
        signal_name=e.signal_name,
    )


def _close_signal_subscription(
    ex: Execution, row: InstanceRow, e: fx.CloseSignalSubscription
) -> None:
    SignalSubscription.objects.filter(
        element_instance_key=e.element_instance_key, element_id=e.element_id
    ).delete()


def _publish_message(ex: Execution, row: InstanceRow, e: fx.PublishMessage) -> None:
    # Thrown by a process: correlate now where someone waits; the engine keeps no buffer for
    # these (time to live 0, as a message throw event in Zeebe has by default).
    publish(ex, e.name, e.correlation_key, dict(e.variables), ttl=timedelta(0), message_id="")


def _broadcast_signal(ex: Execution, row: InstanceRow, e: fx.BroadcastSignal) -> None:
    broadcast(ex, e.name, dict(e.variables))


def _start_child(ex: Execution, row: InstanceRow, e: fx.StartChildInstance) -> None:
    try:
        definition = repository.called_process(
            e.process_id, e.binding_type, e.version_tag, parent_definition_id=row.definition_id
        )
    except repository.DeploymentMissing as missing:
        ex.follow(
            (
                row.key,
                rt.ChildFailed(
                    e.parent_element_instance_key, "", f"call activity failed: {missing}"
                ),
            )
        )
        return
    ex.follow(
        Start(
            definition,
            dict(e.variables),
            parent_instance_key=e.parent_instance_key,
            parent_element_instance_key=e.parent_element_instance_key,
        )
    )


def _cancel_child(ex: Execution, row: InstanceRow, e: fx.CancelChildInstance) -> None:
    for child in ProcessInstance.objects.filter(
        parent_element_instance_key=e.parent_element_instance_key,
        status=ProcessInstance.Status.ACTIVE,
    ).values_list("key", flat=True):
        ex.follow((child, rt.CancelProcessInstance()))


def _instance_completed(ex: Execution, row: InstanceRow, e: fx.InstanceCompleted) -> None:
    # A completed instance has closed its waits itself (the engine emitted the cancellations).
    if e.parent_instance_key is not None and e.parent_element_instance_key is not None:
        ex.follow(
            (
                e.parent_instance_key,
                rt.CompleteCallActivity(e.parent_element_instance_key, dict(e.variables)),
            )
        )


def _instance_terminated(ex: Execution, row: InstanceRow, e: fx.InstanceTerminated) -> None:
    _end_instance(ex, row)


def _end_instance(ex: Execution, row: InstanceRow) -> None:
    # Whatever still waits on the instance goes with it.
    Timer.objects.filter(process_instance_id=row.key).delete()
    MessageSubscription.objects.filter(process_instance_id=row.key).delete()
    SignalSubscription.objects.filter(process_instance_id=row.key).delete()
    Job.objects.filter(process_instance_id=row.key).exclude(state__in=_ENDED_JOB_STATES).update(
        state=Job.State.CANCELED, ended_at=ex.now
    )
    UserTask.objects.filter(process_instance_id=row.key, state=UserTask.State.CREATED).update(
        state=UserTask.State.CANCELED, completed_at=ex.now
    )
    Incident.objects.filter(process_instance_id=row.key, state=Incident.State.OPEN).update(
        state=Incident.State.RESOLVED, resolved_at=ex.now
    )
    row.set_incident_flag(False)


def _error_to_parent(ex: Execution, row: InstanceRow, e: fx.ErrorToParent) -> None:
    ex.follow(
        (
            e.parent_instance_key,
            rt.ChildFailed(e.parent_element_instance_key, e.error_code, e.message, e.variables),
        )
    )


def _escalation_to_parent(ex: Execution, row: InstanceRow, e: fx.EscalationToParent) -> None:
    ex.follow(
        (
            e.parent_instance_key,
            rt.ChildEscalated(e.parent_element_instance_key, e.escalation_code),
        )
    )


def _raise_incident(ex: Execution, row: InstanceRow, e: fx.RaiseIncident) -> None:
    job = (
        Job.objects.filter(element_instance_key=e.element_instance_key)
        .order_by("-created_at")
        .values_list("key", flat=True)
        .first()
    )
    Incident.objects.create(
        key=e.key,
        process_instance_id=row.key,
        element_instance_key=e.element_instance_key,
        element_id=e.element_id,
        bpmn_process_id=row.bpmn_process_id,
        job_key=job if e.error_type == "JOB_NO_RETRIES" else None,
        error_type=e.error_type,
        message=e.message,
        created_at=ex.now,
    )
    row.set_incident_flag(True)


def _resolve_incident(ex: Execution, row: InstanceRow, e: fx.ResolveIncident) -> None:
    Incident.objects.filter(key=e.key).update(state=Incident.State.RESOLVED, resolved_at=ex.now)
    if not Incident.objects.filter(process_instance_id=row.key, state=Incident.State.OPEN).exists():
        row.set_incident_flag(False)


# Effects that only add statements to the command's writes (they read nothing).
# Effects that only add to the pending writes or queue a follow-up: they need nothing flushed
# first, so a batch of commands sends its writes once.
_BATCHED_EFFECTS: set[Callable[..., None]] = {_create_job, _instance_completed}

_EFFECTS: dict[type, Callable[[Execution, ProcessInstance, Any], None]] = {
    fx.CreateJob: _create_job,
    fx.CancelJob: _cancel_job,
    fx.JobFailed: _job_failed,
    fx.CreateUserTask: _create_user_task,
    fx.CancelUserTask: _cancel_user_task,
    fx.ScheduleTimer: _schedule_timer,
    fx.CancelTimer: _cancel_timer,
    fx.OpenMessageSubscription: _open_message_subscription,
    fx.CloseMessageSubscription: _close_message_subscription,
    fx.OpenSignalSubscription: _open_signal_subscription,
    fx.CloseSignalSubscription: _close_signal_subscription,
    fx.PublishMessage: _publish_message,
    fx.BroadcastSignal: _broadcast_signal,
    fx.StartChildInstance: _start_child,
    fx.CancelChildInstance: _cancel_child,
    fx.InstanceCompleted: _instance_completed,
    fx.InstanceTerminated: _instance_terminated,
    fx.ErrorToParent: _error_to_parent,
    fx.EscalationToParent: _escalation_to_parent,
    fx.RaiseIncident: _raise_incident,
    fx.ResolveIncident: _resolve_incident,
}


# --- messages and signals (shared by effects and the public services) ----------------------


@dataclass
class PublishOutcome:
    correlated_instances: list[int] = field(default_factory=list)
    started_instances: int = 0
    buffered: bool = False
    message_key: int | None = None
    duplicate: bool = False


def publish(
    ex: Execution,
    name: str,
    correlation_key: str,
    variables: Mapping[str, Any],
    *,
    ttl: timedelta,
    message_id: str,
) -> PublishOutcome:
    """Correlate to every waiting instance (one subscription per instance) and to message start
    events; buffer the message for `ttl` so later subscriptions can still take it. A message id
    still buffered makes this a duplicate that changes nothing.

    Locks on PostgreSQL, in the order every command takes them: the waiting instances' rows (in key order),
    then the correlation's turn (`rows.lock_correlation`), then for a message start the
    process's and key's turn. A command holds its instance's lock when it opens a subscription
    and then asks for the turn; taking the turn first here and the instance after would let the
    two wait for each other. Subscriptions are read again in the turn: what they are then is
    what the message meets."""
    outcome = PublishOutcome()
    if rows.is_postgresql():  # on SQLite the writer's turn is the only lock
        ex.preload(_waiting_instances(name, correlation_key))
        rows.lock_correlation(name, correlation_key)
    if message_id:
        Message.objects.filter(name=name, message_id=message_id, expires_at__lte=ex.now).delete()
        if Message.objects.filter(name=name, message_id=message_id).exists():
            outcome.duplicate = True
            return outcome
    reached: set[str] = set()
    seen_instances: set[int] = set()
    subscriptions = MessageSubscription.objects.filter(
        message_name=name, correlation_key=correlation_key, process_instance__isnull=False
    ).order_by("created_at", "id")
    for sub in subscriptions:
        if sub.process_instance_id in seen_instances:
            continue  # Zeebe: a message correlates to one subscription per instance
        seen_instances.add(sub.process_instance_id)
        ex.follow(
            (
                sub.process_instance_id,
                rt.CorrelateMessage(sub.element_instance_key or 0, sub.element_id, dict(variables)),
            )
        )
        outcome.correlated_instances.append(sub.process_instance_id)
        reached.add(_bpmn_id_of(ex, sub.process_instance_id))
    for sub in MessageSubscription.objects.filter(
        message_name=name, process_instance__isnull=True
    ).select_related("definition"):
        definition = sub.definition
        if definition is None or definition.bpmn_process_id in reached:
            continue
        if correlation_key:
            # One instance per correlation key at a time (Zeebe's rule): checked and started
            # in the process's and key's turn, so two publications cannot both find none.
            rows.lock_message_start(definition.bpmn_process_id, correlation_key)
            if _has_active_instance_with_key(definition, correlation_key):
                continue
        ex.follow(
            Start(
                definition, dict(variables), start_at=sub.element_id, business_key=correlation_key
            )
        )
        reached.add(definition.bpmn_process_id)
        outcome.started_instances += 1
    if ttl > timedelta(0):
        message = Message.objects.create(
            name=name,
            correlation_key=correlation_key,
            message_id=message_id,
            variables=codec.to_json_text(dict(variables)),
            published_at=ex.now,
            expires_at=ex.now + ttl,
            correlated_process_ids=json.dumps(sorted(reached)),
        )
        outcome.buffered = True
        outcome.message_key = message.pk
    return outcome


def _waiting_instances(name: str, correlation_key: str) -> list[int]:
    return list(
        MessageSubscription.objects.filter(
            message_name=name, correlation_key=correlation_key, process_instance__isnull=False
        ).values_list("process_instance_id", flat=True)
    )


def _bpmn_id_of(ex: Execution, instance_key: int) -> str:
    row = ex.rows.get(instance_key)
    if row is not None:
        return row.bpmn_process_id
    return str(
        ProcessInstance.objects.filter(key=instance_key)
        .values_list("bpmn_process_id", flat=True)
        .first()
        or ""
    )


def _has_active_instance_with_key(definition: ProcessDefinition, correlation_key: str) -> bool:
    return ProcessInstance.objects.filter(
        bpmn_process_id=definition.bpmn_process_id,
        business_key=correlation_key,
        status=ProcessInstance.Status.ACTIVE,
    ).exists()


def broadcast(ex: Execution, name: str, variables: Mapping[str, Any]) -> int:
    reached = 0
    for sub in SignalSubscription.objects.filter(signal_name=name).select_related("definition"):
        if sub.process_instance_id is not None:
            ex.follow(
                (
                    sub.process_instance_id,
                    rt.TriggerSignal(
                        sub.element_instance_key or 0, sub.element_id, dict(variables)
                    ),
                )
            )
        elif sub.definition is not None:
            ex.follow(Start(sub.definition, dict(variables), start_at=sub.element_id))
        reached += 1
    return reached


def execute(first: Work, *, now: datetime | None = None) -> Outcome:
    """Run a command (and everything it causes) in one transaction."""
    with rows.write_transaction():
        return Execution(now or clock.now()).run(first)
