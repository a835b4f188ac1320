"""Read a form-js schema (JSON text or a mapping) into an immutable Form, or say what is wrong."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from verka.engine.forms.errors import FormSchemaError
from verka.engine.forms.expressions import is_expression, syntax_problem
from verka.engine.forms.jsregex import JsRegexError, compile_js_pattern
from verka.engine.forms.model import (
    CONTAINER_TYPES,
    KEYED_TYPES,
    KNOWN_TYPES,
    OPTION_TYPES,
    ROOT_TYPE,
    Component,
    Form,
    Option,
    OptionsSource,
    Validation,
    list_fields,
    list_file_pickers,
    list_steps,
)

SUBTYPES = ("date", "time", "datetime")
TIME_FORMATS = ("utc_offset", "utc_normalized", "no_timezone")
VALIDATION_TYPES = ("email", "phone", "custom")
# form-js gives a choice component without any options source this single option.
DEFAULT_OPTIONS = (Option(value="value", label="Value"),)
# Far deeper than any real form, and shallow enough for Python's recursion limit.
MAX_NESTING = 40


def parse_form(data: str | bytes | Mapping[str, Any]) -> Form:
    """A Form from a form-js schema; raises FormSchemaError naming the component at fault."""
    raw = _load(data)
    if not isinstance(raw, Mapping):
        raise FormSchemaError("schema", "expected a JSON object with 'components'")
    root_type = raw.get("type", ROOT_TYPE)
    if root_type != ROOT_TYPE:
        raise FormSchemaError("schema", f"expected type 'default' for the form, got {root_type!r}")
    schema_version = raw.get("schemaVersion")
    if schema_version is not None and (
        isinstance(schema_version, bool) or not isinstance(schema_version, int | Decimal)
    ):
        raise FormSchemaError("schema", "expected an integer 'schemaVersion'")
    form_id = raw.get("id")
    if form_id is not None and not isinstance(form_id, str):
        raise FormSchemaError("schema", "expected a string 'id'")
    reader = _Reader()
    root = reader.component(raw, "", (), (), is_root=True)
    fields = list_fields(root)
    return Form(
        id=form_id,
        schema_version=None if schema_version is None else int(schema_version),
        root=root,
        fields=fields,
        steps=list_steps(root, fields),
        file_pickers=list_file_pickers(fields),
    )


def _load(data: str | bytes | Mapping[str, Any]) -> Any:
    if isinstance(data, Mapping):
        return data
    if not isinstance(data, str | bytes | bytearray):
        raise FormSchemaError("schema", "expected JSON text or a mapping")
    try:
        return json.loads(data, parse_float=Decimal)
    except json.JSONDecodeError as problem:
        raise FormSchemaError(
            f"line {problem.lineno}, column {problem.colno}", f"not valid JSON: {problem.msg}"
        ) from None
    except UnicodeDecodeError:
        raise FormSchemaError("schema", "not valid JSON: the text is not UTF-8") from None
    except RecursionError:
        raise FormSchemaError("schema", "not valid JSON: nested too deeply") from None


@dataclass
class _ClaimNode:
    """A data path segment claimed by fields, as form-js's path registry keeps them."""

    children: dict[str, _ClaimNode] | None = field(default_factory=dict)
    repeater_id: str | None = None


