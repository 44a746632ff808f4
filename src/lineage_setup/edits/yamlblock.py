"""Replace one top-level entry of a YAML mapping with a block of text, leaving every other byte alone.

A splice of the YAML round-trip engine (yaml_write.Section): the entry's lines come from the
parser's marks, comments and blank lines that trail it stay with what follows, and the result must
read (with PyYAML, the reader of the files this edits) as the original with only that key changed.
"""

from __future__ import annotations

from lineage_setup.edits import yaml_write


def set_top_level(text: str, key: str, block: str) -> str:
    """Make `key` hold what `block` (a `key:` entry written with LF endings) says."""
    return yaml_write.apply(text, [yaml_write.Section(key, block)], ruamel=False)


def remove_top_level(text: str, key: str) -> str:
    """Take the top-level entry `key` out (its trailing comment and blank lines stay with what follows)."""
    return yaml_write.apply(text, [yaml_write.Section(key, "")], ruamel=False)
