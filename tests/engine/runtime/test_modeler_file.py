"""A model as Camunda Modeler saves it runs end to end (DI, lanes, annotations ignored)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from verka.engine.bpmn import parse_bpmn
from verka.engine.runtime import results as r

from .scenario import D, Run

FILE = Path(__file__).parent.parent / "bpmn" / "files" / "preschool.bpmn"


class Fees:
    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> Any:
        return D(1200) if variables.get("children") == D(1) else D(800)


def test_preschool_application_runs_from_modeler_file() -> None:
    definitions = parse_bpmn(FILE.read_bytes(), FILE.name)
    assert definitions.warnings == ()
    process = definitions.processes["preschool-application"]
    run = Run(process, decisions=Fees())
    run.start(children=1)
    assert run.variables()["fee"] == D(1200)
    [task] = run.of(r.CreateUserTask)
    assert (task.form_id, task.candidate_groups) == ("review-form", ("preschool-officers",))
    run.complete_task("Activity_Review", approved=True)
    job = run.job("Activity_Notify")
    assert (job.type, job.custom_headers) == ("send-email", {"template": "placement-offer"})
    run.complete("Activity_Notify")
    assert run.completed_ids()[-2:] == ["End_Placed", "preschool-application"]
    assert run.status == "COMPLETED"
