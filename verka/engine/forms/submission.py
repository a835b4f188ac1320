"""Validate a submitted form on the server with the browser's verdicts, and refuse tampering."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from verka.engine.bounded_regex import RegexBudget
from verka.engine.feel.limits import Limits, default_limits
from verka.engine.forms.expressions import (
    EvaluationStopped,
    evaluate_condition,
    evaluate_expression,
    expression_variables,
)
from verka.engine.forms.model import (
    CONTAINER_TYPES,
    OPTION_TYPES,
    Component,
    Form,
    Option,
    Step,
    empty_value,
)
from verka.engine.forms.result import FieldError, Segment, ValidationResult, field_error, path_text
from verka.engine.forms.rules import Bounds, check_rules, clean, json_equal, options_problems
from verka.engine.forms.schema import normalize_options
from verka.engine.forms.uploads import reference_problems

_MISSING: Any = object()
_MAX_DEPTH = 64


def validate_submission(
    form: Form,
    data: Mapping[str, Any],
    *,
    context: Mapping[str, Any] | None = None,
    today: date | None = None,
    step: int | Step | None = None,
    limits: Limits | None = None,
) -> ValidationResult:
    """Check submitted data against a form as the browser would, plus tampering checks.

    The form-js viewer decides three things the server repeats:

    1. Its state: every value field holds the submitted value, else the value it was opened
       with (`context`), else its `defaultValue`, else its empty value.
    2. Visibility, in two passes: `conditional.hide` is first evaluated on the raw state and
       the values of hidden fields are cleared; then each field is rendered, and hidden or not
       is decided again against that cleared data. Only fields shown in the second pass are
       validated and submitted. A hidden group or dynamic list hides everything inside it.
    3. Validation and submission skip disabled fields; read-only fields are validated and
       submitted with the value they were opened with.

    On top, the server refuses what no browser sends: keys the form has no field for, values
    for hidden or disabled fields, changes to read-only fields, options that were not offered,
    and rows added to or removed from a dynamic list that does not allow it.

    `context` is what the form was opened with (process variables, prefilled values, options
    for `valuesKey`); FEEL in the form sees it together with the data. `today` enables
    `disallowPassedDates`. With `step`, only that step's fields are validated (tampering is
    still refused everywhere), for multi-step e-services that save as they go.

    All patterns and FEEL expressions of one validation share one regular-expression budget
    (`limits`, else the process default), so that neither a catastrophic `validate.pattern`
    nor many rows of a dynamic list can hold the server: a pattern that runs out gives its
    field the error "pattern_timeout", a FEEL expression that runs out (of time or steps)
    makes the whole result the one error "evaluation_stopped".
    """
    submitted = _to_json(data)
    if not isinstance(submitted, dict):
        error = field_error((), "invalid_type", {"expected": "object"})
        return ValidationResult(values={}, errors=[error])
    initial = _to_json(context) if isinstance(context, Mapping) else {}
    if not isinstance(initial, dict):
        initial = {}
    budget = RegexBudget((limits or default_limits()).regex_seconds)
    run = _Run(form, submitted, initial, today, _step_ids(form, step), budget)
    try:
        run.check_shape()
        run.build_state()
        run.clear_hidden()
        run.render()
    except EvaluationStopped:
        return ValidationResult(values={}, errors=[field_error((), "evaluation_stopped")])
    return ValidationResult(values=run.values, errors=run.errors)


def _step_ids(form: Form, step: int | Step | None) -> frozenset[str] | None:
    if step is None:
        return None
    chosen = step if isinstance(step, Step) else form.steps[step]
    return chosen.field_ids


@dataclass
class _Scope:
    """What form-js calls the local expression context of a rendered component."""

    data: dict[str, Any]
    this: Any
    parent: Any
    indexes: tuple[int, ...]

    def variables(self) -> dict[str, Any]:
        return expression_variables(
            data=self.data, this=self.this, parent=self.parent, indexes=self.indexes
        )


@dataclass
class _Run:
    form: Form
    submitted: dict[str, Any]
    initial: dict[str, Any]
    today: date | None
    step_ids: frozenset[str] | None
    budget: RegexBudget
    errors: list[FieldError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    cleared: dict[str, Any] = field(default_factory=dict)

    def error(
        self,
        segments: tuple[Segment, ...],
        code: str,
        params: Mapping[str, object] | None = None,
        component: Component | None = None,
        custom_message: str | None = None,
    ) -> None:
        self.errors.append(
            field_error(
                segments,
                code,
                params,
                field_id=component.id if component else None,
                indexes=tuple(s for s in segments if isinstance(s, int)),
                custom_message=custom_message,
            )
        )

    # 1. keys the form has no field for ------------------------------------------------------

    def check_shape(self) -> None:
        shape = _Shape.of(self.form.root)
        self.submitted = shape.prune(self.submitted, (), self)

    # 2. the viewer's state --------------------------------------------------------------------

    def build_state(self) -> None:
        self.state = copy.deepcopy(self.initial)
        self._fill(self.form.root, ())
        # Expression fields may read each other; a second round settles chains of two.
        for _ in range(2):
            self._compute(self.form.root, (), _Scope(self.state, self.state, None, ()))

    def _fill(self, container: Component, prefix: tuple[Segment, ...]) -> None:
        for child in container.components:
            segments = prefix + child.binding
            if child.keyed:
                value = _get(self.submitted, segments)
                locked = child.disabled or child.readonly is True or child.type == "expression"
                if value is _MISSING or locked:
                    value = self.opening_value(child, segments)
                else:
                    cleaned, problem = clean(child, value)
                    value = value if problem else cleaned
                _set(self.state, segments, value)
            elif child.is_repeater:
                rows = self.rows(child, segments)
                _set(self.state, segments, rows)
                for index in range(len(rows)):
                    self._fill(child, (*segments, index))
            elif child.type in CONTAINER_TYPES:
                self._fill(child, segments)

    def rows(self, repeater: Component, segments: tuple[Segment, ...]) -> list[dict[str, Any]]:
        """A dynamic list's rows: submitted, else opened with, else its default repetitions."""
        rows = _get(self.submitted, segments)
        if not isinstance(rows, list):
            rows = _get(self.initial, segments)
        if not isinstance(rows, list):
            rows = [{} for _ in range(repeater.default_repetitions)]
        return [copy.deepcopy(row) if isinstance(row, dict) else {} for row in rows]

    def opening_value(self, component: Component, segments: tuple[Segment, ...]) -> Any:
        """The value the viewer shows before anyone types: context, default, or empty."""
        value = _get(self.initial, segments)
        if value is _MISSING:
            if not component.has_default:
                return empty_value(component.type)
            value = _to_json(component.default_value)
        if component.type in ("textfield", "textarea") and not isinstance(value, str):
            # The viewer shows numbers and booleans as their text, anything else as empty.
            return _js_string(value)
        cleaned, problem = clean(component, value)
        return empty_value(component.type) if problem else cleaned

    def _compute(self, container: Component, prefix: tuple[Segment, ...], scope: _Scope) -> None:
        for child in container.components:
            segments = prefix + child.binding
            if child.type == "expression" and child.expression:
                result = evaluate_expression(child.expression, scope.variables(), self.budget)
                _set(self.state, segments, _from_feel(result))
            elif child.is_repeater:
                rows = _get(self.state, segments)
                for index, row in enumerate(rows if isinstance(rows, list) else []):
                    inner = _Scope(scope.data, row, scope.variables(), (*scope.indexes, index + 1))
                    self._compute(child, (*segments, index), inner)
            elif child.type in CONTAINER_TYPES:
                self._compute(child, segments, scope)

    # 3. first visibility pass: clear what is hidden -------------------------------------------

    def clear_hidden(self) -> None:
        self.cleared = copy.deepcopy(self.state)
        for child in self.form.root.components:
            self._clear(child, (), self.state, None, (), hidden=False)

    def _clear(
        self,
        component: Component,
        prefix: tuple[Segment, ...],
        scope: Any,
        parent_scope: Any,
        numbers: tuple[int, ...],
        *,
        hidden: bool,
    ) -> None:
        if not (component.keyed or component.type in CONTAINER_TYPES):
            return
        segments = prefix + component.binding
        if not hidden and component.hide:
            variables = expression_variables(
                data=self.state, this=scope, parent=parent_scope, indexes=numbers
            )
            hidden = evaluate_condition(component.hide, variables, self.budget)
        if component.keyed or (component.is_repeater and hidden):
            if hidden:
                _clear_at(self.cleared, segments)
            return
        if component.is_repeater:
            rows = _get(self.state, segments)
            for index, row in enumerate(rows if isinstance(rows, list) else []):
                for child in component.components:
                    self._clear(
                        child, (*segments, index), row, scope, (*numbers, index + 1), hidden=False
                    )
            return
        for child in component.components:
            self._clear(child, segments, scope, parent_scope, numbers, hidden=hidden)

    # 4. second pass: render, validate what is shown, refuse what is not ------------------------

    def render(self) -> None:
        self._render(self.form.root, (), _Scope(self.cleared, self.cleared, None, ()))

    def _render(self, container: Component, prefix: tuple[Segment, ...], scope: _Scope) -> None:
        for child in container.components:
            segments = prefix + child.binding
            variables = scope.variables()
            if child.hide and evaluate_condition(child.hide, variables, self.budget):
                self._refuse(child, segments, "hidden_field")
            elif child.keyed:
                if child.disabled:
                    self._refuse(child, segments, "disabled_field")
                else:
                    self._validate(child, segments, variables)
            elif child.is_repeater:
                self._render_rows(child, segments, scope)
            elif child.type in CONTAINER_TYPES:
                self._render(child, segments, scope)

    def _render_rows(
        self, repeater: Component, segments: tuple[Segment, ...], scope: _Scope
    ) -> None:
        rows = _get(self.state, segments)
        rows = rows if isinstance(rows, list) else []
        submitted_rows = _get(self.submitted, segments)
        if not repeater.allow_add_remove and isinstance(submitted_rows, list):
            opened = _get(self.initial, segments)
            expected = len(opened) if isinstance(opened, list) else repeater.default_repetitions
            if len(submitted_rows) != expected:
                self.error(segments, "invalid_item_count", {"expected": expected}, repeater)
        _set(self.values, segments, [{} for _ in rows])
        parent = _Scope(scope.this, scope.this, scope.parent, scope.indexes).variables()
        for index, row in enumerate(rows):
            inner = _Scope(scope.data, row, parent, (*scope.indexes, index + 1))
            self._render(repeater, (*segments, index), inner)

    def _refuse(self, component: Component, segments: tuple[Segment, ...], code: str) -> None:
        """Values the browser would not have sent for a field it did not show or let be edited."""
        if component.keyed:
            value = _get(self.submitted, segments)
            if value is not _MISSING and not _is_empty(value):
                self.error(segments, code, {}, component)
        elif component.is_repeater:
            rows = _get(self.submitted, segments)
            for index in range(len(rows) if isinstance(rows, list) else 0):
                for child in component.components:
                    self._refuse(child, (*segments, index, *child.binding), code)
        elif component.type in CONTAINER_TYPES:
            for child in component.components:
                self._refuse(child, segments + child.binding, code)

    def _validate(
        self, component: Component, segments: tuple[Segment, ...], variables: dict[str, Any]
    ) -> None:
        submitted = _get(self.submitted, segments)
        if component.type == "expression":
            # The viewer computes this value; the server computes it again instead of trusting it.
            result = None
            if component.expression:
                result = _from_feel(
                    evaluate_expression(component.expression, variables, self.budget)
                )
            _set(self.values, segments, result)
            return
        opening = self.opening_value(component, segments)
        readonly = component.readonly is True or (
            isinstance(component.readonly, str)
            and evaluate_condition(component.readonly, variables, self.budget)
        )
        in_step = self.step_ids is None or component.id in self.step_ids
        if readonly:
            if submitted is not _MISSING:
                cleaned, problem = clean(component, submitted)
                if problem or not json_equal(cleaned, opening):
                    self.error(segments, "readonly_field", {}, component)
            value = opening
        else:
            raw = opening if submitted is _MISSING else submitted
            value, problem = clean(component, raw)
            if problem:
                if in_step:
                    self.error(segments, problem[0], problem[1], component)
                _set(self.values, segments, None)
                return
        checked = value
        if component.type in OPTION_TYPES and not readonly:
            offered = self._options(component, variables)
            choice_problems = options_problems(component, value, offered)
            value = _only_offered(value, offered)
        else:
            choice_problems = []
        _set(self.values, segments, value)
        if not in_step:
            return
        bounds = self._bounds(component, variables)
        problems = check_rules(component, checked, bounds, self.today, self.budget)
        problems += choice_problems
        if component.type == "filepicker" and isinstance(value, list):
            problems += reference_problems(component, value, variables)
        custom = component.validate.pattern_error_message
        for code, params in problems:
            self.error(segments, code, params, component, custom if code == "pattern" else None)

    def _bounds(self, component: Component, variables: dict[str, Any]) -> Bounds:
        rules = component.validate

        def resolve(value: object) -> object:
            if isinstance(value, str):
                return _from_feel(evaluate_expression(value, variables, self.budget))
            return value

        return Bounds(
            min=resolve(rules.min),
            max=resolve(rules.max),
            min_length=resolve(rules.min_length),
            max_length=resolve(rules.max_length),
        )

    def _options(self, component: Component, variables: dict[str, Any]) -> tuple[Option, ...]:
        source = component.options
        if source is None:
            return ()
        if source.input_key is not None:
            # Options come from what the form was opened with, never from the submission.
            return normalize_options(self.initial.get(source.input_key))
        if source.static is not None:
            return source.static
        if source.expression is not None:
            return normalize_options(
                _from_feel(evaluate_expression(source.expression, variables, self.budget))
            )
        return ()


