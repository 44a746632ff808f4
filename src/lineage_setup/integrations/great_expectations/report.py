"""`status` for a Great Expectations project: where each checkpoint's events go, resolved as the action does.

GE 0.x: OpenLineage's action builds `OpenLineageClient(openlineage_host, api_key)`, else (no host)
`OpenLineageClient.from_environment()` (openlineage-integration-common 1.39.0,
common/provider/great_expectations/action.py). The client takes a transport from its config first (an
openlineage.yml: $OPENLINEAGE_CONFIG, ./openlineage.yml, ~/.openlineage/openlineage.yml; or OPENLINEAGE__*),
then the host, then OPENLINEAGE_URL, else it prints events (openlineage-python 1.39.0 client/client.py
`_resolve_transport`; client_config.py resolves the same). GX 1.x: our action hands the client its own
HttpTransport, which nothing but OPENLINEAGE_DISABLED overrides; without a url it builds the client from
that same config. Values in `${VAR}` form: values.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lineage_setup import client_config
from lineage_setup.integrations.base import Description, Setting
from lineage_setup.integrations.great_expectations import gx1_describe, problems, project, scan, values, versions
from lineage_setup.integrations.great_expectations.state import sends_to

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

DEFAULT_NAMESPACE = "default"  # the GE 0.x action's namespace without openlineage_namespace or OPENLINEAGE_NAMESPACE
SHOWN = 5  # checkpoint names listed before "and N more"


@dataclass
class _Found:
    settings: list[Setting] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    endpoints: dict[tuple[str, str], str | None] = field(default_factory=dict)


def describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    found = scan.scan(ws)
    if found is None:
        return Description(problems=(f"no {project.CONFIG} here: not a Great Expectations project",))
    out = _Found()
    out.settings.append(_generation(found))
    version = versions.find(ws)
    if version is not None:
        out.settings.append(Setting("great_expectations", version.text, version.source))
    if found.generation == "unknown" or found.why:
        out.problems.append(f"{found.why}; lineage-setup cannot tell how this project loads an action")
        return Description(tuple(out.settings), tuple(out.problems))
    variables = values.read(ws, found.root, found.config, env)
    client = client_config.resolve(ws, env)
    if client.disabled:
        out.problems.append("OPENLINEAGE_DISABLED=true: the action sends nothing; unset it where GE runs")
    _actions(found, variables, client, out)
    if found.actions and found.without:
        out.settings.append(Setting("no action", _names(found.without), "checkpoints that send no lineage"))
    if not found.actions:
        out.problems.append(
            f"no checkpoint runs an OpenLineage action: events are sent by none; run lineage-setup "
            f"great-expectations --dir {ws.root}"
        )
    out.problems += versions.problems(ws, found.generation)
    out.problems += problems.key_problems(ws, found, variables)
    out.problems += problems.simple_checkpoints(found, version)
    if found.generation == "1.x" and found.actions:
        out.problems += gx1_describe.loading_problems(ws, found)
    endpoints = tuple((url, endpoint, key) for (url, endpoint), key in out.endpoints.items())
    return Description(tuple(out.settings), tuple(out.problems), endpoints)


def _generation(found: scan.Scanned) -> Setting:
    where = project.rel(found.root, project.CONFIG)
    if "config_version" in found.config:
        where += f" (config_version {found.config['config_version']})"
    return Setting("generation", versions.GENERATIONS[found.generation], where)


def _uses_client(found: scan.Scanned, action: scan.Action, client: client_config.Effective) -> bool:
    """Without a host, the client's own config decides; on GE 0.x it also wins over a host (GX 1.x: our
    action hands the client its own transport)."""
    if action.host is None:
        return True
    return found.generation == "0.x" and client.transport is not None and client.source != "OPENLINEAGE_URL"


def _actions(found: scan.Scanned, variables: values.Variables, client: client_config.Effective, out: _Found) -> None:
    """Each destination with the checkpoints that send there, then the namespaces and keys they use."""
    by_url: dict[tuple[str, str], list[str]] = {}  # (url, what decides it) -> who sends there
    for action in found.actions:
        if _uses_client(found, action, client):
            for destination in client.destinations:
                by_url.setdefault((destination.lineage_url, client.source), []).append(_who(action))
                out.endpoints[(destination.url, destination.endpoint)] = destination.key
            if not client.destinations and not client.disabled:
                out.problems.append(problems.console(action))
            continue
        url = sends_to(action, variables)
        if url is None:
            out.problems.append(problems.missing(action, "the host", variables.resolve(action.host), variables))
            continue
        by_url.setdefault((url, _host_source(found, action, variables)), []).append(_who(action))
        host, endpoint = variables.resolve(action.host).value, variables.resolve(action.endpoint).value
        out.endpoints[(str(host), str(endpoint))] = variables.resolve(action.api_key).value
    for (url, source), who in by_url.items():
        out.settings.append(Setting("sends to", url, f"{source}: {_names(who)}"))
    overridden = [a for a in found.actions if a.host is not None and _uses_client(found, a, client)]
    if overridden:
        out.problems.append(problems.overridden(overridden, client))
    _namespaces(found.actions, variables, out)
    own = [a for a in found.actions if not _uses_client(found, a, client)]
    _keys(own, variables, out)
    if len(own) < len(found.actions):
        for destination in client.destinations:
            key = values.last4(destination.key) if destination.key else "none"
            out.settings.append(Setting("api key", key, client.source if destination.key else "-"))


def _who(action: scan.Action) -> str:
    return f"{action.where} (LegacyCheckpoints {', '.join(action.users)})" if action.users else action.where


def _host_source(found: scan.Scanned, action: scan.Action, variables: values.Variables) -> str:
    keys = "openlineage_host" if found.generation == "0.x" else "url and endpoint"
    resolved = [variables.resolve(action.host), variables.resolve(action.endpoint)]
    via = ", ".join(dict.fromkeys(r.source for r in resolved if r.source != "as written"))
    return f"the action's {keys}" + (f" (via {via})" if via else "")


def _namespaces(actions: Sequence[scan.Action], variables: values.Variables, out: _Found) -> None:
    by_value: dict[str, list[str]] = {}
    for action in actions:
        if action.namespace is not None:
            resolved = variables.resolve(action.namespace)
            if resolved.value is None:
                out.problems.append(problems.missing(action, "the namespace", resolved, variables))
                continue
            where = "the action" if resolved.source == "as written" else resolved.source
            by_value.setdefault(resolved.value, []).append(where)
        elif "OPENLINEAGE_NAMESPACE" in variables.env:
            by_value.setdefault(variables.env["OPENLINEAGE_NAMESPACE"], []).append("OPENLINEAGE_NAMESPACE")
        else:
            by_value.setdefault(DEFAULT_NAMESPACE, []).append("the action's default")
    for value, sources in by_value.items():
        out.settings.append(Setting("namespace", value, ", ".join(dict.fromkeys(sources))))


def _keys(actions: Sequence[scan.Action], variables: values.Variables, out: _Found) -> None:
    shown: dict[str, str] = {}
    for action in actions:
        if action.api_key is None:
            shown.setdefault("none", "no key in the action")
            continue
        resolved = variables.resolve(action.api_key)
        if resolved.value is None:
            out.problems.append(problems.missing(action, "the API key", resolved, variables))
            continue
        source = f"{action.rel} (in plain text)" if resolved.source == "as written" else resolved.source
        shown.setdefault(values.last4(resolved.value) if resolved.value else "none", source)
    for value, source in shown.items():
        out.settings.append(Setting("api key", value, source))


def _names(names: Sequence[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more
