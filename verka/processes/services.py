"""The process engine's public functions. Web views, the REST API and the worker call these;
nothing else touches the process tables."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from verka.engine import runtime as rt
from verka.engine.bpmn import BpmnError, EventKind, StartEvent, parse_bpmn

from . import clock, codec, repository, rows
from .executor import CommandRejected, NeedsTransaction, Start, broadcast, execute, publish
from .executor import Execution as _Execution
from .models import (
    DecisionDefinition,
    Deployment,
    FormDefinition,
    Incident,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Resource,
    SignalSubscription,
    Timer,
    UserTask,
)
from .repository import DeploymentMissing

__all__ = [
    "CommandRejected",
    "DeploymentError",
    "DeploymentMissing",
    "activate_jobs",
    "assign_user_task",
    "broadcast_signal",
    "cancel_instance",
    "complete_job",
    "complete_user_task",
    "deploy",
    "fail_job",
    "fire_due_timers",
    "publish_message",
    "resolve_incident",
    "set_variables",
    "start_instance",
    "throw_error",
    "unit_of_work",
    "update_job",
]


def unit_of_work() -> contextlib.AbstractContextManager[None]:
    """One transaction around any of these functions and the caller's own rows (the API keeps
    its idempotency record in the same commit as the work): all of it commits, or none. On
    SQLite it takes the engine writers' turn once, and the functions inside run in it."""
    return rows.write_transaction()


