"""OpenLineage's validation action in Great Expectations YAML: in a validation operator, or in a
checkpoint's own action_list. Each function returns the operations (edits/yaml_write) that make a
file hold exactly one OpenLineage entry with our parameters; the splice and its proof are the
engine's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from lineage_setup.answers import ENV_KEY
from lineage_setup.edits import EditError
from lineage_setup.edits.yaml_emit import PLACEHOLDER, Scalar, Tree, plain
from lineage_setup.edits.yaml_read import KeyPath, at, describe

if TYPE_CHECKING:  # the operations are made only when a file changes: a re-run imports none of them
    from lineage_setup.edits.yaml_ops import Op

ACTION_NAME = "openlineage"
ACTION_CLASS = "OpenLineageValidationAction"
ACTION_MODULE = "openlineage.common.provider.great_expectations"
OPERATOR = "action_list_operator"  # the validation operator GE's own config names so
OPERATOR_CLASS = "ActionListValidationOperator"
KEY_VARIABLE = ENV_KEY  # the key goes into config_variables.yml; the YAML files say ${OPENLINEAGE_API_KEY}
# what GE 0.13-0.15 itself puts in a new action_list_operator (DataContextConfigDefaults)
DEFAULT_ACTIONS: tuple[Tree, ...] = tuple(
    {"name": plain(name), "action": {"class_name": plain(cls)}}
    for name, cls in (
        ("store_validation_result", "StoreValidationResultAction"),
        ("store_evaluation_params", "StoreEvaluationParametersAction"),
        ("update_data_docs", "UpdateDataDocsAction"),
    )
)
Scaffold = Mapping[str, Mapping[str, Tree]]  # keys a mapping we create gets before the path goes on
_WHOLE_VARIABLE = re.compile(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)\}|\$([_a-zA-Z][_a-zA-Z0-9]*)")


def action_entry(params: Mapping[str, Scalar]) -> dict[str, Tree]:
    """The action_list item: name, and the action's class, module and `params`."""
    action: dict[str, Tree] = {"class_name": plain(ACTION_CLASS), "module_name": plain(ACTION_MODULE), **params}
    return {"name": plain(ACTION_NAME), "action": action}


def is_openlineage(item: Any) -> bool:
    """Named `openlineage`, or any entry running OpenLineage's action (a second one would send twice)."""
    if not isinstance(item, dict):
        return False
    action = item.get("action")
    cls = action.get("class_name") if isinstance(action, dict) else None
    return item.get("name") == ACTION_NAME or (isinstance(cls, str) and cls.rstrip(", ") == ACTION_CLASS)


def has_placeholder(value: str) -> bool:
    """Does GE substitute something into this string (`${VAR}` or `$VAR`, not `\\$`)?"""
    return PLACEHOLDER.search(value) is not None


def _absent(value: Any) -> bool:
    return value is None or value == {} or value == []


def _same(key: str, have: Any, want: Scalar) -> bool:
    """Nothing to change: the value, the module's `.action` spelling, or the user's own `$VAR` (GE fills it in)."""
    if isinstance(have, str) and key not in ("class_name", "module_name") and has_placeholder(have):
        return True
    return have == want.value or (key == "module_name" and have == f"{ACTION_MODULE}.action")


def find_action(data: Any, path: KeyPath) -> dict[str, Any] | None:
    """The `action` mapping of the OpenLineage entry in the list at `path`, if there is one."""
    try:
        items = at(data, path)
    except (KeyError, IndexError, TypeError):
        return None
    for item in items if isinstance(items, list) else ():
        if is_openlineage(item) and isinstance(item.get("action"), dict):
            return dict(item["action"])
    return None


def listed_action_ops(data: Any, path: KeyPath, params: Mapping[str, Scalar]) -> list[Op]:
    """Make the list at `path` hold exactly one OpenLineage entry with these params.

    A present list, even empty, gets our entry appended; an existing entry is updated in place
    (keys of ours only; the user's other keys, such as job_description, stay).
    """
    items = at(data, path) if data is not None else None
    if not isinstance(items, list):
        raise EditError(f"'{describe(path)}' is not a list")
    found = [index for index, item in enumerate(items) if is_openlineage(item)]
    if len(found) > 1:
        numbers = " and ".join(str(index + 1) for index in found)
        raise EditError(f"'{describe(path)}' runs OpenLineage's action more than once (items {numbers}); keep one")
    if not found:
        from lineage_setup.edits.yaml_ops import Append  # only when there is something to change

        return [Append(path, action_entry(params))]
    action = items[found[0]].get("action")
    where: KeyPath = (*path, found[0], "action")
    if not isinstance(action, dict):
        raise EditError(f"'{describe(where)}' is not a mapping")
    wanted = action_entry(params)["action"]
    assert isinstance(wanted, dict)
    changed = {key: value for key, value in wanted.items() if not _same(key, action.get(key), value)}
    if not changed:
        return []
    from lineage_setup.edits.yaml_ops import Put

    return [Put(where, key, value) for key, value in changed.items()]


