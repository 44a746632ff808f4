"""Great Expectations YAML: put values where GE reads them by splicing text at node marks.

Every other byte stays as it was (comments, blank lines, `${VAR}`/`$VAR`, quoting, key order,
`  - ` or `- ` lists, long lines, CRLF, a missing final newline): ruamel.yaml's round-trip
re-indents lists, re-wraps long lines, mixes CRLF and moves comments on edit, so we do not
dump; we locate nodes with the parser's marks (pre-commit's approach) and insert or replace
text there, in the indentation the file already uses.

Callers describe the change as a few operations on paths (`Put`, `Append`); `apply` splices
them and then re-reads the result with PyYAML and ruamel.yaml (the loader GE uses): each must
read the original plus exactly those operations, and every comment line and `$` placeholder
must still be there. Anything else raises EditError and nothing is returned.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from lineage_setup import quoting, textdoc
from lineage_setup.edits import EditError, describe_yaml_error

Key = Union[str, int]
KeyPath = tuple[Key, ...]
_PLAIN_SAFE = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_ODD_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_PLACEHOLDER = re.compile(r"(?<!\\)\$(?:\{[^}]*\}|[_a-zA-Z][_a-zA-Z0-9]*)")


@dataclass(frozen=True)
class Scalar:
    """A string we write: its value, and how it is written in YAML."""

    value: str
    literal: str


def plain(value: str) -> Scalar:
    """Unquoted when every YAML 1.1 and 1.2 reader reads it as this same string, else double-quoted."""
    if _PLAIN_SAFE.fullmatch(value) and value.lower() not in _YAML11_WORDS:
        return Scalar(value, value)
    return quoted(value)


def quoted(value: str) -> Scalar:
    return Scalar(value, quoting.yaml_str(value))


def placeholder(name: str) -> Scalar:
    """`${NAME}`: GE substitutes it from the environment or config_variables.yml."""
    return Scalar(f"${{{name}}}", f"${{{name}}}")


Tree = Union[Scalar, Mapping[str, "Tree"], Sequence["Tree"]]
Scaffold = Mapping[str, Mapping[str, Tree]]  # keys a mapping we create gets before the path goes on


def python(tree: Tree) -> Any:
    """What a YAML reader makes of a tree we write."""
    if isinstance(tree, Scalar):
        return tree.value
    if isinstance(tree, Mapping):
        return {key: python(value) for key, value in tree.items()}
    return [python(item) for item in tree]


# --- operations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Put:
    """Make `key` of the mapping at `path` hold `tree` (inserted, or replacing a scalar/empty value)."""

    path: KeyPath
    key: str
    tree: Tree
    after: str = ""  # a new key goes right after this one when it is there (else at the end)

    def on(self, data: Any) -> None:
        _at(data, self.path)[self.key] = python(self.tree)


@dataclass(frozen=True)
class Append:
    """Add `tree` as the last item of the list at `path`."""

    path: KeyPath
    tree: Tree

    def on(self, data: Any) -> None:
        _at(data, self.path).append(python(self.tree))


Op = Union[Put, Append]


def _at(data: Any, path: KeyPath) -> Any:
    for key in path:
        data = data[key]
    return data


# --- reading ---------------------------------------------------------------------------


def _loader_class() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The data PyYAML reads (libyaml when available), refusing several documents and duplicate keys."""
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_duplicates(node)
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        if "expected a single document" in str(exc):
            raise EditError("it holds several YAML documents") from None
        raise EditError(f"it is not valid YAML ({describe_yaml_error(exc)})") from None
    finally:
        loader.dispose()


def _refuse_duplicates(root: Any) -> None:
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, yaml.ScalarNode):
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            continue
        seen_keys: set[str] = set()
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
                continue
            if key.value in seen_keys:
                raise EditError(f"it sets '{key.value}' twice in one mapping (line {key.start_mark.line + 1})")
            seen_keys.add(key.value)
        stack.extend(value for _, value in node.value)


def load_ruamel(text: str) -> Any:
    """The data ruamel.yaml's safe loader reads (GE 0.x loads its YAML with ruamel.yaml).

    One loader is reused (making one costs more than reading a checkpoint), except for text with
    a directive: a loader that has read `%YAML 1.1` keeps reading YAML 1.1 afterwards.
    """
    if text.startswith("%") or "\n%" in text or "\t" in text:
        # the pure parser, as GE 0.15 reads: only it honours a %YAML 1.1 directive, and it is the
        # stricter one about tabs (the C parser accepts a tab before a comment)
        return _new_ruamel(pure=True).load(text)
    try:
        return _ruamel().load(text)
    except BaseException:
        _ruamel.cache_clear()  # whatever state the failed load left behind goes with it
        raise