class _Reader:
    """Reads components depth first, remembering ids and the data paths already bound."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.claims = _ClaimNode()

    def component(
        self,
        raw: object,
        schema_path: str,
        data_prefix: tuple[str, ...],
        ancestor_ids: tuple[str, ...],
        *,
        is_root: bool = False,
    ) -> Component:
        where = schema_path or "schema"
        if len(ancestor_ids) > MAX_NESTING:
            raise FormSchemaError(where, f"components nested more than {MAX_NESTING} deep")
        if not isinstance(raw, Mapping):
            raise FormSchemaError(where, "expected a component object")
        component_id = raw.get("id")
        if component_id is not None and not isinstance(component_id, str):
            raise FormSchemaError(where, "expected a string 'id'")
        named_key = raw.get("key")
        if component_id:
            where = f"{where} (id {component_id!r})"
        elif isinstance(named_key, str) and named_key:
            where = f"{where} (key {named_key!r})"
        kind = raw.get("type", ROOT_TYPE if is_root else None)
        if not isinstance(kind, str):
            raise FormSchemaError(where, "expected a string 'type'")
        if kind not in KNOWN_TYPES or (kind == ROOT_TYPE and not is_root):
            known = ", ".join(sorted(KNOWN_TYPES - {ROOT_TYPE}))
            raise FormSchemaError(
                where, f"unknown component type {kind!r}; expected one of {known}"
            )
        if component_id:
            if component_id in self.ids:
                raise FormSchemaError(
                    where, f"duplicate id; {self.ids[component_id]} has the same id"
                )
            self.ids[component_id] = schema_path or "schema"
        else:
            # A stable id for components the modeler left without one (the viewer makes one up).
            component_id = f"Field_{schema_path}" if schema_path else "Form"
        props = _Props(raw, where)
        is_datetime = kind == "datetime"

        key = path = None
        binding: tuple[str, ...] = ()
        if kind in KEYED_TYPES:
            key = props.data_path("key", required=True) or ""
            binding = tuple(key.split("."))
            self._claim(where, data_prefix + binding, "closed", component_id, ancestor_ids)
        elif kind in CONTAINER_TYPES:
            is_repeating = kind == "dynamiclist" and props.boolean("isRepeating", True)
            path = props.data_path("path", required=is_repeating)
            if path:
                binding = tuple(path.split("."))
                mode = "repeater" if is_repeating else "open"
                self._claim(where, data_prefix + binding, mode, component_id, ancestor_ids)

        children: tuple[Component, ...] = ()
        if kind in CONTAINER_TYPES or kind == ROOT_TYPE:
            raw_children = raw.get("components", [])
            if not isinstance(raw_children, list):
                raise FormSchemaError(where, "expected 'components' to be a list")
            prefix = data_prefix + binding
            inner = (*ancestor_ids, component_id)
            children = tuple(
                self.component(
                    child,
                    f"{schema_path + '.' if schema_path else ''}components[{index}]",
                    prefix,
                    inner,
                )
                for index, child in enumerate(raw_children)
            )

        return Component(
            type=kind,
            id=component_id,
            schema_path=schema_path,
            key=key,
            path=path,
            label=props.text("label"),
            components=children,
            hide=props.hide(),
            readonly=props.flag_or_expression("readonly", condition=True),
            disabled=props.boolean("disabled", False),
            has_default="defaultValue" in raw,
            default_value=props.json_value("defaultValue"),
            validate=props.validation(kind),
            options=props.options() if kind in OPTION_TYPES else None,
            decimal_digits=props.count("decimalDigits") if kind == "number" else None,
            increment=props.increment() if kind == "number" else None,
            serialize_to_string=kind == "number" and props.boolean("serializeToString", False),
            subtype=(props.choice("subtype", SUBTYPES, "date") if is_datetime else None) or "date",
            time_format=props.choice("timeSerializingFormat", TIME_FORMATS, None)
            if is_datetime
            else None,
            disallow_passed_dates=is_datetime and props.boolean("disallowPassedDates", False),
            accept=props.template("accept") if kind == "filepicker" else None,
            multiple=props.flag_or_expression("multiple") if kind == "filepicker" else False,
            expression=props.expression("expression") if kind == "expression" else None,
            is_repeating=kind == "dynamiclist" and props.boolean("isRepeating", True),
            allow_add_remove=kind == "dynamiclist" and props.boolean("allowAddRemove", True),
            default_repetitions=props.repetitions() if kind == "dynamiclist" else 1,
            properties=props.everything(),
        )

    def _claim(
        self,
        where: str,
        segments: tuple[str, ...],
        mode: str,
        claimer_id: str,
        ancestor_ids: tuple[str, ...],
    ) -> None:
        """Bind a data path, refusing what form-js's path registry refuses."""
        node = self.claims
        shown = ".".join(segments)
        for depth, segment in enumerate(segments):
            if node.children is None:
                raise FormSchemaError(where, f"data path '{shown}' runs through a value field")
            child = node.children.get(segment)
            last = depth == len(segments) - 1
            if child is None:
                child = _ClaimNode(children=None if (last and mode == "closed") else {})
                if last and mode == "repeater":
                    child.repeater_id = claimer_id
                node.children[segment] = child
            else:
                if child.repeater_id is not None and child.repeater_id not in ancestor_ids:
                    raise FormSchemaError(
                        where, f"data path '{shown}' is already used by a dynamic list"
                    )
                if child.children is None and not last:
                    used = ".".join(segments[: depth + 1])
                    raise FormSchemaError(
                        where, f"data path '{shown}' runs through a value field ('{used}')"
                    )
                if child.children is None or (last and mode != "open"):
                    raise FormSchemaError(where, f"data path '{shown}' is already used")
            node = child


