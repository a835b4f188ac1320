"""Read DMN 1.1–1.5 XML into the decision model; structure errors name the element id and line."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from verka.engine.dmn import model
from verka.engine.dmn.errors import DmnError

DMN_NAMESPACES: dict[str, str] = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}

EXPRESSION_TAGS = frozenset(
    {
        "literalExpression",
        "decisionTable",
        "context",
        "relation",
        "list",
        "invocation",
        "functionDefinition",
        "conditional",
        "for",
        "some",
        "every",
        "filter",
    }
)

HIT_POLICIES = {
    "UNIQUE": "UNIQUE",
    "U": "UNIQUE",
    "ANY": "ANY",
    "A": "ANY",
    "PRIORITY": "PRIORITY",
    "P": "PRIORITY",
    "FIRST": "FIRST",
    "F": "FIRST",
    "RULE ORDER": "RULE ORDER",
    "R": "RULE ORDER",
    "OUTPUT ORDER": "OUTPUT ORDER",
    "O": "OUTPUT ORDER",
    "COLLECT": "COLLECT",
    "C": "COLLECT",
}
AGGREGATIONS = frozenset({"SUM", "COUNT", "MIN", "MAX"})

_QNAME = re.compile(r"^([A-Za-z_][\w.-]*):([A-Za-z_][^:<>]*)$")
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def parse_definitions(data: bytes, source: str | None = None) -> model.Definitions:
    """Parse one DMN file; raises DmnError for malformed XML or an unusable model."""
    try:
        root = etree.fromstring(data, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) else None
        raise DmnError(f"malformed XML: {error.msg}", line=line, source=source) from None
    return _DefinitionsReader(root, source).read()


def line_of(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


class _DefinitionsReader:
    """One pass over a <definitions> element; keeps the namespace and import table for references."""

    def __init__(self, root: etree._Element, source: str | None) -> None:
        self.root = root
        self.source = source
        self.dmn_ns = etree.QName(root).namespace or ""
        self.own_ns = ""
        self.import_names: dict[str, str] = {}

    # --- helpers -------------------------------------------------------------------------

    def error(self, message: str, element: etree._Element) -> DmnError:
        return DmnError(
            message, element_id=element.get("id"), line=line_of(element), source=self.source
        )

    def children(self, element: etree._Element, name: str | None = None) -> list[etree._Element]:
        """DMN child elements (extension and diagram elements in other namespaces are skipped)."""
        found = []
        for child in element:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != self.dmn_ns:
                continue
            if name is None or local_name(child) == name:
                found.append(child)
        return found

    def child(self, element: etree._Element, name: str) -> etree._Element | None:
        found = self.children(element, name)
        return found[0] if found else None

    def text_of(self, element: etree._Element | None) -> str | None:
        if element is None:
            return None
        text = self.child(element, "text")
        if text is None:
            return None
        return text.text or ""

    def located(self, element: etree._Element) -> tuple[str | None, int | None]:
        return element.get("id"), line_of(element)

    def required_name(self, element: etree._Element) -> str:
        name = element.get("name")
        if name is None or not name.strip():
            raise self.error(f"<{local_name(element)}> needs a name attribute", element)
        return name.strip()

    def type_ref(self, element: etree._Element | None, attribute: str = "typeRef") -> str | None:
        if element is None:
            return None
        value = element.get(attribute)
        if value is None and attribute == "typeRef":
            nested = self.child(element, "typeRef")  # DMN 1.1 itemDefinition child element
            value = nested.text if nested is not None else None
        if value is None or not value.strip():
            return None
        value = value.strip()
        match = _QNAME.match(value)
        if match and match.group(1) in (element.nsmap or {}):
            namespace = element.nsmap[match.group(1)]
            local = match.group(2)
            if namespace in self.import_names and self.import_names[namespace]:
                return f"{self.import_names[namespace]}.{local}"
            return local
        return value

    def href(self, element: etree._Element) -> model.ElementKey:
        href = element.get("href")
        if not href:
            raise self.error(f"<{local_name(element)}> needs an href", element)
        namespace, _, element_id = href.rpartition("#")
        return (namespace or self.own_ns, element_id)

    def variable(self, element: etree._Element, name: str) -> model.InformationItem:
        var = self.child(element, "variable")
        element_id, line = self.located(element)
        if var is None:
            return model.InformationItem(element_id, line, name, None)
        return model.InformationItem(var.get("id"), line_of(var), name, self.type_ref(var))

    def information_item(self, element: etree._Element) -> model.InformationItem:
        element_id, line = self.located(element)
        return model.InformationItem(
            element_id, line, self.required_name(element), self.type_ref(element)
        )

    # --- definitions ---------------------------------------------------------------------

    def read(self) -> model.Definitions:
        root = self.root
        if local_name(root) != "definitions":
            raise self.error(f"expected a DMN <definitions> root, found <{local_name(root)}>", root)
        version = DMN_NAMESPACES.get(self.dmn_ns)
        if version is None:
            raise self.error(
                f"unknown DMN namespace '{self.dmn_ns}'; expected DMN 1.1–1.5 MODEL namespace",
                root,
            )
        self.own_ns = root.get("namespace") or ""
        imports = tuple(self.read_import(el) for el in self.children(root, "import"))
        self.import_names = {imp.namespace: imp.name for imp in imports}
        item_definitions = tuple(
            self.read_item_definition(el) for el in self.children(root, "itemDefinition")
        )
        elements: list[model.DrgElement] = []
        readers: dict[str, Callable[[etree._Element], model.DrgElement]] = {
            "inputData": self.read_input_data,
            "decision": self.read_decision,
            "businessKnowledgeModel": self.read_bkm,
            "decisionService": self.read_decision_service,
        }
        for el in self.children(root):
            reader = readers.get(local_name(el))
            if reader is not None:
                elements.append(reader(el))
        element_id, line = self.located(root)
        return model.Definitions(
            element_id,
            line,
            name=root.get("name") or "",
            namespace=self.own_ns,
            dmn_version=version,
            source=self.source,
            imports=imports,
            item_definitions=item_definitions,
            elements=tuple(elements),
        )

    def read_import(self, el: etree._Element) -> model.Import:
        namespace = el.get("namespace")
        if not namespace:
            raise self.error("<import> needs a namespace attribute", el)
        element_id, line = self.located(el)
        return model.Import(
            element_id,
            line,
            name=(el.get("name") or "").strip(),
            namespace=namespace,
            import_type=el.get("importType") or "",
            location=el.get("locationURI"),
        )

    def read_item_definition(self, el: etree._Element) -> model.ItemDefinition:
        element_id, line = self.located(el)
        function_item = None
        function_el = self.child(el, "functionItem")
        if function_el is not None:
            function_item = model.FunctionItem(
                function_el.get("id"),
                line_of(function_el),
                parameters=tuple(
                    self.information_item(p) for p in self.children(function_el, "parameters")
                ),
                output_type_ref=self.type_ref(function_el, "outputTypeRef"),
            )
        return model.ItemDefinition(
            element_id,
            line,
            name=self.required_name(el),
            type_ref=self.type_ref(el),
            allowed_values=self.text_of(self.child(el, "allowedValues")),
            type_constraint=self.text_of(self.child(el, "typeConstraint")),
            components=tuple(
                self.read_item_definition(c) for c in self.children(el, "itemComponent")
            ),
            is_collection=(el.get("isCollection") or "false").strip() == "true",
            function_item=function_item,
        )

    def read_input_data(self, el: etree._Element) -> model.InputData:
        name = self.required_name(el)
        element_id, line = self.located(el)
        return model.InputData(element_id, line, name, self.variable(el, name))

    def requirements(self, el: etree._Element, kind: str, child: str) -> list[model.ElementKey]:
        keys = []
        for requirement in self.children(el, kind):
            target = self.child(requirement, child)
            if target is not None:
                keys.append(self.href(target))
        return keys

    def read_decision(self, el: etree._Element) -> model.Decision:
        name = self.required_name(el)
        element_id, line = self.located(el)
        return model.Decision(
            element_id,
            line,
            name=name,
            variable=self.variable(el, name),
            expression=self.expression_in(el),
            required_decisions=tuple(
                self.requirements(el, "informationRequirement", "requiredDecision")
            ),
            required_inputs=tuple(self.requirements(el, "informationRequirement", "requiredInput")),
            required_knowledge=tuple(
                self.requirements(el, "knowledgeRequirement", "requiredKnowledge")
            ),
        )

    def read_bkm(self, el: etree._Element) -> model.BusinessKnowledgeModel:
        name = self.required_name(el)
        element_id, line = self.located(el)
        logic_el = self.child(el, "encapsulatedLogic")
        logic = self.function_definition(logic_el) if logic_el is not None else None
        return model.BusinessKnowledgeModel(
            element_id,
            line,
            name=name,
            variable=self.variable(el, name),
            logic=logic,
            required_knowledge=tuple(
                self.requirements(el, "knowledgeRequirement", "requiredKnowledge")
            ),
        )

    def read_decision_service(self, el: etree._Element) -> model.DecisionService:
        name = self.required_name(el)
        element_id, line = self.located(el)

        def refs(tag: str) -> tuple[model.ElementKey, ...]:
            return tuple(self.href(child) for child in self.children(el, tag))

        return model.DecisionService(
            element_id,
            line,
            name=name,
            variable=self.variable(el, name),
            output_decisions=refs("outputDecision"),
            encapsulated_decisions=refs("encapsulatedDecision"),
            input_decisions=refs("inputDecision"),
            input_data=refs("inputData"),
        )

    # --- boxed expressions ---------------------------------------------------------------

    def expression_in(self, el: etree._Element) -> model.Expression | None:
        """The one boxed expression among el's children, or None."""
        for child in self.children(el):
            if local_name(child) in EXPRESSION_TAGS:
                return self.expression(child)
        return None

    def required_expression_in(self, el: etree._Element, what: str) -> model.Expression:
        found = self.expression_in(el)
        if found is None:
            raise self.error(f"<{local_name(el)}> needs a boxed expression ({what})", el)
        return found

    def expression(self, el: etree._Element) -> model.Expression:
        tag = local_name(el)
        readers = {
            "literalExpression": self.literal,
            "decisionTable": self.decision_table,
            "context": self.context,
            "relation": self.relation,
            "list": self.list_expression,
            "invocation": self.invocation,
            "functionDefinition": self.function_definition,
            "conditional": self.conditional,
            "for": self.iteration,
            "some": self.iteration,
            "every": self.iteration,
            "filter": self.filter,
        }
        return readers[tag](el)

    def literal(self, el: etree._Element) -> model.LiteralExpression:
        element_id, line = self.located(el)
        text = self.text_of(el)
        return model.LiteralExpression(
            element_id,
            line,
            self.type_ref(el),
            text=text if text is not None else "",
            language=el.get("expressionLanguage"),
        )

    def decision_table(self, el: etree._Element) -> model.DecisionTable:
        element_id, line = self.located(el)
        policy_text = (el.get("hitPolicy") or "UNIQUE").strip().upper()
        hit_policy = HIT_POLICIES.get(policy_text)
        if hit_policy is None:
            raise self.error(
                f"unknown hitPolicy '{policy_text}'; expected one of UNIQUE, ANY, PRIORITY, "
                "FIRST, RULE ORDER, OUTPUT ORDER, COLLECT",
                el,
            )
        aggregation = el.get("aggregation")
        if aggregation is not None:
            aggregation = aggregation.strip().upper()
            if aggregation not in AGGREGATIONS:
                raise self.error(
                    f"unknown aggregation '{aggregation}'; expected SUM, COUNT, MIN or MAX", el
                )
            if hit_policy != "COLLECT":
                raise self.error(
                    f"aggregation {aggregation} is only allowed with hit policy COLLECT", el
                )
        inputs = tuple(self.input_clause(i) for i in self.children(el, "input"))
        outputs = tuple(self.output_clause(o) for o in self.children(el, "output"))
        if not outputs:
            raise self.error("a decision table needs at least one <output>", el)
        if len(outputs) > 1 and any(not o.name for o in outputs):
            raise self.error("every <output> of a multi-output decision table needs a name", el)
        rules = tuple(self.rule(r, len(inputs), len(outputs)) for r in self.children(el, "rule"))
        return model.DecisionTable(
            element_id,
            line,
            self.type_ref(el),
            hit_policy=hit_policy,
            aggregation=aggregation,
            inputs=inputs,
            outputs=outputs,
            rules=rules,
            output_label=el.get("outputLabel"),
        )

    def input_clause(self, el: etree._Element) -> model.InputClause:
        element_id, line = self.located(el)
        expression_el = self.child(el, "inputExpression")
        if expression_el is None:
            raise self.error("<input> needs an <inputExpression>", el)
        return model.InputClause(
            element_id,
            line,
            label=el.get("label"),
            expression=self.literal(expression_el),
            input_values=self.text_of(self.child(el, "inputValues")),
        )

    def output_clause(self, el: etree._Element) -> model.OutputClause:
        element_id, line = self.located(el)
        default_el = self.child(el, "defaultOutputEntry")
        return model.OutputClause(
            element_id,
            line,
            name=el.get("name"),
            label=el.get("label"),
            type_ref=self.type_ref(el),
            output_values=self.text_of(self.child(el, "outputValues")),
            default=self.literal(default_el) if default_el is not None else None,
        )

    def rule(self, el: etree._Element, inputs: int, outputs: int) -> model.Rule:
        element_id, line = self.located(el)
        input_entries = tuple(
            (self.text_of(entry) or "-") for entry in self.children(el, "inputEntry")
        )
        output_entries = tuple(self.literal(entry) for entry in self.children(el, "outputEntry"))
        if len(input_entries) != inputs:
            raise self.error(
                f"rule has {len(input_entries)} input entries; expected {inputs} (one per input)",
                el,
            )
        if len(output_entries) != outputs:
            raise self.error(
                f"rule has {len(output_entries)} output entries; expected {outputs} "
                "(one per output)",
                el,
            )
        annotations = tuple(
            (self.text_of(entry) or "") for entry in self.children(el, "annotationEntry")
        )
        description = self.child(el, "description")
        if not annotations and description is not None and description.text:
            # Camunda Modeler writes a rule's annotation as its <description>.
            annotations = (description.text.strip(),)
        return model.Rule(element_id, line, input_entries, output_entries, annotations)

    def context(self, el: etree._Element) -> model.Context:
        element_id, line = self.located(el)
        entries = []
        for entry in self.children(el, "contextEntry"):
            var_el = self.child(entry, "variable")
            variable = self.information_item(var_el) if var_el is not None else None
            entries.append(
                model.ContextEntry(
                    entry.get("id"), line_of(entry), variable, self.expression_in(entry)
                )
            )
        return model.Context(element_id, line, self.type_ref(el), tuple(entries))

    def relation(self, el: etree._Element) -> model.Relation:
        element_id, line = self.located(el)
        columns = tuple(self.information_item(c) for c in self.children(el, "column"))
        rows = []
        for row in self.children(el, "row"):
            cells = tuple(
                self.expression(cell)
                for cell in self.children(row)
                if local_name(cell) in EXPRESSION_TAGS
            )
            if len(cells) != len(columns):
                raise self.error(
                    f"relation row has {len(cells)} cells; expected {len(columns)} (one per column)",
                    row,
                )
            rows.append(cells)
        return model.Relation(element_id, line, self.type_ref(el), columns, tuple(rows))

    def list_expression(self, el: etree._Element) -> model.ListExpression:
        element_id, line = self.located(el)
        items = tuple(
            self.expression(item)
            for item in self.children(el)
            if local_name(item) in EXPRESSION_TAGS
        )
        return model.ListExpression(element_id, line, self.type_ref(el), items)

    def invocation(self, el: etree._Element) -> model.Invocation:
        element_id, line = self.located(el)
        function = self.required_expression_in(el, "the function to invoke")
        bindings = []
        for binding in self.children(el, "binding"):
            parameter = self.child(binding, "parameter")
            if parameter is None:
                raise self.error("<binding> needs a <parameter>", binding)
            bindings.append(
                model.Binding(
                    binding.get("id"),
                    line_of(binding),
                    self.information_item(parameter),
                    self.expression_in(binding),
                )
            )
        return model.Invocation(element_id, line, self.type_ref(el), function, tuple(bindings))

    def function_definition(self, el: etree._Element) -> model.FunctionDefinition:
        element_id, line = self.located(el)
        kind = (el.get("kind") or "FEEL").strip()
        parameters = tuple(self.information_item(p) for p in self.children(el, "formalParameter"))
        return model.FunctionDefinition(
            element_id, line, self.type_ref(el), kind, parameters, self.expression_in(el)
        )

    def part(self, el: etree._Element, tag: str) -> model.Expression:
        holder = self.child(el, tag)
        if holder is None:
            raise self.error(f"<{local_name(el)}> needs an <{tag}> element", el)
        return self.required_expression_in(holder, tag)

    def conditional(self, el: etree._Element) -> model.Conditional:
        element_id, line = self.located(el)
        return model.Conditional(
            element_id,
            line,
            self.type_ref(el),
            self.part(el, "if"),
            self.part(el, "then"),
            self.part(el, "else"),
        )

    def iteration(self, el: etree._Element) -> model.Iteration:
        element_id, line = self.located(el)
        kind = local_name(el)
        variable = el.get("iteratorVariable")
        if not variable:
            raise self.error(f"<{kind}> needs an iteratorVariable attribute", el)
        body_tag = "return" if kind == "for" else "satisfies"
        return model.Iteration(
            element_id,
            line,
            self.type_ref(el),
            kind,
            variable.strip(),
            self.part(el, "in"),
            self.part(el, body_tag),
        )

    def filter(self, el: etree._Element) -> model.Filter:
        element_id, line = self.located(el)
        return model.Filter(
            element_id, line, self.type_ref(el), self.part(el, "in"), self.part(el, "match")
        )
