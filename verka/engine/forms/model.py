"""The parsed form: an immutable tree of form-js components and the field lists built from it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import regex

# Components that hold a value in the form data (form-js calls them "keyed").
KEYED_TYPES = frozenset(
    {
        "textfield",
        "textarea",
        "number",
        "datetime",
        "checkbox",
        "checklist",
        "radio",
        "select",
        "taglist",
        "filepicker",
        "expression",
    }
)
# Components that may move their children under a data path (form-js: "pathed").
CONTAINER_TYPES = frozenset({"group", "dynamiclist"})
# Components that show something but hold no value.
DISPLAY_TYPES = frozenset(
    {
        "text",
        "html",
        "image",
        "spacer",
        "separator",
        "button",
        "iframe",
        "table",
        "documentPreview",
    }
)
OPTION_TYPES = frozenset({"checklist", "radio", "select", "taglist"})
MULTI_VALUE_TYPES = frozenset({"checklist", "taglist"})
ROOT_TYPE = "default"
KNOWN_TYPES = KEYED_TYPES | CONTAINER_TYPES | DISPLAY_TYPES | {ROOT_TYPE}

# The value form-js gives a field nobody has filled in.
EMPTY_VALUES: Mapping[str, Any] = MappingProxyType(
    {
        "textfield": "",
        "textarea": "",
        "checkbox": False,
        "checklist": (),
        "taglist": (),
    }
)


def empty_value(component_type: str) -> Any:
    value = EMPTY_VALUES.get(component_type)
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Validation:
    """A component's `validate` block; min/max/minLength/maxLength may be FEEL (a str with '=')."""

    required: bool = False
    min: Decimal | str | None = None
    max: Decimal | str | None = None
    min_length: int | str | None = None
    max_length: int | str | None = None
    pattern: str | None = None
    pattern_regex: regex.Pattern[str] | None = None
    pattern_error_message: str | None = None
    validation_type: str | None = None


@dataclass(frozen=True)
class Option:
    """One choice of a select, radio, checklist or taglist."""

    value: Any
    label: str


@dataclass(frozen=True)
class OptionsSource:
    """Where a choice component's options come from; form-js uses exactly one of them."""

    static: tuple[Option, ...] | None = None
    input_key: str | None = None
    expression: str | None = None


@dataclass(frozen=True)
class Component:
    """One form-js component with the properties the server needs, typed.

    `schema_path` is its position in the schema (``components[1].components[0]``); `binding` is
    the data path it adds below its parent: the split `key` of a value field, the split `path`
    of a group or dynamic list, or nothing.
    """

    type: str
    id: str
    schema_path: str
    key: str | None = None
    path: str | None = None
    label: str | None = None
    components: tuple[Component, ...] = ()
    hide: str | None = None
    readonly: bool | str = False
    disabled: bool = False
    has_default: bool = False
    default_value: Any = None
    validate: Validation = field(default_factory=Validation)
    options: OptionsSource | None = None
    decimal_digits: int | None = None
    increment: Decimal | None = None
    serialize_to_string: bool = False
    subtype: str = "date"
    time_format: str | None = None
    disallow_passed_dates: bool = False
    accept: str | None = None
    multiple: bool | str = False
    expression: str | None = None
    is_repeating: bool = False
    allow_add_remove: bool = False
    default_repetitions: int = 1
    properties: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )

    @property
    def keyed(self) -> bool:
        return self.type in KEYED_TYPES

    @property
    def is_repeater(self) -> bool:
        return self.type == "dynamiclist" and self.is_repeating

    @property
    def binding(self) -> tuple[str, ...]:
        if self.keyed and self.key:
            return tuple(self.key.split("."))
        if self.type in CONTAINER_TYPES and self.path:
            return tuple(self.path.split("."))
        return ()

    def walk(self) -> Iterator[Component]:
        """This component and all below it, depth first in schema order."""
        yield self
        for child in self.components:
            yield from child.walk()


@dataclass(frozen=True)
class FormField:
    """A value field of the form as later code lists it (summaries, receipts, case views).

    `path` is the data path with ``[]`` for each dynamic-list row (``children[].name``);
    `segments` is the same as a tuple, with ``"[]"`` marking the rows.
    """

    path: str
    segments: tuple[str, ...]
    type: str
    label: str | None
    id: str
    key: str
    component: Component = field(repr=False)
    repeated: bool = False