class _Props:
    """Typed access to one component's properties; every problem names the component."""

    def __init__(self, raw: Mapping[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where

    def fail(self, problem: str) -> FormSchemaError:
        return FormSchemaError(self.where, problem)

    def data_path(self, name: str, *, required: bool) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            if required:
                kind = self.raw.get("type")
                raise self.fail(f"a {kind} needs a '{name}' naming where its value is stored")
            return None
        if not isinstance(value, str) or any(not part.strip() for part in value.split(".")):
            raise self.fail(
                f"expected '{name}' to be a name such as 'applicant.name', got {value!r}"
            )
        return value

    def everything(self) -> Mapping[str, Any]:
        try:
            frozen: Mapping[str, Any] = _frozen_json(self.raw)
        except RecursionError:
            raise self.fail("the component is nested too deeply") from None
        return frozen

    def json_value(self, name: str) -> Any:
        try:
            return _frozen_json(self.raw.get(name))
        except RecursionError:
            raise self.fail(f"'{name}' is nested too deeply") from None

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        return value if isinstance(value, str) else None

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(f"expected '{name}' to be true or false, got {value!r}")
        return value

    def count(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        number = _number(value)
        if number is None or number < 0 or number != number.to_integral_value():
            raise self.fail(f"expected '{name}' to be a whole number of 0 or more, got {value!r}")
        return int(number)

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if value not in allowed:
            raise self.fail(f"expected '{name}' to be one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def expression(
        self, name: str, label: str | None = None, *, condition: bool = False
    ) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        shown = label or name
        if not is_expression(value):
            raise self.fail(f"expected '{shown}' to be a FEEL expression starting with '='")
        problem = syntax_problem(value, condition=condition)
        if problem:
            raise self.fail(f"'{shown}': {problem}")
        return str(value)

    def hide(self) -> str | None:
        conditional = self.raw.get("conditional")
        if conditional is None:
            return None
        if not isinstance(conditional, Mapping):
            raise self.fail("expected 'conditional' to be an object with 'hide'")
        props = _Props(conditional, self.where)
        return props.expression("hide", "conditional.hide", condition=True)

    def flag_or_expression(self, name: str, *, condition: bool = False) -> bool | str:
        value = self.raw.get(name)
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        return self.expression(name, condition=condition) or False

    def template(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(f"expected '{name}' to be text, got {value!r}")
        return self.expression(name) if is_expression(value) else value

    def repetitions(self) -> int:
        count = self.count("defaultRepetitions")
        return 1 if count is None else count

    def increment(self) -> Decimal | None:
        value = self.raw.get("increment")
        if value is None or value == "":
            return None
        number = _number(value)
        if number is None or number <= 0:
            raise self.fail(f"expected 'increment' to be a number above 0, got {value!r}")
        return number

    def validation(self, kind: str) -> Validation:
        raw = self.raw.get("validate")
        if raw is None:
            return Validation()
        if not isinstance(raw, Mapping):
            raise self.fail("expected 'validate' to be an object")
        rules = _Props(raw, self.where)
        required = raw.get("required", False)
        if required is None:
            required = False
        if not isinstance(required, bool):
            raise self.fail(f"expected 'validate.required' to be true or false, got {required!r}")
        pattern = raw.get("pattern")
        regex = None
        if pattern is not None and pattern != "":
            if not isinstance(pattern, str):
                raise self.fail(f"expected 'validate.pattern' to be text, got {pattern!r}")
            try:
                regex = compile_js_pattern(pattern)
            except JsRegexError as problem:
                raise self.fail(
                    f"'validate.pattern' {pattern!r} is not a valid regular expression: "
                    f"{problem} (at position {problem.offset})"
                ) from None
        else:
            pattern = None
        message = raw.get("patternErrorMessage")
        validation_type = raw.get("validationType")
        if validation_type == "":
            validation_type = None
        if validation_type is not None and validation_type not in VALIDATION_TYPES:
            raise self.fail(
                "expected 'validate.validationType' to be email, phone or custom, "
                f"got {validation_type!r}"
            )
        return Validation(
            required=required,
            min=rules.bound("min"),
            max=rules.bound("max"),
            min_length=rules.length("minLength"),
            max_length=rules.length("maxLength"),
            pattern=pattern,
            pattern_regex=regex,
            pattern_error_message=message if isinstance(message, str) and message else None,
            validation_type=validation_type if validation_type in ("email", "phone") else None,
        )

    def bound(self, name: str) -> Decimal | str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if is_expression(value):
            return _Props(self.raw, self.where).expression(name, f"validate.{name}")
        number = _number(value)
        if number is None:
            raise self.fail(f"expected 'validate.{name}' to be a number or FEEL, got {value!r}")
        return number

    def length(self, name: str) -> int | str | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if is_expression(value):
            return _Props(self.raw, self.where).expression(name, f"validate.{name}")
        number = _number(value)
        if number is None or number < 0 or number != number.to_integral_value():
            raise self.fail(
                f"expected 'validate.{name}' to be a whole number of 0 or more or FEEL, "
                f"got {value!r}"
            )
        return int(number)

    def options(self) -> OptionsSource:
        # The viewer's order of precedence: input data, then static values, then an expression.
        input_key = self.raw.get("valuesKey")
        if input_key is not None:
            if not isinstance(input_key, str):
                raise self.fail(f"expected 'valuesKey' to be text, got {input_key!r}")
            return OptionsSource(input_key=input_key)
        values = self.raw.get("values")
        if values is not None:
            if not isinstance(values, list):
                raise self.fail("expected 'values' to be a list of options")
            return OptionsSource(static=normalize_options(values))
        expression = self.expression("valuesExpression")
        if expression is not None:
            return OptionsSource(expression=expression)
        return OptionsSource(static=DEFAULT_OPTIONS)


def normalize_options(raw: object) -> tuple[Option, ...]:
    """Options as the viewer offers them: primitives and {label, value}; others are dropped."""
    if not isinstance(raw, list):
        return ()
    options: list[Option] = []
    for item in raw:
        if _is_primitive_option(item):
            options.append(Option(value=_frozen_json(item), label=_label(item)))
        elif isinstance(item, Mapping):
            label = item.get("label")
            value = item.get("value")
            if not (isinstance(label, str) and label) and _is_primitive_option(value):
                options.append(Option(value=_frozen_json(value), label=_label(value)))
            elif isinstance(label, str) and label and _is_allowed_value(value):
                options.append(Option(value=_frozen_json(value), label=label))
    return tuple(options)


def _is_primitive_option(value: object) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int | Decimal):
        return True
    if isinstance(value, float):
        return not math.isnan(value)
    return isinstance(value, str) and value != ""


def _is_allowed_value(value: object) -> bool:
    if isinstance(value, Mapping):
        return len(value) > 0
    return _is_primitive_option(value)


def _label(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: object) -> Decimal | None:
    """A schema number: JSON number or numeric text, as big.js accepts them."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, Decimal | int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str) and value.strip():
            number = Decimal(value.strip())
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _frozen_json(value: Any) -> Any:
    """Schema data made immutable (tuples, read-only mappings), with floats made Decimal."""
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _frozen_json(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen_json(v) for v in value)
    return value
