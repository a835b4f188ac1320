"""The demo's stand-in maintenance system takes a report and reports back by message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from verka.demoservices.maintenance import advance_faults
from verka.demoservices.models import DemoFault
from verka.processes.models import Message

pytestmark = pytest.mark.django_db


def test_closed_unless_the_demo_runs(client):
    response = client.post(
        "/demo-drift/api/v1/faults", data={"faultId": "F1"}, content_type="application/json"
    )
    assert response.status_code == 404


@override_settings(VERKA_DEMO_SERVICES=True)
def test_a_report_is_taken_once_and_its_status_follows(client):
    for _ in range(2):  # a retried job sends the same report again
        response = client.post(
            "/demo-drift/api/v1/faults", data={"faultId": "F1"}, content_type="application/json"
        )
        assert response.status_code == 201
    assert DemoFault.objects.count() == 1
    assert advance_faults("w") == 0  # too early

    DemoFault.objects.update(received_at=timezone.now() - timedelta(minutes=2))
    assert advance_faults("w") == 1
    DemoFault.objects.update(received_at=timezone.now() - timedelta(minutes=4))
    assert advance_faults("w") == 1
    assert advance_faults("w") == 0
    assert list(Message.objects.order_by("id").values_list("correlation_key", "variables")) == [
        ("F1", '{"faultStatus":"inProgress"}'),
        ("F1", '{"faultStatus":"fixed"}'),
    ]


@override_settings(VERKA_DEMO_SERVICES=True)
def test_a_report_without_fault_id_is_refused(client):
    response = client.post(
        "/demo-drift/api/v1/faults", data={"x": 1}, content_type="application/json"
    )
    assert response.status_code == 400
