"""`lineage-setup status`: where each project's events actually go, resolved as its consumer resolves it,
where each value came from, and what is wrong, each with its fix (exit 1 when anything is)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from lineage_setup import ui
from lineage_setup.errors import ExitCode
from lineage_setup.integrations.base import Description, NotSupported, Setting
from lineage_setup.wizard import Found, find_projects


def run(
    root: Path, env: Mapping[str, str], *, online: bool = False, max_depth: int = 4, timeout: float = 10.0
) -> ExitCode:
    from lineage_setup.workspace import Workspace

    found, skipped = find_projects(root, max_depth, env)
    ui.show_found(found, skipped, root)
    described = []
    for item in found:
        try:
            description = item.integration.describe(Workspace(item.project.path), env)
        except NotSupported:
            description = Description((Setting("status", "not described yet for this kind", "-"),))
        described.append((item, description))
    shared = _pipeline_problems(described)
    problems = sum(len(d.problems) for _, d in described) + len(shared)
    for item, description in described:
        ui.show_status(item, description, [p for owner, p in shared if owner is item])
    if online:
        problems += _online(described, timeout)
    if not found:
        return ExitCode.OK
    ui.info(f"\n{problems} problem{'s' if problems != 1 else ''} found." if problems else "\nNo problem found.")
    return ExitCode.FAILED if problems else ExitCode.OK


def _namespace(description: Description) -> str | None:
    return next((s.value for s in description.settings if s.name == "namespace"), None)


def _pipeline_problems(described: Sequence[tuple[Found, Description]]) -> list[tuple[Found, str]]:
    """Projects inside one another (dbt in an Airflow project) look like one pipeline: one namespace."""
    found = []
    for outer, outer_d in described:
        for inner, inner_d in described:
            if inner is outer or not inner.project.path.is_relative_to(outer.project.path):
                continue
            names = (_namespace(outer_d), _namespace(inner_d))
            if None not in names and names[0] != names[1]:
                found.append(
                    (
                        inner,
                        f"its namespace {names[1]} differs from {names[0]} of the {outer.integration.TITLE} "
                        f"project around it ({outer.label}): one pipeline reads best under one namespace",
                    )
                )
    return found


def _online(described: Sequence[tuple[Found, Description]], timeout: float) -> int:
    """One test run per distinct endpoint, through verify."""
    from urllib.parse import urljoin

    from lineage_setup import redact, validate, verify
    from lineage_setup.answers import Connection
    from lineage_setup.errors import UsageError

    problems = 0
    seen: set[tuple[str, str]] = set()
    for _, description in described:
        for url, endpoint, key in description.endpoints:
            if (url, endpoint) in seen:
                continue
            seen.add((url, endpoint))
            redact.register(key)
            try:
                target = validate.url(urljoin(url, endpoint), "the configured URL")
            except UsageError as exc:
                ui.warn(str(exc))
                problems += 1
                continue
            conn = Connection(target.base, target.path or "api/v1/lineage", "lineage-setup.status", key or "")
            result = verify.check(conn, timeout)
            (ui.success if result.ok else ui.warn)(result.message)
            problems += 0 if result.ok else 1
    return problems
