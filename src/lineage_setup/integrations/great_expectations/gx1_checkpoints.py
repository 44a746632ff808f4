"""GX 1.x checkpoints: each JSON file read, checked to be one GX wrote, and given the action entry.

The edit is a round trip (edits/json_doc): the file is read and written back with the json.dumps
settings that reproduce it byte for byte, so only the `actions` list changes; GX itself writes
checkpoints with indent 2 and sorted keys, and so does an entry we add. Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lineage_setup.edits import EditError, json_doc
from lineage_setup.integrations.great_expectations.checkpoints import Checkpoint
from lineage_setup.integrations.great_expectations.edits import KEY_VARIABLE, has_placeholder
from lineage_setup.integrations.great_expectations.gx1_project import ACTION_TYPE

KIND = "GX 1.x checkpoint"
THEIRS = "openlineage"  # OpenLineage's own GX action (openlineage-integration-common 1.40+)
_WHOLE_VARIABLE = re.compile(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}|\$([_a-zA-Z][_a-zA-Z0-9]*)")


@dataclass(frozen=True)
class _Merged:
    entry: dict[str, Any]
    variable: str = KEY_VARIABLE
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()


def plan_checkpoint(
    name: str, rel: str, text: str, entry: Mapping[str, Any], own_job: bool, by_hand: str
) -> Checkpoint:
    """The checkpoint with exactly one entry of ours (`own_job`: --job-name was given, so it is ours to set)."""
    try:
        doc = json_doc.read(text)
        actions = _actions(doc.data)
        merged = _merged(rel, actions, entry, own_job)
        data = json_doc.put(doc.data, "actions", merged.actions)
        updated = json_doc.write(data, doc.style)
    except EditError as exc:
        return Checkpoint(name, rel, refused=f"{exc}.\n{by_hand}")
    notes = (*merged.found.notes, *_theirs(rel, actions))
    changed = updated if updated != text else None
    return Checkpoint(name, rel, KIND, changed, (), (merged.found.variable,), notes, merged.found.infos)


def _actions(data: Any) -> list[Any]:
    """The checkpoint's actions; EditError when it is not a checkpoint as GX 1.x writes one."""
    problem = ""
    if not isinstance(data, dict):
        problem = "its top level is not an object"
    elif not isinstance(data.get("name"), str):
        problem = "it has no name"
    elif not isinstance(data.get("validation_definitions"), list):
        problem = "it has no validation_definitions list"
    elif not isinstance(data.get("actions", []), list):
        problem = "its actions are not a list"
    else:
        untyped = [n for n, a in enumerate(data.get("actions", []), 1) if not isinstance(a, dict) or "type" not in a]
        problem = f"action {untyped[0]} has no type" if untyped else ""
    if problem:
        raise EditError(f"it is not a checkpoint as GX 1.x writes one ({problem})")
    actions: list[Any] = data.get("actions", [])
    return actions


@dataclass(frozen=True)
class _List:
    actions: list[Any]
    found: _Merged


def _merged(rel: str, actions: list[Any], entry: Mapping[str, Any], own_job: bool) -> _List:
    ours = [number for number, action in enumerate(actions) if action.get("type") == ACTION_TYPE]
    if len(ours) > 1:
        numbers = " and ".join(str(number + 1) for number in ours)
        raise EditError(f"it lists the OpenLineage action more than once (actions {numbers}); keep one")
    if not ours:
        return _List([*actions, dict(entry)], _Merged(dict(entry)))
    found = _update(rel, actions[ours[0]], entry, own_job)
    return _List([found.entry if n == ours[0] else a for n, a in enumerate(actions)], found)


def _update(rel: str, have: dict[str, Any], entry: Mapping[str, Any], own_job: bool) -> _Merged:
    """Our values in an entry already there; the user's `$VAR`s and other keys stay (GX fills them in)."""
    merged: dict[str, Any] = dict(have)
    infos: list[str] = []
    for key in ("url", "endpoint", "namespace"):
        value = have.get(key)
        if isinstance(value, str) and has_placeholder(value):
            infos.append(f"{rel}: kept {key}: {value} (GX fills it in when it runs)")
        else:
            merged = json_doc.put(merged, key, entry[key])
    if own_job or "job_name" not in have:
        merged = json_doc.put(merged, "job_name", entry["job_name"])
    elif have.get("job_name"):
        infos.append(f"{rel}: kept job_name: {have['job_name']} (pass --job-name to change it)")
    if not isinstance(have.get("name"), str):
        merged = json_doc.put(merged, "name", entry["name"])
    if "compression" in entry:
        merged = json_doc.put(merged, "compression", entry["compression"])
    else:
        merged.pop("compression", None)  # a backend that does not expect it (an earlier run's)
    secret = have.get("api_key")
    if "api_key" not in entry:  # a backend that takes no key: none at all
        merged.pop("api_key", None)
        return _Merged(merged, KEY_VARIABLE, (), tuple(infos))
    if isinstance(secret, str) and has_placeholder(secret):
        whole = _WHOLE_VARIABLE.fullmatch(secret)
        return _Merged(merged, (whole.group(1) or whole.group(2)) if whole else KEY_VARIABLE, (), tuple(infos))
    notes: tuple[str, ...] = ()
    if isinstance(secret, str) and secret:
        notes = (
            f"{rel} holds an API key in plain text; lineage-setup replaces it with ${{{KEY_VARIABLE}}}. "
            "If the file was ever committed or shared, revoke that key",
        )
    return _Merged(json_doc.put(merged, "api_key", entry["api_key"]), KEY_VARIABLE, notes, tuple(infos))


def _theirs(rel: str, actions: list[Any]) -> tuple[str, ...]:
    if not any(action.get("type") == THEIRS for action in actions):
        return ()
    return (
        f'{rel} also lists OpenLineage\'s own GX action (type "{THEIRS}", openlineage-integration-common 1.40+), '
        "which does not run on GX 1.x (it has no run()); remove it: the action lineage-setup adds sends the events",
    )
