"""Where an Airflow project's lineage goes, resolved the way its consumer resolves it (no Airflow needed).

apache-airflow-providers-openlineage (Airflow 2.7+; `conf.py` and `plugins/adapter.py`
`get_openlineage_config`, release 2.20.3): it sends nothing when `[openlineage] disabled` is true or
OPENLINEAGE_DISABLED is true/1/t; else the first of `[openlineage] config_conn_id` (2.18.0+), `config_path`
(only the Airflow option: OPENLINEAGE_CONFIG is the client's), `transport` (JSON, read with getjson) is the
client's whole config; without one, `OpenLineageClient()` resolves openlineage-python's own (OPENLINEAGE_CONFIG,
./openlineage.yml, ~/.openlineage/openlineage.yml, OPENLINEAGE__*, OPENLINEAGE_URL), and when none of these is
set the provider turns itself off. Namespace: `[openlineage] namespace`, else OPENLINEAGE_NAMESPACE, else
"default". Each `[openlineage] x` is also AIRFLOW__OPENLINEAGE__X, which wins over airflow.cfg.

openlineage-airflow (Airflow 2.1-2.6): MARQUEZ_URL (its back-compat), else `OpenLineageClient()`
(OpenLineage/OpenLineage `integration/airflow/openlineage/airflow/adapter.py`, tag 1.23.0).

Astro Runtime 4.2.0+ sets its own lineage variables on the Deployment (a composite transport from 9.2.0): what
the project sets is added to it, except the three `[openlineage]` options above, which replace it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from lineage_setup import client_config
from lineage_setup.client_config import Destination
from lineage_setup.integrations.airflow.envfiles import Value, Variables, plain
from lineage_setup.integrations.airflow.versions import AF_NAMESPACE, TRANSPORT

if TYPE_CHECKING:
    from lineage_setup.integrations.airflow.project import Target
    from lineage_setup.workspace import Workspace

CONFIG_PATH, CONN_ID = "AIRFLOW__OPENLINEAGE__CONFIG_PATH", "AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID"
OVERRIDING = (CONN_ID, CONFIG_PATH, TRANSPORT)  # the provider's own config, in the order it reads them
AF_DISABLED, OL_DISABLED = "AIRFLOW__OPENLINEAGE__DISABLED", "OPENLINEAGE_DISABLED"
ASTRO_HOME = "/usr/local/airflow"  # where an Astro image holds the project (its AIRFLOW_HOME)
ASTRO_OWN = "Astro (its own lineage on the Deployment, under the Deployment's namespace)"
ASTRO_OWN_CONFIG = "Astro's own: Astro sets the lineage variables on the Deployment (`astro dev` reads only .env)"
NOTHING = "nothing: with no transport configured the provider turns itself off and sends nothing"


# how the transport is configured: the provider's own options, or openlineage-python's (or nothing: "")
Via = Literal["connection", "file", "transport", "marquez", "url", "variables", ""]


@dataclass(frozen=True)
class Resolved:
    mechanism: str  # what configures the transport, and where
    destinations: tuple[tuple[Destination, str], ...] = ()  # each with where it is set
    namespace: tuple[str, str] = ("default", "the default")  # value, source
    disabled: str = ""  # why nothing is sent
    console: bool = False  # a transport that prints events instead of sending them
    astro_own: bool = False  # Astro's own lineage takes part (on the Deployment)
    overrides: tuple[tuple[str, Value], ...] = ()  # variables that replace Astro's own transport
    problems: tuple[str, ...] = ()
    unreadable: str = ""  # configured where the files cannot show it
    via: Via = ""


@dataclass(frozen=True)
class _Config:
    mechanism: str
    transport: Mapping[str, Any] | None
    source: str
    via: Via = ""
    problem: str = ""
    unreadable: str = ""


def resolve(ws: Workspace, target: Target | None, variables: Variables, home: str | None) -> Resolved:
    """What the project's Airflow sends, and to where (target None: not known, read as the provider would)."""
    provider = target is None or target.era == "provider"
    astro_own = target is not None and target.automatic
    overrides: tuple[tuple[str, Value], ...] = ()
    if target is not None and target.composite:
        overrides = tuple((key, variables[key]) for key in OVERRIDING if variables.get(key, Value("", "")).value)
    namespace = _namespace(variables, provider, astro_own)
    off = _disabled(variables, provider)
    if off:
        return Resolved(off, namespace=namespace, disabled=off, astro_own=astro_own, overrides=overrides)
    config = (_from_provider(ws, variables) if provider else None) or _from_client(ws, variables, provider, home)
    found = client_config.Effective(config.transport, config.source).destinations
    return Resolved(
        _mechanism(config, provider, astro_own),
        tuple((d, _where(d, variables, config.mechanism)) for d in found),
        namespace,
        console=(config.transport or {}).get("type") == "console",
        astro_own=astro_own,
        overrides=overrides,
        problems=(config.problem,) if config.problem else (),
        unreadable=config.unreadable,
        via=config.via,
    )


