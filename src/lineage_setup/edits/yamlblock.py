"""Replace one top-level entry of a YAML mapping by splicing text, leaving every other byte alone.

The entry's span comes from PyYAML's node marks (pre-commit's approach); comments and blank
lines that trail the entry stay with what follows it. The result is re-read and must equal the
original mapping with only that key changed.
"""

from __future__ import annotations

from typing import Any

import yaml

from lineage_setup import textdoc
from lineage_setup.edits import EditError, describe_yaml_error


def _compose(text: str) -> yaml.MappingNode | None:
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise EditError(f"it is not valid YAML ({describe_yaml_error(exc)})") from None
    if len(docs) > 1:
        raise EditError("it holds several YAML documents")
    if not docs:
        return None
    root = docs[0]
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise EditError("its top level is not a block mapping")
    return root


def _load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.SafeLoader)


def _entry_span(text: str, root: yaml.MappingNode, key: str) -> tuple[int, int] | None:
    found = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key]
    keys = [k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
    if len(keys) != len(set(keys)):
        raise EditError("it has duplicate top-level keys")
    if not found:
        return None
    knode, vnode = found[0]
    if knode.start_mark.column != 0:
        raise EditError(f"'{key}' does not start its line")
    start, end = knode.start_mark.index, vnode.end_mark.index
    if end > 0 and text[end - 1] != "\n":  # finish the value's last line
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    while True:  # trailing blank and comment lines belong to what follows
        last = text.rfind("\n", start, end - 1) + 1
        line = text[last:end].strip()
        if last <= start or (line and not line.startswith("#")):
            return start, end
        end = last


def set_top_level(text: str, key: str, block: str) -> str:
    """Make `key` hold what `block` (a `key:` entry written with LF endings) says."""
    root = _compose(text)
    span = _entry_span(text, root, key) if root is not None else None
    if span is None:
        after = textdoc.append_lines(text, block.rstrip("\n").split("\n"))
    else:
        start, end = span
        new = textdoc.with_eol(block, textdoc.eol_of(text))
        if end == len(text) and not text.endswith("\n"):
            new = new.rstrip("\r\n")  # keep the missing final newline missing
        after = text[:start] + new + text[end:]
    _verify(text, after, key, block)
    return after


def _verify(before: str, after: str, key: str, block: str) -> None:
    expected = dict(_load(before) or {})
    expected[key] = _load(block)[key]
    try:
        result = _load(after)
    except yaml.YAMLError as exc:
        raise EditError(f"the edited file would not parse ({describe_yaml_error(exc)})") from None
    if result != expected:
        raise EditError(f"replacing '{key}' would change other parts of the file")
