"""CPT JSON test cases run on Verka's engine: every instruction type against small models, and
failing expectations reported as FAIL with a message that says what was expected and found."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from verka.processes.cpt import main, run_test_file
from verka.processes.cpt.actions import add_duration, feel_literal, mock_child_process_bpmn
from verka.processes.cpt.cases import (
    InstructionError,
    TestFileError,
    check_instruction,
    load_test_file,
)
from verka.processes.cpt.lookup import same_json
from verka.processes.models import ProcessInstance

FIXTURES = Path(__file__).parent / "cpt"
ROOT = Path(__file__).parents[2]
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

PASSING = {
    "order.test.json": [
        "in stock: the order is shipped",
        "out of stock: the order is rejected",
        "mocked workers complete every job, the first with example data",
        "jobs completed with example data, or none where the element has none",
    ],
    "review.test.json": [
        "a clerk approves the application",
        "the task is completed with its example data",
        "variables updated while the task waits decide the outcome",
    ],
    "events.test.json": [
        "a payment message is correlated by order id",
        "a message published before the instance waits is buffered",
        "an expired message is not correlated",
        "the approval timer escalates after two days",
        "SET_TIME past the due date fires the timer",
        "a declined card goes to the error boundary",
        "a mocked worker throws the error for every job",
        "a broadcast signal releases the waiting instance",
    ],
    "decisions.test.json": [
        "a business rule task evaluates the discount",
        "a decision evaluated directly",
        "a mocked decision gives its output to the business rule task",
        "a mocked child process hands its variables to the call activity",
        "without the mock the call activity raises an incident",
        "an incident at the gateway is resolved after fixing the variable",
        "a runtime instruction ends the instance after an element",
        "an instance started at an element skips what comes before",
    ],
}

FAILURES = {
    "wrong process state": "instruction #2 ASSERT_PROCESS_INSTANCE: expected process instance of "
    "'order' to be completed but it is active (active elements: ['check'])",
    "wrong variable value": "instruction #2 ASSERT_VARIABLES: expected variables ['missing'] but "
    "they do not exist; expected variable 'amount' = 13 but it is 12.5; expected variable 'flag' "
    "= true but it does not exist (variables of process instance of 'order': ['amount'])",
    "true is not 1": "instruction #2 ASSERT_VARIABLES: expected variable 'flag' = true but it is 1 "
    "(variables of process instance of 'order': ['flag'])",
    "no such job": "instruction #2 COMPLETE_JOB: no job with jobType='ship' is waiting "
    "(waiting jobs: ['check-stock at check'])",
    "element count differs": "instruction #2 ASSERT_ELEMENT_INSTANCE: expected element 'check' to "
    "be completed 1 time(s) but it was 0 time(s) (element instances: check active, received "
    "completed)",
    "wrong completion order": "instruction #4 ASSERT_ELEMENT_INSTANCES: expected elements "
    "['ship', 'check'] to be completed in that order but 'check' was not completed after the ones "
    "before it (completion order: ['received', 'check', 'available', 'ship', 'shipped'])",
    "more elements active than expected": "instruction #2 ASSERT_ELEMENT_INSTANCES: expected "
    "exactly elements ['ship'] to be active but ['ship'] not active; also active: ['check']",
    "user task differs": "instruction #2 ASSERT_USER_TASK: user task 'Assess application': "
    'expected state "completed" but it is "created"; expected assignee "bo" but it is "anna"',
    "message not correlated": "instruction #2 ASSERT_PROCESS_INSTANCE_MESSAGE_SUBSCRIPTION: "
    "expected message 'PaymentReceived' to be correlated to process instance of 'payment' but it "
    "was not (it still waits for it)",
    "correlation without a waiting instance": "instruction #1 CORRELATE_MESSAGE: the engine "
    "rejected it: no process instance waits for message 'PaymentReceived' with correlation key "
    "'nobody'",
    "process not deployed": "instruction #1 CREATE_PROCESS_INSTANCE: no process 'nope' is deployed",
    "unknown instruction": "instruction #2 FLY_TO_THE_MOON: unknown instruction type "
    "'FLY_TO_THE_MOON'",
    "misspelt property": "instruction #1 CREATE_PROCESS_INSTANCE: unknown property 'varaibles' "
    "(expected processDefinitionSelector, runtimeInstructions, startInstructions, variables)",
    "unsupported instruction": "instruction #1 COMPLETE_JOB_USER_TASK_LISTENER: not supported by "
    "Verka: Verka has no user task listeners",
    "bad duration": "instruction #1 INCREASE_TIME: duration: expected an ISO 8601 duration such "
    "as PT1H or P2D, found '2 days'",
    "decision output differs": "instruction #2 ASSERT_DECISION: decision 'discount': expected "
    "output 10 but it was 20; expected no rule to match but rules [1] did",
    "a message id published twice": "instruction #2 PUBLISH_MESSAGE: a message 'PaymentReceived' "
    "with id 'm-1' was already published and has not expired",
    # Runs after cases that each created an order instance: proves every case is rolled back.
    "no instance of the process": "instruction #1 ASSERT_PROCESS_INSTANCE: no process instance "
    "of 'order' was created (no instance exists)",
}


# --- whole files against the test database ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("filename", sorted(PASSING))
def test_every_case_of_a_passing_file_passes(filename):
    results = run_test_file(FIXTURES / filename, FIXTURES, start=START)
    assert [(r.name, r.message) for r in results] == [(n, "") for n in PASSING[filename]]
    assert all(r.passed for r in results)
    assert {r.line() for r in results} == {f"PASS {n}" for n in PASSING[filename]}


@pytest.mark.django_db
def test_a_conditional_start_event_starts_when_its_condition_holds():
    results = run_test_file(FIXTURES / "conditional" / "alarm.test.json", FIXTURES / "conditional")
    assert [(r.name, r.message) for r in results] == [
        ("a conditional start event starts when its condition holds", "")
    ]


@pytest.mark.django_db
def test_failing_expectations_fail_with_what_was_expected_and_found():
    results = run_test_file(FIXTURES / "failing.test.json", FIXTURES, start=START)
    assert {r.name: r.message for r in results} == FAILURES
    assert not any(r.passed for r in results)
    assert results[0].line() == f"FAIL wrong process state: {FAILURES['wrong process state']}"


@pytest.mark.django_db
def test_cases_leave_no_rows_behind():
    run_test_file(FIXTURES / "order.test.json", FIXTURES, start=START)
    assert ProcessInstance.objects.count() == 0


@pytest.mark.django_db
def test_an_unreadable_file_is_one_failed_result(tmp_path):
    broken = tmp_path / "broken.test.json"
    broken.write_text('{"testCases": [}')
    results = run_test_file(broken, FIXTURES)
    assert [(r.name, r.passed) for r in results] == [("broken.test.json", False)]
    assert results[0].message == f"{broken}:1:16: not valid JSON: Expecting value"


@pytest.mark.django_db
def test_a_case_can_be_written_inline_and_a_changed_expectation_fails(tmp_path):
    def case(expected_state):
        return {
            "name": "signal",
            "instructions": [
                {
                    "type": "CREATE_PROCESS_INSTANCE",
                    "processDefinitionSelector": {"processDefinitionId": "office"},
                },
                {
                    "type": "ASSERT_PROCESS_INSTANCE",
                    "processInstanceSelector": {"processDefinitionId": "office"},
                    "state": expected_state,
                },
            ],
        }

    path = tmp_path / "inline.test.json"
    path.write_text(json.dumps({"testCases": [case("IS_ACTIVE"), case("IS_TERMINATED")]}))
    first, second = run_test_file(path, FIXTURES)
    assert first.passed
    assert second.message == (
        "instruction #2 ASSERT_PROCESS_INSTANCE: expected process instance of 'office' to be "
        "terminated but it is active (active elements: ['waitClosed'])"
    )


# --- the command --------------------------------------------------------------------------


def run_command(*args):
    code = "import sys; from verka.processes.cpt import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_command_prints_one_line_per_case_and_exits_1_when_any_failed():
    done = run_command(
        str(FIXTURES / "order.test.json"),
        str(FIXTURES / "failing.test.json"),
        "--resources",
        str(FIXTURES),
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stderr
    assert lines[0] == str(FIXTURES / "order.test.json")
    assert lines[1:5] == [f"PASS {name}" for name in PASSING["order.test.json"]]
    assert lines[5] == str(FIXTURES / "failing.test.json")
    assert lines[6] == f"FAIL wrong process state: {FAILURES['wrong process state']}"
    assert lines[-1] == f"4 passed, {len(FAILURES)} failed"


def test_the_command_exits_0_when_all_passed():
    done = run_command(str(FIXTURES / "review.test.json"), "--resources", str(FIXTURES))
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "3 passed, 0 failed")


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main([str(FIXTURES / "missing.test.json")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main([str(FIXTURES / "order.test.json"), "--resources", str(FIXTURES / "nope")]) == 2


# --- pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), "PT1H", datetime(2026, 1, 1, 1, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "P2D", datetime(2026, 1, 3, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "P1DT2H30M", datetime(2026, 1, 2, 2, 30, tzinfo=UTC)),
        (
            datetime(2026, 1, 1, tzinfo=UTC),
            "PT1.5S",
            datetime(2026, 1, 1, 0, 0, 1, 500000, tzinfo=UTC),
        ),
        (datetime(2026, 1, 1, tzinfo=UTC), "P1W", datetime(2026, 1, 8, tzinfo=UTC)),
        (datetime(2026, 1, 31, tzinfo=UTC), "P1M", datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), "P1Y2M", datetime(2028, 1, 15, tzinfo=UTC)),
    ],
)
def test_iso_durations_move_the_clock(start, duration, expected):
    assert add_duration(start, duration) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "1H", "PT1D", "P1H", "-PT1H"])
def test_malformed_durations_are_refused(text):
    with pytest.raises(InstructionError, match="expected an ISO 8601 duration"):
        add_duration(START, text)


@pytest.mark.parametrize(
    ("value", "feel"),
    [
        (None, "null"),
        (True, "true"),
        (Decimal("12.50"), "12.50"),
        (7, "7"),
        ('say "hi"\\', '"say \\"hi\\"\\\\"'),
        ([1, "a"], '[1, "a"]'),
        ({"a b": {"c": False}}, '{"a b": {"c": false}}'),
    ],
)
def test_json_values_become_feel_literals(value, feel):
    assert feel_literal(value) == feel


def test_a_mocked_child_process_sets_each_variable_in_a_script_task():
    xml = mock_child_process_bpmn("credit-check", {"score": 7, "name": 'A "B"'})
    root = etree.fromstring(xml)
    assert root.xpath("//*[local-name()='process']/@id") == ["credit-check"]
    scripts = root.xpath("//*[local-name()='script']")
    assert [(s.get("resultVariable"), s.get("expression")) for s in scripts] == [
        ("score", "=7"),
        ("name", '="A \\"B\\""'),
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        (1, Decimal("1.0"), True),
        (Decimal("0.1"), Decimal("0.10"), True),
        (True, 1, False),
        (1, True, False),
        ({"a": [1, {"b": None}]}, {"a": [Decimal(1), {"b": None}]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], [2, 1], False),
        ("1", 1, False),
    ],
)
def test_values_compare_as_json(expected, actual, same):
    assert same_json(expected, actual) is same


@pytest.mark.parametrize(
    ("instruction", "message"),
    [
        ([], "expected an object, found array"),
        ({}, 'needs a "type" string'),
        ({"type": "COMPLETE_JOB"}, "missing required property 'jobSelector'"),
        (
            {"type": "COMPLETE_JOB", "jobSelector": {}},
            "jobSelector: needs 'jobType' or 'elementId' or 'processDefinitionId'",
        ),
        (
            {"type": "COMPLETE_JOB", "jobSelector": {"jobKind": "x"}},
            "jobSelector: unknown property 'jobKind' (expected jobType, elementId, processDefinitionId)",
        ),
        (
            {"type": "COMPLETE_JOB", "jobSelector": {"jobType": 3}},
            "jobSelector.jobType: expected a string, found integer",
        ),
        (
            {
                "type": "ASSERT_PROCESS_INSTANCE",
                "processInstanceSelector": {"processDefinitionId": "p"},
                "state": "DONE",
            },
            "state: expected one of IS_ACTIVE, IS_COMPLETED, IS_CREATED, IS_TERMINATED, found 'DONE'",
        ),
        (
            {"type": "PUBLISH_MESSAGE", "name": "m", "timeToLive": "1s"},
            "timeToLive: expected integer, found string",
        ),
        (
            {
                "type": "ASSERT_ELEMENT_INSTANCES",
                "processInstanceSelector": {"processDefinitionId": "p"},
                "elementSelectors": [{"elementId": "a"}, {}],
                "state": "IS_ACTIVE",
            },
            "elementSelectors[1]: needs 'elementId' or 'elementName'",
        ),
    ],
)
def test_malformed_instructions_name_what_is_wrong(instruction, message):
    with pytest.raises(InstructionError) as error:
        check_instruction(instruction)
    assert str(error.value) == message


def test_a_well_formed_instruction_gives_its_type():
    instruction = {"type": "SET_TIME", "time": "2026-01-19T13:00:00Z"}
    assert check_instruction(instruction) == "SET_TIME"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", 'expected an object with a "testCases" array'),
        ('{"testCases": [1]}', "test case #1: expected an object"),
        ('{"testCases": [{"instructions": []}]}', 'test case #1: needs a "name" string'),
        ('{"testCases": [{"name": "n"}]}', 'test case #1 (n): needs an "instructions" array'),
    ],
)
def test_malformed_test_files_are_refused(tmp_path, content, message):
    path = tmp_path / "t.test.json"
    path.write_text(content)
    with pytest.raises(TestFileError) as error:
        load_test_file(path)
    assert str(error.value) == f"{path}: {message}"


def test_numbers_in_test_files_stay_exact(tmp_path):
    path = tmp_path / "t.test.json"
    path.write_text('{"testCases": [{"name": "n", "instructions": [{"amount": 0.1}]}]}')
    assert load_test_file(path)[0].instructions[0]["amount"] == Decimal("0.1")


@pytest.mark.django_db
def test_a_mocked_worker_that_keeps_the_model_looping_fails_the_case(tmp_path, monkeypatch):
    monkeypatch.setattr("verka.processes.cpt.session.MAX_SETTLE_ROUNDS", 5)
    path = tmp_path / "loop.test.json"
    instructions = [
        {"type": "MOCK_JOB_WORKER_COMPLETE_JOB", "jobType": "ask"},
        {
            "type": "CREATE_PROCESS_INSTANCE",
            "processDefinitionSelector": {"processDefinitionId": "poll"},
        },
    ]
    path.write_text(json.dumps({"testCases": [{"name": "loop", "instructions": instructions}]}))
    [result] = run_test_file(path, FIXTURES)
    assert result.message == (
        "instruction #2 CREATE_PROCESS_INSTANCE: the engine did not settle after 5 rounds of "
        "timers and mocked job workers (a loop in the model?)"
    )


@pytest.mark.django_db
def test_a_misspelt_element_id_is_named(tmp_path):
    path = tmp_path / "typo.test.json"
    instructions = [
        {
            "type": "CREATE_PROCESS_INSTANCE",
            "processDefinitionSelector": {"processDefinitionId": "poll"},
        },
        {
            "type": "ASSERT_ELEMENT_INSTANCES",
            "processInstanceSelector": {"processDefinitionId": "poll"},
            "elementSelectors": [{"elementId": "ask"}, {"elementId": "aks"}],
            "state": "IS_NOT_ACTIVATED",
        },
    ]
    path.write_text(json.dumps({"testCases": [{"name": "typo", "instructions": instructions}]}))
    [result] = run_test_file(path, FIXTURES)
    assert result.message == (
        "instruction #2 ASSERT_ELEMENT_INSTANCES: process 'poll' has no element 'aks'"
    )


@pytest.mark.django_db
def test_a_missing_instance_names_the_processes_that_were_started(tmp_path):
    path = tmp_path / "other.test.json"
    instructions = [
        {
            "type": "CREATE_PROCESS_INSTANCE",
            "processDefinitionSelector": {"processDefinitionId": "office"},
        },
        {
            "type": "ASSERT_PROCESS_INSTANCE",
            "processInstanceSelector": {"processDefinitionId": "order"},
            "state": "IS_ACTIVE",
        },
    ]
    path.write_text(json.dumps({"testCases": [{"name": "other", "instructions": instructions}]}))
    [result] = run_test_file(path, FIXTURES)
    assert result.message == (
        "instruction #2 ASSERT_PROCESS_INSTANCE: no process instance of 'order' was created "
        "(only instances of ['office'] exist)"
    )
