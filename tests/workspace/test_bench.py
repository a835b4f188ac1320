"""The inbox benchmark runs with a small backlog, reports its timings and keeps nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from verka.processes.models import (
    Deployment,
    ProcessInstance,
    Resource,
    UserTask,
    UserTaskCandidate,
)
from verka.workspace.bench import bench_inbox

pytestmark = pytest.mark.django_db


def test_bench_inbox_times_the_first_page_and_leaves_no_rows():
    result = bench_inbox(300)

    assert result["n_tasks"] == 300
    assert result["first_page_rows"] == 25  # 30 tasks in the officer's group, a page of 25
    for name in ("first_page", "created_sort", "unassigned", "priority_sort", "search"):
        assert 0 < result[f"{name}_ms"] < 5000
    assert not UserTask.objects.exists()
    assert not UserTaskCandidate.objects.exists()
    assert not ProcessInstance.objects.exists()
    assert not Deployment.objects.exists() and not Resource.objects.exists()
    assert not Group.objects.filter(name__startswith="bench-").exists()
