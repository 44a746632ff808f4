"""Astro Runtime 4.2.0+ (and every Airflow 3 Runtime): Astro configures lineage itself, so it is added to,
never replaced.

- Sending to Astro itself needs nothing (--local still writes .env so `astro dev` sends too).
- Sending to another endpoint, where the Runtime ships the provider (9.2.0+): one more sub-transport in
  Astro's composite transport (astronomer.io/docs/astro/observe-openlineage), in .env for `astro dev` and as
  `astro deployment variable create` commands for the Deployment, with openlineage-python>=1.38 in
  requirements.txt; AIRFLOW__OPENLINEAGE__TRANSPORT in .env, which would replace Astro's composite, is taken out.
- Runtimes 4.2.0-9.1.x ship openlineage-airflow: nothing can be added next to Astro's there; --local still
  writes its variables to .env for `astro dev` alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lineage_setup.integrations.airflow import destination, edits, forms, notes, versions
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, REQUIREMENTS, Target
from lineage_setup.integrations.airflow.render import (
    automatic,
    command,
    deployment_id,
    deployment_steps,
    no_second_destination,
    subtransport_infos,
    variables,
)
from lineage_setup.integrations.airflow.versions import TRANSPORT
from lineage_setup.integrations.base import Request

if TYPE_CHECKING:
    from lineage_setup.integrations.airflow import Options
    from lineage_setup.workspace import Workspace

DOCKERIGNORE = ".dockerignore"
KEEP_OUT = "local environment: holds the OpenLineage API key"


def propose(ws: Workspace, rel: str, edit: edits.Edit | None, *, secret: bool = False) -> None:
    if edit is None:
        return
    ws.write(rel, edit.text, reason=edit.reason, secret=secret)
    for note in edit.notes:
        ws.note(note)


def write_env(ws: Workspace, pairs: list[tuple[str, str]], remove: tuple[str, ...] = ()) -> None:
    """.env (kept out of git and out of the image) with `pairs` set and the `remove` variables taken out."""
    ws.keep_out_of_git(ENV_FILE, KEEP_OUT)
    if ws.exists(DOCKERFILE):
        propose(ws, DOCKERIGNORE, edits.dockerignore(ws.read(DOCKERIGNORE) or ""))
    current = ws.read(ENV_FILE) or ""
    edit = edits.dotenv(current, pairs, ws.path(ENV_FILE), remove)
    propose(ws, ENV_FILE, edit if edit.text != current else None, secret=True)


def plan(req: Request[Options], ws: Workspace, found: Target) -> None:
    if not found.composite:
        _plan_openlineage_airflow(req, ws, found)
        return
    conn, options = req.conn, req.options
    astro = destination.is_astro(conn)
    image_overrides = _take_out_of_dockerfile(ws)
    sets_transport = TRANSPORT in dict(forms.pairs(ws.read(ENV_FILE) or ""))
    if sets_transport:
        ws.note(f"{ENV_FILE} sets {TRANSPORT}, which overrides Astro's own lineage on this Runtime: taking it out")
    if astro and not options.local:
        if sets_transport:
            write_env(ws, [], (TRANSPORT,))
        ws.info(f"{automatic(found)} Sending to Astro needs nothing here.")
        ws.info(f"To also send from `astro dev`: {command(conn, options, ws.root, '--local')}")
        if image_overrides:
            ws.step(f"astro deploy   (builds the image without {', '.join(image_overrides)})")
        return
    name = destination.name(options.transport_name, conn)
    rename = forms.renames(conn)
    pairs = forms.pairs(forms.subtransport(conn, name, "env", rename=rename))
    write_env(ws, pairs, (TRANSPORT, *forms.group_keys(name)))
    requirements = ws.read(REQUIREMENTS) or ""
    pin, purpose = versions.CLIENT_FOR_ASTRO, "for Astro's composite transport"
    propose(ws, REQUIREMENTS, edits.requirement(requirements, pin, ws.path(REQUIREMENTS), purpose))
    for info in subtransport_infos(conn, name, astro):
        ws.info(info)
    ws.step(f"astro dev restart   (rebuilds the image with {REQUIREMENTS}; containers read {ENV_FILE})")
    if not astro:
        deployment = deployment_id(options.deployment_id)
        text = forms.subtransport(conn, name, "astro", deployment, rename=rename)
        reprint = command(conn, options, ws.root, "--print", "--format", "astro")
        for step in deployment_steps(text, deployment, reprint, conn.keyless):
            ws.step(step)
        ws.step(
            f"if an earlier setup set {TRANSPORT} on the Deployment, delete it there (Astro UI, the Deployment's "
            f"Environment tab): while it is set, Astro's own lineage is replaced"
        )
    ws.step(f"astro deploy   (ships {REQUIREMENTS} to the Deployment)")


def _take_out_of_dockerfile(ws: Workspace) -> list[str]:
    """The Dockerfile's one-variable ENV lines that replace Astro's composite: taken out (a planned change,
    shown in the diff); ENV lines that set more are left with a note (notes.dockerfile)."""
    current = ws.read(DOCKERFILE) or ""
    found = notes.removable_overrides(current)
    for index, key in found.items():
        ws.note(f"{DOCKERFILE} line {index + 1} sets {notes.overrides_astro(key)}: taking it out")
    keys = sorted(set(found.values()))
    if keys:
        reason = f"take out {', '.join(keys)}: it replaces Astro's own lineage"
        ws.write(DOCKERFILE, edits.without_lines(current, found), reason=reason)
    return keys


def _plan_openlineage_airflow(req: Request[Options], ws: Workspace, found: Target) -> None:
    """Runtime 4.2.0-9.1.x with --local (preflight ends the run without it): .env for `astro dev` alone."""
    conn = req.conn
    pairs = variables(conn, found.era)
    for note in notes.uncompressed(conn, pairs):
        ws.note(note)
    write_env(ws, pairs)
    ws.info(
        f"{automatic(found)} {ENV_FILE} is for `astro dev` alone: never load it into the Deployment "
        f"(`astro deployment variable create --load`), where it would replace Astro's own lineage."
    )
    if not destination.is_astro(conn):
        ws.info(no_second_destination(found))
    ws.step("astro dev restart   (containers read .env when they start)")