def _mechanism(config: _Config, provider: bool, astro_own: bool) -> str:
    if config.transport is not None or config.unreadable or config.problem:
        return config.mechanism
    if astro_own:
        return ASTRO_OWN_CONFIG
    if provider:
        return NOTHING
    return config.mechanism  # openlineage-python's words: events will be printed, not sent


def _true(raw: str, words: tuple[str, ...]) -> bool:
    return raw.strip().lower() in words


def _disabled(variables: Variables, provider: bool) -> str:
    """Why nothing is sent, if it is switched off (the provider: Airflow's getboolean and its _is_true)."""
    flags = ((AF_DISABLED, ("t", "true", "1")), (OL_DISABLED, ("t", "true", "1"))) if provider else ()
    for key, words in flags or ((OL_DISABLED, ("true",)),):
        value = variables.get(key)
        if value is not None and _true(value.value, words):
            return f"{key}={value.value} ({value.source})"
    return ""


def _namespace(variables: Variables, provider: bool, astro_own: bool) -> tuple[str, str]:
    for key in (AF_NAMESPACE, "OPENLINEAGE_NAMESPACE") if provider else ("OPENLINEAGE_NAMESPACE",):
        value = variables.get(key)
        if value is not None and value.value:
            return value.value, f"{key} ({value.source})"
    if astro_own:
        return "", "Astro sets OPENLINEAGE_NAMESPACE on the Deployment"
    return "default", "the default when no namespace is set"


def _from_provider(ws: Workspace, variables: Variables) -> _Config | None:
    conn_id, path, transport = (variables.get(key) for key in OVERRIDING)
    if conn_id is not None and conn_id.value:
        where = f"{CONN_ID}={conn_id.value} ({conn_id.source})"
        return _Config(where, None, where, "connection", unreadable=f"the Airflow connection {conn_id.value} holds it")
    if path is not None and path.value:
        return _yaml(ws, path)
    if transport is not None and transport.value.strip():
        return _json(transport)
    return None


def _yaml(ws: Workspace, path: Value) -> _Config:
    import yaml

    where = f"{CONFIG_PATH}={path.value} ({path.source})"
    rel = path.value.removeprefix(f"{ASTRO_HOME}/")  # the Astro image's copy of the project
    text = ws.inspect(rel)
    if text is None:
        return _Config(where, None, where, "file", unreadable=f"{path.value} is not in the project")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return _Config(where, None, where, "file", problem=f"{path.value} is not YAML: the provider fails to read it")
    transport = data.get("transport") if isinstance(data, dict) else None
    return _Config(where, transport if isinstance(transport, dict) else None, path.value, "file")


def _json(transport: Value) -> _Config:
    where = f"{TRANSPORT} ({transport.source})"
    try:
        data = json.loads(transport.value)
    except ValueError:
        problem = f"{where} is not JSON, so the provider fails to read it: write one JSON object"
        return _Config(where, None, where, "transport", problem=problem)
    if not isinstance(data, dict):
        problem = f"{where} is not a JSON object: the provider raises ValueError"
        return _Config(where, None, where, "transport", problem=problem)
    return _Config(where, data, transport.source, "transport")


def _from_client(ws: Workspace, variables: Variables, provider: bool, home: str | None) -> _Config:
    marquez = variables.get("MARQUEZ_URL")
    if not provider and marquez is not None and marquez.value:
        key = variables.get("MARQUEZ_API_KEY")
        auth = {"auth": {"type": "api_key", "apiKey": key.value}} if key is not None and key.value else {}
        transport = {"type": "http", "url": marquez.value, "endpoint": "api/v1/lineage", **auth}
        where = f"MARQUEZ_URL ({marquez.source}), openlineage-airflow's old name"
        return _Config(where, transport, marquez.source, "marquez")
    view = {**plain(variables), **({"HOME": home} if home else {})}
    view.pop(OL_DISABLED, None)  # decided above
    found = client_config.resolve(ws, view)
    if found.transport is None:
        return _Config(found.source, None, "")
    if found.source == "OPENLINEAGE_URL":
        where = f"OPENLINEAGE_URL ({variables['OPENLINEAGE_URL'].source})"
        return _Config(where, found.transport, found.source, "url")
    via: Via = "variables" if found.source == "OPENLINEAGE__* variables" else "file"
    return _Config(found.source, found.transport, found.source, via)


def _where(destination: Destination, variables: Variables, source: str) -> str:
    """The variable that sets this destination's URL, else where its config came from."""
    for key, value in variables.items():
        if key.endswith("URL") and value.value == destination.url:
            name = f", sub-transport {destination.name}" if destination.name else ""
            return f"{key} ({value.source}{name})"
    return source


def key_source(key: str, variables: Variables, fallback: str) -> str:
    """Where a destination's key is written."""
    for name, value in variables.items():
        if key and key in value.value:
            return f"{name} ({value.source})"
    return fallback
