"""The edits `lineage-setup airflow` proposes: each takes a file's current text and returns the new one
(with why, and what to tell the user), or refuses with the lines to add by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lineage_setup import quoting, textdoc
from lineage_setup.edits import EditError, gitignore
from lineage_setup.integrations import base
from lineage_setup.integrations.airflow.project import ENV_FILE, REQUIREMENTS
from lineage_setup.integrations.airflow.versions import Pin

HEADER = "OpenLineage (lineage-setup airflow)"
DOCKERIGNORE_WHY = "holds the OpenLineage API key"


@dataclass(frozen=True)
class Edit:
    text: str
    reason: str
    notes: tuple[str, ...] = ()


def dockerignore(current: str) -> Edit | None:
    """`docker build` (and `astro deploy`) would copy .env, and the key in it, into the image."""
    if gitignore.names(current, ENV_FILE):
        return None
    updated = gitignore.ensure(current, ENV_FILE, DOCKERIGNORE_WHY)
    return Edit(updated, f"keep {ENV_FILE} out of the image")


def requirement(current: str, pin: Pin, path: Path, purpose: str) -> Edit | None:
    """requirements.txt with `pin` (added, or replacing a line that does not satisfy it); None: it does."""
    from lineage_setup.edits import requirements

    existing = requirements.find(current, pin.name)
    if existing is not None and _floor_holds(existing, pin.spec):
        return None
    try:
        updated = requirements.ensure(current, pin.spec, pin.why)
    except EditError as exc:
        raise base.unsafe_edit(
            path, exc, f"add this line yourself (or to the file it is generated from):\n{pin.spec}"
        ) from None
    if updated == current:
        return None
    notes = (f"{REQUIREMENTS}: replacing `{existing}` with `{pin.spec}` ({pin.why})",) if existing else ()
    return Edit(updated, f"{pin.name} {purpose}", notes)


def _floor_holds(existing: str, wanted: str) -> bool:
    """`existing` (e.g. openlineage-python>=1.50 or ==1.54.0) already asks for no less than `wanted`'s floor
    (`>=1.38`): keep it, rather than replace a stricter line with a looser one."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    try:
        have, want = Requirement(existing.split(" --", 1)[0]), Requirement(wanted)
        floor = max(Version(spec.version) for spec in want.specifier if spec.operator == ">=")
        lows = [Version(s.version) for s in have.specifier if s.operator in (">=", ">", "==", "~=")]
    except (InvalidRequirement, InvalidVersion, ValueError):  # ==1.4.* is not a Version: no floor read
        return False
    return bool(lows) and max(lows) >= floor


def dotenv(current: str, pairs: list[tuple[str, str]], path: Path, remove: tuple[str, ...] = ()) -> Edit:
    """.env with the variables set, under our header (the lines already there stay), and the lines that set
    a variable of `remove` taken out."""
    from lineage_setup.edits import env

    try:
        updated = env.upsert(_without(current, set(remove) - {key for key, _ in pairs}), dict(pairs), header=HEADER)
    except EditError as exc:
        lines = "\n".join(quoting.dotenv_line(key, value) for key, value in pairs)
        raise base.unsafe_edit(
            path, exc, f"make it set these yourself (your key where it shows ****):\n{lines}"
        ) from None
    return Edit(updated, "OpenLineage variables for local runs", _eol_notes(updated))


def _without(text: str, keys: set[str]) -> str:
    """The text without the lines (all lines of a quoted value) that set one of `keys`."""
    from lineage_setup.edits import env

    drop = {index for b in env.parse(text) if b.key in keys for index in range(b.first, b.last + 1)}
    if not drop:
        return text
    return "".join(line for index, line in enumerate(textdoc.lines(text)) if index not in drop)


def _eol_notes(text: str) -> tuple[str, ...]:
    if textdoc.eol_of(text) != "\r\n":
        return ()
    return (
        f"{ENV_FILE} has Windows (CRLF) line endings: docker compose and python-dotenv read it, but "
        f"bash `source` would keep a carriage return at the end of every value",
    )


def without_lines(current: str, indexes: Iterable[int]) -> str:
    """The text without these lines (0-based); a last line without a newline leaves none before it either."""
    lines = textdoc.lines(current)
    dropped = set(indexes)
    kept = [line for index, line in enumerate(lines) if index not in dropped]
    if lines and (len(lines) - 1) in dropped and lines[-1] == textdoc.strip_eol(lines[-1]) and kept:
        kept[-1] = textdoc.strip_eol(kept[-1])  # the file had no final newline: it still has none
    return "".join(kept)
