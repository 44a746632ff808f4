"""All terminal output. Everything but --print config passes through redact().

stdout: the plan (summary, diffs), next steps, and --print config.
stderr: notes, warnings, errors, hints and prompts.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup.redact import mask_key_fields, redact

if TYPE_CHECKING:
    from rich.console import Console

    from lineage_setup.answers import Connection
    from lineage_setup.plan import Plan


@functools.cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _say(text: str, *, style: str = "", stderr: bool = True) -> None:
    from rich.text import Text

    _console(stderr).print(Text(redact(text), style=style))


def info(text: str) -> None:
    _say(text)


def warn(text: str) -> None:
    _say(f"warning: {text}", style="yellow")


def error(text: str) -> None:
    _say(f"lineage-setup: {text}", style="bold red")


def hint(text: str) -> None:
    _say(f"# {text}", style="dim")


def success(text: str) -> None:
    _say(text, style="green", stderr=False)


def event(text: str) -> None:
    """One received event (listen); flushed at once so a pipe sees it live."""
    _say(text, stderr=False)
    sys.stdout.flush()


def print_config(text: str) -> None:
    """Exactly the bytes to copy, unredacted: the user asked for them."""
    sys.stdout.write(text)
    sys.stdout.flush()


def show_connection(conn: Connection) -> None:
    origin = conn.origin
    rows = (
        ("OpenLineage endpoint", conn.lineage_url, origin.get("url", "")),
        ("Namespace", conn.namespace, origin.get("namespace", "")),
        ("API key", "****", origin.get("api_key", "")),
    )
    for label, value, source in rows:
        _say(f"{label:<21} {value}" + (f"   (from {source})" if source else ""), stderr=False)


def show_changes(plan: Plan, root: Path) -> None:
    from lineage_setup.plan import label_of

    _say("")
    for change in plan.changes:
        label = label_of(change.path, root)
        extra = ", holds the API key, mode 600" if change.secret and change.status == "create" else ""
        _say(f"  {change.status:<7} {label}   ({'; '.join(change.reasons)}{extra})", stderr=False)
    for remote in plan.remote:
        _say(f"  remote  {remote.title}", stderr=False)
    for change in plan.changes:
        _say("")
        _diff(change.diff(label_of(change.path, root)))
    for remote in plan.remote:
        _say("")
        _diff(remote.diff)


def _diff(lines: list[str] | tuple[str, ...]) -> None:
    """Print one diff: in one call, and as plain text when there are no colours to show.

    rich's per-line cost dominates with thousands of files (a project's checkpoints); without
    colours it would print the same characters.
    """
    from rich.text import Text

    if not lines:
        return
    console = _console(False)
    if console.color_system is None and not any("\t" in line for line in lines):  # rich expands tabs by cell
        console.file.write(_plain_diff(lines))
        return
    text = Text()
    for number, line in enumerate(lines):
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        end = "\n" if number < len(lines) - 1 else ""
        text.append(_diff_line(line) + end, style="bold" if line.startswith(("+++", "---")) else style)
    console.print(text)


def _plain_diff(lines: list[str] | tuple[str, ...]) -> str:
    """What rich prints for a diff without tabs and colours (it drops the same control characters)."""
    from rich.control import strip_control_codes

    return "".join(strip_control_codes(_diff_line(line)) + "\n" for line in lines)


def _diff_line(line: str) -> str:
    """Redacted, and any key field masked: the key a file held before is still a secret."""
    return mask_key_fields(redact(line))


def show_infos(infos: tuple[str, ...]) -> None:
    for text in infos:
        _say(text, stderr=False)


def show_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        warn(note)


def show_steps(steps: tuple[str, ...]) -> None:
    if not steps:
        return
    _say("\nNext steps:", style="bold", stderr=False)
    for number, step in enumerate(steps, 1):
        _say(f"  {number}. {step}", stderr=False)
