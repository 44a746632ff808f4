"""answers -> plan -> show -> apply, for any integration; returns the exit code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lineage_setup import answers, plan, ui
from lineage_setup.errors import ExitCode, UsageError
from lineage_setup.integrations.base import Integration, Request

Action = Literal["apply", "dry-run", "check", "print"]


@dataclass(frozen=True)
class Mode:
    action: Action = "apply"
    yes: bool = False
    fmt: str | None = None


def run(
    integration: Integration,
    *,
    root: Path,
    flags: answers.Flags,
    mode: Mode,
    options: Mapping[str, Any],
    env: Mapping[str, str],
    prompter: answers.Prompter | None,
) -> ExitCode:
    ws = plan.Workspace(root)
    if mode.action != "print":
        integration.check_project(ws)
    default_ns = integration.namespace_default(ws) if prompter else None
    conn = answers.resolve(flags, env, prompter, namespace_default=default_ns)
    if conn.insecure:
        ui.warn("http:// sends the API key unencrypted; use https:// unless this is a local test receiver")
    req = Request(conn, options, env)
    if mode.action == "print":
        rendered = integration.render(req, mode.fmt or integration.PRINT_FORMATS[0])
        for text in rendered.hints:
            ui.hint(text)
        ui.print_config(rendered.text)
        return ExitCode.OK
    integration.plan(req, ws)
    return _show_and_apply(ws.plan(), conn, root, mode, prompter)


def _show_and_apply(
    the_plan: plan.Plan,
    conn: answers.Connection,
    root: Path,
    mode: Mode,
    prompter: answers.Prompter | None,
) -> ExitCode:
    ui.show_connection(conn)
    ui.show_notes(the_plan.notes)
    ui.show_infos(the_plan.infos)
    if not the_plan.pending:
        ui.success("\nNothing to change.")
        if mode.action != "check":
            ui.show_steps(the_plan.steps)
        return ExitCode.OK
    ui.show_changes(the_plan, root)
    count = _count(the_plan)
    if mode.action == "check":
        ui.info(f"\n{count} would change (--check: nothing written)")
        return ExitCode.PENDING
    if mode.action == "dry-run":
        ui.info(f"\n{count} would change (--dry-run: nothing written)")
        ui.show_steps(the_plan.steps)
        return ExitCode.OK
    if not mode.yes:
        if prompter is None:
            raise UsageError(
                "not applied: there is no terminal to confirm in; pass --yes to apply (or --dry-run to preview)"
            )
        if not prompter.confirm(f"Apply {count}?", default=True):
            ui.info("Not applied; nothing was written.")
            return ExitCode.OK
    plan.apply(the_plan)
    ui.success(f"\nDone: {count}.")
    ui.show_steps(the_plan.steps)
    return ExitCode.OK


def _count(the_plan: plan.Plan) -> str:
    parts = []
    if the_plan.changes:
        parts.append(f"{len(the_plan.changes)} file{'s' if len(the_plan.changes) > 1 else ''}")
    if the_plan.remote:
        parts.append(f"{len(the_plan.remote)} remote change{'s' if len(the_plan.remote) > 1 else ''}")
    return " and ".join(parts)
