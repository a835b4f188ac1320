"""Ad-hoc subprocesses: activation by collection, by a job worker (AI agent) or by command."""

from __future__ import annotations

from verka.engine.runtime import ActivateAdHocElements, CompleteJob
from verka.engine.runtime import results as r

from .scenario import Run, flows, model, service


def ad_hoc(attributes: str = "", extensions: str = "", completion: str = "") -> str:
    condition = (
        f"<bpmn:completionCondition>{completion}</bpmn:completionCondition>" if completion else ""
    )
    return (
        '<bpmn:startEvent id="s"/>'
        f'<bpmn:adHocSubProcess id="tools"{attributes}>'
        f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>"
        + service("lookup")
        + service("notify")
        + service("archive")
        + service("after_archive")
        + flows("archive>after_archive")
        + condition
        + "</bpmn:adHocSubProcess>"
        '<bpmn:endEvent id="e"/>' + flows("s>tools", "tools>e")
    )


def test_active_elements_collection_starts_the_named_elements() -> None:
    run = Run(model(ad_hoc(extensions='<zeebe:adHoc activeElementsCollection="=todo"/>')))
    run.start(todo=["lookup", "archive"])
    assert run.active_ids() == ["archive", "lookup"]
    run.complete("lookup")
    run.complete("archive")
    assert run.active_ids() == ["after_archive"]
    run.complete("after_archive")
    assert run.status == "COMPLETED"


def test_empty_collection_completes_at_once() -> None:
    run = Run(model(ad_hoc(extensions='<zeebe:adHoc activeElementsCollection="=[]"/>')))
    run.start()
    assert run.status == "COMPLETED"


def test_unknown_element_in_collection_is_an_incident() -> None:
    run = Run(
        model(ad_hoc(extensions='<zeebe:adHoc activeElementsCollection="=[&quot;x&quot;]"/>'))
    )
    run.start()
    [incident] = run.incidents()
    assert incident.element_id == "tools"
    assert "'x' is not an element the ad-hoc subprocess 'tools' can activate" in incident.message


def test_completion_condition_cancels_remaining_elements() -> None:
    body = ad_hoc(
        extensions='<zeebe:adHoc activeElementsCollection="=[&quot;lookup&quot;, &quot;notify&quot;]"/>',
        completion="=found = true",
    )
    run = Run(model(body))
    run.start()
    notify_job = run.job("notify")
    result = run.complete("lookup", found=True)
    assert r.CancelJob(notify_job.key, notify_job.element_instance_key) in result.effects
    assert run.status == "COMPLETED"


def test_job_worker_decides_what_runs_until_it_says_done() -> None:
    body = ad_hoc(extensions='<zeebe:taskDefinition type="ai-agent"/>')
    run = Run(model(body))
    run.start(question="Which preschool?")
    agent = run.job("tools")
    assert agent.type == "ai-agent"
    run.do(CompleteJob(agent.element_instance_key, {"plan": "lookup"}, agent.key, ("lookup",)))
    assert run.active_ids() == ["lookup"]
    run.complete("lookup", answer="Solrosen")
    # the worker is asked again once what it started has finished
    again = run.job("tools")
    assert again.key != agent.key and again.variables["answer"] == "Solrosen"
    run.do(CompleteJob(again.element_instance_key, {}, again.key, (), True))
    assert run.status == "COMPLETED"


def test_activation_command() -> None:
    body = ad_hoc(extensions='<zeebe:adHoc activeElementsCollection="=[&quot;lookup&quot;]"/>')
    run = Run(model(body))
    run.start()
    tools = run.one("tools")
    run.do(ActivateAdHocElements(tools.key, ("notify",)))
    assert run.active_ids() == ["lookup", "notify"]
    assert run.do(ActivateAdHocElements(run.one("lookup").key, ("notify",))).rejection == (
        f"element instance {run.one('lookup').key} is not an active ad-hoc subprocess"
    )


def test_agent_activations_carry_variables_and_results_are_collected() -> None:
    from verka.engine.runtime import AdHocActivation

    from .scenario import D

    body = ad_hoc(
        extensions='<zeebe:taskDefinition type="ai-agent"/>'
        '<zeebe:adHoc outputCollection="results" '
        'outputElement="={id: toolCall.id, content: toolResult}"/>'
    )
    run = Run(model(body))
    run.start()
    agent = run.job("tools")
    calls = (
        AdHocActivation("lookup", {"toolCall": {"id": 1}}),
        AdHocActivation("notify", {"toolCall": {"id": 2}}),
    )
    run.do(CompleteJob(agent.element_instance_key, {}, agent.key, calls))
    assert run.job("lookup").variables["toolCall"] == {"id": D(1)}
    run.complete("lookup", toolResult="found")
    run.complete("notify", toolResult="sent")
    jobs = [j for j in run.open_jobs() if j.element_id == "tools"]
    assert jobs[-1].variables["results"] == [
        {"id": D(1), "content": "found"},
        {"id": D(2), "content": "sent"},
    ]
