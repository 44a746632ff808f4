"""dbt: an openlineage.yml that makes a plain `dbt-ol run` in the project send lineage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup.edits import EditError
from lineage_setup.errors import UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request

# Imported here, before `render` below is defined: a first import of the `render` submodule after that
# would rebind the package's `render` to the module.
from lineage_setup.integrations.dbt import adding, project, state
from lineage_setup.integrations.dbt.project import CONFIG, PROJECT
from lineage_setup.integrations.dbt.render import config_file, printed, steps, transport_block

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

NAME = "dbt"
TITLE = "dbt"
ALIASES: tuple[str, ...] = ()
HELP = "Write openlineage.yml so that `dbt-ol run` in a dbt project sends lineage."
PRINT_FORMATS = ("yaml", "env", "shell")
OPTIONS = (
    Option(
        "namespace_from",
        "--namespace-from",
        "file: openlineage.yml sets the job namespace (default). env: it does not; "
        "export OPENLINEAGE_NAMESPACE yourself (use this when Airflow runs dbt-ol).",
        default="file",
        choices=("file", "env"),
    ),
)


@dataclass(frozen=True)
class Options:
    namespace_from: str = "file"


check_options = base.no_option_check
detect = state.detect
describe = state.describe


def preflight(ws: Workspace, options: Options) -> str | None:
    if not project.found(ws):
        raise UsageError(f"no {PROJECT} in {ws.root}: run this in a dbt project, or pass --dir")
    return None


def namespace_default(ws: Workspace) -> str | None:
    return project.name(ws)


def plan(req: Request[Options], ws: Workspace) -> None:
    namespace_from = req.options.namespace_from
    ws.keep_out_of_git(CONFIG, state.GITIGNORE_WHY)
    text = _config(req, ws)
    ws.write(CONFIG, text, reason="OpenLineage transport for dbt-ol", secret=True)
    for note in project.notes(ws, req.env):
        ws.note(note)
    for step in steps(req.conn, namespace_from, ws.root):
        ws.step(step)


def _config(req: Request[Options], ws: Workspace) -> str:
    """A new openlineage.yml, or the current one with its `transport:` section ours (or, with --add, ours
    beside the transports it had, as a composite)."""
    from lineage_setup.edits import yamlblock  # PyYAML: only when a file is planned

    conn, namespace_from = req.conn, req.options.namespace_from
    current = ws.read(CONFIG)
    if current is None:
        return config_file(conn, namespace_from)
    try:
        block = adding.block(current, conn, namespace_from) if req.add else transport_block(conn, namespace_from)
        return yamlblock.set_top_level(current, "transport", block)
    except EditError as exc:
        shown = transport_block(conn, namespace_from)
        raise base.unsafe_edit(
            ws.path(CONFIG),
            exc,
            f"replace its transport section with this yourself (your key where it shows ****):\n{shown}",
        ) from None


def plan_removal(ws: Workspace, options: Options) -> None:
    preflight(ws, options)
    for kept in state.plan_removal(ws):
        ws.info(kept)


def render(req: Request[Options], fmt: str) -> Rendered:
    return printed(req.conn, req.options.namespace_from, fmt)
