"""A cheap first look at a GE 0.x checkpoint file: is it one a run would leave exactly as it is?

A re-run over thousands of checkpoints spent most of its time having PyYAML construct each file. Most of
them are plain block YAML (GE writes them so), whose structure the lines' indentation decides by itself:
`key: value`, `- key: value` and `- value` lines of plain words and simple quoted strings, comments and
blank lines. `read` builds that structure without a YAML library and gives up (None) on anything else
(flow collections, anchors, tags, block scalars, escapes, tabs, a key set twice, continued lines...), so
every file it accepts reads the same to PyYAML and to ruamel.yaml as to it (tests/test_great_expectations_
settled.py holds it to that). `settled` then says whether the full plan would change nothing and say
nothing; when it cannot be sure it says no, and the file goes the full way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Union

from lineage_setup.edits.yaml_emit import PLAIN_SAFE, Scalar, plain
from lineage_setup.integrations.great_expectations import edits

_END = r"(?=\n|\Z)"
_VALUE = (  # quoted: printable ASCII without escapes; plain: no indicator first, no `: ` or ` #` inside
    r"\"[ !#-\[\]-~]*\"|'[ -&(-~]*'"
    r"|[A-Za-z0-9_$./+](?:[A-Za-z0-9_$./%+{}:-]*[A-Za-z0-9_$./%+{}-])?"
)


def _entry(group: str) -> str:
    """One entry line: indentation, `- `, `key:`, value, comment (each optional, but a dash or a key there);
    `group` opens each part: "(" to capture them, "(?:" not to."""
    return (
        group + r" *)(?=-[ \n]|-\Z|[A-Za-z_])" + group + r"- +|-" + _END + r")?"
        r"(?:" + group + r"[A-Za-z_][A-Za-z0-9_]*):(?=[ \n]|\Z))? *" + group + _VALUE + r")?(?: +#[^\n]*)? *" + _END
    )


_LINES = re.compile(r"^" + _entry("("), re.MULTILINE)  # the entries, as (indent, dash, key, value)
_DOCUMENT = re.compile(r"(?:(?:" + _entry("(?:") + r"| *(?:#[^\n]*)?)(?:\n|\Z))*")  # entries, comments, blanks
_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")  # a string to every reader, written plain

# A scalar is kept as written (quotes and all): "" is an empty value (null)
Tree = Union[str, dict[str, "Tree"], list["Tree"]]
_Line = tuple[int, int, str, str]  # the key's or value's column, the dash's column (-1: none), key, value


@functools.cache
def _safe(text: str) -> bool:
    """Written plain, every YAML 1.1 and 1.2 reader reads this as this same string (yaml_emit.plain's rule,
    or a whole `${NAME}`)."""
    if PLAIN_SAFE.fullmatch(text) is not None:
        return plain(text).literal == text
    return _PLACEHOLDER.fullmatch(text) is not None


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
    """The file's structure, when it is plain block YAML of the kind above; else None."""
    if "\t" in text or "\r" in text or text.startswith("\ufeff") or _DOCUMENT.fullmatch(text) is None:
        return None
    lines: list[_Line] = []
    for indent, dash, key, value in _LINES.findall(text):
        if key and not _safe(key):
            return None  # `on:`, `yes:`, `null:`: keys YAML 1.1 and 1.2 readers read differently
        lines.append((len(indent) + len(dash), len(indent) if dash else -1, key, value))
    if not lines:
        return None
    tree, end = _block(lines, 0, lines[0][1] if lines[0][1] >= 0 else lines[0][0])
    return tree if end == len(lines) else None


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
            item, at = value, at + 1
        else:
            item, at = _nested(lines, at + 1, col, False)
        if item is None:
            return None, at
        items.append(item)
    return items, at


def _mapping(
    lines: list[_Line], at: int, col: int, found: dict[str, Tree], first: bool
) -> tuple[Tree | None, int]:
    while at < len(lines):
        column, dash, key, value = lines[at]
        if not (first or (dash < 0 and column == col)) or not key:
            break
        if key in found:
            return None, at  # a key set twice: readers disagree (PyYAML keeps the last, ruamel.yaml stops)
        first = False
        if value:
            found[key], at = value, at + 1
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


# --- the decision ------------------------------------------------------------------------------------


def settled(text: str, params: Mapping[str, Scalar], kinds: tuple[str, ...]) -> str | None:
    """The checkpoint's kind when planning it would change nothing and say nothing; else None."""
    if edits.ACTION_CLASS not in text and edits.OPERATOR not in text:
        return None  # a first run: nothing of ours in it yet
    data = read(text)
    if not isinstance(data, dict):
        return None
    given = data.get("class_name")
    if given is None or null(given):
        version = data.get("config_version")
        kind = "LegacyCheckpoint" if version is None or null(version) else "Checkpoint"
    else:
        kind = string(given) or ""
    if kind == "LegacyCheckpoint":
        return kind if string(data.get("validation_operator_name")) == edits.OPERATOR else None
    if kind not in kinds or not _v3_settled(data, params):
        return None
    return kind


def _v3_settled(data: dict[str, Tree], params: Mapping[str, Scalar]) -> bool:
    validations = data.get("validations", [])
    if not isinstance(validations, list) or any(_ours(item) for v in validations for item in _items(v)):
        return False
    ours = [item for item in _items(data) if _ours(item)]
    if len(ours) != 1 or not isinstance(ours[0], dict) or not isinstance(ours[0].get("action"), dict):
        return False
    action = ours[0]["action"]
    assert isinstance(action, dict)
    if string(action.get("class_name")) != edits.ACTION_CLASS:
        return False
    if string(action.get("module_name")) not in (edits.ACTION_MODULE, f"{edits.ACTION_MODULE}.action"):
        return False
    if "job_name" in action and "job_name" not in params:
        return False  # the full plan says it keeps the job name
    return all(string(action.get(name)) == value.value for name, value in params.items())


def _items(holder: Tree) -> list[Tree]:
    listed = holder.get("action_list") if isinstance(holder, dict) else None
    return listed if isinstance(listed, list) else []


def _ours(item: Tree) -> bool:
    """As edits.is_openlineage decides; an item whose name or class it cannot read counts as ours (so the
    file is not settled)."""
    if not isinstance(item, dict):
        return False
    action = item.get("action")
    cls = action.get("class_name") if isinstance(action, dict) else None
    for value, ours in ((item.get("name"), edits.ACTION_NAME), (cls, edits.ACTION_CLASS)):
        unreadable = not isinstance(value, str) if value is not None else False
        if unreadable or (isinstance(value, str) and value and string(value) is None):
            return True
        text = string(value)
        if text is not None and (text == ours or text.rstrip(", ") == ours):
            return True
    return False
