"""Trying a model (studio, CPT) deploys test versions. They must never reach citizens or live
cases: live starts, business rule tasks, forms and start events keep using live versions."""

from __future__ import annotations

import pytest

from verka.processes import codec, repository, services
from verka.processes.models import MessageSubscription, ProcessInstance, Variable

from . import models as m

pytestmark = pytest.mark.django_db


def decision(answer: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
        'namespace="verka-test"><decision id="grade" name="Grade">'
        f'<literalExpression><text>"{answer}"</text></literalExpression></decision></definitions>'
    ).encode()


RULE_TASK = m.bpmn(
    '<bpmn:startEvent id="start"/>'
    '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
    '<zeebe:calledDecision decisionId="grade" resultVariable="grade"/>'
    "</bpmn:extensionElements></bpmn:businessRuleTask>"
    '<bpmn:endEvent id="end"/>' + m.flow("f1", "start", "decide") + m.flow("f2", "decide", "end"),
    process_id="graded",
)


def form(label: str) -> bytes:
    return (
        '{"id": "review-form", "type": "default", "components": '
        f'[{{"type": "textfield", "key": "note", "label": "{label}"}}]}}'
    ).encode()


def grade_of(instance: ProcessInstance) -> str:
    row = Variable.objects.get(process_instance_id=instance.key, name="grade")
    return str(codec.from_json_text(row.value))


def test_a_test_deployment_never_becomes_the_live_version():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    changed = m.ONE_TASK.replace(b'id="low"', b'id="small"').replace(b'"low"', b'"small"')
    tried = services.deploy([("one.bpmn", changed)], is_test=True)
    assert tried.resources[0].ids == [("one-task", 2)]

    live = services.start_instance("one-task", {"amount": 5})
    test = services.start_instance("one-task", {"amount": 5}, test=True)

    assert (live.definition.version, live.is_test) == (1, False)
    assert (test.definition.version, test.is_test) == (2, True)


def test_publishing_what_was_tried_makes_a_live_version_and_trying_it_again_keeps_its_own():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    changed = m.ONE_TASK.replace(b'id="low"', b'id="small"').replace(b'"low"', b'"small"')
    assert services.deploy([("one.bpmn", changed)], is_test=True).resources[0].ids[0][1] == 2
    assert services.deploy([("one.bpmn", changed)], is_test=True).resources[0].ids[0][1] == 2
    # The same content, now published: a live version of its own, the next in the sequence.
    assert services.deploy([("one.bpmn", changed)]).resources[0].ids[0][1] == 3
    assert repository.latest_process("one-task").version == 3
    assert repository.latest_process("one-task", test=True).version == 2


def test_a_test_start_needs_a_test_version():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    with pytest.raises(
        repository.DeploymentMissing, match="process 'one-task' has no test version"
    ):
        services.start_instance("one-task", {}, test=True)
    assert not ProcessInstance.objects.exists()


def test_business_rule_tasks_call_the_live_decision_in_live_cases_and_the_test_one_in_tests():
    services.deploy([("graded.bpmn", RULE_TASK), ("grade.dmn", decision("live"))])
    services.deploy([("graded.bpmn", RULE_TASK), ("grade.dmn", decision("tried"))], is_test=True)

    live = services.start_instance("graded", {})
    test = services.start_instance("graded", {}, test=True)

    assert grade_of(live) == "live"
    assert grade_of(test) == "tried"


def test_a_test_instance_falls_back_to_the_live_decision_when_none_was_tried():
    services.deploy([("grade.dmn", decision("live"))])
    services.deploy([("graded.bpmn", RULE_TASK)], is_test=True)
    assert grade_of(services.start_instance("graded", {}, test=True)) == "live"


def test_forms_resolve_to_the_live_version_unless_asked_for_a_test():
    services.deploy([("review.form", form("Live"))])
    services.deploy([("review.form", form("Tried"))], is_test=True)
    assert "Live" in repository.latest_form("review-form").resource.content
    assert "Tried" in repository.latest_form("review-form", test=True).resource.content


def test_a_test_version_does_not_take_over_the_live_message_start_event():
    services.deploy([("fault.bpmn", m.MESSAGE_START)])
    changed = m.MESSAGE_START.replace(b'id="end"', b'id="done"').replace(b'"end"', b'"done"')
    services.deploy([("fault.bpmn", changed)], is_test=True)

    subscription = MessageSubscription.objects.get(message_name="fault-reported")
    assert (subscription.definition.version, subscription.definition.is_test) == (1, False)
    started = services.publish_message("fault-reported", "lamp-1", {})
    instance = ProcessInstance.objects.get(key=started.started_instances[0])
    assert (instance.definition.version, instance.is_test) == (1, False)


def test_a_test_instance_calls_the_test_version_of_its_child_process():
    services.deploy([("one.bpmn", m.ONE_TASK), ("caller.bpmn", m.CALLER)])
    changed = m.ONE_TASK.replace(b'id="low"', b'id="small"').replace(b'"low"', b'"small"')
    services.deploy([("one.bpmn", changed), ("caller.bpmn", m.CALLER)], is_test=True)

    live = services.start_instance("caller", {"amount": 1})
    test = services.start_instance("caller", {"amount": 1}, test=True)

    def child_of(parent: ProcessInstance) -> ProcessInstance:
        return ProcessInstance.objects.get(parent_instance_key=parent.key)

    assert (child_of(live).definition.is_test, child_of(test).definition.is_test) == (False, True)
    assert child_of(test).is_test


def test_a_child_of_a_test_instance_is_a_test_instance_even_on_a_live_version():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    services.deploy([("caller.bpmn", m.CALLER)], is_test=True)

    test = services.start_instance("caller", {"amount": 1}, test=True)

    child = ProcessInstance.objects.get(parent_instance_key=test.key)
    assert (child.definition.is_test, child.is_test) == (False, True)
