"""What both generations' removals take out the same way: the key's line in the config variables file (the
file, when nothing else is in it, and then the `config_variables_file_path` line we add with it), our .gitignore
lines for that file, our requirements.txt pin, and great_expectations.yml's edit, proved (unsplice.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lineage_setup import textdoc
from lineage_setup.edits import EditError, yaml_read
from lineage_setup.integrations.great_expectations import edits, files, gx1_render, project
from lineage_setup.integrations.great_expectations.unsplice import Drop, Removal, remove

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

KEY_LINE = f"${{{edits.KEY_VARIABLE}}}"
IGNORE_WHY = "holds the OpenLineage API key"  # the comment keep_out_of_git writes above our line
GX1_PIN_WHY = "the OpenLineage client the GX 1.x action sends with"  # gx1.PIN_WHY
PINS = (f"{project.PIN}  # {files.PIN_WHY}", f"{gx1_render.PIN}  # {GX1_PIN_WHY}")


@dataclass(frozen=True)
class Config:
    """great_expectations.yml, the removals planned in it, and its text with them made (None: refused)."""

    rel: str
    text: str
    ops: list[Removal]
    edited: str | None


def finish(ws: Workspace, root: str, config: dict[str, Any], current: Config, remaining: bool,
           also: Iterable[Removal] = ()) -> None:  # fmt: skip
    """The key's line (and file, and then the line naming that file, with `also`), great_expectations.yml and
    requirements.txt: for both generations."""
    edited = current.edited
    remaining = remaining or KEY_LINE in (edited if edited is not None else current.text)
    deleted = key_file(ws, root, config, remaining)
    if deleted and edited is not None and _variables_line_ours(config):
        more = [*current.ops, Drop((), "config_variables_file_path"), *also]
        edited = edit(ws, current.rel, current.text, more, quiet=True) or edited
    if edited is not None and edited != current.text:
        ws.write(current.rel, edited, reason="the OpenLineage action lineage-setup added")
    requirements(ws)


def _variables_line_ours(config: dict[str, Any]) -> bool:
    """`config_variables_file_path: uncommitted/config_variables.yml` as we add it: last, but for what we add
    after it (GE and GX write theirs near the top)."""
    keys = list(config)
    if config.get("config_variables_file_path") != project.VARIABLES:
        return False
    return set(keys[keys.index("config_variables_file_path") + 1 :]) <= {"validation_operators", "plugins_directory"}


def edit(ws: Workspace, rel: str, text: str, ops: list[Removal], quiet: bool = False) -> str | None:
    if not ops:
        return text
    try:
        return remove(text, ops)
    except EditError as exc:
        if not quiet:
            ws.info(f"{rel}: left as it is: {exc}")
        return None


def key_file(ws: Workspace, root: str, config: dict[str, Any], remaining: bool) -> bool:
    """Our key line out of the config variables file (the file deleted when nothing else is in it) and our
    .gitignore lines for it; True when the file goes."""
    rel, _ = project.variables_file(root, config, ws.path(project.rel(root, project.CONFIG)))
    text = ws.read(rel) if rel is not None else None
    if rel is None or text is None:
        return False
    if remaining:
        ws.info(f"{ws.label(rel)}: {edits.KEY_VARIABLE} kept: an entry left in place still names {KEY_LINE}")
        return False
    try:
        data = yaml_read.load(text)
        ours = isinstance(data, dict) and edits.KEY_VARIABLE in data
        left = remove(text, [Drop((), edits.KEY_VARIABLE)]) if ours else text
    except EditError as exc:
        ws.info(f"{ws.label(rel)}: left as it is: {exc}")
        return False
    if left == text:
        return False
    ignore(ws, root, rel)  # our lines for it, as the setup found the file: not ignored
    if left.strip():
        ws.write(rel, left, reason="the API key lineage-setup put there", secret=True)
        return False
    ws.delete(rel, reason="it held only the API key lineage-setup put there")
    return True


def ignore(ws: Workspace, root: str, rel: str) -> None:
    from lineage_setup.edits import gitignore

    ignore_rel = posixpath.join(root, ".gitignore")
    text = ws.read(ignore_rel)
    entry = posixpath.relpath(rel, root or ".")
    without = gitignore.remove(text, entry, IGNORE_WHY) if text is not None else None
    if without == "":
        ws.delete(ignore_rel, reason="only our lines were in it")
    elif without is not None:
        ws.write(ignore_rel, without, reason=f"our lines for {entry}")


def requirements(ws: Workspace) -> None:
    text = ws.read(project.REQUIREMENTS)
    if text is None:
        return
    left = drop_lines(text, lambda body: body in PINS)
    if left != text:
        ws.write(project.REQUIREMENTS, left, reason="the pin lineage-setup added")


def drop_lines(text: str, wanted: Callable[[str], bool]) -> str:
    """The text without the lines `wanted` picks (a file without a final newline keeps it missing)."""
    lines = textdoc.lines(text)
    drop = {index for index, line in enumerate(lines) if wanted(textdoc.strip_eol(line))}
    kept = [line for index, line in enumerate(lines) if index not in drop]
    if kept and len(lines) - 1 in drop and not lines[-1].endswith("\n"):
        kept[-1] = textdoc.strip_eol(kept[-1])
    return "".join(kept)
