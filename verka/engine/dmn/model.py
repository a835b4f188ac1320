"""The DMN decision model as read from XML: DRG elements, item definitions, boxed expressions."""

from __future__ import annotations

from dataclasses import dataclass, field

# An element reference resolved to (namespace, id); hrefs like "#id" or "namespace#id".
ElementKey = tuple[str, str]


@dataclass(frozen=True)
class Located:
    """Where an element was found, for error messages."""

    element_id: str | None
    line: int | None


@dataclass(frozen=True)
class InformationItem(Located):
    """A named, optionally typed variable: element variables, parameters, context entries."""

    name: str
    type_ref: str | None = None


# --- boxed expressions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expression(Located):
    """Base of every boxed expression; type_ref is the expression's declared type."""

    type_ref: str | None


@dataclass(frozen=True)
class LiteralExpression(Expression):
    text: str
    language: str | None = None


@dataclass(frozen=True)
class InputClause(Located):
    label: str | None
    expression: LiteralExpression
    input_values: str | None


@dataclass(frozen=True)
class OutputClause(Located):
    name: str | None
    label: str | None
    type_ref: str | None
    output_values: str | None
    default: LiteralExpression | None


@dataclass(frozen=True)
class Rule(Located):
    input_entries: tuple[str, ...]
    output_entries: tuple[LiteralExpression, ...]
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionTable(Expression):
    hit_policy: str  # UNIQUE, ANY, PRIORITY, FIRST, RULE ORDER, OUTPUT ORDER, COLLECT
    aggregation: str | None  # SUM, COUNT, MIN, MAX (COLLECT only)
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]
    output_label: str | None = None


@dataclass(frozen=True)
class ContextEntry(Located):
    variable: InformationItem | None  # None: the entry is the context's result
    value: Expression | None


@dataclass(frozen=True)
class Context(Expression):
    entries: tuple[ContextEntry, ...]


@dataclass(frozen=True)
class Relation(Expression):
    columns: tuple[InformationItem, ...]
    rows: tuple[tuple[Expression | None, ...], ...]


@dataclass(frozen=True)
class ListExpression(Expression):
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Binding(Located):
    parameter: InformationItem
    value: Expression | None


@dataclass(frozen=True)
class Invocation(Expression):
    function: Expression
    bindings: tuple[Binding, ...]


@dataclass(frozen=True)
class FunctionDefinition(Expression):
    kind: str  # FEEL, Java, PMML
    parameters: tuple[InformationItem, ...]
    body: Expression | None


@dataclass(frozen=True)
class Conditional(Expression):
    condition: Expression
    then: Expression
    otherwise: Expression


@dataclass(frozen=True)
class Iteration(Expression):
    """The 1.4 iterator boxed expressions: kind is 'for', 'some' or 'every'."""

    kind: str
    variable: str
    source: Expression
    body: Expression


@dataclass(frozen=True)
class Filter(Expression):
    source: Expression
    match: Expression


# --- item definitions ----------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionItem(Located):
    parameters: tuple[InformationItem, ...]
    output_type_ref: str | None


@dataclass(frozen=True)
class ItemDefinition(Located):
    name: str
    type_ref: str | None
    allowed_values: str | None
    type_constraint: str | None
    components: tuple[ItemDefinition, ...]
    is_collection: bool
    function_item: FunctionItem | None = None


# --- DRG elements --------------------------------------------------------------------------


@dataclass(frozen=True)
class Import(Located):
    name: str
    namespace: str
    import_type: str
    location: str | None


@dataclass(frozen=True)
class InputData(Located):
    name: str
    variable: InformationItem


@dataclass(frozen=True)
class Decision(Located):
    name: str
    variable: InformationItem
    expression: Expression | None
    required_decisions: tuple[ElementKey, ...]
    required_inputs: tuple[ElementKey, ...]
    required_knowledge: tuple[ElementKey, ...]


@dataclass(frozen=True)
class BusinessKnowledgeModel(Located):
    name: str
    variable: InformationItem
    logic: FunctionDefinition | None
    required_knowledge: tuple[ElementKey, ...]


@dataclass(frozen=True)
class DecisionService(Located):
    name: str
    variable: InformationItem
    output_decisions: tuple[ElementKey, ...]
    encapsulated_decisions: tuple[ElementKey, ...]
    input_decisions: tuple[ElementKey, ...]
    input_data: tuple[ElementKey, ...]


DrgElement = InputData | Decision | BusinessKnowledgeModel | DecisionService


@dataclass(frozen=True)
class Definitions(Located):
    """One DMN file: its namespace, imports, item definitions and DRG elements in file order."""

    name: str
    namespace: str
    dmn_version: str
    source: str | None
    imports: tuple[Import, ...] = ()
    item_definitions: tuple[ItemDefinition, ...] = ()
    elements: tuple[DrgElement, ...] = field(default_factory=tuple)

    def element(self, element_id: str) -> DrgElement | None:
        for element in self.elements:
            if element.element_id == element_id:
                return element
        return None