def _new_ruamel(pure: bool = False) -> Any:
    from ruamel.yaml import YAML

    # the C parser (ruamel.yaml.clib) when installed: the same events as the pure one, about 4x faster
    # for a project of thousands of checkpoints; the resolver and constructor are the same Python code
    return YAML(typ="safe", pure=pure)


_ruamel = functools.cache(_new_ruamel)


# --- the node tree, built from parser events so every alias keeps its own position ------


@dataclass
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


@dataclass
class _Style:
    step: int = 2  # a nested mapping's indent
    dash: int = 2  # a list's `-` column after its key's
    gap: int = 1  # spaces after `-`
    spaced: bool = False  # top-level sections are separated by blank lines (GE's own config is)


class Doc:
    """Parsed text: the root node, anchors that are reused, and the indentation the file uses."""

    def __init__(self, text: str) -> None:
        if "\t" in text:
            line = text[: text.index("\t")].count("\n") + 1
            raise EditError(f"it contains a tab character (line {line}); YAML readers differ on tabs")
        if _ODD_BREAK.search(text):  # YAML 1.1 readers break lines there, our line arithmetic does not
            raise EditError("it has line breaks other than LF and CRLF (a lone CR, NEL, or U+2028/2029)")
        self.text = text
        self.eol = textdoc.eol_of(text)
        self.root, self.aliased = _build(text)
        if self.root is not None and self.root.kind != "map":
            raise EditError("its top level is not a mapping")
        self.style = _Style()
        if self.root is not None:
            _detect(self, self.root)
            self.style.spaced = any(_blank_before(text, key.start) for key in self.root.children[2::2])


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _blank_before(text: str, index: int) -> bool:
    """Is the line before the one holding `index` blank?"""
    start = _line_start(text, index)
    return start > 0 and not text[_line_start(text, start - 1) : start].strip()


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one `index` ends in (or the end of the text)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _build(text: str) -> tuple[Node | None, set[str]]:
    import yaml

    stack: list[Node] = []
    root: Node | None = None
    aliased: set[str] = set()
    for event in _events(text):
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            mark: Any = event.end_mark
            stack.pop().end = mark.index
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        node = _node(event)
        if node.kind == "alias":
            aliased.add(node.value)
        if stack:
            stack[-1].children.append(node)
            node.in_flow = stack[-1].flow or stack[-1].in_flow
        else:
            root = node
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append(node)
    return root, aliased


def _events(text: str) -> Iterator[Any]:
    import yaml

    documents = 0
    try:
        for event in yaml.parse(text, Loader=_loader_class()):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise EditError("it holds several YAML documents")
            yield event
    except yaml.YAMLError as exc:
        raise EditError(f"it is not valid YAML ({describe_yaml_error(exc)})") from None


def _node(event: Any) -> Node:
    import yaml

    start, end, col = event.start_mark.index, event.end_mark.index, event.start_mark.column
    if isinstance(event, yaml.AliasEvent):
        return Node("alias", start, end, col, value=str(event.anchor))
    if isinstance(event, yaml.ScalarEvent):
        return Node("scalar", start, end, col, value=str(event.value), anchor=event.anchor)
    kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
    return Node(kind, start, end, col, anchor=event.anchor, flow=bool(event.flow_style))


def _detect(doc: Doc, root: Node) -> None:
    """The first nested mapping gives the indent step, the first list under a key its `-` placement."""
    found_step = found_seq = False
    for key, value in _walk_pairs(root):
        if value.flow or value.kind not in ("map", "seq") or not value.children:
            continue
        if value.kind == "map" and not found_step and value.children[0].col > key.col:
            doc.style.step, found_step = value.children[0].col - key.col, True
        if value.kind == "seq" and not found_seq:
            dash = _dash_prefix(doc, value.children[0])
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


def _dash_prefix(doc: Doc, item: Node) -> tuple[int, int] | None:
    """(column of the item's `-`, spaces after it) when the item starts its line as `  - `."""
    start = _line_start(doc.text, item.start)
    match = re.fullmatch(r"( *)-( +)", doc.text[start : item.start])
    return (len(match.group(1)), len(match.group(2))) if match else None


# --- locating --------------------------------------------------------------------------


def _describe(path: KeyPath) -> str:
    return ".".join(str(key) for key in path) or "the top level"


