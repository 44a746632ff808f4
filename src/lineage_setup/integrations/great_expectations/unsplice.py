"""Take out of YAML text the lines an edit of ours put in (edits/yaml_write splices them), every other byte
staying as it is: a key and its value (`Drop`), a list item (`Pop`), or a lone item whose list was `[]`
before (`Empty`). The lines come from the parser's marks (edits/yaml_nodes); the result is proved as
yaml_write proves its edits: PyYAML and ruamel.yaml (GE's own reader) must each read it as the original
with exactly these entries gone. Text that holds a comment is never taken out (a comment is the user's).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union

from lineage_setup.edits import EditError, yaml_nodes, yaml_read
from lineage_setup.edits.yaml_nodes import Doc, Node, after_line, blank_before, content_end, dash_prefix, line_start
from lineage_setup.edits.yaml_read import KeyPath, at, describe

_COMMENT = re.compile(r"(?:^|\s)#")


@dataclass(frozen=True)
class Drop:
    """The entry `key` of the mapping at `path`, its lines taken out."""

    path: KeyPath
    key: str

    def on(self, data: Any) -> None:
        del at(data, self.path)[self.key]


@dataclass(frozen=True)
class Pop:
    """Item `index` of the block list at `path`."""

    path: KeyPath
    index: int

    def on(self, data: Any) -> None:
        del at(data, self.path)[self.index]


@dataclass(frozen=True)
class Empty:
    """The one item of the block list `key` at `path` taken out, the key left as `key: []`."""

    path: KeyPath
    key: str

    def on(self, data: Any) -> None:
        at(data, self.path)[self.key] = []


Removal = Union[Drop, Pop, Empty]


def remove(text: str, ops: Sequence[Removal]) -> str:
    """The text without what `ops` name; EditError when it cannot be done exactly."""
    result = text
    for op in ops:
        result = _splice(Doc(result, refuse_tabs=False), op)
    _prove(text, result, ops)
    return result


def _splice(doc: Doc, op: Removal) -> str:
    if isinstance(op, Pop):
        seq = _node(doc, op.path, "seq")
        if op.index >= len(seq.children) or dash_prefix(doc, seq.children[op.index]) is None:
            raise EditError(f"item {op.index + 1} of '{describe(op.path)}' does not start its own line with `- `")
        return _cut(doc, line_start(doc.text, seq.children[op.index].start), content_end(seq.children[op.index]))
    holder = _node(doc, op.path, "map")
    found = yaml_nodes.entry(holder, op.key)
    if found is None:
        raise EditError(f"'{describe((*op.path, op.key))}' is not there")
    key, value = found
    start = line_start(doc.text, key.start)
    if doc.text[start : key.start].strip():
        raise EditError(f"'{describe((*op.path, op.key))}' does not start its own line")
    if isinstance(op, Empty):
        if value.kind != "seq" or value.flow or len(value.children) != 1:
            raise EditError(f"'{describe((*op.path, op.key))}' is not a block list of one item")
        colon = doc.text.index(":", key.end)
        cut = _cut(doc, line_start(doc.text, value.children[0].start), content_end(value))
        return cut[: colon + 1] + " []" + cut[colon + 1 :]
    spaced = holder is doc.root and value.kind in ("map", "seq") and doc.style.spaced
    if spaced and blank_before(doc.text, key.start):
        start = line_start(doc.text, start - 1)  # the blank line yaml_write puts before a new top-level section
    return _cut(doc, start, content_end(value))


def _node(doc: Doc, path: KeyPath, kind: str) -> Node:
    node = yaml_nodes.find(doc, path)
    if node is None or node.kind != kind or node.flow:
        raise EditError(f"'{describe(path)}' is not a block {'list' if kind == 'seq' else 'mapping'}")
    return node


def _cut(doc: Doc, start: int, last: int) -> str:
    """The text without the whole lines from `start` to the one `last` ends in (a file left without its final
    newline keeps it missing)."""
    text, end = doc.text, after_line(doc.text, last)
    if _COMMENT.search(text[start:end]):
        raise EditError("what would be taken out holds a comment (edited since?)")
    if end == len(text) and not text.endswith("\n") and text[:start].endswith(doc.eol):
        start -= len(doc.eol)
    return text[:start] + text[end:]


def _prove(before: str, after: str, ops: Sequence[Removal]) -> None:
    from lineage_setup.edits import describe_yaml_error

    for load in (yaml_read.load, yaml_read.load_ruamel):
        try:
            expected = copy.deepcopy(load(before))
            for op in ops:
                op.on(expected)
            got = load(after)
        except EditError as exc:
            raise EditError(f"the result would not read back: {exc}") from None
        except Exception as exc:  # ruamel raises many kinds: any of them means the removal is not proved
            raise EditError(f"the result would not read back ({describe_yaml_error(exc)})") from None
        if got != expected and not (got is None and expected == {}):
            raise EditError("taking it out would change other parts of the file")
