"""Replace one top-level entry of a YAML mapping with a block of text, leaving every other byte alone.

A splice of the YAML round-trip engine (yaml_write.Section): the entry's lines come from the
parser's marks, comments and blank lines that trail it stay with what follows, and the result must
read (with PyYAML, the reader of the files this edits) as the original with only that key changed.
"""

from __future__ import annotations

from lineage_setup.edits import EditError, yaml_write


def set_top_level(text: str, key: str, block: str) -> str:
    """Make `key` hold what `block` (a `key:` entry written with LF endings) says."""
    return yaml_write.apply(text, [yaml_write.Section(key, block)], ruamel=False)


def remove_top_level(text: str, key: str) -> str:
    """Take the top-level entry `key` out (its trailing comment and blank lines stay with what follows)."""
    return yaml_write.apply(text, [yaml_write.Section(key, "")], ruamel=False)


def entries(text: str, path: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each entry of the mapping at `path` as written -- (key, its `key: ...` lines moved to column 0, LF
    endings) -- so a caller can lay them out again under another key without losing a comment."""
    from lineage_setup.edits import yaml_nodes

    doc = yaml_nodes.Doc(text, refuse_tabs=False)
    holder = yaml_nodes.find(doc, path)
    if holder is None or holder.kind != "map" or holder.flow:
        raise EditError(f"'{'.'.join(path)}' is not a block mapping")
    found = []
    for key, value in holder.pairs():
        start = yaml_nodes.line_start(text, key.start)
        end = yaml_nodes.after_line(text, yaml_nodes.content_end(value))
        lines = text[start:end].replace("\r\n", "\n").rstrip("\n").split("\n")
        found.append((key.value, "\n".join(line[min(key.col, _indent(line)) :] for line in lines)))
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
