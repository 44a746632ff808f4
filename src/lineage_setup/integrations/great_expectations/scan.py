"""A Great Expectations project's lineage as its files say it, read without changing anything (the wizard's
detection, `status`, `remove`): where the project is, its generation, and every OpenLineage action it runs,
with its values as written.

GE 0.x: OpenLineage's action in a checkpoint's own action_list (V3 Checkpoint and SimpleCheckpoint, and the
action_list of each of its validations, which GE adds to it), or in a validation operator of
great_expectations.yml that a LegacyCheckpoint names. GX 1.x: an action of type `openlineage_gx` (ours) in a
checkpoint's JSON file. Checkpoint files are first looked at as text: one that does not name the action can
only run it through an operator, so a quick scan (`full=False`, the wizard's) reads only those that do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from lineage_setup.edits import EditError, yaml_read
from lineage_setup.errors import LineageSetupError
from lineage_setup.integrations.great_expectations import edits, gx1_project, project, settled
from lineage_setup.integrations.great_expectations.checkpoints import V3_CLASSES
from lineage_setup.integrations.great_expectations.gx1_project import ACTION_TYPE, Generation
from lineage_setup.validate import DEFAULT_ENDPOINT

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace


class Action(NamedTuple):
    """One OpenLineage action the project runs, its values as written (None: not set)."""

    where: str  # "checkpoint daily", "validation operator action_list_operator"
    rel: str  # the file that holds it
    host: str | None  # GE 0.x: openlineage_host; GX 1.x: url
    endpoint: str  # GE 0.x: always api/v1/lineage (the action appends it); GX 1.x: the entry's endpoint
    namespace: str | None
    api_key: str | None
    users: tuple[str, ...] = ()  # the checkpoints that run it (an operator's: the LegacyCheckpoints naming it)
    compression: str | None = None  # GX 1.x only


@dataclass(frozen=True)
class Scanned:
    root: str  # the folder holding great_expectations.yml, relative to the workspace
    generation: Generation
    config: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    without: tuple[str, ...] = ()  # checkpoints that run no OpenLineage action (full scans only)
    simple: tuple[str, ...] = ()  # SimpleCheckpoints that list the action (GE 0.14 and 0.15 drop it)
    why: str = ""  # an unknown generation: why


def locate(ws: Workspace) -> str | None:
    """The folder holding great_expectations.yml (relative to the workspace), or None."""
    for root in project.ROOTS:
        if ws.inspect(project.rel(root, project.CONFIG)) is not None:
            return root
    return None


def scan(ws: Workspace, *, full: bool = True) -> Scanned | None:
    """The project at the workspace's root (None: there is none); LineageSetupError when its files cannot be
    read safely (an unreadable checkpoint folder, a setting GE could not load)."""
    root = locate(ws)
    if root is None:
        return None
    try:
        config = yaml_read.load(project.config_text(ws, root))
    except EditError as exc:
        return Scanned(root, "unknown", why=f"{project.rel(root, project.CONFIG)}: {exc}")
    config = config if isinstance(config, dict) else {}
    kind = gx1_project.classify(ws, root, config)
    if kind.generation == "unknown":
        return Scanned(root, "unknown", config, why=f"{project.rel(root, project.CONFIG)}: {kind.why}")
    if kind.generation == "1.x":
        return _gx1(ws, root, config)
    return _ge0(ws, root, config, full)


def load(text: str) -> Any:
    """A checkpoint's data: plain block YAML read without a YAML library (settled.read), else PyYAML."""
    tree = settled.read(text)
    if tree is not None:
        return _plain(tree)
    try:
        return yaml_read.load(text)
    except EditError:
        return None


