"""Whether GX 1.x can load the action its checkpoints list: the checkpoint store imports our module from
plugins_directory (gx1.py says why that is the way); without it, GX cannot build those checkpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lineage_setup.edits import EditError
from lineage_setup.errors import LineageSetupError
from lineage_setup.integrations.great_expectations import gx1_project, gx1_render, project
from lineage_setup.integrations.great_expectations.gx1_project import MODULE

if TYPE_CHECKING:
    from lineage_setup.integrations.great_expectations.scan import Scanned
    from lineage_setup.workspace import Workspace

FIX = "run lineage-setup great-expectations again"


def loading_problems(ws: Workspace, found: Scanned) -> list[str]:
    try:
        where = gx1_project.layout(found.root, found.config, ws.path(project.rel(found.root, project.CONFIG)))
    except (EditError, LineageSetupError) as exc:
        return [f"{project.CONFIG}: {exc}; GX may not load the action its checkpoints list"]
    problems = []
    config = project.rel(found.root, project.CONFIG)
    if where.store_module != MODULE:
        problems.append(
            f"{config}: stores.{where.store} does not name module_name: {MODULE}, so GX never imports the action "
            f"and cannot load the checkpoints that list it; {FIX}"
        )
    if where.plugins is None:
        problems.append(f"{config} names no plugins_directory, so GX cannot import {MODULE}; {FIX}")
    text = ws.inspect(where.module)
    if text is None:
        problems.append(f"{ws.label(where.module)} is missing: GX cannot import the action; {FIX}")
    elif not gx1_render.is_ours(text):
        problems.append(f"{ws.label(where.module)} was not written by lineage-setup; compare it with what it writes")
    return problems
