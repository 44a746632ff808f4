"""`remove databricks`: our init script file (deleted when it is ours and unchanged), and the cluster's side:
the steps that undo it, or, with --apply, one remote change through the same REST client (undo.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import quoting
from lineage_setup.integrations.databricks import config, undo
from lineage_setup.integrations.databricks.api import Client
from lineage_setup.integrations.databricks.config import SCRIPT, VOLUMES, WORKSPACE_PATH, Setup, setup
from lineage_setup.integrations.databricks.state import Script, read_script
from lineage_setup.openlineage_spark import OURS_PREFIX, SUBS_PREFIX, TRANSPORT_PREFIX

if TYPE_CHECKING:
    from lineage_setup.integrations.databricks import Options
    from lineage_setup.workspace import Workspace


def plan(ws: Workspace, options: Options, env: Mapping[str, str]) -> None:
    s = setup(options)
    path = Path(os.path.abspath(Path(options.script).expanduser())) if options.script else ws.path(SCRIPT)
    text = ws.read(path)
    script = read_script(text) if text is not None else None
    label = ws.label(path)
    if script is not None and script.unchanged:
        ws.delete(path, reason="lineage-setup wrote it, unchanged since")
    elif script is not None:
        ws.info(f"{label}: edited since lineage-setup wrote it (or written by another version); left as it is")
    elif text is not None:
        ws.info(f"{label}: not written by lineage-setup; left as it is")
    if options.apply:
        where = config.remote_target(options, env)
        proposal = undo.propose_removal(Client(where.host, where.token), where.cluster_id, s)
        for change in proposal.changes:
            ws.remote(change)
        for step in proposal.steps:
            ws.step(step)
        return
    for step in steps(s, script, ws.root):
        ws.step(step)


def steps(s: Setup, script: Script | None, root: Path) -> list[str]:
    """What undoes the cluster's side by hand (nothing here can see the cluster)."""
    stage = script.stage_dir if script else s.stage_dir
    jar = script.jar_path if script else f"{s.stage_dir}/{s.jar_pattern}"
    if s.workspace_path.startswith(VOLUMES):
        delete = f"databricks fs rm dbfs:{s.workspace_path}"
    else:
        delete = f"databricks workspace delete {s.workspace_path}"
    where = stage.removeprefix("/dbfs") if stage.startswith("/dbfs/") else stage
    return [
        f"in the cluster's Advanced options > Spark config, remove the {TRANSPORT_PREFIX}* lines (type, url, "
        "endpoint, auth.type, auth.apiKey, compression) and spark.openlineage.namespace; after --add only the "
        f"{SUBS_PREFIX}{OURS_PREFIX}<host>.* lines, then rename the other {SUBS_PREFIX}<name>.<key> lines back to "
        f"{TRANSPORT_PREFIX}<key> and remove {TRANSPORT_PREFIX}type composite and continueOnFailure",
        "remove -Djava.security.properties= from spark.driver.extraJavaOptions and spark.executor.extraJavaOptions "
        "(the whole line when it is all that is there)",
        f"remove {s.workspace_path} from the cluster's Advanced options > Init scripts, then, when no other cluster "
        f"runs it: {delete}",
        f"delete the staged jar ({jar}) when no cluster uses it: databricks fs ls dbfs:{where}, then databricks "
        f"fs rm dbfs:{where}/<the jar>",
        "restart the cluster",
        *_apply_hint(s, root),
    ]


def _apply_hint(s: Setup, root: Path) -> list[str]:
    if s.workspace_path.startswith(VOLUMES):
        return []  # --apply handles workspace files only
    flags = f" --workspace-path {s.workspace_path}" if s.workspace_path != WORKSPACE_PATH else ""
    return [
        "or let lineage-setup undo the cluster's side: lineage-setup remove databricks "
        f"--dir {quoting.shell(str(root))}{flags} --apply --host https://<workspace> --cluster-id <id>"
    ]
