"""Databricks: OpenLineage's init script (jar onto the driver classpath, listener in a driver conf),
the cluster Spark config that says where events go, and optionally applying both to a cluster.

`render` holds the texts, `config` what the options decide, `remote` the --apply orchestration and
`api` the REST client it drives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup.errors import UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.integrations.databricks import config, remote, removal, state
from lineage_setup.integrations.databricks import render as rendering
from lineage_setup.integrations.databricks.api import Client
from lineage_setup.integrations.databricks.config import SCRIPT, STAGE_DIR, TOKEN_ENV, WORKSPACE_PATH, Setup, setup
from lineage_setup.integrations.databricks.render import LISTENERS as LISTENERS
from lineage_setup.openlineage_spark import OPENLINEAGE_VERSION, refuse_composite

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

NAME = "databricks"
TITLE = "Databricks"
ALIASES: tuple[str, ...] = ()
HELP = (
    "Write OpenLineage's init script for a Databricks cluster and show the Spark config to paste "
    "(or --apply both to a cluster through the REST API)."
)
PRINT_FORMATS = ("spark-conf", "init-script", "cluster-json")

OPTIONS = (
    Option(
        "script",
        "--script",
        f"Where to write the init script (default: {SCRIPT} in --dir; a relative path is relative to --dir).",
        path=True,
    ),
    Option(
        "jar_path",
        "--jar-path",
        f"The staged openlineage-spark jar the init script copies; a * in the file name is a glob "
        f"(default: openlineage-spark_*.jar in {STAGE_DIR}; openlineage-spark-*.jar before 1.9.1).",
    ),
    Option(
        "workspace_path",
        "--workspace-path",
        "Where the cluster finds the init script: a workspace file, or a path in a Unity Catalog volume "
        "(/Volumes/CATALOG/SCHEMA/VOLUME/...; DBFS init scripts are no longer supported). Default: "
        f"{WORKSPACE_PATH.rsplit('/', 1)[1]} in {WORKSPACE_PATH.rsplit('/', 1)[0]}.",
        default=WORKSPACE_PATH,
    ),
    Option(
        "openlineage_version",
        "--openlineage-version",
        "The openlineage-spark release of the staged jar (an exact version); below 0.19.2 the legacy keys "
        "of that era are written.",
        default=OPENLINEAGE_VERSION,
    ),
    Option(
        "scala",
        "--scala",
        "Scala version of the cluster's runtime, for the jar name (default: 2.12).",
        choices=("2.12", "2.13"),
    ),
    Option("secret_scope", "--secret-scope", "Databricks secret scope holding the API key (with --secret-key)."),
    Option("secret_key", "--secret-key", "Name of the secret holding the API key (with --secret-scope)."),
    Option(
        "no_tls_workaround",
        "--no-tls-workaround",
        "Leave out the two -Djava.security.properties= lines (a TLS workaround some clusters need).",
        is_flag=True,
        default=False,
    ),
    Option(
        "apply",
        "--apply",
        f"Upload the init script and add it and the Spark config to --cluster-id through the REST API "
        f"(token from {TOKEN_ENV}). A running cluster restarts.",
        is_flag=True,
        default=False,
    ),
    Option("host", "--host", "Workspace URL for --apply: https:// and the host in your browser's address bar."),
    Option("cluster_id", "--cluster-id", "Cluster to change with --apply."),
)


@dataclass(frozen=True)
class Options:
    script: str | None = None
    jar_path: str | None = None
    workspace_path: str = WORKSPACE_PATH
    openlineage_version: str = OPENLINEAGE_VERSION
    scala: str | None = None
    secret_scope: str | None = None
    secret_key: str | None = None
    no_tls_workaround: bool = False
    apply: bool = False
    host: str | None = None
    cluster_id: str | None = None


def check_options(options: Options, env: Mapping[str, str], *, printing: bool) -> None:
    setup(options)
    if options.apply:
        if printing:
            raise UsageError("--apply and --print cannot be combined")
        config.remote_target(options, env)
    elif options.host or options.cluster_id:
        raise UsageError("--host and --cluster-id are used only with --apply")


preflight = base.no_preflight  # runs anywhere
namespace_default = base.no_namespace_default
detect = state.detect
describe = state.describe


def plan_removal(ws: Workspace, options: Options) -> None:
    """Our init script out (when unchanged), and the cluster's side undone: steps, or --apply (token from the
    environment, as for setup)."""
    removal.plan(ws, options, os.environ)


def render(req: Request[Options], fmt: str) -> Rendered:
    return rendering.rendered(req.conn, setup(req.options), fmt)


def plan(req: Request[Options], ws: Workspace) -> None:
    s = setup(req.options)
    if req.add:
        refuse_composite(s.target)
    script = req.options.script
    if not req.options.apply or script:
        path = Path(os.path.abspath(Path(script).expanduser())) if script else ws.path(SCRIPT)
        ws.write(path, rendering.init_script(s), reason="OpenLineage init script for Databricks")
    if req.options.apply:
        _apply(req, ws, s)
    else:
        if not s.secret and not req.conn.keyless:
            ws.note(
                "the Spark config to paste holds the API key, readable by anyone who can view the cluster; "
                "store it as a Databricks secret with --secret-scope S --secret-key K instead"
            )
        for step in rendering.manual_steps(req.conn, s, script or SCRIPT, add=req.add):
            ws.step(step)
    ws.step(f"docs: {rendering.DOCS}")


def _apply(req: Request[Options], ws: Workspace, s: Setup) -> None:
    """Read the cluster now; the plan holds the writes (the remote changes) and what to tell the user."""
    where = config.remote_target(req.options, req.env)
    proposal = remote.propose(Client(where.host, where.token), where.cluster_id, req.conn, s, add=req.add)
    for change in proposal.changes:
        ws.remote(change)
    for note in proposal.notes:
        ws.note(note)
    for step in proposal.steps:
        ws.step(step)
