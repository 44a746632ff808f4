"""`lineage-setup remove`: take out what lineage-setup put in, through the same plan, diff, confirm, apply.

Each integration recognises its own config from the files themselves (the exact keys, values and comment
lines it writes), so removal works on a fresh clone; what the user changed since is left and listed. A
file lineage-setup created, and that holds nothing else now, is deleted. Remote changes (Astro deployment
variables, a Databricks cluster) come back as the commands that undo them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lineage_setup import answers, runner, ui, wizard
from lineage_setup.errors import ExitCode, UsageError
from lineage_setup.integrations import find
from lineage_setup.integrations.base import NotSupported


@dataclass(frozen=True)
class RemoveArgs:
    root: Path
    mode: runner.Mode
    kinds: tuple[str, ...] = ()  # integration names (or aliases); none = every kind found
    max_depth: int = 4
    remote: Mapping[str, Any] = field(default_factory=dict)  # --apply/--host/--cluster-id, for kinds that take them


def run(args: RemoveArgs, env: Mapping[str, str], prompter: answers.Prompter | None) -> ExitCode:
    from lineage_setup.workspace import Workspace

    unknown = [kind for kind in args.kinds if find(kind) is None]
    if unknown:
        raise UsageError(f"remove: {', '.join(unknown)} is not an integration (dbt, airflow, spark, ...)")
    kinds = {entry.name for entry in map(find, args.kinds) if entry is not None}
    found, skipped = wizard.find_projects(args.root, args.max_depth, env)
    found = [f for f in found if not kinds or f.project.kind in kinds]
    ui.show_found(found, skipped, args.root)
    files = Workspace(args.root)
    sections = []
    for item in found:
        ws = files.sibling(item.project.path)
        try:
            item.integration.plan_removal(ws, _options(item, args.remote))
        except NotSupported as exc:
            ws.note(str(exc))
        sections.append(wizard.Section(item, ws))
    for section in sections:
        ui.show_section(wizard.title(section.found), section.ws.messages(), "")
    plan = files.plan()
    ui.debug_each(files.looked_at())
    ui.show_notes(plan.notes)
    remote = tuple(r for s in sections for r in s.ws.messages().remote)
    code, _ = runner.settle(plan.with_remote(remote), args.root, args.mode, prompter, lambda: _what_now(sections))
    return code


def _options(item: wizard.Found, remote: Mapping[str, Any]) -> Any:
    """The project's own options, with --apply/--host/--cluster-id for the kinds whose options have them."""
    fields = {f.name for f in dataclasses.fields(item.integration.Options)}
    given = {name: value for name, value in remote.items() if name in fields}
    return item.integration.Options(**{**dict(item.project.options), **given})


def _what_now(sections: list[wizard.Section]) -> None:
    for section in sections:
        ui.show_steps(section.ws.messages().steps, heading=f"\nStill to undo for {wizard.title(section.found)}:")
