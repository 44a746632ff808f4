"""The operations a YAML edit is described by (yaml_write splices them, yaml_proof checks them).

Kept apart from the engine: a run that finds nothing to change describes no edit, and imports neither
yaml_write nor the node tree (yaml_nodes) behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

from lineage_setup.edits.yaml_emit import Tree, python
from lineage_setup.edits.yaml_read import KeyPath, at

Load = Callable[[str], Any]  # a reader: text -> data


@dataclass(frozen=True)
class Put:
    """Make `key` of the mapping at `path` hold `tree` (inserted, or replacing a scalar/empty value)."""

    path: KeyPath
    key: str
    tree: Tree
    after: str = ""  # a new key goes right after this one when it is there (else at the end)

    def on(self, data: Any, load: Load) -> None:
        at(data, self.path)[self.key] = python(self.tree)


@dataclass(frozen=True)
class Append:
    """Add `tree` as the last item of the list at `path`."""

    path: KeyPath
    tree: Tree

    def on(self, data: Any, load: Load) -> None:
        at(data, self.path).append(python(self.tree))


@dataclass(frozen=True)
class Section:
    """Make the top-level entry `key` be `text` (the whole entry, its `key:` line first, LF endings).

    It replaces the entry where it is (what that said goes, its own comments too; comment and blank
    lines after it stay with what follows), or is added at the end of the file.
    """

    key: str
    text: str  # "" takes the entry out

    def on(self, data: Any, load: Load) -> None:
        if not self.text:
            data.pop(self.key, None)
            return
        data[self.key] = load(self.text)[self.key]


Op = Union[Put, Append, Section]
