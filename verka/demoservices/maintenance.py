"""A stand-in for the maintenance contractor's system, so that the demo's fault report runs its
whole course offline: it takes reports over HTTP (as the real system would, from the
`verka-http` connector) and reports back by message: in progress after a minute, fixed after
three. Enabled only when VERKA_DEMO_SERVICES is true (`verka demo` sets it)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from verka.conf import inputs

from .models import DemoFault

STEPS = [("inProgress", timedelta(minutes=1)), ("fixed", timedelta(minutes=3))]


@inputs.answers_json
@csrf_exempt  # a machine-to-machine endpoint; there is no browser session to protect
@require_POST
def receive_fault(request: HttpRequest) -> JsonResponse:
    if not settings.VERKA_DEMO_SERVICES:
        raise Http404
    try:
        body = inputs.json_body(request)
        fault_id = str(body["faultId"])[:64]
    except (inputs.BadInput, KeyError, TypeError):
        return JsonResponse({"error": "a JSON body with faultId is required"}, status=400)
    try:
        with transaction.atomic():
            DemoFault.objects.create(fault_id=fault_id, received_at=timezone.now(), payload=body)
    except IntegrityError:
        pass  # the same fault again (a retried job): one ticket
    return JsonResponse({"ticket": f"DRIFT-{fault_id}", "status": "received"}, status=201)


def advance_faults(worker_name: str) -> int:
    """Worker source: send the next status of every fault whose time has come."""
    from verka.processes import services

    now = timezone.now()
    moved = 0
    for fault in DemoFault.objects.exclude(status="fixed")[:50]:
        order = [name for name, _ in STEPS]
        position = order.index(fault.status) + 1 if fault.status in order else 0
        name, after = STEPS[position]
        if now - fault.received_at < after:
            continue
        with transaction.atomic():
            services.publish_message(
                "fault-status",
                fault.fault_id,
                {"faultStatus": name},
                time_to_live=timedelta(hours=1),
                message_id=f"demo-{fault.fault_id}-{name}",
            )
            fault.status = name
            fault.save(update_fields=["status"])
        moved += 1
    return moved


urlpatterns = [path("api/v1/faults", receive_fault, name="demo-maintenance-faults")]
