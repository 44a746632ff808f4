"""Checkpoint files: each one read, classified, and given the action (V3) or our operator (legacy).

`plan_checkpoints` returns what it found and proposes, one frozen `Checkpoint` per file; the caller
records them on the Workspace, so nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from lineage_setup.edits import EditError, yaml_read
from lineage_setup.edits.yaml_emit import Scalar, plain
from lineage_setup.integrations.great_expectations import edits, keyless, project, settled
from lineage_setup.integrations.great_expectations.render import checkpoint_by_hand

if TYPE_CHECKING:
    from lineage_setup.edits.yaml_ops import Op
    from lineage_setup.workspace import Workspace

V3_CLASSES = ("Checkpoint", "SimpleCheckpoint")
OPERATOR_CLASSES = ("ActionListValidationOperator", "WarningAndFailureExpectationSuitesValidationOperator")


class Checkpoint(NamedTuple):
    """One checkpoint file: what it is, its new text when that changes, and what it needs elsewhere."""

    name: str  # as GE names it: checkpoints/team/daily.yml is team.daily
    rel: str
    kind: str = ""  # LegacyCheckpoint, Checkpoint or SimpleCheckpoint; "" when it is left alone
    text: str | None = None  # the edited file, when it changes
    operators: tuple[str, ...] = ()  # validation operators that must run the action for it
    variables: tuple[str, ...] = ()  # config variables that must hold the key
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()
    refused: str = ""  # why it cannot be edited, and the change to make by hand

    @property
    def reason(self) -> str:
        return f"checkpoint {self.name}: OpenLineage action"


class _Found(NamedTuple):
    """The operations one checkpoint needs, and what they imply elsewhere."""

    ops: list[Op]
    operators: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()


def plan_checkpoint(
    name: str, rel: str, text: str, config: Mapping[str, Any], params: Mapping[str, Scalar]
) -> Checkpoint:
    kind = settled.settled(text, params, V3_CLASSES)  # a re-run: most files need nothing
    if kind == "LegacyCheckpoint":
        return Checkpoint(name, rel, kind, operators=(edits.OPERATOR,))
    if kind is not None:
        return Checkpoint(name, rel, kind, variables=(edits.KEY_VARIABLE,))
    try:
        data = yaml_read.load(text)
    except EditError as exc:
        return Checkpoint(name, rel, refused=f"{exc}.\n{checkpoint_by_hand(params, text)}")
    if not isinstance(data, dict):
        return _left(name, rel, f"{rel}: empty, or not a mapping; not a checkpoint GE can load, so not changed")
    kind = data.get("class_name") or project.default_class(data)
    if kind not in ("LegacyCheckpoint", *V3_CLASSES):
        return _left(name, rel, f"{rel}: class_name {kind!r} is not a GE checkpoint class we know; not changed")
    try:
        found = _legacy_ops(rel, data, config) if kind == "LegacyCheckpoint" else _v3_ops(rel, data, params)
    except EditError as exc:
        return Checkpoint(name, rel, refused=f"{exc}.\n{checkpoint_by_hand(params, text)}")
    said = (found.operators, found.variables, found.notes, found.infos)
    try:
        from lineage_setup.edits import yaml_write  # only when a file changes: a re-run needs none of it

        updated = yaml_write.apply(text, found.ops, data)
        if keyless.KEY not in params and kind != "LegacyCheckpoint":
            updated = keyless.without_key(updated, data, [("action_list",)])
    except EditError as exc:
        return Checkpoint(name, rel, kind, None, *said, refused=f"{exc}.\n{checkpoint_by_hand(params, text)}")
    return Checkpoint(name, rel, kind, updated if updated != text else None, *said)


def _left(name: str, rel: str, note: str) -> Checkpoint:
    """A file that is not a checkpoint we know: not changed, and the user told why."""
    return Checkpoint(name, rel, notes=(note,))


def _v3_ops(rel: str, data: dict[str, Any], params: Mapping[str, Scalar]) -> _Found:
    """A Checkpoint or SimpleCheckpoint runs its own top-level action_list."""
    ops = edits.checkpoint_action_ops(data, params)
    existing = edits.existing_entry(rel, data, ("action_list",), params)
    return _Found(ops, variables=(existing.variable,), notes=existing.notes, infos=existing.infos)


def _legacy_ops(rel: str, data: dict[str, Any], config: Mapping[str, Any]) -> _Found:
    """A LegacyCheckpoint runs the operator it names: ours, or its own if that can hold the action."""
    current = data.get("validation_operator_name")
    if isinstance(current, str) and edits.has_placeholder(current):
        note = f"{rel}: validation_operator_name is {current}; make it name an operator with the action"
        return _Found([], notes=(note,))
    operators = config.get("validation_operators") or {}
    own = operators.get(current) if isinstance(operators, dict) and isinstance(current, str) else None
    if isinstance(own, dict) and current != edits.OPERATOR:
        if own.get("class_name") in OPERATOR_CLASSES:
            info = f"{rel} runs validation operator {current}: the action goes there"
            return _Found([], (str(current),), infos=(info,))
        note = f"{rel}: its operator {current} is a {own.get('class_name')}; add the action to it yourself"
        return _Found([], notes=(note,))
    ops = edits.put_ops(data, "validation_operator_name", plain(edits.OPERATOR), after="class_name")
    return _Found(ops, (edits.OPERATOR,))


# --- the checkpoint store ------------------------------------------------------------------------


class Found(NamedTuple):
    """Every checkpoint file planned, and what to tell the user about the store."""

    checkpoints: tuple[Checkpoint, ...]
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()


def plan_checkpoints(
    ws: Workspace, root: str, config: Mapping[str, Any], params: Mapping[str, Scalar], wanted: tuple[str, ...]
) -> Found:
    """The checkpoints --checkpoint names (all by default), each planned; reads only, through `ws`."""
    folder, note = project.checkpoint_folder(root, config, ws.path(project.rel(root, project.CONFIG)))
    files = project.select(project.checkpoint_files(ws, folder) if folder is not None else {}, wanted)
    none = "no checkpoint YAML files found; new ones need the action too (see --print --format checkpoint)"
    texts = ((name, rel, ws.read(rel)) for name, rel in files.items())
    planned = tuple(plan_checkpoint(name, rel, text, config, params) for name, rel, text in texts if text is not None)
    return Found(planned, (note,) if note else (), () if files else (none,))
