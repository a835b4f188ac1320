"""The same models on SpiffWorkflow, the Python BPMN engine: in memory, and saved to SQLite after
every step as an application that must not lose work has to. Optional: `pip install verka[bench]`."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from lxml import etree

from . import models


def available() -> bool:
    try:
        import SpiffWorkflow  # noqa: F401
    except ImportError:
        return False
    return True


def _spec(xml: str, process_id: str) -> Any:
    from SpiffWorkflow.bpmn.parser import BpmnParser

    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(models.for_spiff(xml).encode()), filename="bench.bpmn")
    return parser.get_spec(process_id)


class _Store:
    """One row per workflow, rewritten and committed after every step."""

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

        self.folder = tempfile.TemporaryDirectory()
        self.db = sqlite3.connect(Path(self.folder.name) / "spiff.sqlite3")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE workflow (id INTEGER PRIMARY KEY, state TEXT)")
        self.serializer = BpmnWorkflowSerializer()

    def save(self, key: int, workflow: Any) -> None:
        state = self.serializer.serialize_json(workflow)
        self.db.execute("INSERT OR REPLACE INTO workflow (id, state) VALUES (?, ?)", (key, state))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


def _run(spec: Any, store: _Store | None, key: int) -> None:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    workflow = BpmnWorkflow(spec)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data["amount"] = 150
    workflow.do_engine_steps()
    if store:
        store.save(key, workflow)
    while not workflow.is_completed():
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            raise RuntimeError("SpiffWorkflow stopped without a ready task")
        for task in ready:
            task.data["handled"] = True
            task.run()
            workflow.do_engine_steps()
            if store:
                store.save(key, workflow)


def bench(xml: str, process_id: str, instances: int, *, saved: bool) -> float:
    spec = _spec(xml, process_id)
    store = _Store() if saved else None
    try:
        began = time.perf_counter()
        for key in range(instances):
            _run(spec, store, key)
        return instances / (time.perf_counter() - began)
    finally:
        if store:
            store.close()


def run(instances: int) -> dict[str, Any]:
    if not available():
        return {"available": False}
    return {
        "available": True,
        "one_task_memory": bench(models.ONE_TASK, "bench-one-task", instances, saved=False),
        "one_task_saved": bench(models.ONE_TASK, "bench-one-task", instances, saved=True),
        "parallel_memory": bench(models.PARALLEL, "bench-parallel", instances, saved=False),
        "parallel_saved": bench(models.PARALLEL, "bench-parallel", instances, saved=True),
    }
