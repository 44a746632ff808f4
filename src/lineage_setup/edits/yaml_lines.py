"""Plain block YAML read by its lines, without a YAML library: for the files every reader reads alike.

Most files we edit in bulk (GE checkpoints: GE writes them so) are plain block YAML, whose structure the
lines' indentation decides by itself: `key: value`, `- key: value` and `- value` lines of plain words and
simple quoted strings, an empty `{}` or `[]`, comments and blank lines. `read` builds that structure and
gives up (None) on anything else (other flow collections, anchors, tags, block scalars, escapes, tabs,
CR, a key set twice, continued lines...), so every file it accepts reads the same to PyYAML (libyaml or
pure, YAML 1.1) and to ruamel.yaml (YAML 1.2) as to it. `load` turns that structure into the data those
readers make, and gives up too on a scalar the readers might disagree on (`yes`, `012`, `1e3`, a date...).

Reading a small file so costs a tenth of what PyYAML's construction does, and each distinct line is
matched once per run (a project's checkpoints share most of theirs); tests/test_yaml_lines.py holds both
functions to the readers over generated documents.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Union

from lineage_setup.edits.yaml_emit import PLAIN_SAFE, plain

_END = r"(?=\n|\Z)"
_VALUE = (  # quoted: printable ASCII without escapes; plain: no indicator first, no `: ` or ` #` inside
    r"\"[ !#-\[\]-~]*\"|'[ -&(-~]*'"
    r"|[A-Za-z0-9_$./+](?:[A-Za-z0-9_$./%+{}:-]*[A-Za-z0-9_$./%+{}-])?"
    r"|\{\}|\[\]"  # an empty mapping or list (GE's own `datasources: {}`): the only flow collections read
)
_EMPTY = {"{}": dict, "[]": list}
# A comment of characters every reader takes as printable and as no line break: not the C0 and C1 controls,
# DEL, surrogates or U+FFFE/FFFF (PyYAML and ruamel.yaml refuse the file), nor NEL, U+2028 and U+2029 (they end
# a line for the readers, so what follows one in a "comment" is an entry to them)
_COMMENT = "#[ -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*"
_KEY_MAX = 1000  # a key is a "simple key" to the readers: over 1,024 characters they stop (so: declined)


def _entry(group: str) -> str:
    """One entry line: indentation, `- `, `key:`, value, comment (each optional, but a dash or a key there);
    `group` opens each part: "(" to capture them, "(?:" not to."""
    return (
        group + r" *)(?=-[ \n]|-\Z|[A-Za-z_])" + group + r"- +|-" + _END + r")?"
        r"(?:" + group + r"[A-Za-z_][A-Za-z0-9_]*):(?=[ \n]|\Z))? *" + group + _VALUE + r")?"
        r"(?: +" + _COMMENT + ")? *" + _END
    )


# One line: (indent, dash, key, value) of an entry, or four "" for a comment or blank line
_LINE = re.compile(_entry("(") + r"| *(?:" + _COMMENT + ")?")
_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")  # decimal: YAML 1.1 and 1.2 agree (no 012, 0o12, 1_000, 1:20)
_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+")  # 1.0, -0.5: no exponent, no `.inf`, no `1.`
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")  # a string to every reader, written plain
# A UUID (GE writes `instance_id: <uuid4>` into config_variables.yml): its dashes keep it from every
# number, date and time form of YAML 1.1 and 1.2, so every reader reads it as this string
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

# A scalar is kept as written (quotes and all): "" is an empty value (null); `{}` and `[]` are read as
# an empty dict and list
Tree = Union[str, dict[str, "Tree"], list["Tree"]]
_Line = tuple[int, int, str, str]  # the key's or value's column, the dash's column (-1: none), key, value
_SEEN: dict[str, _Line | tuple[()] | None] = {}  # each line's reading (files of a project share most lines)
_SEEN_MAX = 100_000
_UNSEEN = object()


@functools.cache
def _safe(text: str) -> bool:
    """Written plain, every YAML 1.1 and 1.2 reader reads this as this same string (yaml_emit.plain's rule,
    a whole `${NAME}`, or a UUID)."""
    if PLAIN_SAFE.fullmatch(text) is not None:
        return plain(text).literal == text
    return _PLACEHOLDER.fullmatch(text) is not None or _UUID.fullmatch(text) is not None


def string(value: Tree | None) -> str | None:
    """The str every YAML reader makes of a scalar, or None (not a scalar, or one a reader might read as
    something else: a number, a boolean, null...)."""
    if not isinstance(value, str) or not value:
        return None
    if value[0] in "\"'":
        return value[1:-1]
    return value if _safe(value) else None


def null(value: Tree | None) -> bool:
    return isinstance(value, str) and value in _NULL


def read(text: str) -> Tree | None:
    """The file's structure, when it is plain block YAML of the kind above; else None.

    The last text's reading is kept: an edit reads a file, then places its nodes (yaml_marks) from the same
    text. So the tree returned is shared: callers only look at it."""
    if text is _LAST[0]:
        return _LAST[1]  # type: ignore[no-any-return]
    tree = _read(text)
    _LAST[:] = text, tree
    return tree


_LAST: list[Any] = [None, None]  # the last text read (the same object), and its reading


def _read(text: str) -> Tree | None:
    if "\t" in text or "\r" in text or text.startswith("\ufeff"):
        return None
    lines: list[_Line] = []
    seen = _SEEN
    for line in text.split("\n"):
        parts = seen.get(line, _UNSEEN)
        if parts is _UNSEEN:
            parts = _reading(line)
        if parts:  # an entry (a comment or blank line is ())
            lines.append(parts)  # type: ignore[arg-type]
        elif parts is None:
            return None  # a line that is neither
    if not lines:
        return None
    tree, end = _block(lines, 0, lines[0][1] if lines[0][1] >= 0 else lines[0][0])
    return tree if end == len(lines) else None


def reading(line: str) -> _Line | tuple[()] | None:
    """One line's reading, as `read` takes it (yaml_marks places the nodes by it)."""
    parts = _SEEN.get(line, _UNSEEN)
    return _reading(line) if parts is _UNSEEN else parts  # type: ignore[return-value]