def _plain(tree: settled.Tree) -> Any:
    if isinstance(tree, dict):
        return {key: _plain(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_plain(value) for value in tree]
    return None if settled.null(tree) else (settled.string(tree) or tree)


# --- GE 0.x --------------------------------------------------------------------------------------------


def _ge0(ws: Workspace, root: str, config: dict[str, Any], full: bool) -> Scanned:
    config_rel = project.rel(root, project.CONFIG)
    operators = config.get("validation_operators")
    operators = operators if isinstance(operators, dict) else {}
    carrying = {name: _action(f"validation operator {name}", config_rel, op, ("action_list",))
                for name, op in operators.items()}  # fmt: skip
    users: dict[str, list[str]] = {}
    actions: list[Action] = []
    without: list[str] = []
    simple: list[str] = []
    for name, rel, data in _checkpoints(ws, root, config, full):
        kind = data.get("class_name") or project.default_class(data)
        found = _v3_actions(name, rel, data) if kind in V3_CLASSES else []
        operator = data.get("validation_operator_name") if kind == "LegacyCheckpoint" else None
        if found:
            actions += found
            simple += [name] if kind == "SimpleCheckpoint" else []
        elif isinstance(operator, str) and carrying.get(operator) is not None:
            users.setdefault(operator, []).append(name)
        elif kind in ("LegacyCheckpoint", *V3_CLASSES):
            without.append(name)
    from_operators = [
        Action(a.where, a.rel, a.host, a.endpoint, a.namespace, a.api_key, tuple(users.get(name, ())))
        for name, a in carrying.items()
        if a is not None
    ]
    return Scanned(root, "0.x", config, (*from_operators, *actions), tuple(without), tuple(simple))


def _v3_actions(name: str, rel: str, data: dict[str, Any]) -> list[Action]:
    """A V3 checkpoint's own action, and any a validation lists (GE adds those to the checkpoint's)."""
    found = [_action(f"checkpoint {name}", rel, data, ("action_list",))]
    validations = data.get("validations")
    for number, validation in enumerate(validations if isinstance(validations, list) else ()):
        found.append(_action(f"checkpoint {name} (validation {number + 1})", rel, validation, ("action_list",)))
    return [action for action in found if action is not None]


def _action(where: str, rel: str, holder: Any, path: tuple[str, ...]) -> Action | None:
    """OpenLineage's action in the list at `path` of `holder`, if it runs one."""
    items = holder.get(path[0]) if isinstance(holder, dict) else None
    for item in items if isinstance(items, list) else ():
        action = item.get("action") if isinstance(item, dict) else None
        if edits.is_openlineage(item) and isinstance(action, dict):
            key = action.get("openlineage_apiKey")
            return Action(
                where,
                rel,
                _text(action.get("openlineage_host")),
                DEFAULT_ENDPOINT,
                _text(action.get("openlineage_namespace")),
                _text(key),
            )
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _checkpoints(ws: Workspace, root: str, config: dict[str, Any], full: bool) -> list[tuple[str, str, dict[str, Any]]]:
    """Each checkpoint file's data (read through the Workspace's cache: a run plans the same files next). A
    quick scan reads only those that name the action, and of those only the host when the lines say it."""
    folder, _ = project.checkpoint_folder(root, config, ws.path(project.rel(root, project.CONFIG)))
    found = []
    for name, rel in (project.checkpoint_files(ws, folder) if folder is not None else {}).items():
        text = ws.read(rel)
        if text is None or (not full and edits.ACTION_CLASS not in text):
            continue
        data = _hosts_only(text) if not full else None
        data = data if data is not None else load(text)
        if isinstance(data, dict):
            found.append((name, rel, data))
    return found


_HOST_LINE = re.compile(r"^[ -]*openlineage_host:[ ]*(\S(?:.*\S)?)?[ ]*$", re.MULTILINE)


def _hosts_only(text: str) -> dict[str, Any] | None:
    """A checkpoint that runs the action once, reduced to its host, when its lines say that plainly (one
    `openlineage_host:` line with a simple value per action); else None (read it whole)."""
    hosts = _host_lines(text)
    if len(hosts) != 1 or text.count(edits.ACTION_CLASS) != 1 or (host := _simple(hosts[0])) is None:
        return None
    action = {"class_name": edits.ACTION_CLASS, "openlineage_host": host}
    return {"class_name": "Checkpoint", "action_list": [{"name": edits.ACTION_NAME, "action": action}]}


def _host_lines(text: str) -> list[str]:
    """_HOST_LINE.findall(text): when `openlineage_host:` appears once, only its line is matched."""
    at = text.find("openlineage_host:")
    if at < 0 or text.find("openlineage_host:", at + 1) >= 0:
        return _HOST_LINE.findall(text)
    end = text.find("\n", at)
    return _HOST_LINE.findall(text[text.rfind("\n", 0, at) + 1 : end if end >= 0 else len(text)])


_SCALAR = re.compile(r"\"[ !#-\[\]-~]*\"|'[ -&(-~]*'|[^\s\"'#&*!|>%@`{}\[\],?:-][^\s#]*")  # no escape, no comment


@functools.cache
def _simple(value: str) -> str | None:
    """The string every YAML reader reads from a value written alone on its line, or None (read it whole)."""
    return settled.string(value) if _SCALAR.fullmatch(value) else None


# --- GX 1.x --------------------------------------------------------------------------------------------


def _gx1(ws: Workspace, root: str, config: dict[str, Any]) -> Scanned:
    try:
        folder = gx1_project.layout(root, config, ws.path(project.rel(root, project.CONFIG))).checkpoints
    except (EditError, LineageSetupError) as exc:
        return Scanned(root, "1.x", config, why=f"{project.rel(root, project.CONFIG)}: {exc}")
    actions: list[Action] = []
    without: list[str] = []
    for name, rel in gx1_project.checkpoint_files(ws, folder).items():
        text = ws.inspect(rel) or ""
        found = [each for each in _json_actions(text) if each.get("type") == ACTION_TYPE] if ACTION_TYPE in text else []
        if not found:
            without.append(name)
        for entry in found[:1]:
            endpoint = entry.get("endpoint")
            actions.append(
                Action(
                    f"checkpoint {name}",
                    rel,
                    _text(entry.get("url")),
                    str(endpoint) if endpoint is not None else DEFAULT_ENDPOINT,
                    _text(entry.get("namespace")),
                    _text(entry.get("api_key")),
                    compression=_text(entry.get("compression")),
                )
            )
    return Scanned(root, "1.x", config, tuple(actions), tuple(without))


def _json_actions(text: str) -> list[dict[str, Any]]:
    try:
        import json

        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    actions = data.get("actions") if isinstance(data, dict) else None
    return [each for each in actions if isinstance(each, dict)] if isinstance(actions, list) else []