class DeploymentError(ValueError):
    """A resource could not be deployed; `problems` say what and where. Nothing was deployed."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# --- deployment ---------------------------------------------------------------------------


@dataclass
class DeployedResource:
    name: str
    kind: str
    ids: list[tuple[str, int]] = field(default_factory=list)  # (id, version)


@dataclass
class DeploymentResult:
    deployment_id: int
    resources: list[DeployedResource]


def _kind_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith((".bpmn", ".bpmn20.xml")):
        return Resource.Kind.BPMN
    if lower.endswith(".dmn"):
        return Resource.Kind.DMN
    if lower.endswith((".form", ".json")):
        return Resource.Kind.FORM
    raise DeploymentError([f"{name}: unknown resource type (expected .bpmn, .dmn or .form)"])


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def deploy(
    files: Sequence[tuple[str, bytes]], *, user: Any = None, name: str = "", is_test: bool = False
) -> DeploymentResult:
    """Deploy BPMN, DMN and form files together. Every file is validated first; if any is
    invalid nothing is deployed. A process, decision or form whose content is unchanged keeps
    its version; a changed one gets the next version (running instances keep theirs)."""
    parsed: list[tuple[str, bytes, str, Any]] = []
    problems: list[str] = []
    for filename, content in files:
        try:
            kind = _kind_of(filename)
            parsed.append((filename, content, kind, _parse(filename, content, kind)))
        except DeploymentError as error:
            problems.extend(error.problems)
    if problems:
        raise DeploymentError(problems)
    now = clock.now()
    with transaction.atomic():
        deployment = Deployment.objects.create(
            created_at=now, created_by=user if getattr(user, "pk", None) else None, name=name
        )
        results = []
        for filename, content, kind, model in parsed:
            text = content.decode("utf-8")
            resource = Resource.objects.create(
                deployment=deployment,
                kind=kind,
                name=filename,
                content=text,
                checksum=_checksum(content),
            )
            deployed = DeployedResource(filename, kind)
            if kind == Resource.Kind.BPMN:
                for process_id, process in model.processes.items():
                    deployed.ids.append(
                        _deploy_process(resource, process_id, process, now, is_test)
                    )
            elif kind == Resource.Kind.DMN:
                for decision_id, decision_name in model:
                    deployed.ids.append(
                        _deploy_decision(resource, decision_id, decision_name, now, is_test)
                    )
            else:
                deployed.ids.append(_deploy_form(resource, model, now, is_test))
            results.append(deployed)
    return DeploymentResult(deployment.pk, results)


def _parse(filename: str, content: bytes, kind: str) -> Any:
    if kind == Resource.Kind.BPMN:
        try:
            definitions = parse_bpmn(content, filename)
        except BpmnError as error:
            problems = getattr(error, "problems", None)
            raise DeploymentError(
                [str(p) for p in problems] if problems else [str(error)]
            ) from None
        if not definitions.processes:
            raise DeploymentError([f"{filename}: contains no executable process"])
        return definitions
    if kind == Resource.Kind.DMN:
        from verka.engine.dmn import DmnError, load_models

        try:
            model = load_models(content, strict=True)
        except DmnError as error:
            raise DeploymentError([f"{filename}: {error}"]) from None
        from verka.engine.dmn.model import Decision

        return [
            (element.element_id, element.name)
            for element in model.main.elements
            if isinstance(element, Decision)
        ]
    from verka.conf.inputs import json_depth_exceeds

    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        if json_depth_exceeds(text):
            raise DeploymentError([f"{filename}: the JSON nests more deeply than a form can"])
        schema = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DeploymentError([f"{filename}: not valid JSON: {error}"]) from None
    form_id = schema.get("id") if isinstance(schema, dict) else None
    if not isinstance(form_id, str) or not form_id:
        raise DeploymentError([f'{filename}: a form needs an "id"'])
    from verka.engine.forms import FormSchemaError, parse_form

    try:
        parse_form(schema)
    except FormSchemaError as error:
        raise DeploymentError([f"{filename}: {error}"]) from None
    return form_id


def _next_version(model: Any, field_name: str, value: str) -> int:
    current = model.objects.filter(**{field_name: value}).aggregate(v=Max("version"))["v"]
    return (current or 0) + 1


def _process_checksum(resource: Resource, process_id: str) -> str:
    return _checksum(f"{process_id}\n{resource.content}".encode())


def _deploy_process(
    resource: Resource, process_id: str, process: Any, now: Any, is_test: bool
) -> tuple[str, int]:
    checksum = _process_checksum(resource, process_id)
    existing = ProcessDefinition.objects.filter(bpmn_process_id=process_id)
    unchanged = _unchanged(existing, checksum, is_test)
    if unchanged is not None:
        return process_id, unchanged
    definition = ProcessDefinition.objects.create(
        bpmn_process_id=process_id,
        name=process.name or "",
        version=_next_version(ProcessDefinition, "bpmn_process_id", process_id),
        resource=resource,
        checksum=checksum,
        deployed_at=now,
        is_test=is_test,
        version_tag=getattr(process, "version_tag", "") or "",
    )
    if not is_test:
        # A test version is started explicitly; it must not take over the live version's
        # message, signal and timer start events.
        _subscribe_start_events(definition, process, now)
    return process_id, definition.version


def _unchanged(existing: Any, checksum: str, is_test: bool) -> int | None:
    """The version to keep when the newest definition of the same kind (live or test) has the
    same content. Test and live definitions share one version sequence but are compared only
    with their own kind, so publishing what was just tried still makes a live version."""
    current = existing.filter(is_test=is_test).order_by("-version").first()
    if current is not None and current.checksum == checksum:
        return int(current.version)
    return None


def _subscribe_start_events(definition: ProcessDefinition, process: Any, now: Any) -> None:
    """Message, signal and timer start events belong to the newest version only."""
    previous = ProcessDefinition.objects.filter(
        bpmn_process_id=definition.bpmn_process_id, is_test=False
    ).exclude(pk=definition.pk)
    MessageSubscription.objects.filter(definition__in=previous).delete()
    SignalSubscription.objects.filter(definition__in=previous).delete()
    Timer.objects.filter(definition__in=previous).delete()
    for element_id in process.scopes.get("", ()):
        element = process.elements[element_id]
        if not isinstance(element, StartEvent):
            continue
        event = element.event
        if event.kind is EventKind.MESSAGE:
            message = process.messages.get(event.ref)
            if message is not None:
                MessageSubscription.objects.create(
                    definition=definition,
                    element_id=element_id,
                    message_name=message.name,
                    created_at=now,
                )
        elif event.kind is EventKind.SIGNAL:
            signal = process.signals.get(event.ref)
            if signal is not None:
                SignalSubscription.objects.create(
                    definition=definition, element_id=element_id, signal_name=signal.name
                )
        elif event.kind is EventKind.TIMER:
            plan = _start_timer_plan(definition, element_id, event, now)
            Timer.objects.create(
                definition=definition,
                element_id=element_id,
                due_at=plan.due,
                repetitions=plan.repetitions,
                interval_seconds=plan.interval.total_seconds() if plan.interval else None,
            )


def _start_timer_plan(definition: ProcessDefinition, element_id: str, event: Any, now: Any) -> Any:
    from verka.engine.runtime import expressions, timers

    try:
        value = expressions.evaluate(event.timer_expression, {}, "timer")
        return timers.schedule(event.timer_kind, value, now)
    except expressions.ExpressionFailure as failure:
        raise DeploymentError(
            [f"{definition.resource.name}: element '{element_id}': {failure}"]
        ) from None


def _deploy_decision(
    resource: Resource, decision_id: str, name: str, now: Any, is_test: bool
) -> tuple[str, int]:
    checksum = _checksum(f"{decision_id}\n{resource.content}".encode())
    existing = DecisionDefinition.objects.filter(decision_id=decision_id)
    unchanged = _unchanged(existing, checksum, is_test)
    if unchanged is not None:
        return decision_id, unchanged
    definition = DecisionDefinition.objects.create(
        decision_id=decision_id,
        name=name or "",
        version=_next_version(DecisionDefinition, "decision_id", decision_id),
        resource=resource,
        checksum=checksum,
        deployed_at=now,
        is_test=is_test,
    )
    return decision_id, definition.version


def _deploy_form(resource: Resource, form_id: str, now: Any, is_test: bool) -> tuple[str, int]:
    checksum = _checksum(resource.content.encode())
    unchanged = _unchanged(FormDefinition.objects.filter(form_id=form_id), checksum, is_test)
    if unchanged is not None:
        return form_id, unchanged
    definition = FormDefinition.objects.create(
        form_id=form_id,
        version=_next_version(FormDefinition, "form_id", form_id),
        resource=resource,
        checksum=checksum,
        deployed_at=now,
        is_test=is_test,
    )
    return form_id, definition.version


# --- instances ----------------------------------------------------------------------------


def _feel(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    if variables is None:
        return {}
    if not isinstance(variables, Mapping):
        raise CommandRejected("variables must be an object")
    return codec.from_plain_json(dict(variables))  # type: ignore[no-any-return]


def start_instance(
    bpmn_process_id: str,
    variables: Mapping[str, Any] | None = None,
    *,
    version: int | None = None,
    business_key: str = "",
    start_at: str = "",
    test: bool = False,
) -> ProcessInstance:
    """Start the latest live version (or `version`). With `test`, start the latest test version
    instead (deployed with `deploy(..., is_test=True)`): a test instance, left out of
    indicators and inboxes, whose decisions, forms and called processes are test versions too
    where there are any."""
    definition = repository.latest_process(bpmn_process_id, version, test=test)
    (instance,) = _start_all([Start(definition, _feel(variables), start_at, business_key)])
    return instance


def _start_all(starts: Sequence[Start], *, numbered: bool = False) -> list[ProcessInstance]:
    """Run the starts, all in one transaction or none. A start that needs nothing from the
    database (it runs to its first job or its end) is computed before the transaction, so
    that on SQLite the write lock is held only while its rows are written. With `numbered`,
    a refusal names the start's position."""
    now = clock.now()

    def run(ex: _Execution) -> list[int]:
        # Where each start's own instance is: a start's follow-ups may start children.
        started = []
        for position, start in enumerate(starts):
            started.append(len(ex.outcome.started))
            try:
                ex.run(start, flush=False)
            except CommandRejected as refused:
                if not numbered:
                    raise
                raise CommandRejected(f"start {position}: {refused}") from None
        return started

    prepared: _Execution | None = None
    if not connection.in_atomic_block:
        prepared = _Execution(now, preparing=True)
        try:
            started = run(prepared)
        except NeedsTransaction:
            prepared = None
    with rows.write_transaction():
        if prepared is None:
            ex = _Execution(now)
            started = run(ex)
            ex.writes.flush()
        else:
            ex = prepared
            ex.written_in_transaction()
    instances = ex.sync_outcome().instances
    return [instances[ex.outcome.started[at]] for at in started]


