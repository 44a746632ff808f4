"""Spark: the OpenLineage listener and HTTP transport as a SparkSession snippet, spark-submit flags,
or spark-defaults.conf lines -- printed, or upserted into spark-defaults.conf.

The keys follow the openlineage-spark release the user runs (see lineage_setup.openlineage_spark).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup.answers import Connection
from lineage_setup.edits import EditError, properties
from lineage_setup.errors import UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.integrations.spark import adding, project, removal, state
from lineage_setup.integrations.spark import render as rendering
from lineage_setup.openlineage_spark import OPENLINEAGE_VERSION, SCALA_DEFAULT, Target, compresses, target_for

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

NAME = "spark"
TITLE = "Spark"
ALIASES: tuple[str, ...] = ()
HELP = (
    "Configure the OpenLineage Spark listener: patch spark-defaults.conf, or --print a SparkSession "
    "snippet, spark-submit flags or spark-defaults.conf lines."
)
PRINT_FORMATS = ("python", "submit", "conf", "all")  # the first is the default: one valid format on stdout

OPTIONS = (
    Option(
        "openlineage_version",
        "--openlineage-version",
        "The openlineage-spark release your jobs load (an exact version such as 1.54.0). Below 0.19.2 the "
        "legacy keys of that era are written; below 1.9.1 the artifact has no Scala suffix.",
        default=OPENLINEAGE_VERSION,
    ),
    Option(
        "scala",
        "--scala",
        f"Scala version of your Spark build, for the artifact name (default: {SCALA_DEFAULT}).",
        choices=("2.12", "2.13"),
    ),
    Option(
        "spark_conf",
        "--spark-conf",
        "spark-defaults.conf to patch (default: the one in $SPARK_CONF_DIR, else the one in "
        "$SPARK_HOME/conf). A relative path is relative to --dir.",
        path=True,
    ),
)


@dataclass(frozen=True)
class Options:
    openlineage_version: str = OPENLINEAGE_VERSION
    scala: str | None = None
    spark_conf: str | None = None


def target(options: Options) -> Target:
    return target_for(options.openlineage_version, options.scala)


def check_options(options: Options, env: Mapping[str, str], *, printing: bool) -> None:
    target(options)
    if not printing:
        project.check_conf_path(options.spark_conf, env)


preflight = base.no_preflight  # runs anywhere: the file is usually outside any project
namespace_default = base.no_namespace_default
detect = state.detect
describe = state.describe


def plan(req: Request[Options], ws: Workspace) -> None:
    """Our listener and transport in spark-defaults.conf: ours alone, or (--add) beside what it sends to."""
    tgt = target(req.options)
    path = project.conf_path(req.options.spark_conf, req.env)
    _keep_out_of_git(ws, path)
    current = ws.read(path) or ""
    both = adding.added(current, req.conn, tgt, path) if req.add else None
    if both is None:
        current, said = adding.replaced(current, req.conn, tgt, path)
        patched = _patched(current, req.conn, tgt, path)
    else:
        patched, said = both
    ws.write(path, patched, reason="OpenLineage listener and transport for Spark", secret=True)
    for note in [*said, *project.notes(path, patched, tgt)]:
        ws.note(note)
    if req.conn.preset.gzip and not compresses(req.conn, tgt):
        ws.note(f"openlineage-spark {tgt.version} sends events uncompressed (gzip is read since 1.13.0)")
    for step in rendering.steps(path, tgt):
        ws.step(step)


def _keep_out_of_git(ws: Workspace, path: Path) -> None:
    """Only a note: the file is usually outside the project (a tracked secret file is refused by the Workspace)."""
    if ws.git_status(path) == "not-ignored":
        ws.note(f"{path} is in a git repository and not ignored: add it to .gitignore, it will hold the API key")


def _patched(current: str, conn: Connection, tgt: Target, path: Path) -> str:
    try:
        return properties.apply(current, rendering.settings(conn, tgt), rendering.COMMENT)
    except properties.ValueRejected as exc:
        raise UsageError(f"cannot write spark-defaults.conf: {exc}") from None
    except EditError as exc:
        paste = f"add these lines yourself (your key where it shows ****):\n{rendering.conf_lines(conn, tgt)}"
        raise base.unsafe_edit(path, exc, paste) from None


def plan_removal(ws: Workspace, options: Options) -> None:
    """Our lines out of the file (the project's spark-defaults.conf, or --spark-conf)."""
    path = Path(options.spark_conf) if options.spark_conf else ws.path(state.CONF)
    for kept in removal.plan(ws, path):
        ws.info(kept)


def render(req: Request[Options], fmt: str) -> Rendered:
    tgt = target(req.options)
    rendering.check_values(req.conn, tgt)
    return rendering.rendered(req.conn, tgt, fmt)
