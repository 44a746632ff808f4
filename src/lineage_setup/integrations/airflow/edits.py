"""The edits `lineage-setup airflow` proposes: each takes a file's current text and returns the new one
(with why, and what to tell the user), or refuses with the lines to add by hand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lineage_setup import quoting, textdoc
from lineage_setup.edits import EditError, gitignore
from lineage_setup.integrations import base
from lineage_setup.integrations.airflow import versions
from lineage_setup.integrations.airflow.project import ENV_FILE, REQUIREMENTS, Target
from lineage_setup.integrations.airflow.render import HEADER


@dataclass(frozen=True)
class Edit:
    text: str
    reason: str
    notes: tuple[str, ...] = ()


def dockerignore(current: str) -> Edit | None:
    """`docker build` (and `astro deploy`) would copy .env, and the key in it, into the image."""
    if gitignore.names(current, ENV_FILE):
        return None
    updated = gitignore.ensure(current, ENV_FILE, "holds the OpenLineage API key")
    return Edit(updated, f"keep {ENV_FILE} out of the image")


def requirement(current: str, found: Target, path: Path) -> Edit:
    """requirements.txt with the OpenLineage package this Airflow needs, pinned."""
    from lineage_setup.edits import requirements

    pin = versions.requirement(found.airflow, found.era)
    try:
        updated = requirements.ensure(current, pin.spec, pin.why)
    except EditError as exc:
        raise base.unsafe_edit(
            path, exc, f"add this line yourself (or to the file it is generated from):\n{pin.spec}"
        ) from None
    existing = requirements.find(current, pin.name)
    replacing = existing is not None and updated != current
    notes = (f"{REQUIREMENTS}: replacing `{existing}` with `{pin.spec}` ({pin.why})",) if replacing else ()
    return Edit(updated, f"{pin.name} for Airflow {found.airflow}", notes)


def dotenv(current: str, pairs: list[tuple[str, str]], path: Path) -> Edit:
    """.env with the variables set, under our header (the lines already there stay)."""
    from lineage_setup.edits import env

    try:
        updated = env.upsert(current, dict(pairs), header=HEADER)
    except EditError as exc:
        lines = "\n".join(quoting.dotenv_line(key, value) for key, value in pairs)
        raise base.unsafe_edit(
            path, exc, f"make it set these yourself (your key where it shows ****):\n{lines}"
        ) from None
    return Edit(updated, "OpenLineage variables for local runs", _eol_notes(updated))


def _eol_notes(text: str) -> tuple[str, ...]:
    if textdoc.eol_of(text) != "\r\n":
        return ()
    return (
        f"{ENV_FILE} has Windows (CRLF) line endings: docker compose and python-dotenv read it, but "
        f"bash `source` would keep a carriage return at the end of every value",
    )
