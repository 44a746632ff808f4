"""What `status` says is wrong with a Great Expectations project's lineage, each with its fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lineage_setup.integrations.great_expectations import project, scan, values

if TYPE_CHECKING:
    from lineage_setup import client_config
    from lineage_setup.integrations.great_expectations.versions import Version
    from lineage_setup.workspace import Workspace

KEY = "${OPENLINEAGE_API_KEY}"
FIX = "lineage-setup great-expectations"


def missing(action: scan.Action, what: str, resolved: values.Resolved, variables: values.Variables) -> str:
    names = ", ".join(resolved.missing) or "?"
    where = variables.rel or project.VARIABLES
    tool = "GX" if action.rel.endswith(".json") else "GE"  # GX 1.x keeps its checkpoints as JSON
    return (
        f"{action.where} ({action.rel}): {what} names {names}, which neither {where} nor the environment sets: "
        f"{tool} stops with MissingConfigVariableError when it loads the checkpoint; set {names} in {where}"
    )


def console(action: scan.Action) -> str:
    return (
        f"{action.where} ({action.rel}) names no openlineage_host and no OpenLineage client config is found "
        f"(openlineage.yml, OPENLINEAGE__TRANSPORT__*, OPENLINEAGE_URL): events will be printed, not sent; run {FIX}"
    )


def overridden(actions: Sequence[scan.Action], client: client_config.Effective) -> str:
    shown = ", ".join(action.where for action in actions[:3]) + (" ..." if len(actions) > 3 else "")
    return (
        f"{client.source} configures the OpenLineage client's transport, and the client takes that over the "
        f"openlineage_host and key of the action ({shown}): events go where {client.source} says. Remove its "
        "transport, or leave openlineage_host and openlineage_apiKey out of the action to use it on purpose"
    )


def key_problems(ws: Workspace, found: scan.Scanned, variables: values.Variables) -> list[str]:
    """A key in plain text in a checkpoint or great_expectations.yml; the key's file tracked or readable."""
    found_problems = []
    plain: dict[str, list[str]] = {}
    from_file = False
    for action in found.actions:
        resolved = variables.resolve(action.api_key)
        if action.api_key and not resolved.names:
            plain.setdefault(action.rel, []).append(action.where)
        sources = [variables.lookup(name)[1] for name in resolved.names]
        from_file = from_file or any(source.startswith(f"{variables.rel} ") for source in sources)
    for rel, where in plain.items():
        tracked = " and git tracks it" if ws.git_status(rel) == "tracked" else ""
        found_problems.append(
            f"{rel} holds an API key in plain text ({', '.join(where[:3])}){tracked}: put it in "
            f"{variables.rel or project.VARIABLES} as OPENLINEAGE_API_KEY and write {KEY} in its place ({FIX} "
            "does both); revoke the key if the file was ever committed or shared"
        )
    if from_file and variables.rel is not None:
        found_problems += file_problems(ws, variables.rel)
    return found_problems


def file_problems(ws: Workspace, rel: str) -> list[str]:
    label = ws.label(rel)
    found = []
    if ws.git_status(rel) == "tracked":
        found.append(f"{label} holds the API key and git tracks it: git rm --cached {label}, and revoke the key")
    stat = ws.stat(rel)
    if stat is not None and stat.st_mode & 0o077:
        found.append(f"{label} holds the API key and others can read it: chmod 600 {label}")
    return found


def simple_checkpoints(found: scan.Scanned, version: Version | None) -> list[str]:
    """GE 0.14 and 0.15 replace a SimpleCheckpoint's action_list with their defaults (said unless the
    project is known to run GE 0.13)."""
    if not found.simple or (version is not None and (version.release or "").startswith("0.13.")):
        return []
    names = ", ".join(found.simple[:5]) + (" ..." if len(found.simple) > 5 else "")
    return [
        f"SimpleCheckpoint ({names}): GE 0.14 and 0.15 replace a SimpleCheckpoint's action_list with their "
        "defaults, so the action does not run there; change class_name to Checkpoint and list "
        "store_validation_result, store_evaluation_params and update_data_docs too"
    ]