# A batch is one transaction: its locks and its memory grow with it.
MAX_BATCH_STARTS = 1000


@dataclass(frozen=True)
class NewInstance:
    """One instance of a batch start: its variables and business key."""

    variables: Mapping[str, Any] | None = None
    business_key: str = ""


def start_instances(
    bpmn_process_id: str,
    instances: Sequence[NewInstance],
    *,
    version: int | None = None,
    start_at: str = "",
    test: bool = False,
) -> list[ProcessInstance]:
    """Start several instances of one process in one transaction, all or none: a start the
    engine refuses refuses the batch, naming the position of the start (`start 3: …`).
    One commit serves the whole batch, so a client with many starts at hand (a bulk intake,
    a queue drained) does far less work per instance than with `start_instance` each."""
    if not instances:
        return []
    if len(instances) > MAX_BATCH_STARTS:
        raise CommandRejected(
            f"{len(instances)} starts in one batch; at most {MAX_BATCH_STARTS} are allowed"
        )
    definition = repository.latest_process(bpmn_process_id, version, test=test)
    starts = []
    for position, instance in enumerate(instances):
        try:
            variables = _feel(instance.variables)
        except CommandRejected as bad:
            raise CommandRejected(f"start {position}: {bad}") from None
        starts.append(Start(definition, variables, start_at, instance.business_key))
    return _start_all(starts, numbered=True)


