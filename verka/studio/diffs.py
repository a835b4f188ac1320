"""What changed between two snapshots of a project: a unified diff per file and, for BPMN and
DMN, which elements (by id) were added, removed or changed."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

# Diagram interchange (shapes, edges, bounds): moving a shape is a layout change, not a change
# of what the model does, so it is reported apart from the elements.
DI_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DMN/20180521/DI/",
    "http://www.omg.org/spec/DMN/20180521/DC/",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "https://www.omg.org/spec/DMN/20230324/DMNDI/",
}

MAX_DIFF_LINES = 4000


@dataclass
class ElementChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    layout_changed: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.layout_changed)


@dataclass
class FileDiff:
    name: str
    status: str  # added, removed, changed
    lines: list[str]
    elements: ElementChanges | None = None
    truncated: bool = False


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def _namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def element_signatures(content: str) -> tuple[dict[str, str], str] | None:
    """{id: canonical text of the element without its id-bearing descendants}, and the
    canonical text of the diagram; None when the text is not well-formed XML."""
    try:
        root = etree.fromstring(content.encode("utf-8"), _parser())
    except etree.XMLSyntaxError:
        return None
    signatures: dict[str, str] = {}
    layout: list[str] = []
    for element in root.iter(etree.Element):
        element_id = element.get("id")
        if not element_id or element is root:
            continue
        if _namespace(element) in DI_NAMESPACES:
            parent = element.getparent()
            if parent is None or _namespace(parent) not in DI_NAMESPACES:
                layout.append(etree.tostring(element, method="c14n").decode())
            continue
        own = copy.deepcopy(element)
        # A task's change must not also mark its process as changed.
        for child in list(own.iter(etree.Element)):
            if child is not own and child.get("id") and child.getparent() is not None:
                child.getparent().remove(child)
        signatures[element_id] = etree.tostring(own, method="c14n").decode()
    return signatures, "\n".join(layout)


def element_changes(old: str, new: str) -> ElementChanges | None:
    before, after = element_signatures(old), element_signatures(new)
    if before is None or after is None:
        return None
    (old_ids, old_layout), (new_ids, new_layout) = before, after
    return ElementChanges(
        added=sorted(set(new_ids) - set(old_ids)),
        removed=sorted(set(old_ids) - set(new_ids)),
        changed=sorted(i for i in set(old_ids) & set(new_ids) if old_ids[i] != new_ids[i]),
        layout_changed=old_layout != new_layout,
    )


def diff_files(
    old: Mapping[str, str], new: Mapping[str, str], old_label: str, new_label: str
) -> list[FileDiff]:
    """Every file that differs, in name order; unchanged files are left out."""
    diffs = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        lines = list(
            difflib.unified_diff(
                (before or "").splitlines(),
                (after or "").splitlines(),
                f"{old_label}/{name}",
                f"{new_label}/{name}",
                lineterm="",
            )
        )
        elements = None
        if name.endswith((".bpmn", ".dmn")):
            elements = element_changes(before or "<none/>", after or "<none/>")
        diffs.append(
            FileDiff(
                name,
                status,
                lines[:MAX_DIFF_LINES],
                elements,
                truncated=len(lines) > MAX_DIFF_LINES,
            )
        )
    return diffs
