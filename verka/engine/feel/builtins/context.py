"""FEEL context functions: context, context put, context merge, get value, get entries."""

from __future__ import annotations

from collections.abc import Mapping

from verka.engine.feel.builtins.core import BuiltinError, Library
from verka.engine.feel.values import Value

library = Library()
function = library.function


@function("context", "entries: list")
def context(entries: list[Value]) -> Value:
    result: dict[str, Value] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or "key" not in entry or "value" not in entry:
            raise BuiltinError("each entry must be a context with 'key' and 'value'")
        key = entry["key"]
        if not isinstance(key, str):
            raise BuiltinError("an entry's key must be a string")
        if key in result:
            raise BuiltinError(f"duplicate key {key!r}")
        result[key] = entry["value"]
    return result


@function("context put", "context: context", "key: string", "value: any")
def context_put(original: Mapping[str, Value], key: str, value: Value) -> Value:
    result = dict(original)
    result[key] = value
    return result


@function("context put", "context: context", "keys: list", "value: any")
def context_put_nested(original: Mapping[str, Value], keys: list[Value], value: Value) -> Value:
    if not keys or not all(isinstance(key, str) for key in keys):
        raise BuiltinError("keys must be a non-empty list of strings")
    return _put_path(original, keys, value)


def _put_path(original: Mapping[str, Value], keys: list[Value], value: Value) -> Value:
    result = dict(original)
    head = keys[0]
    if len(keys) == 1:
        result[head] = value
        return result
    inner = result.get(head, {})
    if not isinstance(inner, Mapping):
        raise BuiltinError(f"entry {head!r} is not a context")
    result[head] = _put_path(inner, keys[1:], value)
    return result


@function("context merge", "contexts: list")
def context_merge(contexts: list[Value]) -> Value:
    result: dict[str, Value] = {}
    for item in contexts:
        if not isinstance(item, Mapping):
            raise BuiltinError("contexts must be a list of contexts")
        result.update(item)
    return result


@function("get value", "m: context", "key: string")
def get_value(entries: Mapping[str, Value], key: str) -> Value:
    return entries.get(key)


@function("get value", "m: context", "keys: list")
def get_value_nested(entries: Mapping[str, Value], keys: list[Value]) -> Value:
    current: Value = entries
    for key in keys:
        if not isinstance(key, str):
            raise BuiltinError("keys must be strings")
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


@function("get entries", "m: context")
def get_entries(entries: Mapping[str, Value]) -> Value:
    return [{"key": key, "value": value} for key, value in entries.items()]
