"""A Great Expectations project as the wizard finds it: its name, generation and release, whether its
checkpoints run an OpenLineage action, and where that sends (from the project's files only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lineage_setup.integrations.base import Project, State
from lineage_setup.integrations.great_expectations import project, scan, values, versions

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

KIND = "great-expectations"  # the integration's NAME


def detect(ws: Workspace) -> tuple[Project, ...]:
    found = scan.scan(ws, full=False)
    if found is None:
        return ()
    facts = versions.facts(ws, found.generation)
    if found.generation == "unknown":
        return (Project(KIND, ws.root, name(ws), "unknown", facts),)
    variables = values.read(ws, found.root, found.config, {})  # the files only: the environment is the run's
    where = {(action.host, action.endpoint): action for action in found.actions}  # thousands of files, few hosts
    sends = sorted({url for action in where.values() if (url := sends_to(action, variables)) is not None})
    state: State = "configured" if found.actions else "not configured"
    return (Project(KIND, ws.root, name(ws), state, (*facts, *(("sends to", url) for url in sends))),)


def sends_to(action: scan.Action, variables: values.Variables) -> str | None:
    """The URL the action posts to: `<openlineage_host>/api/v1/lineage` joined as the client joins it (urljoin),
    or GX 1.x's url and endpoint; None when the action names no host (the client's own config decides)."""
    host = variables.resolve(action.host).value
    endpoint = variables.resolve(action.endpoint).value
    if not host or endpoint is None:
        return None
    from lineage_setup.client_config import Destination  # imported when a checkpoint sends somewhere

    return Destination(host, endpoint, None).lineage_url


def name(ws: Workspace) -> str:
    """The project's folder name (the one around GE's own great_expectations/ or gx/ folder)."""
    folder = ws.root.absolute()
    return folder.parent.name if folder.name in project.ROOTS[1:] and folder.parent.name else folder.name


def namespace_default(ws: Workspace) -> str | None:
    return name(ws) if scan.locate(ws) is not None else None