def ensure_action_ops(
    data: Any,
    path: KeyPath,
    params: Mapping[str, Scalar],
    scaffold: Scaffold,
    seed: Sequence[Tree],
) -> list[Op]:
    """Create what is missing along `path` (mappings get `scaffold[key]` entries first), then the entry.

    `path` ends at the action list; an absent list gets `seed` + our entry, an empty one our entry only.
    """
    node = data if data is not None else {}
    for depth, key in enumerate(path):
        if not isinstance(node, dict):
            raise EditError(f"'{describe(path[:depth])}' is not a mapping")
        if _absent(node.get(key)):
            from lineage_setup.edits.yaml_ops import Put

            return [Put(path[:depth], str(key), _scaffold(path[depth:], params, scaffold, seed, key in node))]
        node = node[key]
    return listed_action_ops(data, path, params)


def _scaffold(
    rest: KeyPath,
    params: Mapping[str, Scalar],
    scaffold: Scaffold,
    seed: Sequence[Tree],
    empty: bool,
) -> Tree:
    if len(rest) == 1:
        return [*(() if empty else seed), action_entry(params)]
    key = str(rest[0])
    return {**scaffold.get(key, {}), str(rest[1]): _scaffold(rest[1:], params, scaffold, seed, False)}


def operator_ops(data: Any, operator: str, params: Mapping[str, Scalar]) -> list[Op]:
    """validation_operators.<operator> runs the action (created with GE's default actions when absent)."""
    path: KeyPath = ("validation_operators", operator, "action_list")
    scaffold = {operator: {"class_name": plain(OPERATOR_CLASS)}}
    ops = ensure_action_ops(data, path, params, scaffold, DEFAULT_ACTIONS)
    holder = data.get("validation_operators") if isinstance(data, dict) else None
    current = holder.get(operator) if isinstance(holder, dict) else None
    if isinstance(current, dict) and "class_name" not in current:
        from lineage_setup.edits.yaml_ops import Put

        ops.insert(0, Put(path[:2], "class_name", plain(OPERATOR_CLASS)))
    return ops


def checkpoint_action_ops(data: Any, params: Mapping[str, Scalar]) -> list[Op]:
    """A Checkpoint/SimpleCheckpoint file's own top-level action_list runs the action.

    GE adds each validation's own action_list to the top-level one: an OpenLineage entry there
    as well would send every event twice, so that is refused.
    """
    validations = data.get("validations") if isinstance(data, dict) else None
    for number, validation in enumerate(validations if isinstance(validations, list) else (), 1):
        items = validation.get("action_list") if isinstance(validation, dict) else None
        if isinstance(items, list) and any(is_openlineage(item) for item in items):
            raise EditError(
                f"validation {number} runs OpenLineage's action in its own action_list; GE adds that to the "
                "checkpoint's action_list, so a second entry would send every event twice: move it to the "
                "checkpoint's top-level action_list (one entry in all)"
            )
    return ensure_action_ops(data, ("action_list",), params, {}, ())


def put_ops(data: Any, key: str, value: Scalar, after: str = "") -> list[Op]:
    """A top-level `key: value` (new: after the `after` key, if any), unless it is already there."""
    if isinstance(data, dict) and data.get(key) == value.value:
        return []
    if data is not None and not isinstance(data, dict):
        raise EditError("its top level is not a mapping")
    from lineage_setup.edits.yaml_ops import Put

    return [Put((), key, value, after)]


# --- what an entry we update already says ----------------------------------------------------


class Existing(NamedTuple):
    """The variable that must hold the key, and what to tell the user about an entry already there."""

    variable: str
    notes: tuple[str, ...] = ()
    infos: tuple[str, ...] = ()


def existing_entry(rel: str, data: Any, path: KeyPath, params: Mapping[str, Scalar]) -> Existing:
    """The user's own `$VAR`s stay (the key's variable too), a plain-text key goes."""
    action = find_action(data, path) or {}
    key = action.get("openlineage_apiKey")
    whole = _WHOLE_VARIABLE.fullmatch(key) if isinstance(key, str) else None
    notes, infos = [], []
    if isinstance(key, str) and key and not has_placeholder(key):
        done = f"replaces it with ${{{KEY_VARIABLE}}}" if "openlineage_apiKey" in params else "takes it out"
        notes.append(
            f"{rel} holds an API key in plain text; lineage-setup {done}. "
            "If the file was ever committed or shared, revoke that key"
        )
    if "job_name" not in params and action.get("job_name"):
        infos.append(f"{rel}: kept job_name: {action['job_name']} (pass --job-name to change it)")
    for name, value in action.items():
        ours = name in params and value == params[name].value
        if isinstance(value, str) and has_placeholder(value) and name in params and not ours:
            infos.append(f"{rel}: kept {name}: {value} (GE fills it in when it runs)")
    variable = (whole.group(1) or whole.group(2)) if whole else KEY_VARIABLE
    return Existing(variable, tuple(notes), tuple(infos))
