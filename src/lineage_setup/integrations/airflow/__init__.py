"""Airflow, on Astro or plain: the lineage setup the project's Astro Runtime (or Airflow version) needs.

Astro Runtime 4.2.0+ configures lineage itself, so nothing changes there (unless --local asks for a
`.env` that `astro dev start` also emits with). Older runtimes and plain Airflow get the OpenLineage
package their Airflow needs, pinned (requirements.txt), and its variables (.env); the Astro Deployment
gets the same variables through Astro CLI commands shown as next steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup.integrations import base
from lineage_setup.integrations.airflow import edits, project
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, REQUIREMENTS

# Imported here, before `render` below is defined: a first import of the `render` submodule after that
# would rebind the package's `render` to the module.
from lineage_setup.integrations.airflow.render import AUTOMATIC, deployment_id, guidance, printed, variables
from lineage_setup.integrations.base import Option, Rendered, Request

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

NAME = "airflow"
TITLE = "Airflow"
ALIASES: tuple[str, ...] = ("astronomer",)
HELP = "Set up lineage for an Astro project (from its Astro Runtime) or plain Airflow (--airflow-version)."
PRINT_FORMATS = ("env", "astro", "shell")
OPTIONS = (
    Option(
        "airflow_version",
        "--airflow-version",
        "Airflow version, e.g. 2.7 or 3.1: for plain Airflow (no Astro Dockerfile), or to override the "
        "Astro Runtime -> Airflow table; with --print it picks the variables (default: 2.7+ / 3).",
    ),
    Option(
        "local",
        "--local",
        "On Astro Runtime 4.2.0+ (lineage is automatic there), still write .env so `astro dev start` emits too.",
        default=False,
        is_flag=True,
    ),
    Option(
        "deployment_id",
        "--deployment-id",
        "Astro Deployment id to put in the `astro deployment variable` commands (default: a placeholder).",
    ),
)
DOCKERIGNORE = ".dockerignore"


@dataclass(frozen=True)
class Options:
    airflow_version: str | None = None
    local: bool = False
    deployment_id: str | None = None


detect = base.no_detect
describe = base.no_describe
plan_removal = base.no_removal


def check_options(options: Options, env: Mapping[str, str], *, printing: bool) -> None:
    """Bad --airflow-version or --deployment-id: exit 2 before any question."""
    if options.airflow_version:
        project.airflow_version(options.airflow_version)
    deployment_id(options.deployment_id)


def preflight(ws: Workspace, options: Options) -> str | None:
    """Before any question: a bad project is exit 2, and Runtime >= 4.2.0 needs no answers at all."""
    found = project.target(ws, options)
    if found.automatic and not options.local:
        return f"{project.summary(found)}\n{AUTOMATIC}"
    return None


def namespace_default(ws: Workspace) -> str | None:
    return project.astro_name(ws)


def plan(req: Request[Options], ws: Workspace) -> None:
    found = project.target(ws, req.options)
    deployment = deployment_id(req.options.deployment_id)
    ws.info(project.summary(found))
    if found.automatic and not req.options.local:
        ws.info(AUTOMATIC)
        return
    pairs = variables(req.conn, found.era)
    ws.keep_out_of_git(ENV_FILE, "local environment: holds the OpenLineage API key")
    if ws.exists(DOCKERFILE):
        _propose(ws, DOCKERIGNORE, edits.dockerignore(ws.read(DOCKERIGNORE) or ""))
    if not found.automatic:  # the runtime ships the package when Astro configures lineage
        _propose(ws, REQUIREMENTS, edits.requirement(ws.read(REQUIREMENTS) or "", found, ws.path(REQUIREMENTS)))
    _propose(ws, ENV_FILE, edits.dotenv(ws.read(ENV_FILE) or "", pairs, ws.path(ENV_FILE)), secret=True)
    for note in project.notes(found, ws.read(ENV_FILE) or "", ws.read(REQUIREMENTS) or "", req.env):
        ws.note(note)
    infos, steps = guidance(found, pairs, deployment)
    for info in infos:
        ws.info(info)
    for step in steps:
        ws.step(step)


def _propose(ws: Workspace, rel: str, edit: edits.Edit | None, *, secret: bool = False) -> None:
    if edit is None:
        return
    ws.write(rel, edit.text, reason=edit.reason, secret=secret)
    for note in edit.notes:
        ws.note(note)


def render(req: Request[Options], fmt: str) -> Rendered:
    options = req.options
    return printed(req.conn, options.airflow_version, options.deployment_id, fmt)
