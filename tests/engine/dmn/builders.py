"""Small DMN XML builders for the DMN engine tests."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from verka.engine.dmn import DecisionModel, load_models

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def definitions(
    body: str, *, namespace: str = "urn:test", name: str = "test", ns: str = DMN13
) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{ns}" id="defs" name="{name}" '
        f'namespace="{namespace}">\n{body}\n</definitions>\n'
    ).encode()


def model(body: str, **kwargs: str) -> DecisionModel:
    return load_models(definitions(body, **kwargs))


def input_data(name: str, type_ref: str | None = None) -> str:
    typed = f' typeRef="{escape(type_ref, {chr(34): "&quot;"})}"' if type_ref else ""
    return (
        f'<inputData id="in_{_id(name)}" name="{name}"><variable name="{name}"{typed}/></inputData>'
    )


def requires(*inputs: str, decisions: Sequence[str] = (), knowledge: Sequence[str] = ()) -> str:
    parts = [
        f'<informationRequirement><requiredInput href="#in_{_id(n)}"/></informationRequirement>'
        for n in inputs
    ]
    parts += [
        f'<informationRequirement><requiredDecision href="#d_{_id(n)}"/></informationRequirement>'
        for n in decisions
    ]
    parts += [
        f'<knowledgeRequirement><requiredKnowledge href="#k_{_id(n)}"/></knowledgeRequirement>'
        for n in knowledge
    ]
    return "".join(parts)


def decision(name: str, expression: str, *, needs: str = "", type_ref: str | None = None) -> str:
    typed = f' typeRef="{type_ref}"' if type_ref else ""
    return (
        f'<decision id="d_{_id(name)}" name="{name}"><variable name="{name}"{typed}/>'
        f"{needs}{expression}</decision>"
    )


def literal(text: str, type_ref: str | None = None) -> str:
    typed = f' typeRef="{type_ref}"' if type_ref else ""
    return f"<literalExpression{typed}><text>{escape(text)}</text></literalExpression>"


def table(
    hit_policy: str,
    inputs: Sequence[str],
    outputs: Sequence[str],
    rules: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    aggregation: str | None = None,
    output_values: Sequence[str | None] = (),
    defaults: Sequence[str | None] = (),
    input_values: Sequence[str | None] = (),
) -> str:
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    xml = [f'<decisionTable id="dt" hitPolicy="{hit_policy}"{agg}>']
    for index, name in enumerate(inputs):
        values = input_values[index] if index < len(input_values) else None
        allowed = f"<inputValues><text>{escape(values)}</text></inputValues>" if values else ""
        xml.append(
            f'<input id="i{index}" label="{name}"><inputExpression><text>{escape(name)}</text>'
            f"</inputExpression>{allowed}</input>"
        )
    for index, name in enumerate(outputs):
        values = output_values[index] if index < len(output_values) else None
        default = defaults[index] if index < len(defaults) else None
        inner = f"<outputValues><text>{escape(values)}</text></outputValues>" if values else ""
        if default:
            inner += f"<defaultOutputEntry><text>{escape(default)}</text></defaultOutputEntry>"
        named = f' name="{name}"' if len(outputs) > 1 else ""
        xml.append(f'<output id="o{index}"{named}>{inner}</output>')
    for number, (entries, results) in enumerate(rules, start=1):
        cells = "".join(f"<inputEntry><text>{escape(e)}</text></inputEntry>" for e in entries)
        cells += "".join(f"<outputEntry><text>{escape(r)}</text></outputEntry>" for r in results)
        xml.append(f'<rule id="rule{number}">{cells}</rule>')
    xml.append("</decisionTable>")
    return "".join(xml)


def _id(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)
