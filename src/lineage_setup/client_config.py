"""Where openlineage-python sends events, resolved as the client resolves it (dbt-ol, GE's action, Airflow).

openlineage-python 1.x (`client/python/src/openlineage/client/client.py`, `_resolve_transport`, `config`,
`_find_yaml_config_path`, `_load_config_from_env_variables`): OPENLINEAGE_DISABLED=true sends nothing; a
`transport` with a type in the merged config wins, where the YAML file (the first of $OPENLINEAGE_CONFIG,
./openlineage.yml in the directory the tool runs in, ~/.openlineage/openlineage.yml) is merged over the
OPENLINEAGE__* variables; else OPENLINEAGE_URL (+ _API_KEY, _ENDPOINT); else events go to the console.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

PREFIX = "OPENLINEAGE__"


class Destination(NamedTuple):
    """One HTTP transport the client will post to."""

    url: str
    endpoint: str
    key: str | None  # the key itself (callers show its last four characters only)
    name: str = ""  # a composite's sub-transport name
    namespace: str | None = None  # a transform wrapper's new job namespace

    @property
    def lineage_url(self) -> str:
        from urllib.parse import urljoin

        return urljoin(self.url, self.endpoint)


class Effective(NamedTuple):
    transport: Mapping[str, Any] | None  # None: nothing configured (the console), or disabled
    source: str  # where it came from, as the user would look for it
    disabled: bool = False

    @property
    def destinations(self) -> list[Destination]:
        return list(_destinations(self.transport or {}))


def resolve(ws: Workspace, env: Mapping[str, str], run_dir: str | Path = "") -> Effective:
    """The client's configuration for a run from `run_dir` (relative to the workspace root)."""
    if env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        return Effective(None, "OPENLINEAGE_DISABLED=true", disabled=True)
    file_source, file_config = _yaml_config(ws, env, run_dir)
    merged = _merge(from_variables(env), file_config)
    transport = merged.get("transport")
    if isinstance(transport, Mapping) and transport.get("type"):
        if transport.get("type") == "composite" and env.get("OPENLINEAGE_URL"):
            transport = _with_default_http(transport, env)
        return Effective(transport, file_source if "transport" in file_config else "OPENLINEAGE__* variables")
    if env.get("OPENLINEAGE_URL"):
        return Effective(_legacy(env), "OPENLINEAGE_URL")
    return Effective(None, "nothing: events will be printed, not sent")


def _yaml_config(ws: Workspace, env: Mapping[str, str], run_dir: str | Path) -> tuple[str, dict[str, Any]]:
    import yaml

    candidates = [
        (f"OPENLINEAGE_CONFIG={env['OPENLINEAGE_CONFIG']}", Path(env["OPENLINEAGE_CONFIG"]))
        if env.get("OPENLINEAGE_CONFIG")
        else None,
        (ws.label(Path(run_dir) / "openlineage.yml"), ws.path(Path(run_dir) / "openlineage.yml")),
        ("~/.openlineage/openlineage.yml", Path(env.get("HOME", "~")) / ".openlineage" / "openlineage.yml"),
    ]
    for candidate in candidates:
        if candidate is None:
            continue
        text = ws.inspect(candidate[1])
        if text is not None:
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError:
                data = None
            return candidate[0], data if isinstance(data, dict) else {}
    return "", {}


def from_variables(env: Mapping[str, str]) -> dict[str, Any]:
    """OPENLINEAGE__A__B=v as {"a": {"b": v}}: every segment lower-cased, values read as JSON when they are."""
    config: dict[str, Any] = {}
    for name in sorted((n for n in env if n.startswith(PREFIX)), reverse=True):
        keys = [part.lower() for part in name[len(PREFIX) :].split("__")]
        node = config
        for key in keys[:-1]:
            child = node.get(key)
            node = node.setdefault(key, {}) if isinstance(child, dict) or child is None else {}
        node[keys[-1]] = _value(env[name])
    return config


def _value(raw: str) -> Any:
    try:
        import json

        return json.loads(raw)
    except ValueError:
        return raw


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        merged[key] = _merge(old, value) if isinstance(old, Mapping) and isinstance(value, Mapping) else value
    return merged


def _with_default_http(transport: Mapping[str, Any], env: Mapping[str, str]) -> Mapping[str, Any]:
    """OPENLINEAGE_URL joins a composite as its `default_http` sub-transport (unless one is named so)."""
    subs = transport.get("transports")
    if not isinstance(subs, Mapping) or "default_http" in subs:
        return transport
    return {**transport, "transports": {**subs, "default_http": _legacy(env)}}


def _legacy(env: Mapping[str, str]) -> dict[str, Any]:
    transport: dict[str, Any] = {"type": "http", "url": env["OPENLINEAGE_URL"]}
    transport["endpoint"] = env.get("OPENLINEAGE_ENDPOINT", "api/v1/lineage")
    if env.get("OPENLINEAGE_API_KEY"):
        transport["auth"] = {"type": "api_key", "apiKey": env["OPENLINEAGE_API_KEY"]}
    return transport


def _destinations(transport: Mapping[str, Any], name: str = "", namespace: str | None = None) -> Iterator[Destination]:
    kind = transport.get("type")
    if kind == "http" and isinstance(transport.get("url"), str):
        auth = transport.get("auth")
        auth = auth if isinstance(auth, Mapping) else {}
        key = next((auth[k] for k in ("apiKey", "api_key", "apikey") if isinstance(auth.get(k), str)), None)
        yield Destination(transport["url"], str(transport.get("endpoint", "api/v1/lineage")), key, name, namespace)
    elif kind == "transform" and isinstance(transport.get("transport"), Mapping):
        properties = transport.get("transformer_properties")
        renamed = properties.get("new_job_namespace") if isinstance(properties, Mapping) else None
        yield from _destinations(transport["transport"], name, renamed if isinstance(renamed, str) else namespace)
    elif kind == "composite":
        subs = transport.get("transports")
        items = subs.items() if isinstance(subs, Mapping) else enumerate(subs if isinstance(subs, list) else [])
        for sub_name, sub in items:
            if isinstance(sub, Mapping):
                yield from _destinations(sub, str(sub.get("name", sub_name)), namespace)
