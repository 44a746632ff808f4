"""The project's own files: great_expectations.yml (the validation operators that run the action),
the config variables file (the key) and requirements.txt (the pin). Each is read through the
Workspace and its edit returned as a value (or refused); the caller records it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from lineage_setup import redact
from lineage_setup.edits import EditError, requirements, yaml_read
from lineage_setup.edits.yaml_emit import Scalar, plain, quoted
from lineage_setup.edits.yaml_read import KeyPath
from lineage_setup.integrations import base
from lineage_setup.integrations.great_expectations import edits, keyless, project
from lineage_setup.integrations.great_expectations.checkpoints import V3_CLASSES, Checkpoint
from lineage_setup.integrations.great_expectations.project import CONFIG, PIN, REQUIREMENTS, SUPPORTED, VARIABLES
from lineage_setup.integrations.great_expectations.render import (
    operator_snippet,
    variables_lines,
    variables_outside,
    variables_shared,
)

if TYPE_CHECKING:
    from lineage_setup.answers import Connection
    from lineage_setup.edits.yaml_ops import Op
    from lineage_setup.workspace import Workspace

PIN_WHY = f"OpenLineage's GE action; works with {SUPPORTED}"  # the comment above the line
PIN_REASON = "OpenLineage's GE action, pinned to the versions that run it"  # why the file changes
# every GE release the action supports, so an exact pin anywhere in the window is recognised
_SUPPORTED_RELEASES = (
    *(f"0.13.{n}" for n in range(26, 50)),
    *(f"0.14.{n}" for n in range(14)),
    *(f"0.15.{n}" for n in range(35)),
)


class ConfigEdit(NamedTuple):
    """great_expectations.yml: its new text when that changes, and what the entries already there said."""

    rel: str
    text: str | None = None
    variables: tuple[str, ...] = ()  # config variables that must hold the key
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()
    refused: str = ""  # why it cannot be edited, and the change to make by hand
    reason: str = "OpenLineage validation action"


def wants_default_operator(config: Mapping[str, Any], operators: Collection[str]) -> bool:
    """Operators are GE's legacy API: add ours where they are used, not to a pure V3 project.

    A config_version 3 file with validation_operators makes GE log a deprecation warning on
    every run, so a V3 project whose checkpoints all have their own action_list gets none.
    """
    version = config.get("config_version")
    legacy_config = isinstance(version, (int, float)) and version < 3
    return edits.OPERATOR in operators or bool(config.get("validation_operators")) or legacy_config


def read_config(ws: Workspace, root: str, params: Mapping[str, Scalar]) -> tuple[str, dict[str, Any]]:
    """great_expectations.yml: its text, and its data (a file that is not YAML is refused)."""
    text = project.config_text(ws, root)
    try:
        data = yaml_read.load(text)
    except EditError as exc:
        raise base.unsafe_edit(ws.path(project.rel(root, CONFIG)), exc, operator_snippet(params)) from None
    return text, data if isinstance(data, dict) else {}


def project_config(
    rel: str, text: str, config: Mapping[str, Any], found: Sequence[Checkpoint], params: Mapping[str, Scalar]
) -> ConfigEdit:
    """The operators checkpoints run (ours by default) hold the action: none in a V3 project whose
    checkpoints run their own action_list."""
    wanted: set[str] = {name for checkpoint in found for name in checkpoint.operators}
    own_lists = any(checkpoint.kind in V3_CLASSES for checkpoint in found)
    infos: list[str] = []
    if wants_default_operator(config, wanted):
        wanted.add(edits.OPERATOR)
    elif own_lists:
        infos.append("validation_operators: not added (this project's checkpoints run their own action_list)")
    ops: list[Op] = []
    variables: list[str] = []
    notes: list[str] = []
    try:
        if keyless.KEY in params and not config.get("config_variables_file_path"):  # for the key, if any
            ops += edits.put_ops(config, "config_variables_file_path", plain(VARIABLES))
        for name in sorted(wanted, key=lambda name: (name != edits.OPERATOR, name)):
            ops += edits.operator_ops(config, name, params)
            existing = edits.existing_entry(rel, config, ("validation_operators", name, "action_list"), params)
            variables.append(existing.variable)
            notes += existing.notes
            infos += existing.infos
        updated = _applied(text, ops)
        if keyless.KEY not in params:
            lists: list[KeyPath] = [("validation_operators", name, "action_list") for name in sorted(wanted)]
            updated = keyless.without_key(updated, config, lists)
    except EditError as exc:
        snippet = operator_snippet(params)
        return ConfigEdit(rel, refused=f"{exc}.\nMake validation_operators in it hold this yourself:\n{snippet}")
    return ConfigEdit(rel, updated if updated != text else None, tuple(variables), tuple(notes), tuple(infos))


def variables_edit(
    ws: Workspace,
    conn: Connection,
    root: str,
    config: Mapping[str, Any],
    names: set[str],
    shared: Collection[str] = (),
) -> tuple[str, str]:
    """The config variables file and its text with each name holding the key (their old values are keys
    too: masked in the diff). Refused when the file is outside the project, is one of the project's
    files that are not meant for secrets (great_expectations.yml, `shared`), or cannot be edited."""
    label = ws.path(project.rel(root, CONFIG))
    rel, given = project.variables_file(root, config, label)
    if rel is None:
        raise variables_outside(label, given, conn)
    if rel in {project.rel(root, CONFIG), REQUIREMENTS, *shared}:
        raise variables_shared(label, given, ws.label(rel), conn)
    for name in names:
        redact.register_field(name)
    current = ws.read(rel) or ""
    try:
        data = yaml_read.load(current)
        ops = [op for name in sorted(names) for op in edits.put_ops(data, name, quoted(conn.api_key))]
        return rel, _applied(current, ops, data)
    except EditError as exc:
        lines = variables_lines(sorted(names), conn.api_key)
        what_to_do = f"add this line yourself (your key where it shows ****):\n{lines}"
        raise base.unsafe_edit(ws.path(rel), exc, what_to_do) from None


def _applied(text: str, ops: Sequence[Op], data: Any = None) -> str:
    """yaml_write.apply, imported only when there is something to change (a re-run has nothing)."""
    if not ops:
        return text
    from lineage_setup.edits import yaml_write

    return yaml_write.apply(text, ops, data)


# --- requirements.txt ----------------------------------------------------------------------------


class Requirement(NamedTuple):
    text: str
    notes: tuple[str, ...]


def requirement_edit(ws: Workspace) -> Requirement | None:
    """requirements.txt pins the action's package to the releases that have it (None: there is no file)."""
    current = ws.read(REQUIREMENTS)
    if current is None:
        return None
    listed = requirements.find(current, "openlineage-integration-common")
    try:
        updated = requirements.ensure(current, PIN, PIN_WHY)
    except EditError as exc:
        what_to_do = f"add this line yourself (or to its source file):\n{PIN}"
        raise base.unsafe_edit(ws.path(REQUIREMENTS), exc, what_to_do) from None
    notes = []
    if listed is not None and updated != current:
        notes.append(f"{REQUIREMENTS}: replacing `{listed}` with `{PIN}` (the GE action is gone from 1.40 on)")
    return Requirement(updated, (*notes, *_requirement_notes(current)))


def _requirement_notes(text: str) -> list[str]:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Spec

    notes = []
    listed = requirements.find(text, "great_expectations")
    try:
        spec = Spec(listed).specifier if listed else None
    except InvalidRequirement:
        spec = None
    if spec is not None and not any(spec.contains(version) for version in _SUPPORTED_RELEASES):
        notes.append(f"{REQUIREMENTS} asks for `{listed}`; OpenLineage's action runs only on {SUPPORTED}")
    for other in ("openlineage-dbt", "openlineage-airflow", "apache-airflow-providers-openlineage"):
        if requirements.find(text, other):
            notes.append(
                f"{REQUIREMENTS} also lists {other}, which needs a matching openlineage-integration-common; "
                "with the GE action's <=1.39.0 pip may not resolve both: use separate environments"
            )
    return notes
