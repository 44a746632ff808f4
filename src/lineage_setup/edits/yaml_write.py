"""Edit YAML by splicing text at node marks: every other byte stays as it was.

That is comments, blank lines, `${VAR}`/`$VAR`, quoting, key order, `  - ` or `- ` lists, long
lines, CRLF and a missing final newline: ruamel.yaml's round-trip re-indents lists, re-wraps long
lines, mixes CRLF and moves comments on edit, so we do not dump; we locate nodes with the parser's
marks (pre-commit's approach) and insert or replace text there, in the indentation the file uses.

Callers describe the change as operations on key paths (`Put`, `Append`, `Section`); `apply`
splices them, then proves the result (yaml_proof): its readers must read the original plus exactly
those operations, and every comment and `$` placeholder must still be there. Anything else raises
EditError and nothing is returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lineage_setup import textdoc
from lineage_setup.edits import EditError, yaml_nodes, yaml_proof
from lineage_setup.edits.yaml_emit import Scalar, Style, Tree, emit, emit_map, emit_seq, flow_literal
from lineage_setup.edits.yaml_nodes import (
    Doc,
    Node,
    after_line,
    content_end,
    dash_prefix,
    entry,
    find,
    line_start,
    usable,
)
from lineage_setup.edits.yaml_ops import Append, Load, Op, Put, Section
from lineage_setup.edits.yaml_read import KeyPath, describe

__all__ = ["Append", "Load", "Op", "Put", "Section", "apply"]  # the operations live in yaml_ops


def apply(text: str, ops: Sequence[Op], data: Any = None, *, ruamel: bool = True) -> str:
    """Splice each operation into `text`, then prove the result reads as `text` plus exactly these.

    `data`: what `yaml_read.load(text)` returned, when the caller has it already (saves a parse).
    ruamel: ruamel.yaml reads the file too (YAML 1.2, where PyYAML reads 1.1): the result must read
    right for both, and what they disagree on (tabs, a key set twice) is refused.
    """
    if not ops:
        return text
    if data is None:  # what the text says, read first: a file its reader refuses is refused as such
        data = yaml_proof.pyyaml_reader(ruamel)(text)
    result, dropped = text, []
    for op in ops:
        doc = yaml_nodes.Doc(result, refuse_tabs=ruamel)
        result, gone = _splice(doc, op)
        dropped.append(gone)
    yaml_proof.verify(text, result, ops, data, ruamel=ruamel, dropped=dropped)
    return result


def _splice(doc: Doc, op: Op) -> tuple[str, str]:
    """The text with the operation made, and the text it took out on purpose (a replaced section)."""
    if isinstance(op, Section):
        return _section(doc, op)
    if doc.root is not None and doc.root.kind != "map":
        raise EditError("its top level is not a mapping")
    return (_put(doc, op) if isinstance(op, Put) else _append(doc, op)), ""


def _insert_lines(text: str, eol: str, at: int, lines: list[str]) -> str:
    """Insert whole lines at a line start (or the end), keeping a missing final newline missing."""
    body = eol.join(lines)
    if at == len(text) and text and not text.endswith("\n"):
        return text + eol + body
    return text[:at] + body + eol + text[at:]


# --- Put -------------------------------------------------------------------------------


def _put(doc: Doc, op: Put) -> str:
    holder = find(doc, op.path)
    if holder is None:  # an empty document
        return _insert_lines(doc.text, doc.eol, len(doc.text), emit_map({op.key: op.tree}, 0, doc.style))
    if holder.kind != "map":
        raise EditError(f"'{describe(op.path)}' is not a mapping")
    found = entry(holder, op.key)
    if found is None:
        return _add_entry(doc, holder, op)
    key, value = found
    usable(doc, value, (*op.path, op.key))
    if isinstance(op.tree, Scalar):
        return _replace_scalar(doc, value, op.tree, (*op.path, op.key))
    return _fill_empty(doc, key, value, op.tree, (*op.path, op.key))


def _add_entry(doc: Doc, holder: Node, op: Put) -> str:
    if holder.flow:
        return _add_flow_entry(doc, holder, op)
    lines = emit_map({op.key: op.tree}, holder.children[0].col, doc.style)
    neighbour = entry(holder, op.after) if op.after else None
    at = after_line(doc.text, content_end(neighbour[1] if neighbour else holder))
    previous = doc.text[line_start(doc.text, at - 1) : at]
    if holder is doc.root and doc.style.spaced and not isinstance(op.tree, Scalar) and previous.strip():
        lines.insert(0, "")  # a new top-level section gets a blank line before it, as the others have
    return _insert_lines(doc.text, doc.eol, at, lines)


def _add_flow_entry(doc: Doc, holder: Node, op: Put) -> str:
    if not isinstance(op.tree, Scalar):
        raise EditError(f"'{describe(op.path)}' is written in flow style {{...}}")
    new = f"{op.key}: {flow_literal(op.tree)}"
    if not holder.children:
        at = doc.text.rindex("}", holder.start, holder.end)
        return doc.text[:at] + new + doc.text[at:]
    at = content_end(holder.children[-1])
    return doc.text[:at] + ", " + new + doc.text[at:]


def _replace_scalar(doc: Doc, value: Node, tree: Scalar, where: KeyPath) -> str:
    if value.kind != "scalar":
        raise EditError(f"'{describe(where)}' holds a {'mapping' if value.kind == 'map' else 'list'}")
    old = doc.text[value.start : value.end]
    if old[:1] in ("|", ">") or "\n" in old.rstrip("\r\n"):
        raise EditError(f"'{describe(where)}' is a multi-line value")
    literal = flow_literal(tree) if value.in_flow else tree.literal
    if value.start == value.end:  # `key:` with nothing after it
        return doc.text[: value.start] + " " + literal + doc.text[value.end :]
    return doc.text[: value.start] + literal + doc.text[value.end :]


def _fill_empty(doc: Doc, key: Node, value: Node, tree: Tree, where: KeyPath) -> str:
    """`key:`, `key: ~`, `key: []` or `key: {}` on one line become `key:` and a block under it."""
    empty = value.kind == "scalar" and value.value in ("", "~", "null", "Null", "NULL")
    empty = empty or (value.kind in ("map", "seq") and value.flow and not value.children)
    if not empty or "\n" in doc.text[key.start : value.end]:
        raise EditError(f"'{describe(where)}' already holds a value of another kind")
    cut_from = value.start - 1 if value.start > key.end and doc.text[value.start - 1] == " " else value.start
    text = doc.text[:cut_from] + doc.text[value.end :]
    inner = key.col + (doc.style.step if isinstance(tree, Mapping) else doc.style.dash)
    return _insert_lines(text, doc.eol, after_line(text, cut_from), emit(tree, inner, doc.style))


# --- Append ----------------------------------------------------------------------------


def _append(doc: Doc, op: Append) -> str:
    seq = find(doc, op.path)
    if seq is None or seq.kind != "seq":
        raise EditError(f"'{describe(op.path)}' is not a list")
    if seq.flow or not seq.children:
        raise EditError(f"'{describe(op.path)}' is written in flow style [...]")
    dash = dash_prefix(doc, seq.children[-1])
    if dash is None:
        raise EditError(f"the last item of '{describe(op.path)}' does not start its own line with `- `")
    lines = emit_seq([op.tree], dash[0], Style(doc.style.step, doc.style.dash, dash[1]))
    return _insert_lines(doc.text, doc.eol, after_line(doc.text, content_end(seq)), lines)


# --- Section ---------------------------------------------------------------------------


def _section(doc: Doc, op: Section) -> tuple[str, str]:
    text = doc.text
    span = _section_span(doc, doc.root, op.key) if doc.root is not None else None
    if span is None:
        return (textdoc.append_lines(text, op.text.rstrip("\n").split("\n")) if op.text else text), ""
    start, end = span
    new = textdoc.with_eol(op.text, doc.eol)
    if end == len(text) and not text.endswith("\n"):
        new = new.rstrip("\r\n")  # keep the missing final newline missing
    return text[:start] + new + text[end:], text[start:end]


def _section_span(doc: Doc, root: Node, key: str) -> tuple[int, int] | None:
    """The whole lines of a top-level entry, without the blank and comment lines that trail it."""
    if root.kind != "map" or root.flow:
        raise EditError("its top level is not a block mapping")
    keys = [knode.value for knode, _ in root.pairs() if knode.kind == "scalar"]
    if len(keys) != len(set(keys)):
        raise EditError("it has duplicate top-level keys")
    found = entry(root, key)
    if found is None:
        return None
    knode, value = found
    if knode.col != 0:
        raise EditError(f"'{key}' does not start its line")
    if value.kind == "alias" or (value.anchor is not None and value.anchor in doc.aliased):
        shared = f"*{value.value}" if value.kind == "alias" else f"&{value.anchor}"
        raise EditError(f"'{key}' shares its value ({shared}); replacing it would change other parts of the file")
    start, end = knode.start, after_line(doc.text, value.end)
    while True:  # trailing blank and comment lines belong to what follows
        last = doc.text.rfind("\n", start, end - 1) + 1
        line = doc.text[last:end].strip()
        if last <= start or (line and not line.startswith("#")):
            return start, end
        end = last
