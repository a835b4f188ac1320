"""FEEL types: `instance of` checks, type conformance and the coercion of function arguments."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from decimal import Decimal

from verka.engine.feel import ast
from verka.engine.feel.errors import FeelError
from verka.engine.feel.operators import EvaluationProblem
from verka.engine.feel.values import FeelFunction, Range, Value, type_name

# A named type the caller defines (DMN item definitions): FEEL type text or a predicate.
TypeDefinition = str | Callable[[Value], bool | None]
TypeResolver = Mapping[str, TypeDefinition]

_ALIASES = {
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "feel:number": "number",
    "feel:string": "string",
    "feel:boolean": "boolean",
    "feel:date": "date",
    "feel:time": "time",
    "feel:date and time": "date and time",
    "feel:dateTime": "date and time",
    "feel:days and time duration": "days and time duration",
    "feel:years and months duration": "years and months duration",
    "feel:context": "context",
    "feel:Any": "Any",
}

BUILTIN_TYPES = frozenset(
    {
        "number",
        "string",
        "boolean",
        "date",
        "time",
        "date and time",
        "days and time duration",
        "years and months duration",
        "list",
        "context",
        "range",
        "function",
        "Any",
        "Null",
    }
)

ANY = ast.TypeRef(0, "named", "Any", (), ())


def canonical(name: str) -> str:
    return _ALIASES.get(name, name)


@functools.lru_cache(maxsize=1024)
def parse_type_text(text: str) -> ast.TypeRef:
    # Imported here because the parser module is heavier and only needed for named types.
    from verka.engine.feel.parser import Parser

    parser = Parser(text)
    type_ref = parser.type_ref()
    parser.expect_end()
    return type_ref


def instance_of(value: Value, type_ref: ast.TypeRef, types: TypeResolver | None) -> bool:
    """`value instance of type`; null is an instance of Null only."""
    kind = type_ref.kind
    if kind == "named":
        name = canonical(type_ref.name)
        if name == "Null":
            return value is None
        if value is None:
            return False
        if name == "Any":
            return True
        if name in BUILTIN_TYPES:
            return type_name(value) == name
        return _named_instance(value, type_ref.name, types)
    if value is None:
        return False
    if kind == "list":
        if not isinstance(value, list):
            return False
        return all(x is None or instance_of(x, type_ref.args[0], types) for x in value)
    if kind == "range":
        if not isinstance(value, Range):
            return False
        ends = (value.start, value.end)
        return all(x is None or instance_of(x, type_ref.args[0], types) for x in ends)
    if kind == "context":
        if not isinstance(value, dict):
            return False
        for key, entry_type in zip(type_ref.keys, type_ref.args, strict=True):
            if key not in value:
                return False
            entry = value[key]
            if entry is not None and not instance_of(entry, entry_type, types):
                return False
        return True
    if kind == "function":
        return isinstance(value, FeelFunction) and _function_instance(value, type_ref, types)
    return False


def _named_instance(value: Value, name: str, types: TypeResolver | None) -> bool:
    definition = None if types is None else types.get(name)
    if definition is None:
        raise EvaluationProblem(f"unknown type '{name}'")
    if isinstance(definition, str):
        return instance_of(value, _defined_type(name, definition), types)
    return definition(value) is True


def _defined_type(name: str, definition: str) -> ast.TypeRef:
    try:
        return parse_type_text(definition)
    except FeelError as error:
        raise EvaluationProblem(f"type '{name}' is not a valid FEEL type: {error}") from None


def _function_instance(
    function: FeelFunction, type_ref: ast.TypeRef, types: TypeResolver | None
) -> bool:
    declared: tuple[ast.TypeRef | None, ...] | None = getattr(function, "parameter_types", None)
    if declared is None:
        return True  # built-ins and host functions do not declare their signature
    wanted = type_ref.args[:-1]
    if len(declared) != len(wanted):
        return False
    for own, other in zip(declared, wanted, strict=True):
        if own is not None and not conforms(other, own, types):
            return False
    result: ast.TypeRef | None = getattr(function, "result_type", None)
    return result is None or conforms(result, type_ref.args[-1], types)


def _resolve(type_ref: ast.TypeRef, types: TypeResolver | None) -> ast.TypeRef:
    if type_ref.kind != "named" or canonical(type_ref.name) in BUILTIN_TYPES or types is None:
        return type_ref
    definition = types.get(type_ref.name)
    if isinstance(definition, str):
        return _defined_type(type_ref.name, definition)
    return type_ref


def conforms(sub: ast.TypeRef, sup: ast.TypeRef, types: TypeResolver | None) -> bool:
    """Whether every value of type `sub` is also of type `sup`."""
    sub, sup = _resolve(sub, types), _resolve(sup, types)
    if sup.kind == "named" and canonical(sup.name) == "Any":
        return True
    if sub.kind == "named" and canonical(sub.name) == "Null":
        return True
    if sub.kind == "named" or sup.kind == "named":
        if sub.kind == "named" and sup.kind == "named":
            return canonical(sub.name) == canonical(sup.name)
        # `list` and `context` written without parameters mean any list or context.
        return sup.kind == "named" and canonical(sup.name) == sub.kind
    if sub.kind != sup.kind:
        return False
    if sub.kind in ("list", "range"):
        return conforms(sub.args[0], sup.args[0], types)
    if sub.kind == "context":
        own = dict(zip(sub.keys, sub.args, strict=True))
        for key, wanted in zip(sup.keys, sup.args, strict=True):
            if key not in own or not conforms(own[key], wanted, types):
                return False
        return True
    if len(sub.args) != len(sup.args):
        return False
    for own_param, other_param in zip(sub.args[:-1], sup.args[:-1], strict=True):
        if not conforms(other_param, own_param, types):
            return False
    return conforms(sub.args[-1], sup.args[-1], types)


def static_type(node: ast.Node) -> ast.TypeRef | None:
    """The type of an expression when it is evident from the syntax alone (literals)."""
    if isinstance(node, ast.Literal):
        value = node.value
        if isinstance(value, bool):
            return ast.TypeRef(node.offset, "named", "boolean", (), ())
        if isinstance(value, Decimal):
            return ast.TypeRef(node.offset, "named", "number", (), ())
        if isinstance(value, str):
            return ast.TypeRef(node.offset, "named", "string", (), ())
        return ast.TypeRef(node.offset, "named", "Null", (), ())
    if isinstance(node, ast.ContextLiteral):
        entry_types: list[ast.TypeRef] = []
        for _, entry in node.entries:
            entry_type = static_type(entry)
            if entry_type is None:
                return None
            entry_types.append(entry_type)
        keys = tuple(key for key, _ in node.entries)
        return ast.TypeRef(node.offset, "context", "context", tuple(entry_types), keys)
    return None


def coerce_argument(
    value: Value, type_ref: ast.TypeRef, types: TypeResolver | None
) -> tuple[bool, Value]:
    """Fit an argument to a declared parameter type, unwrapping or wrapping singleton lists."""
    if value is None or instance_of(value, type_ref, types):
        return True, value
    if isinstance(value, list) and len(value) == 1 and instance_of(value[0], type_ref, types):
        return True, value[0]
    if type_ref.kind == "list" and instance_of(value, type_ref.args[0], types):
        return True, [value]
    return False, value