def _find(doc: Doc, path: KeyPath) -> Node | None:
    """The node at `path` (None only for the root of an empty document)."""
    node = doc.root
    for depth, key in enumerate(path):
        if node is None:
            raise EditError("it is empty where a value was expected")
        node = _child(doc, node, key, path[: depth + 1])
    return node


def _child(doc: Doc, node: Node, key: Key, where: KeyPath) -> Node:
    if node.kind == "seq" and isinstance(key, int) and key < len(node.children):
        return _usable(doc, node.children[key], where)
    if node.kind == "map":
        found = _entry(node, str(key))
        if found is not None:
            return _usable(doc, found[1], where)
        if _entry(node, "<<") is not None:
            raise EditError(f"'{_describe(where)}' comes from a merge key (<<); edit it where it is defined")
    raise EditError(f"'{_describe(where)}' is not where it was expected")


def _usable(doc: Doc, node: Node, where: KeyPath) -> Node:
    if node.kind == "alias":
        raise EditError(f"'{_describe(where)}' is an alias (*{node.value}); edit the anchored original")
    if node.anchor is not None and node.anchor in doc.aliased:
        raise EditError(f"'{_describe(where)}' is anchored (&{node.anchor}) and reused elsewhere")
    return node


def _entry(node: Node, key: str) -> tuple[Node, Node] | None:
    for knode, value in node.pairs():
        if knode.kind == "scalar" and knode.value == key:
            return knode, value
    return None


def _content_end(node: Node) -> int:
    """Where a node's own text ends (a block collection's marks reach into what follows it)."""
    while node.kind in ("map", "seq") and not node.flow and node.children:
        node = node.children[-1]
    return node.end


# --- emitting --------------------------------------------------------------------------


def emit(tree: Tree, col: int = 0, style: _Style | None = None) -> list[str]:
    """Block YAML lines (without endings) for a mapping or list, starting at column `col`."""
    style = style or _Style()
    if isinstance(tree, Mapping):
        return _emit_map(tree, col, style)
    if isinstance(tree, Sequence) and not isinstance(tree, Scalar):
        return _emit_seq(tree, col, style)
    raise TypeError("emit() takes a mapping or a list")


def _emit_map(tree: Mapping[str, Tree], col: int, style: _Style) -> list[str]:
    lines, pad = [], " " * col
    for key, value in tree.items():
        if isinstance(value, Scalar):
            lines.append(f"{pad}{key}: {value.literal}")
            continue
        lines.append(f"{pad}{key}:")
        inner = col + (style.step if isinstance(value, Mapping) else style.dash)
        lines.extend(emit(value, inner, style))
    return lines


def _emit_seq(tree: Sequence[Tree], dash: int, style: _Style) -> list[str]:
    lines, inner = [], dash + 1 + style.gap
    prefix = " " * dash + "-" + " " * style.gap
    for item in tree:
        if isinstance(item, Scalar):
            lines.append(prefix + item.literal)
            continue
        block = emit(item, inner, style)
        lines.extend([prefix + block[0][inner:], *block[1:]])
    return lines


# --- splicing --------------------------------------------------------------------------


def _insert_lines(text: str, eol: str, at: int, lines: list[str]) -> str:
    """Insert whole lines at a line start (or the end), keeping a missing final newline missing."""
    body = eol.join(lines)
    if at == len(text) and text and not text.endswith("\n"):
        return text + eol + body
    return text[:at] + body + eol + text[at:]


def _put(doc: Doc, op: Put) -> str:
    holder = _find(doc, op.path)
    if holder is None:  # an empty document
        return _insert_lines(doc.text, doc.eol, len(doc.text), _entry_lines(doc, 0, op.key, op.tree))
    if holder.kind != "map":
        raise EditError(f"'{_describe(op.path)}' is not a mapping")
    found = _entry(holder, op.key)
    if found is None:
        return _add_entry(doc, holder, op)
    key, value = found
    _usable(doc, value, (*op.path, op.key))
    if isinstance(op.tree, Scalar):
        return _replace_scalar(doc, value, op.tree, (*op.path, op.key))
    return _fill_empty(doc, key, value, op.tree, (*op.path, op.key))


def _entry_lines(doc: Doc, col: int, key: str, tree: Tree) -> list[str]:
    return _emit_map({key: tree}, col, doc.style)


