"""Great Expectations 1.x: a plugin module with the action, the action in each checkpoint, and the
checkpoint store pointed at the module so GX imports it whenever it loads the project.

Why the store: GX 1.x builds a stored checkpoint's actions from a registry keyed by `type`, and a
ValidationAction subclass is registered when its class is created, that is when its module is imported
(great_expectations/checkpoint/actions.py `ValidationActionRegistry`, `MetaValidationAction`;
checkpoint/checkpoint.py `Checkpoint.validate_actions`, in great_expectations 1.2.6 and 1.3.0 onward; at
tag 1.2.0 `actions` was a closed pydantic union of GX's own classes). GX imports nothing from
plugins_directory by itself: it only puts it on sys.path, before it builds the stores
(data_context/data_context/abstract_data_context.py `AbstractDataContext.__init__`), and it builds each
store from its `module_name` and `class_name` (data_context/util.py `instantiate_class_from_config`).
So `module_name: openlineage_gx` on the checkpoint store, whose class stays GX's own CheckpointStore
(the module re-exports it), imports the action before any checkpoint is read: users run their
checkpoints exactly as before. The key stays in the config variables file, as `${OPENLINEAGE_API_KEY}`
in the checkpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lineage_setup.edits import EditError, requirements, yaml_read, yaml_write
from lineage_setup.edits.yaml_emit import plain
from lineage_setup.edits.yaml_write import Op, Put
from lineage_setup.integrations import base
from lineage_setup.integrations.great_expectations import edits, files, gx1_checkpoints, gx1_project, project
from lineage_setup.integrations.great_expectations import gx1_render as rendering
from lineage_setup.integrations.great_expectations.checkpoints import Checkpoint
from lineage_setup.integrations.great_expectations.files import ConfigEdit
from lineage_setup.integrations.great_expectations.gx1_project import MODULE, Kind, Layout
from lineage_setup.integrations.great_expectations.proposals import propose, say

if TYPE_CHECKING:
    from lineage_setup.integrations.base import Request
    from lineage_setup.workspace import Workspace

PIN_WHY = "the OpenLineage client the GX 1.x action sends with"


def plan(req: Request[Any], ws: Workspace, root: str, text: str, kind: Kind) -> None:
    conn, job_name = req.conn, req.options.job_name
    label = ws.path(project.rel(root, project.CONFIG))
    rendering.check_values(conn)
    if kind.generation == "unknown":
        raise rendering.unknown_refusal(label, kind.why, conn, job_name)
    config = yaml_read.load(text)  # classify() read it already: it parses
    try:
        where = gx1_project.layout(root, config, label)
    except EditError as exc:
        raise rendering.config_refusal(label, exc, conn, job_name) from None
    _module(ws, where, req)
    found = _checkpoints(ws, where, req)
    config_edit = _config(project.rel(root, project.CONFIG), text, config, where, keyed=not conn.keyless)
    edited: list[Checkpoint | ConfigEdit] = [*found, config_edit]
    propose(ws, edited)
    if not conn.keyless:  # a backend that takes no key: no key anywhere
        variables = {name for each in edited for name in each.variables} or {edits.KEY_VARIABLE}
        shared = [where.module, *(each.rel for each in found)]
        rel, keyed = files.variables_edit(ws, conn, root, config, variables, shared)
        ws.keep_out_of_git(rel, "holds the OpenLineage API key", ignore_in=root)
        ws.write(rel, keyed, reason=f"the API key, for ${{{edits.KEY_VARIABLE}}} in the checkpoints", secret=True)
    _requirement(ws)
    say(ws, _warnings(req, conn.api_key), ())
    example = found[0].name if found else "NAME"
    ws.step(
        f"run your checkpoints as before, e.g. context.checkpoints.get({example!r}).run(): GX imports the action "
        f"from {ws.label(where.module)} with its checkpoint store, and each validation sends START and "
        "COMPLETE (FAIL when it fails)"
    )
    ws.step(f"check great_expectations --version: the action needs {gx1_project.SUPPORTED}")
    ws.step(f"docs: {rendering.DOCS}")


def _module(ws: Workspace, where: Layout, req: Request[Any]) -> None:
    text = rendering.module_text()
    current = ws.read(where.module)
    if current is not None and current != text and not rendering.is_ours(current):
        raise rendering.module_refusal(ws.path(where.module), req.conn, req.options.job_name)
    ws.write(where.module, text, reason="the OpenLineage action GX 1.x imports (plugins_directory)")


def _checkpoints(ws: Workspace, where: Layout, req: Request[Any]) -> list[Checkpoint]:
    found = project.select(gx1_project.checkpoint_files(ws, where.checkpoints), req.options.checkpoints)
    if not found:
        ws.info(f"no checkpoint JSON files in {ws.label(where.checkpoints)}; new ones need the action too "
                f"({rendering.print_command(req.conn, req.options.job_name)})")  # fmt: skip
    entry = rendering.action_entry(req.conn, req.options.job_name)
    by_hand = rendering.checkpoint_by_hand(req.conn, req.options.job_name)
    own_job = req.options.job_name is not None
    texts = ((name, rel, ws.read(rel)) for name, rel in found.items())
    return [
        gx1_checkpoints.plan_checkpoint(name, rel, text, entry, own_job, by_hand)
        for name, rel, text in texts
        if text is not None
    ]


def _config(rel: str, text: str, config: dict[str, Any], where: Layout, *, keyed: bool) -> ConfigEdit:
    """great_expectations.yml: the checkpoint store loaded from the module; the plugins folder and the config
    variables file (for the key) named (GX's defaults) when the file names none."""
    ops: list[Op] = []
    if where.store_module != MODULE:
        ops.append(Put(("stores", where.store), "module_name", plain(MODULE), after="class_name"))
    if keyed and not config.get("config_variables_file_path"):
        ops.append(Put((), "config_variables_file_path", plain(project.VARIABLES)))
    if where.plugins is None:
        ops.append(Put((), "plugins_directory", plain(gx1_project.PLUGINS), after="config_variables_file_path"))
    try:
        updated = yaml_write.apply(text, ops, config)
    except EditError as exc:
        by_hand = f"Make it hold this yourself:\n{rendering.store_text(where)}"
        return ConfigEdit(rel, refused=f"{exc}.\n{by_hand}")
    reason = f"GX imports the OpenLineage action ({MODULE}) with its checkpoint store"
    return ConfigEdit(rel, updated if updated != text else None, reason=reason)


def _requirement(ws: Workspace) -> None:
    current = ws.read(project.REQUIREMENTS)
    if current is None:
        ws.step(f"pip install '{rendering.PIN}'   (where GX runs)")
        return
    try:
        updated = requirements.ensure(current, rendering.PIN, PIN_WHY)
    except EditError as exc:
        what_to_do = f"add this line yourself:\n{rendering.PIN}"
        raise base.unsafe_edit(ws.path(project.REQUIREMENTS), exc, what_to_do) from None
    ws.write(project.REQUIREMENTS, updated, reason=f"{PIN_WHY} ({rendering.PIN})")
    ws.step(f"pip install -r {project.REQUIREMENTS}")


def _warnings(req: Request[Any], api_key: str) -> list[str]:
    from lineage_setup.answers import ENV_KEY

    found = []
    if req.env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        found.append("OPENLINEAGE_DISABLED=true is set: the action will send nothing until it is unset")
    if req.env.get(ENV_KEY) and req.env[ENV_KEY].strip() != api_key:
        found.append(f"{ENV_KEY} is set in this environment to another key: GX prefers it over config_variables.yml")
    return found