@dataclass(frozen=True)
class Step:
    """One step of a multi-step e-service: a top-level group, or a run of top-level fields."""

    index: int
    id: str | None
    label: str | None
    component: Component | None = field(repr=False)
    fields: tuple[FormField, ...] = ()

    @property
    def field_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self.fields)


@dataclass(frozen=True)
class FilePickerField:
    """A file picker, with what uploads to it must satisfy (see verka.engine.forms.uploads)."""

    field: FormField
    accept: str | None
    multiple: bool | str
    required: bool

    @property
    def path(self) -> str:
        return self.field.path

    @property
    def id(self) -> str:
        return self.field.id


@dataclass(frozen=True)
class Form:
    """A parsed form-js schema: the component tree and the lists built from it."""

    id: str | None
    schema_version: int | None
    root: Component
    fields: tuple[FormField, ...]
    steps: tuple[Step, ...]
    file_pickers: tuple[FilePickerField, ...]

    @property
    def components(self) -> tuple[Component, ...]:
        return self.root.components

    def field(self, path_or_id: str) -> FormField:
        """The field with this data path (``children[].name``) or component id."""
        for candidate in self.fields:
            if path_or_id in (candidate.path, candidate.id):
                return candidate
        raise KeyError(path_or_id)

    def component(self, component_id: str) -> Component:
        for candidate in self.root.walk():
            if candidate.id == component_id:
                return candidate
        raise KeyError(component_id)


def list_fields(root: Component) -> tuple[FormField, ...]:
    """Every value field below root, with its data path, in schema order."""
    found: list[FormField] = []

    def visit(component: Component, prefix: tuple[str, ...], repeated: bool) -> None:
        for child in component.components:
            segments = prefix + child.binding
            if child.keyed and child.key is not None:
                found.append(
                    FormField(
                        path=segments_text(segments),
                        segments=segments,
                        type=child.type,
                        label=child.label,
                        id=child.id,
                        key=child.key,
                        component=child,
                        repeated=repeated,
                    )
                )
            elif child.type in CONTAINER_TYPES:
                if child.is_repeater:
                    visit(child, (*segments, "[]"), True)
                else:
                    visit(child, segments, repeated)

    visit(root, (), False)
    return tuple(found)


def segments_text(segments: tuple[str, ...]) -> str:
    text = ""
    for segment in segments:
        if segment == "[]":
            text += "[]"
        else:
            text += f".{segment}" if text else segment
    return text


STEP_PROPERTY = "verka:step"


def is_step(group: Component) -> bool:
    """A top-level group is a step unless its custom property `verka:step` is `false` (set in
    the form editor's "Custom properties"): a small optional group, such as coordinates, then
    stays on the page of the fields around it."""
    custom = group.properties.get("properties")
    if not isinstance(custom, Mapping):
        return True
    return str(custom.get(STEP_PROPERTY, "true")).strip().lower() != "false"


def list_steps(root: Component, fields: tuple[FormField, ...]) -> tuple[Step, ...]:
    """Top-level groups become steps; top-level components between them form steps of their own.
    A group marked as no step counts as one of those components."""
    fields_by_id = {f.id: f for f in fields}
    steps: list[Step] = []
    loose: list[Component] = []

    def fields_of(components: list[Component]) -> tuple[FormField, ...]:
        ids = [c.id for top in components for c in top.walk()]
        return tuple(fields_by_id[i] for i in ids if i in fields_by_id)

    def close_loose() -> None:
        if loose and fields_of(loose):
            steps.append(Step(len(steps), None, None, None, fields_of(loose)))
        loose.clear()

    for top in root.components:
        if top.type == "group" and is_step(top):
            close_loose()
            steps.append(Step(len(steps), top.id, top.label, top, fields_of([top])))
        else:
            loose.append(top)
    close_loose()
    if not steps:
        steps.append(Step(0, None, None, None, ()))
    return tuple(steps)


def list_file_pickers(fields: tuple[FormField, ...]) -> tuple[FilePickerField, ...]:
    return tuple(
        FilePickerField(
            field=f,
            accept=f.component.accept,
            multiple=f.component.multiple,
            required=f.component.validate.required,
        )
        for f in fields
        if f.type == "filepicker"
    )
