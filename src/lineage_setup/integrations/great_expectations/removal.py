"""`lineage-setup remove great-expectations`: take out what `lineage-setup great-expectations` put in, recognised
from the files themselves, so it works on a fresh clone.

- GE 0.x checkpoints: the action entry exactly as we write it (name `openlineage`, OpenLineage's class and
  module, a host, a namespace and the key as `${OPENLINEAGE_API_KEY}`, no other key, no comment); a list
  left empty goes too (or is `[]` again when it was not the last entry, as it then was before).
- great_expectations.yml: our validation operator when it holds nothing but GE's default actions and ours
  (else only our entry), `validation_operators` when nothing else is left in it, and a LegacyCheckpoint's
  `validation_operator_name: action_list_operator` once that operator is gone.
- The key, .gitignore and requirements.txt: leftovers.py (as on GX 1.x projects: gx1_removal.py).
What does not look like ours is left, and said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lineage_setup.edits import EditError
from lineage_setup.integrations.great_expectations import edits, leftovers, project, scan
from lineage_setup.integrations.great_expectations.checkpoints import V3_CLASSES
from lineage_setup.integrations.great_expectations.unsplice import Drop, Empty, Pop, Removal, remove

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

OPERATOR_LINE = f"validation_operator_name: {edits.OPERATOR}"
OUR_KEYS = frozenset({"class_name", "module_name", "openlineage_host", "openlineage_namespace", "openlineage_apiKey",
                      "job_name"})  # fmt: skip


def plan(ws: Workspace, root: str, config: dict[str, Any]) -> None:
    """GE 0.x: great_expectations.yml's operators, the checkpoints, then the key's file and what points at it."""
    rel = project.rel(root, project.CONFIG)
    text = project.config_text(ws, root)
    ops, gone = _operators(ws, rel, config, text)
    edited = leftovers.edit(ws, rel, text, ops)
    remaining = _checkpoints(ws, root, config, gone if edited is not None else set())
    leftovers.finish(ws, root, config, leftovers.Config(rel, text, ops, edited), remaining)


# --- great_expectations.yml's validation operators -------------------------------------------------------


def ours(item: Any) -> bool:
    """An action_list item exactly as lineage-setup writes it."""
    action = item.get("action") if isinstance(item, dict) else None
    if not isinstance(action, dict) or set(item) != {"name", "action"} or item["name"] != edits.ACTION_NAME:
        return False
    if not set(action) <= OUR_KEYS or action.get("class_name") != edits.ACTION_CLASS:
        return False
    key = action.get("openlineage_apiKey", leftovers.KEY_LINE)
    if action.get("module_name") != edits.ACTION_MODULE or key != leftovers.KEY_LINE:
        return False
    values = [action.get(key) for key in ("openlineage_host", "openlineage_namespace", "job_name") if key in action]
    return all(isinstance(value, str) and "$" not in value for value in values)


def _operators(ws: Workspace, rel: str, config: dict[str, Any], text: str) -> tuple[list[Removal], set[str]]:
    """Our entries in the validation operators; the operators that go whole (as we create them, and without a
    comment of the user's: GE 0.13's own action_list_operator has GE's defaults too, and comments)."""
    holder = config.get("validation_operators")
    operators = holder if isinstance(holder, dict) else {}
    ops: list[Removal] = []
    gone: set[str] = set()
    for name, operator in operators.items():
        items = operator.get("action_list") if isinstance(operator, dict) else None
        if not isinstance(items, list) or not any(edits.is_openlineage(item) for item in items):
            continue
        whole = Drop((), "validation_operators") if len(operators) == 1 else Drop(("validation_operators",), name)
        if _created(operator) and _can(text, whole):
            gone.add(name)
            continue
        ops += list_ops(ws, rel, ("validation_operators", name), items)
    if gone and gone == set(operators):
        ops.insert(0, Drop((), "validation_operators"))
    else:
        ops[:0] = [Drop(("validation_operators",), name) for name in sorted(gone)]
    return ops, gone


def _can(text: str, op: Removal) -> bool:
    try:
        remove(text, [op])
    except EditError:
        return False
    return True


def _created(operator: dict[str, Any]) -> bool:
    """The operator as lineage-setup creates it: GE's default actions, then ours, and nothing else."""
    from lineage_setup.edits.yaml_emit import python

    defaults = [python(each) for each in edits.DEFAULT_ACTIONS]
    items = operator.get("action_list")
    return (
        set(operator) == {"class_name", "action_list"}
        and operator["class_name"] == edits.OPERATOR_CLASS
        and isinstance(items, list)
        and items[:-1] == defaults
        and ours(items[-1])
    )


def list_ops(ws: Workspace, rel: str, path: tuple[str, ...], items: list[Any], key: str = "action_list"
             ) -> list[Removal]:  # fmt: skip
    """Our entry out of the list `key` of the mapping at `path`: the item, or the whole list when it was alone."""
    found = [index for index, item in enumerate(items) if edits.is_openlineage(item)]
    if len(found) != 1 or not ours(items[found[0]]):
        ws.info(f"{rel}: its OpenLineage entry ({'.'.join((*path, key))}) is not as lineage-setup writes it; left")
        return []
    if len(items) > 1:
        return [Pop((*path, key), found[0])]
    return [Drop(path, key)]


# --- checkpoints -----------------------------------------------------------------------------------------


def _checkpoints(ws: Workspace, root: str, config: dict[str, Any], gone: set[str]) -> bool:
    """Each checkpoint's entry (and a LegacyCheckpoint's line naming an operator that goes); True when an
    entry that names the key is left somewhere."""
    folder, _ = project.checkpoint_folder(root, config, ws.path(project.rel(root, project.CONFIG)))
    remaining = False
    for rel in (project.checkpoint_files(ws, folder) if folder is not None else {}).values():
        text = ws.read(rel)
        if text is None or not any(name in text for name in (edits.ACTION_CLASS, edits.OPERATOR, *gone)):
            remaining = remaining or (text is not None and leftovers.KEY_LINE in text)
            continue
        data = scan.load(text)
        ops = _checkpoint_ops(ws, rel, data, gone, text) if isinstance(data, dict) else []
        edited = leftovers.edit(ws, rel, text, ops)
        if edited is not None and edited != text:
            ws.write(rel, edited, reason="the OpenLineage action lineage-setup added")
        remaining = remaining or leftovers.KEY_LINE in (edited if edited is not None else text)
    return remaining


def _checkpoint_ops(ws: Workspace, rel: str, data: dict[str, Any], gone: set[str], text: str) -> list[Removal]:
    kind = data.get("class_name") or project.default_class(data)
    if kind == "LegacyCheckpoint":
        named = data.get("validation_operator_name")
        if named in gone:
            return [Drop((), "validation_operator_name")]
        if named == edits.OPERATOR and f"LegacyCheckpoint\n{OPERATOR_LINE}" in text.replace("\r\n", "\n"):
            ws.info(f"{rel}: `{OPERATOR_LINE}` left: lineage-setup adds it to a LegacyCheckpoint that names no "
                    "operator, and that operator stays (it is not only ours); take the line out if you did not "
                    "have it")  # fmt: skip
        return []
    items = data.get("action_list")
    if kind not in V3_CLASSES or not isinstance(items, list) or not any(map(edits.is_openlineage, items)):
        return []
    ops = list_ops(ws, rel, (), items)
    if ops == [Drop((), "action_list")] and list(data)[-1] != "action_list":
        return [Empty((), "action_list")]  # it was `action_list: []` where it is (a new key goes last)
    return ops
