"""All output. Everything but --print config passes through redact().

stdout: the plan (summary, diffs), next steps, and --print config.
stderr: notes, warnings, errors, hints and prompts.
With --json each of these goes into the report (output.py) instead; -q keeps errors only, -v adds the
decisions (files read, versions found, where each answer came from, requests and their status).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lineage_setup import output
from lineage_setup.redact import MASK, mask_key_fields, redact

if TYPE_CHECKING:
    from rich.console import Console

    from lineage_setup.answers import Connection
    from lineage_setup.integrations.base import Description
    from lineage_setup.plan import FileChange, Plan
    from lineage_setup.wizard import Found


@functools.cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _stream(stderr: bool) -> TextIO:
    return sys.stderr if stderr else sys.stdout


def _styled(stderr: bool) -> bool:
    """Colours only on a terminal (rich is imported then); a pipe or file gets plain text."""
    return _stream(stderr).isatty() and _console(stderr).color_system is not None


def printable(text: str) -> str:
    """Control characters shown escaped, not obeyed (a terminal escape in a posted name, say); newlines and
    tabs stay."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else repr(ch)[1:-1] for ch in text)


def _say(text: str, *, style: str = "", stderr: bool = True, key: str = "", plain: str | None = None) -> None:
    """One message, redacted; flushed at once, so stdout and stderr keep their order in a pipe.
    key: where it goes in a --json report (plain: its text there, without a prefix such as 'warning: ')."""
    text = printable(redact(text))
    if output.json_mode():
        if key:
            output.add(key, (printable(redact(plain)) if plain is not None else text).strip())
        return
    if output.verbosity() == output.QUIET and key != "errors":
        return
    if style and _styled(stderr):
        from rich.text import Text

        _console(stderr).print(Text(text, style=style))
        return
    stream = _stream(stderr)
    stream.write(text + "\n")
    stream.flush()


def info(text: str) -> None:
    _say(text, key="infos")


def warn(text: str) -> None:
    _say(f"warning: {text}", style="yellow", key="warnings", plain=text)


def error(text: str) -> None:
    _say(f"lineage-setup: {text}", style="bold red", key="errors", plain=text)


def hint(text: str) -> None:
    _say(f"# {text}", style="dim", key="hints", plain=text)


def success(text: str) -> None:
    _say(text, style="green", stderr=False, key="messages", plain=text.strip())


def debug(text: str) -> None:
    """One decision, shown with -v (and kept in a --json report as `decisions`)."""
    if output.json_mode():
        output.add("decisions", printable(redact(text)))
    elif output.verbosity() >= output.VERBOSE:
        _say(f"  . {text}")


def debug_each(lines: Iterable[str]) -> None:
    """Decisions made lazily: `lines` is not even walked unless -v or --json records them (a run over
    thousands of files would label each one for nothing)."""
    if output.json_mode() or output.verbosity() >= output.VERBOSE:
        for line in lines:
            debug(line)


def event(text: str) -> None:
    """One received event (listen); flushed at once so a pipe sees it live."""
    _say(text, stderr=False, key="events")


def print_config(text: str) -> None:
    """Exactly the bytes to copy, unredacted: the user asked for them."""
    if output.json_mode():
        output.add("config", text)
        return
    sys.stdout.write(text)
    sys.stdout.flush()


def show_connection(conn: Connection) -> None:
    origin = conn.origin
    for answer, source in origin.items():
        debug(f"{answer} <- {source}")
    doubts = (
        conn.preset.doubt("url") if conn.domain_source else None,  # a value built from an unconfirmed fact
        conn.preset.doubt("endpoint") if origin.get("endpoint") == f"--backend {conn.backend}" else None,
    )
    endpoint_source = "; ".join(filter(None, [origin.get("url", ""), *(doubt.note for doubt in doubts if doubt)]))
    rows = (
        ("OpenLineage endpoint", conn.lineage_url, endpoint_source),
        ("Namespace", conn.namespace, origin.get("namespace", "")),
        ("API key", "****", origin.get("api_key", "")),
    )
    if output.json_mode():
        output.put(
            "connection",
            {
                "backend": conn.backend,
                "endpoint": conn.lineage_url,
                "namespace": conn.namespace,
                "api_key": MASK,
                "from": dict(origin),
            },
        )
        return
    for label, value, source in rows:
        _say(f"{label:<21} {value}" + (f"   (from {source})" if source else ""), stderr=False)


SHOWN_DIFFS = 50  # a plan of more files lists them all but shows the first diffs only (--show-all: every one)


def show_changes(plan: Plan, root: Path, show_all: bool = False) -> None:
    from lineage_setup.plan import label_of

    if output.json_mode():
        _report_changes(plan, root)
        return
    if output.verbosity() == output.QUIET:
        return
    _say("")
    for change in plan.changes:
        label = label_of(change.path, root)
        extra = ", holds the API key, mode 600" if change.secret and change.status == "create" else ""
        _say(f"  {change.status:<7} {label}   ({'; '.join(change.reasons)}{extra})", stderr=False)
    for remote in plan.remote:
        _say(f"  remote  {remote.title}", stderr=False)
    shown = plan.changes if show_all or len(plan.changes) <= SHOWN_DIFFS else plan.changes[:SHOWN_DIFFS]
    for change in shown:
        _say("")
        _diff(change.diff(label_of(change.path, root)), _secrets_of(change))
    if len(shown) < len(plan.changes):
        _say(f"\n({len(plan.changes) - len(shown)} more diffs not shown; --show-all shows every one)", stderr=False)
    for remote in plan.remote:
        _say("")
        _diff(remote.diff, set(remote.secrets))


