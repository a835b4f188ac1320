"""Regular expressions in a project's models that can backtrack catastrophically.

A pattern such as `^([A-Za-zÅÄÖåäö]+\\s?)*$` looks harmless and matches ordinary names at once,
but some inputs make a backtracking engine try exponentially many ways before it gives up.
Verka stops such a match at its time limit (the FEEL expression then fails, the field gets an
error), so the model still misbehaves for those inputs: the warning says so before publishing.
Looked at: the literal patterns given to FEEL's matches(), replace() and split() anywhere in
BPMN and DMN files and in form expressions, and every form field's `validate.pattern`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from lxml import etree

from verka.engine.checks.findings import Finding, Text, finding
from verka.engine.feel import FeelError, ast, parse_expression, parse_unary_tests
from verka.engine.feel.builtins.core import BuiltinError
from verka.engine.feel.builtins.regex import translate_pattern
from verka.engine.forms.jsregex import JsRegexError, translate
from verka.engine.regex_shape import NESTED, backtracking_risk

RULE = "verka/regex-backtracking"

_ADVICE = (
    "; some inputs make it take exponential time, and it is then stopped at the time limit."
    " Rewrite it so that no repeated part can match the same text in two ways, for example"
    " ^[a-z]+( [a-z]+)*$ instead of ^([a-z]+ ?)*$"
)
# Every message this check reports, by key; the Studio has a Swedish text under each key
# (verka.studio.labels.FINDING_TEXTS_SV).
MESSAGES: dict[str, str] = {
    "regex-backtracking/feel-nested": "The regular expression '{pattern}' given to {function}()"
    " can backtrack catastrophically: a repeated part inside another repeat can also match"
    " what follows it" + _ADVICE,
    "regex-backtracking/feel-alternatives": "The regular expression '{pattern}' given to"
    " {function}() can backtrack catastrophically: it repeats alternatives that can match the"
    " same text" + _ADVICE,
    "regex-backtracking/field-nested": "The pattern '{pattern}' of field '{field}' can"
    " backtrack catastrophically: a repeated part inside another repeat can also match what"
    " follows it" + _ADVICE,
    "regex-backtracking/field-alternatives": "The pattern '{pattern}' of field '{field}' can"
    " backtrack catastrophically: it repeats alternatives that can match the same text" + _ADVICE,
}

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
# The position of the pattern and of the flags in each function's positional arguments, and
# the names of the pattern and flags parameters for named arguments.
_FUNCTIONS = {
    "matches": (1, 2, "pattern"),
    "replace": (1, 3, "pattern"),
    "split": (1, None, "delimiter"),
}


def _text(kind: str, reason: str, **values: str) -> Text:
    key = f"regex-backtracking/{kind}-{'nested' if reason == NESTED else 'alternatives'}"
    return Text.of(key, MESSAGES[key], values)


def _literal(node: ast.Node | None) -> str | None:
    if isinstance(node, ast.Literal) and isinstance(node.value, str):
        return node.value
    return None


def _calls(node: Any) -> Iterator[tuple[str, str, str]]:
    """(function, pattern, flags) of every regex call with a literal pattern in a FEEL tree."""
    if isinstance(node, ast.Invocation) and isinstance(node.function, ast.Name):
        spec = _FUNCTIONS.get(node.function.name)
        if spec is not None:
            pattern_at, flags_at, pattern_name = spec
            if node.positional is not None:
                args = node.positional
                pattern = _literal(args[pattern_at]) if len(args) > pattern_at else None
                flags = _literal(args[flags_at]) if flags_at and len(args) > flags_at else ""
            else:
                named = dict(node.named or ())
                pattern = _literal(named.get(pattern_name))
                flags = _literal(named.get("flags")) if "flags" in named else ""
            if pattern is not None and flags is not None:
                yield node.function.name, pattern, flags
    if dataclasses.is_dataclass(node):
        for item in dataclasses.fields(node):
            yield from _calls(getattr(node, item.name))
    elif isinstance(node, tuple | list):
        for child in node:
            yield from _calls(child)


def feel_risks(text: str) -> Iterator[tuple[str, str, str]]:
    """(function, pattern, reason) for each risky literal pattern in a FEEL text (expression or
    unary tests); nothing for text that does not parse (other checks report that)."""
    tree: Any = None
    for parse in (parse_expression, parse_unary_tests):
        try:
            tree = parse(text).node
            break
        except (FeelError, RecursionError):
            continue
    try:
        calls = list(_calls(tree))
    except RecursionError:
        return
    for function, pattern, flags in calls:
        try:
            translated, python_flags = translate_pattern(pattern, flags)
        except BuiltinError:
            continue
        reason = backtracking_risk(translated, python_flags)
        if reason is not None:
            yield function, pattern, reason


def _owner_id(element: Any) -> str:
    while element is not None:
        found = element.get("id") if isinstance(element.tag, str) else None
        if found:
            return str(found)
        element = element.getparent()
    return ""


def xml_findings(file: str, data: bytes) -> list[Finding]:
    """Risky patterns in the FEEL of a BPMN or DMN file, at the element that holds them.

    BPMN marks FEEL with a leading '=' (attributes and condition texts); every DMN <text> is
    FEEL.
    """
    try:
        root = etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return []
    found: list[Finding] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        texts = [str(value) for value in element.attrib.values() if str(value).startswith("=")]
        body = (element.text or "").strip()
        if body.startswith("="):
            texts.append(body)
        elif etree.QName(element).localname == "text" and body:
            texts.append("=" + body)
        for text in texts:
            for function, pattern, reason in feel_risks(text[1:]):
                message = _text("feel", reason, pattern=pattern, function=function)
                line = element.sourceline if isinstance(element.sourceline, int) else None
                found.append(finding(file, RULE, message, _owner_id(element), line))
    return found


def _components(raw: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(raw, Mapping):
        yield raw
        for child in raw.get("components") or ():
            yield from _components(child)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def form_findings(file: str, raw: Any) -> list[Finding]:
    """Risky `validate.pattern`s and FEEL patterns of a form-js schema, at the component."""
    found: list[Finding] = []
    for component in _components(raw):
        element_id = str(component.get("id") or component.get("key") or "")
        validate = component.get("validate")
        pattern = validate.get("pattern") if isinstance(validate, Mapping) else None
        if isinstance(pattern, str) and pattern:
            try:
                reason = backtracking_risk(translate(pattern), re.ASCII)
            except JsRegexError:
                reason = None
            if reason is not None:
                field = str(component.get("key") or component.get("label") or element_id)
                message = _text("field", reason, pattern=pattern, field=field)
                found.append(finding(file, RULE, message, element_id))
        own = {key: value for key, value in component.items() if key != "components"}
        for text in _strings(own):
            if text.startswith("="):
                for function, risky, reason in feel_risks(text[1:]):
                    message = _text("feel", reason, pattern=risky, function=function)
                    found.append(finding(file, RULE, message, element_id))
    return found


def file_findings(file: str, data: bytes) -> list[Finding]:
    """The risky patterns of one model file, by its kind: what a deployment that skips the
    Studio (the API) reports as warnings."""
    if file.lower().endswith(".form"):
        try:
            raw = json.loads(data)
        except (ValueError, RecursionError):
            return []  # the deployment itself reports the broken file
        return form_findings(file, raw)
    return xml_findings(file, data)
