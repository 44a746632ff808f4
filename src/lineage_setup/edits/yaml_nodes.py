"""YAML text as a tree of positioned nodes: where each value starts and ends, and the file's indentation.

The tree is built from parser events rather than composed nodes, so every alias keeps its own
position (a composed alias is the anchored node itself, with the anchor's marks). Marks count
characters, so positions index the decoded text directly.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from lineage_setup import textdoc
from lineage_setup.edits import EditError, describe_yaml_error
from lineage_setup.edits.yaml_emit import Style  # the file's indentation, read here
from lineage_setup.edits.yaml_read import Key, KeyPath, describe, loader_class

_ODD_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


@dataclass(slots=True)
class Node:
    kind: str  # "scalar", "map", "seq" or "alias"
    start: int
    end: int
    col: int
    value: str = ""  # a scalar's value, an alias's anchor name
    anchor: str | None = None
    flow: bool = False
    in_flow: bool = False  # inside a flow collection, where `,[]{}` end a plain scalar
    children: list[Node] = field(default_factory=list)  # map: key, value, key, value ...

    def pairs(self) -> Iterator[tuple[Node, Node]]:
        return zip(self.children[::2], self.children[1::2], strict=True)


class Doc:
    """Parsed text: the root node, anchors that are reused, and the indentation the file uses.

    refuse_tabs: readers differ on tabs (ruamel.yaml's pure parser rejects some PyYAML accepts).
    """

    def __init__(self, text: str, *, refuse_tabs: bool = True) -> None:
        if refuse_tabs and "\t" in text:
            line = text[: text.index("\t")].count("\n") + 1
            raise EditError(f"it contains a tab character (line {line}); YAML readers differ on tabs")
        if _ODD_BREAK.search(text):  # YAML 1.1 readers break lines there, our line arithmetic does not
            raise EditError("it has line breaks other than LF and CRLF (a lone CR, NEL, or U+2028/2029)")
        self.text = text
        self.eol = textdoc.eol_of(text)
        from lineage_setup.edits import yaml_marks  # (it builds Nodes: imported here, not at the top)

        root = yaml_marks.nodes(text)  # plain block YAML: the same tree from its lines, without a parser
        self.root, self.aliased = (root, set()) if root is not None else _build(text)
        self.style = Style()
        if self.root is not None and self.root.kind == "map":
            _detect(self, self.root)
            self.style.spaced = any(blank_before(text, key.start) for key in self.root.children[2::2])


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def blank_before(text: str, index: int) -> bool:
    """Is the line before the one holding `index` blank?"""
    start = line_start(text, index)
    return start > 0 and not text[line_start(text, start - 1) : start].strip()


def after_line(text: str, index: int) -> int:
    """The start of the line after the one `index` ends in (or the end of the text)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _build(text: str) -> tuple[Node | None, set[str]]:
    """The node tree from the parser's events, in one pass (this runs for every file of a bulk edit: the
    event types are compared exactly, cheaper than isinstance, and these are final; all in one loop, a
    quarter faster than a function per event)."""
    import yaml

    scalar, alias, document = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
    mapping, sequence = yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    stack: list[Node] = []
    root: Node | None = None
    aliased: set[str] = set()
    documents = 0
    loader = loader_class()(text)
    get_event = loader.get_event
    try:
        while (event := get_event()) is not None:
            kind = type(event)
            if kind in ends:
                stack.pop().end = event.end_mark.index
                continue
            start = event.start_mark
            if kind is scalar:
                node = Node("scalar", start.index, event.end_mark.index, start.column, str(event.value), event.anchor)
            elif kind is mapping or kind is sequence:
                shape = "map" if kind is mapping else "seq"
                flow = bool(event.flow_style)
                node = Node(shape, start.index, event.end_mark.index, start.column, anchor=event.anchor, flow=flow)
            elif kind is alias:
                node = Node("alias", start.index, event.end_mark.index, start.column, value=str(event.anchor))
                aliased.add(node.value)
            else:
                documents += kind is document
                if documents > 1:
                    raise EditError("it holds several YAML documents")
                continue
            if stack:
                parent = stack[-1]
                node.in_flow = parent.flow or parent.in_flow
                parent.children.append(node)
            else:
                root = node
            if kind is mapping or kind is sequence:
                stack.append(node)
    except yaml.YAMLError as exc:
        raise EditError(f"it is not valid YAML ({describe_yaml_error(exc)})") from None
    finally:
        loader.dispose()
    return root, aliased


def _detect(doc: Doc, root: Node) -> None:
    """The first nested mapping gives the indent step, the first list under a key its `-` placement."""
    found_step = found_seq = False
    for key, value in _walk_pairs(root):
        if value.flow or value.kind not in ("map", "seq") or not value.children:
            continue
        if value.kind == "map" and not found_step and value.children[0].col > key.col:
            doc.style.step, found_step = value.children[0].col - key.col, True
        if value.kind == "seq" and not found_seq:
            dash = dash_prefix(doc, value.children[0])
            if dash is not None and dash[0] >= key.col:
                doc.style.dash, doc.style.gap, found_seq = dash[0] - key.col, dash[1], True
        if found_step and found_seq:
            return


def _walk_pairs(node: Node) -> Iterator[tuple[Node, Node]]:
    stack = deque([node])
    while stack:
        current = stack.popleft()
        if current.kind == "map":
            for key, value in current.pairs():
                yield key, value
                stack.append(value)
        elif current.kind == "seq":
            stack.extend(current.children)


def dash_prefix(doc: Doc, item: Node) -> tuple[int, int] | None:
    """(column of the item's `-`, spaces after it) when the item starts its line as `  - `."""
    start = line_start(doc.text, item.start)
    match = re.fullmatch(r"( *)-( +)", doc.text[start : item.start])
    return (len(match.group(1)), len(match.group(2))) if match else None


# --- locating --------------------------------------------------------------------------


def find(doc: Doc, path: KeyPath) -> Node | None:
    """The node at `path` (None only for the root of an empty document)."""
    node = doc.root
    for depth, key in enumerate(path):
        if node is None:
            raise EditError("it is empty where a value was expected")
        node = _child(doc, node, key, path[: depth + 1])
    return node


def _child(doc: Doc, node: Node, key: Key, where: KeyPath) -> Node:
    if node.kind == "seq" and isinstance(key, int) and key < len(node.children):
        return usable(doc, node.children[key], where)
    if node.kind == "map":
        found = entry(node, str(key))
        if found is not None:
            return usable(doc, found[1], where)
        if entry(node, "<<") is not None:
            raise EditError(f"'{describe(where)}' comes from a merge key (<<); edit it where it is defined")
    raise EditError(f"'{describe(where)}' is not where it was expected")


def usable(doc: Doc, node: Node, where: KeyPath) -> Node:
    """The node, when editing it changes nothing else: not an alias, not an anchor used elsewhere."""
    if node.kind == "alias":
        raise EditError(f"'{describe(where)}' is an alias (*{node.value}); edit the anchored original")
    if node.anchor is not None and node.anchor in doc.aliased:
        raise EditError(f"'{describe(where)}' is anchored (&{node.anchor}) and reused elsewhere")
    return node


def entry(node: Node, key: str) -> tuple[Node, Node] | None:
    """The first (key, value) of a mapping node whose key is this string."""
    for knode, value in node.pairs():
        if knode.kind == "scalar" and knode.value == key:
            return knode, value
    return None


def content_end(node: Node) -> int:
    """Where a node's own text ends (a block collection's marks reach into what follows it)."""
    while node.kind in ("map", "seq") and not node.flow and node.children:
        node = node.children[-1]
    return node.end