def cancel_instance(instance_key: int) -> None:
    execute((instance_key, rt.CancelProcessInstance()))


def set_variables(
    instance_key: int,
    variables: Mapping[str, Any],
    *,
    scope_key: int | None = None,
    local: bool = False,
) -> None:
    command = rt.SetVariables(scope_key or instance_key, _feel(variables), local)
    execute((instance_key, command))


# --- jobs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivatedJob:
    key: int
    type: str
    process_instance_key: int
    bpmn_process_id: str
    element_id: str
    element_instance_key: int
    retries: int
    deadline: Any
    custom_headers: dict[str, str]
    variables: dict[str, Any]


@dataclass(frozen=True)
class Lease:
    """Which jobs to lease: up to `max_jobs` due jobs of the types in `timeouts`, each for
    its own timeout, to `worker`."""

    worker: str
    max_jobs: int
    timeouts: Mapping[str, timedelta]


def activate_jobs(
    job_type: str,
    worker: str,
    *,
    max_jobs: int = 10,
    timeout: timedelta = timedelta(minutes=5),
    types: Sequence[str] | None = None,
    timeouts: Mapping[str, timedelta] | None = None,
) -> list[ActivatedJob]:
    """Lease up to max_jobs due jobs of a type for `timeout` (or of several `types`; or of
    every type in `timeouts`, each for its own timeout). On PostgreSQL concurrent workers
    skip each other's rows (FOR UPDATE SKIP LOCKED), so no job is handed to two workers.
    A job whose lease runs out becomes activatable again: at-least-once delivery."""
    if timeouts is None:
        timeouts = dict.fromkeys(list(types) if types else [job_type], timeout)
    query, deadlines = _lease_query(Lease(worker, max_jobs, timeouts), clock.now())
    with rows.one_statement():
        (found,) = rows.fetch_batch([query])
    return _leased(found, deadlines)


