"""A backend that takes no key (Marquez): the OpenLineage entries we update carry no openlineage_apiKey at all,
so an entry that had one (a run with a key before) loses that line (unsplice.py takes it out exactly)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lineage_setup.edits.yaml_read import KeyPath, at
from lineage_setup.integrations.great_expectations import edits

if TYPE_CHECKING:
    from lineage_setup.integrations.great_expectations.unsplice import Removal

KEY = "openlineage_apiKey"


def without_key(text: str, data: Any, lists: list[KeyPath]) -> str:
    """`text` without the key line of the OpenLineage entry in each list (`data`: what `text` says, or said
    before entries were appended to those lists); EditError when that cannot be done exactly. (unsplice is
    imported only here: a run with a key, the usual one, never needs it.)"""
    from lineage_setup.integrations.great_expectations.unsplice import Drop, remove

    ops: list[Removal] = []
    for path in lists:
        try:
            items = at(data, path)
        except (KeyError, IndexError, TypeError):
            continue
        for index, item in enumerate(items if isinstance(items, list) else ()):
            action = item.get("action") if edits.is_openlineage(item) else None
            if isinstance(action, dict) and KEY in action:
                ops.append(Drop((*path, index, "action"), KEY))
    return remove(text, ops) if ops else text