def _add_entry(doc: Doc, holder: Node, op: Put) -> str:
    if holder.flow:
        return _add_flow_entry(doc, holder, op)
    col = holder.children[0].col
    lines = _entry_lines(doc, col, op.key, op.tree)
    neighbour = _entry(holder, op.after) if op.after else None
    at = _after_line(doc.text, _content_end(neighbour[1] if neighbour else holder))
    previous = doc.text[_line_start(doc.text, at - 1) : at]
    if holder is doc.root and doc.style.spaced and not isinstance(op.tree, Scalar) and previous.strip():
        lines.insert(0, "")  # a new top-level section gets a blank line before it, as GE's own sections do
    return _insert_lines(doc.text, doc.eol, at, lines)


def _add_flow_entry(doc: Doc, holder: Node, op: Put) -> str:
    if not isinstance(op.tree, Scalar):
        raise EditError(f"'{_describe(op.path)}' is written in flow style {{...}}")
    entry = f"{op.key}: {_flow_literal(op.tree)}"
    if not holder.children:
        at = doc.text.rindex("}", holder.start, holder.end)
        return doc.text[:at] + entry + doc.text[at:]
    at = _content_end(holder.children[-1])
    return doc.text[:at] + ", " + entry + doc.text[at:]


def _flow_literal(tree: Scalar) -> str:
    """Inside [...] or {...} a plain scalar ends at `,[]{}`: quote anything but a simple word."""
    return tree.literal if _PLAIN_SAFE.fullmatch(tree.literal) else quoting.yaml_str(tree.value)


def _replace_scalar(doc: Doc, value: Node, tree: Scalar, where: KeyPath) -> str:
    if value.kind != "scalar":
        raise EditError(f"'{_describe(where)}' holds a {'mapping' if value.kind == 'map' else 'list'}")
    old = doc.text[value.start : value.end]
    if old[:1] in ("|", ">") or "\n" in old.rstrip("\r\n"):
        raise EditError(f"'{_describe(where)}' is a multi-line value")
    literal = _flow_literal(tree) if value.in_flow else tree.literal
    if value.start == value.end:  # `key:` with nothing after it
        return doc.text[: value.start] + " " + literal + doc.text[value.end :]
    return doc.text[: value.start] + literal + doc.text[value.end :]


def _fill_empty(doc: Doc, key: Node, value: Node, tree: Tree, where: KeyPath) -> str:
    """`key:`, `key: ~`, `key: []` or `key: {}` on one line become `key:` and a block under it."""
    empty = value.kind == "scalar" and value.value in ("", "~", "null", "Null", "NULL")
    empty = empty or (value.kind in ("map", "seq") and value.flow and not value.children)
    if not empty or "\n" in doc.text[key.start : value.end]:
        raise EditError(f"'{_describe(where)}' already holds a value of another kind")
    cut_from = value.start - 1 if value.start > key.end and doc.text[value.start - 1] == " " else value.start
    text = doc.text[:cut_from] + doc.text[value.end :]
    inner = key.col + (doc.style.step if isinstance(tree, Mapping) else doc.style.dash)
    return _insert_lines(text, doc.eol, _after_line(text, cut_from), emit(tree, inner, doc.style))


def _append(doc: Doc, op: Append) -> str:
    seq = _find(doc, op.path)
    if seq is None or seq.kind != "seq":
        raise EditError(f"'{_describe(op.path)}' is not a list")
    if seq.flow or not seq.children:
        raise EditError(f"'{_describe(op.path)}' is written in flow style [...]")
    dash = _dash_prefix(doc, seq.children[-1])
    if dash is None:
        raise EditError(f"the last item of '{_describe(op.path)}' does not start its own line with `- `")
    lines = _emit_seq([op.tree], dash[0], _Style(doc.style.step, doc.style.dash, dash[1]))
    return _insert_lines(doc.text, doc.eol, _after_line(doc.text, _content_end(seq)), lines)


# --- applying and verifying ------------------------------------------------------------


def apply(text: str, ops: Sequence[Op], data: Any = None) -> str:
    """Splice each operation into `text`, then prove the result reads as `text` plus exactly these.

    `data`: what `load(text)` returned, when the caller has it already (saves a parse per file).
    """
    if not ops:
        return text
    result = text
    for op in ops:
        doc = Doc(result)
        result = _put(doc, op) if isinstance(op, Put) else _append(doc, op)
    verify(text, result, ops, data)
    return result


