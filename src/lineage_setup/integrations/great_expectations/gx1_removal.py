"""`remove` on a GX 1.x project: what gx1.py put in, recognised from the files themselves.

- Each checkpoint's JSON file: the action entry exactly as we write it (name `openlineage`, type
  `openlineage_gx`, our keys only, the key as `${OPENLINEAGE_API_KEY}`), the file written back in its own
  layout (edits/json_doc).
- Once no checkpoint lists the action: `module_name: openlineage_gx` on the checkpoint store, and the plugin
  module when it is exactly what this version writes (another text was changed since, or written by
  another version: left, and said).
- The key, .gitignore and requirements.txt as on GE 0.x (leftovers.py); with the variables file gone, its
  `config_variables_file_path` line, and `plugins_directory: plugins/` right after it when nothing else is
  in that folder (both as we add them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lineage_setup.edits import EditError, json_doc
from lineage_setup.errors import LineageSetupError
from lineage_setup.integrations.great_expectations import gx1_project, gx1_render, leftovers, project
from lineage_setup.integrations.great_expectations.gx1_project import ACTION_TYPE, MODULE, Layout
from lineage_setup.integrations.great_expectations.unsplice import Drop, Removal

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

OUR_KEYS = frozenset({"api_key", "compression", "endpoint", "job_name", "name", "namespace", "type", "url"})
REASON = "the OpenLineage action lineage-setup added"


def plan(ws: Workspace, root: str, config: dict[str, Any]) -> None:
    rel = project.rel(root, project.CONFIG)
    text = project.config_text(ws, root)
    try:
        where = gx1_project.layout(root, config, ws.path(rel))
    except (EditError, LineageSetupError) as exc:
        ws.info(f"{rel}: {exc}; its checkpoints are left as they are")
        leftovers.finish(ws, root, config, leftovers.Config(rel, text, [], text), True)
        return
    remaining = _checkpoints(ws, where)
    ops: list[Removal] = []
    if remaining:
        ws.info(f"the action stays loaded ({ws.label(where.module)}): a checkpoint still lists it")
    else:
        ops += [Drop(("stores", where.store), "module_name")] if where.store_module == MODULE else []
        _module(ws, where)
    edited = leftovers.edit(ws, rel, text, ops)
    plugins = _plugins_were_ours(ws, where, text)
    leftovers.finish(ws, root, config, leftovers.Config(rel, text, ops, edited), remaining, plugins)


def ours(action: Any) -> bool:
    """A checkpoint action exactly as lineage-setup writes it."""
    if not isinstance(action, dict) or action.get("type") != ACTION_TYPE or action.get("name") != "openlineage":
        return False
    if not set(action) <= OUR_KEYS or action.get("api_key", leftovers.KEY_LINE) != leftovers.KEY_LINE:
        return False
    texts = [action.get(key) for key in ("url", "endpoint", "namespace")]
    return all(isinstance(value, str) and "$" not in value for value in texts)


def _checkpoints(ws: Workspace, where: Layout) -> bool:
    """Our entry out of each checkpoint; True when one that lists the action is left."""
    remaining = False
    for rel in gx1_project.checkpoint_files(ws, where.checkpoints).values():
        text = ws.read(rel)
        if text is None or ACTION_TYPE not in text:
            continue
        try:
            doc = json_doc.read(text)
            actions = doc.data.get("actions") if isinstance(doc.data, dict) else None
            if not isinstance(actions, list):
                raise EditError("it has no actions list")
        except EditError as exc:
            ws.info(f"{rel}: left as it is: {exc}")
            remaining = True
            continue
        kept = [action for action in actions if not ours(action)]
        if any(isinstance(a, dict) and a.get("type") == ACTION_TYPE for a in kept):
            ws.info(f"{rel}: its {ACTION_TYPE} action is not as lineage-setup writes it (edited since?); left")
            remaining = True
        if len(kept) != len(actions):
            ws.write(rel, json_doc.write(json_doc.put(doc.data, "actions", kept), doc.style), reason=REASON)
    return remaining


def _module(ws: Workspace, where: Layout) -> None:
    text = ws.read(where.module)
    if text is None:
        return
    if text == gx1_render.module_text():
        ws.delete(where.module, reason="lineage-setup wrote it")
    elif gx1_render.is_ours(text):
        ws.info(f"{ws.label(where.module)}: written by lineage-setup, but not as this version writes it (changed "
                "since, or another version); left: delete it yourself if it is not yours")  # fmt: skip
    else:
        ws.info(f"{ws.label(where.module)}: not written by lineage-setup; left")


def _plugins_were_ours(ws: Workspace, where: Layout, text: str) -> list[Removal]:
    """`plugins_directory: plugins/` right after `config_variables_file_path: ...`, as we add the pair, and
    nothing but our (deleted) module in that folder."""
    from lineage_setup import textdoc

    lines = [textdoc.strip_eol(line) for line in textdoc.lines(text)]
    pair = [f"config_variables_file_path: {project.VARIABLES}", f"plugins_directory: {gx1_project.PLUGINS}"]
    adjacent = any(lines[index : index + 2] == pair for index in range(len(lines) - 1))
    folder = where.module.rsplit("/", 1)[0] if "/" in where.module else ""
    others = [p for p in ws.glob("**/*", under=folder) if ws.label(p) != ws.label(where.module)]
    gone = ws.read(where.module) is None  # deleted just now (or never there)
    ours = where.plugins == gx1_project.PLUGINS and adjacent and gone and not others
    return [Drop((), "plugins_directory")] if ours else []
