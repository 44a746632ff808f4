"""Airflow, on Astro or plain: the lineage setup the project's Astro Runtime (or Airflow version) needs.

Astro Runtime 4.2.0+ and every Airflow 3 Runtime configure lineage themselves: sending to Astro needs
nothing, and another endpoint is added next to Astro's, never in its place (managed.py). Older runtimes and
plain Airflow get the OpenLineage package their Airflow needs, pinned (requirements.txt), and its variables
(.env); the Astro Deployment gets the same variables through Astro CLI commands shown as next steps. --add
keeps what a plain project sends to and adds ours (adding.py). Every form written or printed comes from
templates/airflow/ (forms.py).

The wizard and `status`: what a folder is (state.py), what its Airflow sends and what is wrong with it
(effective.py, problems.py, report.py); `remove`: removal.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import quoting
from lineage_setup.errors import UsageError
from lineage_setup.integrations.airflow import (
    adding,
    destination,
    edits,
    forms,
    managed,
    notes,
    project,
    removal,
    report,
    state,
    versions,
)
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, REQUIREMENTS

# Imported here, before `render` below is defined: a first import of the `render` submodule after that
# would rebind the package's `render` to the module.
from lineage_setup.integrations.airflow.render import (
    automatic,
    deployment_id,
    docs,
    guidance,
    no_second_destination,
    printed,
    variables,
)
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
        "Astro Runtime -> Airflow table; with --print and no Dockerfile it picks the variables (default: 2.7+ / 3).",
    ),
    Option(
        "local",
        "--local",
        "Where Astro configures lineage and the endpoint is Astro's, still write .env so `astro dev start` sends too.",
        default=False,
        is_flag=True,
    ),
    Option(
        "deployment_id",
        "--deployment-id",
        "Astro Deployment id to put in the `astro deployment variable` commands (default: a placeholder).",
    ),
    Option(
        "transport_name",
        destination.FLAG,
        "On Astro Runtime 9.2.0+ and Airflow 3 Runtimes: the name of the sub-transport added next to Astro's "
        "(letters, digits, _; default: from the endpoint's host, e.g. LINEAGE_EXAMPLE_COM).",
    ),
)


@dataclass(frozen=True)
class Options:
    airflow_version: str | None = None
    local: bool = False
    deployment_id: str | None = None
    transport_name: str | None = None
    airflow_version_from: str = ""  # no option: where the wizard read airflow_version ("": --airflow-version)


detect = state.detect
describe = report.describe


plan_removal = removal.plan_removal


def check_options(options: Options, env: Mapping[str, str], *, printing: bool) -> None:
    """Bad --airflow-version, --deployment-id or --transport-name: exit 2 before any question."""
    if options.airflow_version:
        project.airflow_version(options.airflow_version)
    deployment_id(options.deployment_id)
    if options.transport_name is not None:
        destination.check_name(options.transport_name)


def preflight(ws: Workspace, options: Options) -> str | None:
    """Before any question: a bad project is exit 2; a Runtime where Astro's lineage can only be kept as it is
    (4.2.0-9.1.x, openlineage-airflow) needs no answers unless --local asks for .env."""
    found = _target(ws, options)
    if found.automatic and not found.composite and not options.local:
        words = ["lineage-setup", "airflow", "--dir", str(ws.root)]
        words += ["--airflow-version", options.airflow_version] if options.airflow_version else []
        again = " ".join(quoting.shell(word) for word in [*words, "--local"])
        return (
            f"{project.summary(found)}\n{automatic(found)} Nothing to change.\n{no_second_destination(found)}\n"
            f"To also send from `astro dev`: {again}   (with the endpoint, namespace and key flags, or it asks)"
        )
    return None


def _target(ws: Workspace, options: Options) -> project.Target:
    """What the project runs; where its files cannot say, what is missing (the wizard's route for it)."""
    try:
        return project.target(ws, options)
    except UsageError:
        known = None if options.airflow_version else state.find(ws)
        if known is not None and known.unknown and not known.astro:
            raise UsageError(known.unknown) from None
        raise


def namespace_default(ws: Workspace) -> str | None:
    return project.astro_name(ws)


def plan(req: Request[Options], ws: Workspace) -> None:
    found = project.target(ws, req.options)
    ws.info(project.summary(found))
    for note in [
        *notes.notes(found, ws.read(ENV_FILE) or "", ws.read(REQUIREMENTS) or "", req.env),
        *notes.dockerfile(found, ws.inspect(DOCKERFILE)),
        *notes.old_client(found, req.conn),
    ]:
        ws.note(note)
    if req.options.transport_name and not found.composite and not req.add:
        ws.note(f"{destination.FLAG} is ignored: a sub-transport is added on Astro Runtime 9.2.0+, Airflow 3 and --add")
    if found.automatic:
        if req.add and not found.composite:
            adding.refuse_beside_astro(ws, found, req.conn)
        managed.plan(req, ws, found)
        ws.step(docs(found))
        return
    added = adding.addition(ws, found, req.conn, req.options.transport_name) if req.add else None
    pairs = added.pairs if added else variables(req.conn, found.era)
    for note in notes.uncompressed(req.conn, pairs):
        ws.note(note)
    pins = added.pins if added else (versions.requirement(found.airflow, found.era),)
    if notes.ships_old_client(found, req.conn):
        pins = (versions.ENDPOINT_PIN,)
    for pin in pins:
        requirements = ws.read(REQUIREMENTS) or ""
        edit = edits.requirement(requirements, pin, ws.path(REQUIREMENTS), f"for Airflow {found.airflow}")
        managed.propose(ws, REQUIREMENTS, edit)
    managed.write_env(ws, pairs)
    infos, steps = guidance(found, req.conn, req.options, ws.root)
    infos = [*(added.infos if added else ()), *infos]
    for info in infos:
        ws.info(info)
    for step in steps:
        ws.step(step)
    ws.step(docs(found))


def render(req: Request[Options], fmt: str) -> Rendered:
    """--print follows the project's Dockerfile when the runner hands over the --dir folder (Request.root);
    without one, --format astro means an Astro Deployment, env and shell plain Airflow (--airflow-version)."""
    root = getattr(req, "root", None)
    folder = root if isinstance(root, Path) else None
    form = next(form for form in forms.FORMS if form == fmt)  # the CLI took it from PRINT_FORMATS
    return printed(req.conn, _print_target(folder, req.options, fmt), req.options, form, folder)


def _print_target(root: Path | None, options: Options, fmt: str) -> project.Target:
    if root is not None:
        from lineage_setup.workspace import Workspace

        ws = Workspace(root)
        if ws.exists(DOCKERFILE):
            return project.target(ws, options)
    if fmt == "astro":
        return project.deployment(options.airflow_version)
    airflow = project.airflow_version(options.airflow_version or "2.7")
    origin = "--airflow-version" if options.airflow_version else "default"
    return project.Target(False, airflow, versions.era(airflow), False, "Plain Airflow", origin)