def verify(before: str, after: str, ops: Sequence[Op], data: Any = None) -> None:
    expected = _expected(data if data is not None else load(before), ops)
    try:
        got = load(after)
    except EditError as exc:
        raise EditError(f"the edited file would not parse: {exc}") from None
    if got != expected:
        raise EditError("the edit would change other parts of the file")
    _same_for_ruamel(before, after, expected, ops)
    _kept(before, after)


def _expected(data: Any, ops: Sequence[Op]) -> Any:
    import copy

    data = copy.deepcopy(data) if data is not None else {}
    for op in ops:
        op.on(data)
    return data


def _same_for_ruamel(before: str, after: str, expected_pyyaml: Any, ops: Sequence[Op]) -> None:
    """GE reads YAML with ruamel.yaml (YAML 1.2): it must see the original plus our change too."""
    try:
        got = load_ruamel(after)
        if got == expected_pyyaml:  # both readers agree on the result: one load is enough
            return
        expected = _expected(load_ruamel(before), ops)
    except Exception as exc:  # ruamel raises many kinds; any of them means we cannot prove the edit
        raise EditError(f"ruamel.yaml cannot read it ({describe_yaml_error(exc)})") from None
    if got != expected:
        raise EditError("ruamel.yaml would read other parts of the edited file differently")


def _kept(before: str, after: str) -> None:
    """Every comment (own line or end of line) and every `$` placeholder of the original is still there."""
    for name, pick in (("comment", _comments), ("placeholder", _PLACEHOLDER.findall)):
        missing = Counter(pick(before)) - Counter(pick(after))
        if missing:
            raise EditError(f"the edit would lose a {name} ({next(iter(missing))[:60]!r})")


def _comments(text: str) -> list[str]:
    """Comment lines, and what follows ` #` on other lines (a `#` inside quotes counts too: it must stay as well)."""
    found = []
    for line in textdoc.lines(text):
        body = line.strip()
        if body.startswith("#"):
            found.append(body)
        elif " #" in body:
            found.append(body[body.index(" #") :].strip())
    return found


# --- what GE needs: the OpenLineage action, in a validation operator or a checkpoint ----

ACTION_NAME = "openlineage"
ACTION_CLASS = "OpenLineageValidationAction"
ACTION_MODULE = "openlineage.common.provider.great_expectations"
OPERATOR_CLASS = "ActionListValidationOperator"
# what GE 0.13-0.15 itself puts in a new action_list_operator (DataContextConfigDefaults)
DEFAULT_ACTIONS: tuple[Tree, ...] = tuple(
    {"name": plain(name), "action": {"class_name": plain(cls)}}
    for name, cls in (
        ("store_validation_result", "StoreValidationResultAction"),
        ("store_evaluation_params", "StoreEvaluationParametersAction"),
        ("update_data_docs", "UpdateDataDocsAction"),
    )
)


def action_entry(params: Mapping[str, Scalar]) -> dict[str, Tree]:
    """The action_list item: name, and the action's class, module and `params`."""
    action: dict[str, Tree] = {"class_name": plain(ACTION_CLASS), "module_name": plain(ACTION_MODULE), **params}
    return {"name": plain(ACTION_NAME), "action": action}


def is_openlineage(item: Any) -> bool:
    """Named `openlineage`, or any entry running OpenLineage's action (a second one would send twice)."""
    if not isinstance(item, dict):
        return False
    action = item.get("action")
    cls = action.get("class_name") if isinstance(action, dict) else None
    return item.get("name") == ACTION_NAME or (isinstance(cls, str) and cls.rstrip(", ") == ACTION_CLASS)


def _absent(value: Any) -> bool:
    return value is None or value == {} or value == []


def _same(key: str, have: Any, want: Scalar) -> bool:
    """Nothing to change: the value, the module's `.action` spelling, or the user's own `$VAR` (GE fills it in)."""
    if isinstance(have, str) and key not in ("class_name", "module_name") and has_placeholder(have):
        return True
    return have == want.value or (key == "module_name" and have == f"{ACTION_MODULE}.action")


def has_placeholder(value: str) -> bool:
    """Does GE substitute something into this string (`${VAR}` or `$VAR`, not `\\$`)?"""
    return _PLACEHOLDER.search(value) is not None


def find_action(data: Any, path: KeyPath) -> dict[str, Any] | None:
    """The `action` mapping of the OpenLineage entry in the list at `path`, if there is one."""
    try:
        items = _at(data, path)
    except (KeyError, IndexError, TypeError):
        return None
    for item in items if isinstance(items, list) else ():
        if is_openlineage(item) and isinstance(item.get("action"), dict):
            return dict(item["action"])
    return None