@dataclass
class _Shape:
    """The data shape a form accepts: objects, dynamic-list rows and value fields."""

    children: dict[str, _Shape] = field(default_factory=dict)
    rows: _Shape | None = None
    leaf: bool = False

    @classmethod
    def of(cls, root: Component) -> _Shape:
        shape = cls()
        shape._add(root)
        return shape

    def _add(self, container: Component) -> None:
        for child in container.components:
            node = self
            for segment in child.binding:
                node = node.children.setdefault(segment, _Shape())
            if child.keyed:
                node.leaf = True
            elif child.is_repeater:
                node.rows = node.rows or _Shape()
                node.rows._add(child)
            elif child.type in CONTAINER_TYPES:
                node._add(child)

    def prune(self, data: dict[str, Any], prefix: tuple[Segment, ...], run: _Run) -> dict[str, Any]:
        """The data without keys the form does not know; each dropped key is an error."""
        kept: dict[str, Any] = {}
        for key, value in data.items():
            segments = (*prefix, key)
            node = self.children.get(key)
            if node is None:
                run.error(segments, "unknown_field", {"key": path_text(segments)})
            elif node.leaf:
                kept[key] = value
            elif node.rows is not None:
                if isinstance(value, list):
                    kept[key] = [
                        node.rows.prune(row, (*segments, index), run)
                        if isinstance(row, dict)
                        else node._bad_row(segments, index, run)
                        for index, row in enumerate(value)
                    ]
                elif value is not None:
                    run.error(segments, "invalid_type", {"expected": "list"})
            elif isinstance(value, dict):
                kept[key] = node.prune(value, segments, run)
            elif value is not None:
                run.error(segments, "invalid_type", {"expected": "object"})
        return kept

    @staticmethod
    def _bad_row(segments: tuple[Segment, ...], index: int, run: _Run) -> dict[str, Any]:
        run.error((*segments, index), "invalid_type", {"expected": "object"})
        return {}


