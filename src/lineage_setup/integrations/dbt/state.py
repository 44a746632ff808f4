"""What a dbt project's lineage setup is now: found (the wizard), effective (status), and ours to take out (remove)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lineage_setup import client_config
from lineage_setup.integrations.base import Description, Project, Setting, State
from lineage_setup.integrations.dbt import project
from lineage_setup.integrations.dbt.project import CONFIG, PROJECT

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

GITIGNORE_WHY = "OpenLineage client config: holds an API key"
OUR_HEADER = "# OpenLineage client config for dbt-ol, written by lineage-setup"
NAMESPACE_TRANSFORMER = "openlineage.client.transport.transform.JobNamespaceReplaceTransformer"
DEFAULT_NAMESPACE = "dbt"  # dbt-ol's job namespace when nothing sets one (openlineage-dbt)


def detect(ws: Workspace) -> tuple[Project, ...]:
    if ws.inspect(PROJECT) is None:
        return ()
    effective = client_config.resolve(ws, {})  # the project's own file only: the environment is the run's
    sends = [("sends to", d.lineage_url) for d in effective.destinations]
    state: State = "configured" if sends else "not configured"
    return (Project("dbt", ws.root, project.name(ws), state, tuple(sends)),)


def describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    """dbt-ol in the project folder: its openlineage.yml, else the variables, else the console."""
    effective = client_config.resolve(ws, env)
    settings = [Setting("config", effective.source, "openlineage-python's search order")]
    problems = []
    if effective.disabled:
        problems.append("OPENLINEAGE_DISABLED=true: dbt-ol sends nothing; unset it")
    elif not effective.destinations:
        problems.append(
            "no transport is configured: dbt-ol prints events instead of sending them; run lineage-setup dbt"
        )
    for destination in effective.destinations:
        settings += _destination(destination, effective.source, env)
    problems += _key_file_problems(ws, effective.source)
    endpoints = tuple((d.url, d.endpoint, d.key) for d in effective.destinations)
    return Description(tuple(settings), tuple(problems), endpoints)


def _destination(destination: client_config.Destination, source: str, env: Mapping[str, str]) -> list[Setting]:
    found = [Setting("sends to", destination.lineage_url, source)]
    if destination.namespace:
        found.append(Setting("namespace", destination.namespace, f"{source} (transform transport)"))
    elif env.get("OPENLINEAGE_NAMESPACE"):
        found.append(Setting("namespace", env["OPENLINEAGE_NAMESPACE"], "OPENLINEAGE_NAMESPACE"))
    else:
        found.append(Setting("namespace", DEFAULT_NAMESPACE, "dbt-ol's default"))
    key = destination.key
    found.append(Setting("api key", f"...{key[-4:]}" if key else "none", source if key else "-"))
    return found


def _key_file_problems(ws: Workspace, source: str) -> list[str]:
    if source != CONFIG:
        return []
    problems = []
    if ws.git_status(CONFIG) == "tracked":
        problems.append(f"{CONFIG} holds the API key and git tracks it: git rm --cached {CONFIG}, and revoke the key")
    stat = ws.stat(CONFIG)
    if stat is not None and stat.st_mode & 0o077:
        problems.append(f"{CONFIG} holds the API key and others can read it: chmod 600 {CONFIG}")
    return problems


def ours(data: Any) -> bool:
    """A transport lineage-setup writes: http with an API key, bare or in the namespace transform."""
    transport = data.get("transport") if isinstance(data, dict) else None
    if not isinstance(transport, dict):
        return False
    if transport.get("type") == "transform" and transport.get("transformer_class") == NAMESPACE_TRANSFORMER:
        transport = transport.get("transport")
    return isinstance(transport, dict) and transport.get("type") == "http" and "auth" in transport


def plan_removal(ws: Workspace) -> list[str]:
    """Propose taking our openlineage.yml (whole, or only its transport) and our .gitignore lines out;
    what is left as it is, and why."""
    from lineage_setup.edits import gitignore

    kept = []
    text = ws.read(CONFIG)
    data = project.safe_yaml(text)
    if text is not None:
        kept += _remove_config(ws, text, data)
    ignore = ws.read(".gitignore")
    if ignore is not None:
        without = gitignore.remove(ignore, CONFIG, GITIGNORE_WHY)
        if without == "":
            ws.delete(".gitignore", reason="only our lines were in it")
        elif without is not None:
            ws.write(".gitignore", without, reason=f"our lines for {CONFIG}")
    return kept


def _remove_config(ws: Workspace, text: str, data: dict[str, Any]) -> list[str]:
    from lineage_setup.edits import yamlblock

    added = _added_name(text)
    if added is not None and isinstance(data.get("transport"), dict):
        rest = [(k, v) for k, v in yamlblock.entries(text, ("transport", "transports")) if k != added]
        block = "transport:\n" + "\n".join("  " + line if line else line for line in _unwrapped(rest)) + "\n"
        if len(rest) != 1:
            return [f"{CONFIG}: a composite of several transports besides ours; take {added} out by hand"]
        ws.write(CONFIG, yamlblock.set_top_level(text, "transport", block), reason="our transport", secret=True)
    elif ours(data) and set(data) == {"transport"} and text.startswith(OUR_HEADER):
        ws.delete(CONFIG, reason="lineage-setup wrote it")
    elif ours(data):
        ws.write(CONFIG, yamlblock.remove_top_level(text, "transport"), reason="our transport", secret=True)
    else:
        return [f"{CONFIG}: its transport is not one lineage-setup writes (edited since?); left as it is"]
    return []


def _added_name(text: str) -> str | None:
    """The sub-transport --add put in (its name is on the composite's first comment line)."""
    import re

    match = re.search(r"^\s*# Events go to each destination below; lineage-setup added (\w+)", text, re.MULTILINE)
    return match.group(1) if match else None


def _unwrapped(rest: list[tuple[str, str]]) -> list[str]:
    """The one transport left, its lines as they were before it went into the composite."""
    from lineage_setup.integrations.dbt.adding import body

    return body(rest[0][1]).split("\n") if rest else []
