"""/messages and /signals: publish or correlate a message, broadcast a signal."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Status

from verka.access import log
from verka.access import messages as access
from verka.engine.feel.temporal_types import DaysTimeDuration, parse_duration
from verka.processes import services
from verka.workspace.services import VARIABLE_CHANGED

from .. import idempotency
from ..auth import needs, owner_of, via
from ..models import Scope
from ..problems import FieldError, forbidden, invalid, not_found
from .common import Input, Name, Output, Variables, check_variables
from .respond import json_response

router = Router(tags=["messages and signals"])

NANOS_PER_MICRO = 1000


def max_time_to_live() -> timedelta:
    return timedelta(days=getattr(settings, "VERKA_API_MAX_MESSAGE_TTL_DAYS", 365))


class PublishMessage(Input):
    name: Name
    correlationKey: str = Field("", max_length=255, pattern=r"^[^\x00]*$")
    variables: Variables | None = None
    timeToLive: str = Field(
        "PT0S",
        max_length=40,
        description="ISO 8601 duration the message waits for a subscriber, e.g. PT1H",
    )
    messageId: str = Field(
        "", max_length=255, pattern=r"^[^\x00]*$", description="a repeat id is ignored"
    )


class CorrelateMessage(Input):
    name: Name
    correlationKey: str = Field("", max_length=255, pattern=r"^[^\x00]*$")
    variables: Variables | None = None


class MessageOut(Output):
    correlatedProcessInstanceKeys: list[str]
    startedProcessInstanceKeys: list[str]
    buffered: bool
    duplicate: bool


class BroadcastSignal(Input):
    signalName: Name
    variables: Variables | None = None


class SignalOut(Output):
    subscriptionsReached: int


def time_to_live(text: str) -> timedelta:
    duration = parse_duration(text)
    if not isinstance(duration, DaysTimeDuration) or duration.nanoseconds < 0:
        raise invalid(
            [
                FieldError(
                    "timeToLive",
                    "invalid_duration",
                    "a non-negative ISO 8601 days-and-time duration, e.g. PT10M or P7D",
                )
            ]
        )
    limit = max_time_to_live()
    if duration.nanoseconds > limit // timedelta(microseconds=1) * NANOS_PER_MICRO:
        raise invalid([FieldError("timeToLive", "out_of_range", f"at most {limit.days} days")])
    return timedelta(microseconds=duration.nanoseconds // NANOS_PER_MICRO)


def _may_publish_or_403(request: HttpRequest, name: str) -> None:
    if not access.may_publish(owner_of(request), name):
        raise forbidden(f"the token's owner is not granted the message '{name}'")


def _log_changes(
    request: HttpRequest, variables: dict[str, Any], result: services.PublishedMessage
) -> None:
    """A message's variables change the data of every instance it reached."""
    if variables:
        what = log.entry(VARIABLE_CHANGED, ", ".join(sorted(variables))[:150], via(request))
        reached = [*result.correlated_instances, *result.started_instances]
        log.record_instances(owner_of(request), log.CHANGE, what, reached)


def _render(result: services.PublishedMessage) -> MessageOut:
    return MessageOut(
        correlatedProcessInstanceKeys=[str(key) for key in result.correlated_instances],
        startedProcessInstanceKeys=[str(key) for key in result.started_instances],
        buffered=result.buffered,
        duplicate=result.duplicate,
    )


@router.post(
    "/messages/publication",
    auth=needs(Scope.MESSAGES),
    response={200: MessageOut},
    summary="Publish a message",
    description="Correlates to every instance waiting for `name` with `correlationKey` and to "
    "message start events, then waits `timeToLive` for later subscribers. A `messageId` seen "
    "before (and not expired) is a duplicate and changes nothing. 403 unless the token's owner "
    "is granted the message name. Scope: messages. Accepts "
    "`Idempotency-Key`.",
)
def publish(request: HttpRequest, payload: PublishMessage) -> HttpResponse:
    _may_publish_or_403(request, payload.name)
    variables = check_variables(payload.variables)
    ttl = time_to_live(payload.timeToLive)
    material = json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()

    def work() -> HttpResponse:
        result = services.publish_message(
            payload.name,
            payload.correlationKey,
            variables,
            time_to_live=ttl,
            message_id=payload.messageId,
        )
        _log_changes(request, variables, result)
        return json_response(200, _render(result))

    return idempotency.run(request, material, work)


@router.post(
    "/messages/correlation",
    auth=needs(Scope.MESSAGES),
    response={200: MessageOut},
    summary="Correlate a message now",
    description="Like publication without time to live, but 404 when no instance or start "
    "event takes the message. Scope: messages.",
)
def correlate(request: HttpRequest, payload: CorrelateMessage) -> Any:
    _may_publish_or_403(request, payload.name)
    variables = check_variables(payload.variables)
    try:
        result = services.correlate_message(payload.name, payload.correlationKey, variables)
    except services.CommandRejected as rejected:
        raise not_found(str(rejected)) from None
    _log_changes(request, variables, result)
    return Status(200, _render(result))


@router.post(
    "/signals/broadcast",
    auth=needs(Scope.MESSAGES),
    response={200: SignalOut},
    summary="Broadcast a signal",
    description="Triggers every signal catch and start event named `signalName`. Scope: "
    "messages. Accepts `Idempotency-Key`.",
)
def broadcast(request: HttpRequest, payload: BroadcastSignal) -> HttpResponse:
    if not access.may_broadcast(owner_of(request), payload.signalName):
        raise forbidden(f"the token's owner is not granted the signal '{payload.signalName}'")
    variables = check_variables(payload.variables)
    material = json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()

    def work() -> HttpResponse:
        reached = services.broadcast_signal(payload.signalName, variables)
        return json_response(200, SignalOut(subscriptionsReached=reached))

    return idempotency.run(request, material, work)