def _reading(line: str) -> _Line | tuple[()] | None:
    """One line: an entry, () for a comment or blank line, None for anything else (remembered: a
    regular expression match costs ten times a look-up, and 2,000 checkpoints repeat most of their lines)."""
    match = _LINE.fullmatch(line)
    parts: _Line | tuple[()] | None = None
    if match is not None:
        indent, dash, key, value = match.groups(default="")
        if not (dash or key or value):
            parts = ()  # a comment or a blank line (an entry has at least one of these)
        elif not key or (_safe(key) and len(key) <= _KEY_MAX):  # `on:`, `yes:`, `null:`: readers differ
            parts = (len(indent) + len(dash), len(indent) if dash else -1, key, value)
    if len(_SEEN) < _SEEN_MAX:
        _SEEN[line] = parts
    return parts


class _Unsure(Exception):
    """A scalar YAML 1.1 and 1.2 readers may read differently."""


def load(text: str) -> Any:
    """The data PyYAML and ruamel.yaml both read from `text` (dicts, lists, str, int, float, bool, None),
    or NotImplemented when this reader cannot be sure (then ask the readers)."""
    tree = read(text)
    if tree is None:
        return NotImplemented
    try:
        return _data(tree)
    except _Unsure:
        return NotImplemented


def _data(tree: Tree) -> Any:
    if isinstance(tree, dict):
        return {key: _data(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_data(item) for item in tree]
    data = _SCALARS.get(tree, _UNSEEN)
    if data is _UNSEEN:
        data = _scalar(tree)
    if data is _UNSURE:
        raise _Unsure(tree)
    return data


_UNSURE = object()
_SCALARS: dict[str, Any] = {}  # each scalar's data, or _UNSURE (str, int, float, bool, None: immutable)


def _scalar(value: str) -> Any:
    data = _reading_of(value)
    if len(_SCALARS) < _SEEN_MAX:
        _SCALARS[value] = data
    return data


def _reading_of(value: str) -> Any:
    if value in _NULL:
        return None
    text = string(value)
    if text is not None:
        return text
    if value in _BOOL:
        return _BOOL[value]
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return _UNSURE


def _block(lines: list[_Line], at: int, col: int) -> tuple[Tree | None, int]:
    """The list or mapping whose lines start at column `col` (a list's dashes there), from line `at`."""
    column, dash, key, _ = lines[at]
    if dash == col:
        return _list(lines, at, col)
    if dash < 0 and key and column == col:
        return _mapping(lines, at, col, {}, False)
    return None, at


def _list(lines: list[_Line], at: int, col: int) -> tuple[Tree | None, int]:
    items: list[Tree] = []
    while at < len(lines) and lines[at][1] == col:
        column, _, key, value = lines[at]
        item: Tree | None
        if key:  # `- key: value`: a mapping whose keys sit at the column after the dash
            item, at = _mapping(lines, at, column, {}, True)
        elif value:
            item, at = _EMPTY[value]() if value in _EMPTY else value, at + 1
        else:
            item, at = _nested(lines, at + 1, col, False)
        if item is None:
            return None, at
        items.append(item)
    return items, at


def _mapping(lines: list[_Line], at: int, col: int, found: dict[str, Tree], first: bool) -> tuple[Tree | None, int]:
    while at < len(lines):
        column, dash, key, value = lines[at]
        if not (first or (dash < 0 and column == col)) or not key:
            break
        if key in found:
            return None, at  # a key set twice: readers disagree (PyYAML keeps the last, ruamel.yaml stops)
        first = False
        if value:
            found[key], at = _EMPTY[value]() if value in _EMPTY else value, at + 1
            continue
        nested, at = _nested(lines, at + 1, col, True)
        if nested is None:
            return None, at
        found[key] = nested
    return found, at


def _nested(lines: list[_Line], at: int, col: int, key: bool) -> tuple[Tree | None, int]:
    """What an entry with nothing after its colon (or a bare dash) holds: a deeper block, a list at the
    key's own column (`key:` then `- item`), or null ("")."""
    if at < len(lines):
        column, dash, _, _ = lines[at]
        start = dash if dash >= 0 else column
        if start > col or (key and dash == col):
            return _block(lines, at, start)
    return "", at