def _report_changes(plan: Plan, root: Path) -> None:
    """Every change into the --json report, its diff masked as on a terminal."""
    from lineage_setup.plan import label_of

    for change in plan.changes:
        label = label_of(change.path, root)
        secrets = _secrets_of(change)
        output.add(
            "changes",
            {
                "path": label,
                "action": change.status,
                "reasons": list(change.reasons),
                "holds_key": change.secret,
                "diff": [printable(_diff_line(line, secrets)) for line in change.diff(label)],
            },
        )
    for remote in plan.remote:
        diff = [printable(_diff_line(line, set(remote.secrets))) for line in remote.diff]
        output.add("remote", {"title": printable(redact(remote.title)), "diff": diff})


def _secrets_of(change: FileChange) -> set[str] | None:
    """Every secret value the file holds before or after the change (None: one of them cannot be parsed)."""
    from lineage_setup import secretvalues, textdoc
    from lineage_setup.redact import fields

    found: set[str] = set()
    for data in (change.before.data, change.after):
        if data is None:
            continue
        values = secretvalues.in_text(change.path.name, textdoc.decode(data, change.path)[0], fields())
        if values is None:
            return None
        found |= values
    return found


def _diff(lines: list[str] | tuple[str, ...], secrets: set[str] | None) -> None:
    """Print one diff, every secret masked: coloured on a terminal, else as plain text in one write.

    rich's per-line cost dominates with thousands of files (a project's checkpoints); without
    colours it would print the same characters.
    """
    if not lines:
        return
    masked = [printable(_diff_line(line, secrets)) for line in lines]
    if not _styled(False):
        sys.stdout.write("".join(line + "\n" for line in masked))
        sys.stdout.flush()
        return
    from rich.text import Text

    text = Text()
    for number, (line, shown) in enumerate(zip(lines, masked, strict=True)):
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        end = "\n" if number < len(lines) - 1 else ""
        text.append(shown + end, style="bold" if line.startswith(("+++", "---")) else style)
    _console(False).print(text)


def _diff_line(line: str, secrets: set[str] | None) -> str:
    """Redacted, and every secret value of the file masked (the key a file held before is a secret too).
    A file that cannot be parsed gets the coarser line pattern instead."""
    from lineage_setup.secretvalues import mask

    line = redact(line)
    return mask_key_fields(line) if secrets is None else mask(line, secrets, MASK)


def show_infos(infos: tuple[str, ...]) -> None:
    for text in infos:
        _say(text, stderr=False)


def show_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        warn(note)


def show_steps(steps: tuple[str, ...], heading: str = "\nNext steps:") -> None:
    if not steps:
        return
    if output.json_mode():
        for step in steps:
            output.add("steps", printable(redact(step)))
        return
    _say(heading, style="bold", stderr=False)
    for number, step in enumerate(steps, 1):
        _say(f"  {number}. {step}", stderr=False)


def show_found(found: Sequence[Found], skipped: Sequence[tuple[Path, str]], root: Path) -> None:
    """The projects the wizard found (a table on a terminal), and the folders it could not read."""
    from lineage_setup.plan import label_of

    if output.json_mode():
        for f in found:
            output.add(
                "found",
                {
                    "kind": f.project.kind,
                    "name": f.project.name,
                    "path": f.label,
                    "lineage": f.project.state,
                    "facts": [{"name": name, "value": value} for name, value in f.project.facts],
                },
            )
        for folder, why in skipped:
            output.add("skipped", {"path": label_of(folder, root), "reason": why})
        return
    if not found:
        _say(f"No dbt, Airflow, Spark, Databricks or Great Expectations project found under {root}.", stderr=False)
    rows = [(f.integration.TITLE, f.project.name or "-", f.label, f.project.state, _facts(f)) for f in found]
    if rows:
        _table(("kind", "name", "path", "lineage", "found"), rows)
    for folder, why in skipped:
        warn(f"skipped {label_of(folder, root)}: {why}")


def _facts(f: Found) -> str:
    return "; ".join(f"{name} {value}" for name, value in f.project.facts)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    if _styled(False):
        from rich.table import Table

        table = Table(*header, highlight=False)
        for row in rows:
            table.add_row(*(printable(redact(cell)) for cell in row))
        _console(False).print(table)
        return
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        _say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(), stderr=False)


def show_section(title: str, messages: Plan, skipped: str) -> None:
    """One project's part of a combined plan: what it says before the changes."""
    if output.json_mode():
        output.add(
            "projects",
            {
                "project": printable(redact(title)),
                "skipped": skipped,
                "warnings": [printable(redact(n)) for n in messages.notes],
                "infos": [printable(redact(i)) for i in messages.infos],
            },
        )
        return
    _say(f"\n== {title}", style="bold", stderr=False)
    if skipped:
        _say(skipped, stderr=False)
    show_notes(messages.notes)
    show_infos(messages.infos)


def show_status(found: Found, description: Description, more_problems: Sequence[str]) -> None:
    """One project's effective configuration (`status`): each value and its source, then its problems."""
    problems = [*description.problems, *more_problems]
    if output.json_mode():
        settings = [
            {"name": s.name, "value": printable(redact(s.value)), "source": s.source} for s in description.settings
        ]
        output.add(
            "status",
            {
                "kind": found.project.kind,
                "name": found.project.name,
                "path": found.label,
                "settings": settings,
                "problems": [printable(redact(p)) for p in problems],
            },
        )
        return
    name = f" {found.project.name}" if found.project.name else ""
    _say(f"\n== {found.integration.TITLE}{name} ({found.label})", style="bold", stderr=False)
    for setting in description.settings:
        _say(f"  {setting.name:<10} {setting.value}   (from {setting.source})", stderr=False)
    for problem in problems:
        _say(f"  problem: {problem}", style="yellow", stderr=False)