def listed_action_ops(data: Any, path: KeyPath, params: Mapping[str, Scalar]) -> list[Op]:
    """Make the list at `path` hold exactly one OpenLineage entry with these params.

    A missing list is created with `seed` items first (GE's default actions, for an operator);
    a present one, even empty, gets our entry appended; an existing entry is updated in place
    (keys of ours only; the user's other keys, such as job_description, stay).
    """
    items = _at(data, path) if data is not None else None
    if not isinstance(items, list):
        raise EditError(f"'{_describe(path)}' is not a list")
    found = [index for index, item in enumerate(items) if is_openlineage(item)]
    if len(found) > 1:
        numbers = " and ".join(str(index + 1) for index in found)
        raise EditError(f"'{_describe(path)}' runs OpenLineage's action more than once (items {numbers}); keep one")
    if not found:
        return [Append(path, action_entry(params))]
    action = items[found[0]].get("action")
    where: KeyPath = (*path, found[0], "action")
    if not isinstance(action, dict):
        raise EditError(f"'{_describe(where)}' is not a mapping")
    wanted = action_entry(params)["action"]
    assert isinstance(wanted, dict)
    return [Put(where, key, value) for key, value in wanted.items() if not _same(key, action.get(key), value)]


def ensure_action_ops(
    data: Any,
    path: KeyPath,
    params: Mapping[str, Scalar],
    scaffold: Scaffold,
    seed: Sequence[Tree],
) -> list[Op]:
    """Create what is missing along `path` (mappings get `scaffold[key]` entries first), then the entry.

    `path` ends at the action list; an absent list gets `seed` + our entry, an empty one our entry only.
    """
    node = data if data is not None else {}
    for depth, key in enumerate(path):
        if not isinstance(node, dict):
            raise EditError(f"'{_describe(path[:depth])}' is not a mapping")
        if _absent(node.get(key)):
            return [Put(path[:depth], str(key), _scaffold(path[depth:], params, scaffold, seed, key in node))]
        node = node[key]
    return listed_action_ops(data, path, params)


def _scaffold(
    rest: KeyPath,
    params: Mapping[str, Scalar],
    scaffold: Scaffold,
    seed: Sequence[Tree],
    empty: bool,
) -> Tree:
    if len(rest) == 1:
        return [*(() if empty else seed), action_entry(params)]
    key = str(rest[0])
    return {**scaffold.get(key, {}), str(rest[1]): _scaffold(rest[1:], params, scaffold, seed, False)}


def operator_ops(data: Any, operator: str, params: Mapping[str, Scalar]) -> list[Op]:
    """validation_operators.<operator> runs the action (created with GE's default actions when absent)."""
    path: KeyPath = ("validation_operators", operator, "action_list")
    scaffold = {operator: {"class_name": plain(OPERATOR_CLASS)}}
    ops = ensure_action_ops(data, path, params, scaffold, DEFAULT_ACTIONS)
    holder = data.get("validation_operators") if isinstance(data, dict) else None
    current = holder.get(operator) if isinstance(holder, dict) else None
    if isinstance(current, dict) and "class_name" not in current:
        ops.insert(0, Put(path[:2], "class_name", plain(OPERATOR_CLASS)))
    return ops


def checkpoint_action_ops(data: Any, params: Mapping[str, Scalar]) -> list[Op]:
    """A Checkpoint/SimpleCheckpoint file's own top-level action_list runs the action.

    GE adds each validation's own action_list to the top-level one: an OpenLineage entry there
    as well would send every event twice, so that is refused.
    """
    validations = data.get("validations") if isinstance(data, dict) else None
    for number, validation in enumerate(validations if isinstance(validations, list) else (), 1):
        items = validation.get("action_list") if isinstance(validation, dict) else None
        if isinstance(items, list) and any(is_openlineage(item) for item in items):
            raise EditError(
                f"validation {number} runs OpenLineage's action in its own action_list; GE adds that to the "
                "checkpoint's action_list, so a second entry would send every event twice: move it to the "
                "checkpoint's top-level action_list (one entry in all)"
            )
    return ensure_action_ops(data, ("action_list",), params, {}, ())


def put_ops(data: Any, key: str, value: Scalar, after: str = "") -> list[Op]:
    """A top-level `key: value` (new: after the `after` key, if any), unless it is already there."""
    if isinstance(data, dict) and data.get(key) == value.value:
        return []
    if data is not None and not isinstance(data, dict):
        raise EditError("its top level is not a mapping")
    return [Put((), key, value, after)]