def _lease_query(lease: Lease, now: Any) -> tuple[tuple[str, list[Any]], dict[str, Any]]:
    """The one statement that picks, leases and returns the jobs (SKIP LOCKED on PostgreSQL:
    concurrent workers pass over each other's rows instead of waiting for them), and each
    type's deadline."""
    wanted = list(lease.timeouts)
    deadlines = {name: now + timeout for name, timeout in lease.timeouts.items()}
    skip_locked = connection.features.has_select_for_update_skip_locked
    distinct = set(deadlines.values())
    if len(distinct) == 1:
        leases: list[Any] = [rows.db_time(distinct.pop())]
    else:
        leases = [x for name in wanted for x in (name, rows.db_time(deadlines[name]))]
    sql = rows.activate_jobs_sql(len(wanted), skip_locked, leases=len(leases) // 2)
    db_now = rows.db_time(now)
    return (sql, [*leases, lease.worker, *wanted, db_now, db_now, lease.max_jobs]), deadlines


def _leased(found: list[tuple[Any, ...]], deadlines: Mapping[str, Any]) -> list[ActivatedJob]:
    found.sort()
    return [
        ActivatedJob(
            key=key,
            type=type_,
            process_instance_key=instance_key,
            bpmn_process_id=bpmn_process_id,
            element_id=element_id,
            element_instance_key=element_instance_key,
            retries=retries,
            deadline=deadlines[type_],
            custom_headers=json.loads(custom_headers),
            variables=codec.from_json_text(variables),
        )
        for (
            key,
            type_,
            instance_key,
            bpmn_process_id,
            element_id,
            element_instance_key,
            retries,
            custom_headers,
            variables,
        ) in found
    ]


def _open_job(job_key: int) -> Job:
    job = Job.objects.filter(key=job_key).first()
    if job is None:
        raise CommandRejected(f"job {job_key} does not exist")
    if job.state not in Job.LIVE_STATES:
        raise CommandRejected(f"job {job_key} is {job.state.lower()}, it can't be changed")
    return job


def complete_job(job_key: int, variables: Mapping[str, Any] | None = None) -> None:
    rejected = complete_jobs([(job_key, variables)])
    if rejected:
        raise CommandRejected(rejected[job_key])


def complete_jobs(
    completions: Sequence[tuple[int, Mapping[str, Any] | None]],
) -> dict[int, str]:
    """Complete several jobs in one transaction: one statement reads and locks the jobs, the
    instances load together, and every command's writes go out together. Each job is still
    its own command: one that is rejected (not live any more, or bad variables) changes
    nothing and is returned with the reason; the others complete. Any other error rolls the
    whole batch back and raises, so that the caller can record the jobs one by one."""
    rejected, _ = complete_jobs_and_lease(completions, None)
    return rejected


def complete_jobs_and_lease(
    completions: Sequence[tuple[int, Mapping[str, Any] | None]],
    lease: Lease | None,
) -> tuple[dict[int, str], list[ActivatedJob]]:
    """`complete_jobs`, and in the same transaction lease the next jobs (`activate_jobs`):
    a busy worker then needs one transaction per batch instead of two, and on SQLite one
    turn at the writer's lock."""
    rejected: dict[int, str] = {}
    wanted: dict[int, dict[str, Any]] = {}
    for job_key, variables in completions:
        try:
            wanted[job_key] = _feel(variables)
        except CommandRejected as bad:
            rejected[job_key] = str(bad)
    keys = sorted(wanted)
    if not keys and lease is None:
        return rejected, []
    now = clock.now()
    prepared = None
    if (
        len(keys) >= PREPARE_COMPLETIONS_FROM
        and rows.vendor() == "sqlite"
        and not connection.in_atomic_block
    ):
        prepared = _PreparedCompletions.compute(keys, wanted, now)
    with rows.write_transaction():
        if prepared is not None and prepared.still_current():
            rejected.update(prepared.rejected)
            writes = prepared.execution.writes
            prepared.execution.written_in_transaction()
        elif keys:
            writes = _complete_in_transaction(keys, wanted, rejected, now)
        else:
            writes = rows.Writes()
        if lease is None:
            writes.flush()
            return rejected, []
        query, deadlines = _lease_query(lease, now)
        # On PostgreSQL the completions' writes and the lease travel in one round trip.
        (found,) = writes.fetch([query])
        return rejected, _leased(found, deadlines)


# Preparing reads the rows twice, once before and once under the lock: worth it only when the
# lock is contended, which is when batches are large. A few jobs at a time go straight in.
PREPARE_COMPLETIONS_FROM = 16


@dataclass
class _PreparedCompletions:
    """Job completions computed before their transaction, on SQLite: the jobs and instances
    are read and the commands run while other writers hold the lock, and under the lock two
    queries check that nothing changed them since. Every command counts its instance's
    revision up in the transaction that writes it, and the revisions are read before the
    instances' rows, so an unchanged revision means the rows read are the rows now."""

    keys: list[int]
    jobs: dict[int, tuple[Any, ...]]
    revisions: dict[int, int]
    execution: _Execution
    rejected: dict[int, str]

    @classmethod
    def compute(
        cls, keys: list[int], wanted: Mapping[int, dict[str, Any]], now: Any
    ) -> _PreparedCompletions | None:
        """None if a command needs to run inside the transaction (it reads or locks rows)."""
        where, params = rows.any_of(keys)
        jobs = {row[0]: row for row in rows.fetch_all(rows.LOAD_JOBS.format(where), params)}
        rejected: dict[int, str] = {}
        live = _live_jobs(keys, jobs, rejected)
        instances = sorted({jobs[key][2] for key in live})
        revisions = _revisions(instances)
        ex = _Execution(now)
        ex.preload(instances)
        ex.preparing = True
        try:
            _run_completions(ex, live, jobs, wanted, rejected, now)
        except NeedsTransaction:
            return None
        return cls(keys, jobs, revisions, ex, rejected)

    def still_current(self) -> bool:
        where, params = rows.any_of(self.keys)
        jobs = {row[0]: row for row in rows.fetch_all(rows.LOAD_JOBS.format(where), params)}
        return jobs == self.jobs and _revisions(list(self.revisions)) == self.revisions


def _revisions(instance_keys: list[int]) -> dict[int, int]:
    if not instance_keys:
        return {}
    where, params = rows.any_of(instance_keys)
    return dict(rows.fetch_all(rows.LOAD_REVISIONS.format(where), params))  # type: ignore[arg-type]


def _live_jobs(
    keys: list[int], jobs: Mapping[int, tuple[Any, ...]], rejected: dict[int, str]
) -> list[int]:
    live = []
    for key in keys:
        if key not in jobs:
            rejected[key] = f"job {key} does not exist"
        elif jobs[key][1] not in Job.LIVE_STATES:
            rejected[key] = f"job {key} is {jobs[key][1].lower()}, it can't be changed"
        else:
            live.append(key)
    return live


def _run_completions(
    ex: _Execution,
    live: list[int],
    jobs: Mapping[int, tuple[Any, ...]],
    wanted: Mapping[int, dict[str, Any]],
    rejected: dict[int, str],
    now: Any,
) -> None:
    if not live:
        return
    # The jobs end before their commands run: a command that ends the instance cancels
    # the jobs still live, and these are done, not cancelled.
    live_where, live_params = rows.any_of(live)
    ended = [Job.State.COMPLETED.value, rows.db_time(now), *live_params]
    ex.writes.add(rows.END_JOBS.format(live_where), [ended])
    for key in live:
        _key, state, instance_key, element_instance_key = jobs[key]
        command = rt.CompleteJob(element_instance_key, wanted[key], job_key=key)
        try:
            ex.run((instance_key, command), flush=False)
        except CommandRejected as refused:
            # The command wrote nothing; only its job's end is undone.
            rejected[key] = str(refused)
            ex.writes.add(rows.REOPEN_JOB, [(state, key)])


def _complete_in_transaction(
    keys: list[int], wanted: Mapping[int, dict[str, Any]], rejected: dict[int, str], now: Any
) -> rows.Writes:
    """Run the completions' commands inside the transaction; returns their writes, not yet
    sent. The jobs and then their instances are read and locked."""
    where, params = rows.any_of(keys)
    # A batch of one query: on PostgreSQL the transaction's BEGIN travels with it.
    (found,) = rows.fetch_batch([(rows.LOAD_JOBS.format(where) + rows.lock_clause("j"), params)])
    jobs = {row[0]: row for row in found}
    live = _live_jobs(keys, jobs, rejected)
    ex = _Execution(now)
    ex.preload(jobs[key][2] for key in live)
    _run_completions(ex, live, jobs, wanted, rejected, now)
    return ex.writes


def fail_job(
    job_key: int,
    retries: int,
    message: str = "",
    *,
    backoff: timedelta | None = None,
    variables: Mapping[str, Any] | None = None,
) -> None:
    feel = _feel(variables)
    if retries < 0:
        raise CommandRejected("retries must not be negative")
    with transaction.atomic():
        job = _open_job(job_key)
        command = rt.FailJob(
            job.element_instance_key, retries, message, backoff, feel, job_key=job.key
        )
        execute((job.process_instance_id, command))
        if feel:
            # The next attempt sees what this one reported (Camunda: variables set on failure).
            snapshot = codec.from_json_text(job.variables)
            Job.objects.filter(key=job.key).update(
                variables=codec.to_json_text({**snapshot, **feel})
            )


def throw_error(
    job_key: int,
    error_code: str,
    message: str = "",
    variables: Mapping[str, Any] | None = None,
) -> None:
    feel = _feel(variables)
    with transaction.atomic():
        job = _open_job(job_key)
        command = rt.ThrowError(
            job.element_instance_key, error_code, message, feel, job_key=job.key
        )
        execute((job.process_instance_id, command))
        Job.objects.filter(key=job.key, state__in=Job.LIVE_STATES).update(
            state=Job.State.ERROR_THROWN, ended_at=clock.now(), error_message=message
        )


def update_job(
    job_key: int, *, retries: int | None = None, timeout: timedelta | None = None
) -> None:
    """Change a live job's retries, or extend its lease to end `timeout` from now (a worker
    with long work keeps the job from being handed to another worker)."""
    if retries is not None and retries < 1:
        raise CommandRejected("retries must be at least 1")
    with transaction.atomic():
        query = Job.objects.filter(key=job_key)
        if connection.features.has_select_for_update:
            query = query.select_for_update()
        job = query.first()
        if job is None:
            raise CommandRejected(f"job {job_key} does not exist")
        if job.state not in Job.LIVE_STATES:
            raise CommandRejected(f"job {job_key} is {job.state.lower()}, it can't be changed")
        if timeout is not None and job.state != Job.State.ACTIVATED:
            raise CommandRejected(f"job {job_key} is not activated: it has no lease")
        fields = []
        if retries is not None:
            job.retries = retries
            fields.append("retries")
        if timeout is not None:
            job.deadline = clock.now() + timeout
            fields.append("deadline")
        if fields:
            job.save(update_fields=fields)


# --- user tasks ---------------------------------------------------------------------------


def assign_user_task(
    task_key: int, assignee: str, *, expected: Sequence[str] | None = None
) -> None:
    """Set (or clear, with "") an open task's assignee. With `expected`, only while the current
    assignee is one of those: two officers claiming at once cannot both win."""
    query = UserTask.objects.filter(key=task_key, state=UserTask.State.CREATED)
    if expected is not None:
        query = query.filter(assignee__in=list(expected))
    if query.update(assignee=assignee) != 1:
        raise CommandRejected(f"user task {task_key} is not open or was assigned meanwhile")


def complete_user_task(
    task_key: int, variables: Mapping[str, Any] | None = None, *, user: str = ""
) -> None:
    feel = _feel(variables)
    with transaction.atomic():
        task = UserTask.objects.filter(key=task_key).first()
        if task is None:
            raise CommandRejected(f"user task {task_key} does not exist")
        if task.state != UserTask.State.CREATED:
            raise CommandRejected(f"user task {task_key} is {task.state.lower()}")
        execute((task.process_instance_id, rt.CompleteUserTask(task.element_instance_key, feel)))
        UserTask.objects.filter(key=task_key).update(
            state=UserTask.State.COMPLETED, completed_at=clock.now(), completed_by=user
        )


# --- messages, signals, timers ------------------------------------------------------------


@dataclass
class PublishedMessage:
    correlated_instances: list[int]
    started_instances: list[int]
    buffered: bool
    duplicate: bool = False


def publish_message(
    name: str,
    correlation_key: str = "",
    variables: Mapping[str, Any] | None = None,
    *,
    time_to_live: timedelta = timedelta(0),
    message_id: str = "",
) -> PublishedMessage:
    """Publish a message: it correlates to waiting instances and message start events now, and
    waits `time_to_live` for later ones. A message id already published (and not expired) is a
    duplicate and changes nothing."""
    if not name:
        raise CommandRejected("a message needs a name")
    feel = _feel(variables)
    now = clock.now()
    with rows.write_transaction():
        try:
            # A savepoint: a message id taken by a publication that committed meanwhile (the
            # unique constraint) undoes this one's correlations as well.
            with transaction.atomic():
                ex = _Execution(now)
                outcome = publish(
                    ex, name, correlation_key, feel, ttl=time_to_live, message_id=message_id
                )
                ex.run_queue()
        except IntegrityError:
            if not message_id:
                raise
            return PublishedMessage([], [], False, duplicate=True)
    if outcome.duplicate:
        return PublishedMessage([], [], False, duplicate=True)
    return PublishedMessage(outcome.correlated_instances, ex.outcome.started, outcome.buffered)


def correlate_message(
    name: str, correlation_key: str = "", variables: Mapping[str, Any] | None = None
) -> PublishedMessage:
    """Like publish with no time to live, but an error if no instance or start event took it."""
    result = publish_message(name, correlation_key, variables)
    if not result.correlated_instances and not result.started_instances:
        raise CommandRejected(
            f"no process instance waits for message '{name}' with correlation key "
            f"'{correlation_key}'"
        )
    return result


def broadcast_signal(name: str, variables: Mapping[str, Any] | None = None) -> int:
    feel = _feel(variables)
    with transaction.atomic():
        ex = _Execution(clock.now())
        reached = broadcast(ex, name, feel)
        ex.run_queue()
    return reached


def fire_due_timers(limit: int = 100) -> int:
    """Trigger timers that are due; returns how many fired. Safe with many workers: each timer
    row is taken by one transaction (SKIP LOCKED on PostgreSQL; SQLite serialises writers)."""
    fired = 0
    now = clock.now()
    # Most polls find nothing due. Looking costs a plain read; a write transaction (which on
    # SQLite queues behind every writer) is opened only when there is a timer to fire.
    if not Timer.objects.filter(due_at__lte=now).exists():
        return 0
    while fired < limit:
        with rows.write_transaction():
            query = Timer.objects.filter(due_at__lte=now).order_by("due_at", "id")
            if connection.features.has_select_for_update_skip_locked:
                query = query.select_for_update(skip_locked=True)
            timer = query.first()
            if timer is None:
                break
            _fire(timer, now)
        fired += 1
    return fired


def _fire(timer: Timer, now: Any) -> None:
    if timer.process_instance_id is not None:
        timer.delete()
        command = rt.TriggerTimer(timer.element_instance_key or 0, timer.element_id)
        execute((timer.process_instance_id, command), now=now)
        return
    definition = timer.definition
    if timer.repetitions != 1 and timer.interval_seconds:
        # A cycle on a start event: the next repetition is scheduled before this one starts.
        timer.due_at = timer.due_at + timedelta(seconds=timer.interval_seconds)
        timer.repetitions = timer.repetitions - 1 if timer.repetitions > 0 else -1
        timer.save(update_fields=["due_at", "repetitions"])
    else:
        timer.delete()
    if definition is not None:
        execute(Start(definition, {}, start_at=timer.element_id), now=now)


# --- incidents ----------------------------------------------------------------------------


def resolve_incident(incident_key: int, *, retries: int | None = None) -> None:
    with transaction.atomic():
        incident = Incident.objects.filter(key=incident_key).first()
        if incident is None:
            raise CommandRejected(f"incident {incident_key} does not exist")
        if incident.state != Incident.State.OPEN:
            raise CommandRejected(f"incident {incident_key} is already resolved")
        command = rt.ResolveIncident(incident.element_instance_key, retries)
        # The engine creates a fresh job for a failed one (with `retries`); the failed job row
        # stays as the record of what went wrong.
        execute((incident.process_instance_id, command))