def _get(data: Any, segments: tuple[Segment, ...]) -> Any:
    for segment in segments:
        if isinstance(segment, int):
            if not isinstance(data, list) or segment >= len(data):
                return _MISSING
            data = data[segment]
        elif isinstance(data, dict) and segment in data:
            data = data[segment]
        else:
            return _MISSING
    return data


def _set(data: dict[str, Any], segments: tuple[Segment, ...], value: Any) -> None:
    """Store value at a path, making (or replacing) the objects and lists on the way."""
    target: Any = data
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if isinstance(segment, int):
            while len(target) <= segment:
                target.append({})
        if last:
            target[segment] = value
            return
        wanted = list if isinstance(segments[position + 1], int) else dict
        current = target[segment] if isinstance(segment, int) else target.get(segment)
        if not isinstance(current, wanted):
            current = wanted()
            target[segment] = current
        target = current


def _clear_at(data: dict[str, Any], segments: tuple[Segment, ...]) -> None:
    parent = _get(data, segments[:-1])
    last = segments[-1]
    if isinstance(parent, dict) and isinstance(last, str):
        parent[last] = None
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        parent[last] = None


def _only_offered(value: Any, offered: tuple[Option, ...]) -> Any:
    """The value without choices that were not offered, so that they never reach a process."""

    def is_offered(item: Any) -> bool:
        return any(json_equal(item, option.value) for option in offered)

    if isinstance(value, list):
        kept: list[Any] = []
        for item in value:
            if is_offered(item) and not any(json_equal(item, k) for k in kept):
                kept.append(item)
        return kept
    return value if value is None or is_offered(value) else None


def _is_empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def _to_json(value: Any, depth: int = 0) -> Any:
    """Plain JSON data with every number a Decimal, as FEEL and the checks expect."""
    if depth > _MAX_DEPTH:
        return None
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else value
    if isinstance(value, Mapping):
        return {str(key): _to_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item, depth + 1) for item in value]
    return value


def _from_feel(value: Any) -> Any:
    """A FEEL result as JSON-like data: temporal values become ISO text."""
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, list):
        return [_from_feel(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _from_feel(item) for key, item in value.items()}
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return str(value)


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return ""
