"""--add for plain Airflow (and Astro Runtimes that do not configure lineage): our destination beside the ones
the project already sends to, in the form its consumer reads, never in their place.

- The provider reading `[openlineage] transport` (AIRFLOW__OPENLINEAGE__TRANSPORT): that JSON becomes a
  composite transport holding the transport it had, as written, and ours (continue_on_failure: true);
  `lineage-setup remove` puts the first back.
- openlineage-python's own variables (OPENLINEAGE_URL, or OPENLINEAGE__TRANSPORT__TYPE=composite): one more
  named sub-transport; OPENLINEAGE_URL joins the composite as its `default_http` transport.
Both are read by openlineage-python from 1.23.0 (`transport/composite.py`, client.py `_alias_env_vars`).
- Airflow 2.1/2.2 run openlineage-airflow<=1.14.0, whose client (1.14.0) has no composite transport: refused,
  naming --replace and the upgrade that would take a second destination.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup import templates
from lineage_setup.answers import ENV_NAMESPACE, Connection
from lineage_setup.errors import UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.airflow import destination, effective, envfiles, forms, versions
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, REQUIREMENTS
from lineage_setup.integrations.airflow.versions import AF_NAMESPACE, TRANSPORT, Pin

if TYPE_CHECKING:
    from lineage_setup.integrations.airflow.project import Target
    from lineage_setup.workspace import Workspace

COMPOSITE_TYPE = "OPENLINEAGE__TRANSPORT__TYPE"
WRAPPER = '{"type":"composite","continue_on_failure":true,"transports":{'


@dataclass(frozen=True)
class Addition:
    pairs: list[tuple[str, str]]  # .env
    pins: tuple[Pin, ...]  # requirements.txt
    infos: tuple[str, ...]


@dataclass(frozen=True)
class Wrapped:
    """A composite transport JSON as --add writes it: the first transport (as it was written), and ours."""

    first_name: str
    first: str
    ours_name: str
    ours: str

    @property
    def text(self) -> str:
        return templates.render(
            "airflow/composite.json.tmpl",
            first_name=json.dumps(self.first_name),
            first=self.first,
            ours_name=json.dumps(self.ours_name),
            ours=self.ours,
        ).rstrip("\n")


def addition(ws: Workspace, found: Target, conn: Connection, transport_name: str | None) -> Addition | None:
    """What --add writes, or None when the project sends nowhere else (ours alone, as without --add)."""
    variables = envfiles.project_variables(ws, None, astro=found.astro)
    resolved = effective.resolve(ws, found, variables, None)
    if not [d for d, _ in resolved.destinations if not base.same_endpoint(d.lineage_url, conn.lineage_url)]:
        return None
    _refuse(ws, found, conn, resolved, variables)
    infos: list[str] = []
    renamed = found.era == "provider" and forms.renames(conn)  # its client reads a transform (1.33.0+, pinned)
    if resolved.via == "transport":
        value = variables[TRANSPORT]
        wrapped = wrap(value.value, conn, transport_name)
        pairs = [(TRANSPORT, wrapped.text)]
        infos.append(
            f"{TRANSPORT} becomes a composite transport of {wrapped.first_name} (what it sent to) and "
            f"{wrapped.ours_name} ({conn.lineage_url}), continue_on_failure: true so one failing never stops the other"
        )
        if value.file == DOCKERFILE:
            infos.append(f"{value.source} sets the first; {ENV_FILE} now sets both, and wins where it is read")
    else:
        name = destination.name(transport_name, conn)
        pairs = forms.pairs(forms.subtransport(conn, name, "env", rename=renamed))
        infos.append(
            f"{conn.lineage_url} is added as sub-transport {name} of a composite transport "
            f"({COMPOSITE_TYPE}=composite); OPENLINEAGE_URL, if set, stays and joins it as `default_http`"
        )
    if renamed:  # ours renames its own events (Atlan)
        infos.append(
            f"{conn.lineage_url} alone gets the job namespace {conn.namespace} ({conn.preset.title} needs "
            f"{conn.preset.namespace_hint}): ours is a `transform` transport with JobNamespaceReplaceTransformer "
            f"around the http one; the other destination keeps the project's namespace"
        )
    else:
        pairs += _namespace(found, conn, variables, infos)
    pins = [versions.requirement(found.airflow, found.era, composite=True)]
    if found.era == "provider":
        client = versions.CLIENT_TRANSFORM if renamed else versions.CLIENT_COMPOSITE
        pins.append(client)
        infos.append(
            f"{REQUIREMENTS} asks for {client.spec} ({client.why}): if your "
            f"Airflow constraints file pins an older one, install this one without that constraint"
        )
    return Addition(pairs, tuple(pins), tuple(infos))


def refuse_beside_astro(ws: Workspace, found: Target, conn: Connection) -> None:
    """--add on a Runtime that sends to Astro through openlineage-airflow (4.2.0-9.1.x), where .env already sends
    `astro dev` elsewhere: its client reads one destination."""
    variables = envfiles.project_variables(ws, None, astro=True)
    resolved = effective.resolve(ws, found, variables, None)
    if [d for d, _ in resolved.destinations if not base.same_endpoint(d.lineage_url, conn.lineage_url)]:
        raise UsageError(
            f"--add: {found.label} runs openlineage-airflow, which sends to one destination; this tool adds one "
            f"next to Astro's from Runtime {versions.PROVIDER_SHIPPED_FROM}. Pass --replace to make {ENV_FILE} "
            f"send `astro dev` runs to {conn.lineage_url} instead, or upgrade the Runtime"
        )


def _namespace(
    found: Target, conn: Connection, variables: envfiles.Variables, infos: list[str]
) -> list[tuple[str, str]]:
    """Ours, unless the project names one already: one namespace holds for every destination."""
    keys = (AF_NAMESPACE, ENV_NAMESPACE) if found.era == "provider" else (ENV_NAMESPACE,)
    kept = next((variables[key] for key in keys if key in variables and variables[key].value), None)
    if kept is None:
        return [(keys[0], conn.namespace)]
    infos.append(
        f"The namespace stays {kept.value} ({kept.source}): Airflow has one for every destination; one for "
        f"{conn.lineage_url} alone needs a `transform` transport (openlineage-python {versions.TRANSFORM_SINCE}+)"
    )
    return []


def _refuse(
    ws: Workspace, found: Target, conn: Connection, resolved: effective.Resolved, variables: envfiles.Variables
) -> None:
    """--add where the consumer cannot take a second destination (exit 2), or where what the project has cannot
    be added to safely (exit 3)."""
    if found.era == "backend":
        upgrade = (
            "upgrade to Astro Runtime 9.2.0 or newer (Astro then sends lineage itself, and takes another destination)"
            if found.astro
            else "upgrade Airflow to 2.3 or newer"
        )
        raise UsageError(
            f"--add: Airflow {found.airflow} needs openlineage-airflow<=1.14.0, whose openlineage-python has no "
            f"composite transport (1.20.5+), so it sends to one destination only. Pass --replace to send to "
            f"{conn.lineage_url} instead, or {upgrade}"
        )
    kind = variables.get(COMPOSITE_TYPE)
    single = resolved.via == "variables" and kind is not None and kind.value != "composite"
    if resolved.via in ("connection", "file", "marquez") or single:
        what = f"{COMPOSITE_TYPE}={kind.value if kind else ''} and its OPENLINEAGE__TRANSPORT__* variables"
        raise base.unsafe_edit(
            ws.path(ENV_FILE),
            f"the transport is set by {what if single else resolved.mechanism}, which lineage-setup cannot add to",
            "make it a composite transport holding the transport it has and this one yourself (your key where it "
            f"shows ****):\n{forms.transport_json(conn)}",
        )


def wrap(existing: str, conn: Connection, transport_name: str | None) -> Wrapped:
    """`[openlineage] transport` as a composite of the transport it was (kept as written) and ours; again on a
    composite --add wrote for this same endpoint, the same text."""
    before = unwrap(existing)
    if before is not None and base.same_endpoint(_sends_to(before.ours), conn.lineage_url):
        first_name, first = before.first_name, before.first
    else:
        first = existing.strip()
        first_name = _json_name(_sends_to(first) or "existing")
    ours_name = destination.name(transport_name, conn).lower()
    first_name = f"{first_name}_before" if first_name == ours_name else first_name
    return Wrapped(first_name, first, ours_name, forms.destination_json(conn))


def unwrap(value: str) -> Wrapped | None:
    """The two transports of a composite --add wrote (None: the value is not one)."""
    decoder = json.JSONDecoder()
    if not value.startswith(WRAPPER) or not value.endswith("}}"):
        return None
    try:
        first_name, at = decoder.raw_decode(value, len(WRAPPER))
        first, first_end = _member(decoder, value, at)
        if value[first_end] != ",":
            return None
        ours_name, at = decoder.raw_decode(value, first_end + 1)
        ours, ours_end = _member(decoder, value, at)
    except (ValueError, IndexError):
        return None
    if value[ours_end:] != "}}" or not isinstance(first_name, str) or not isinstance(ours_name, str):
        return None
    return Wrapped(first_name, first, ours_name, ours)


def _member(decoder: json.JSONDecoder, value: str, at: int) -> tuple[str, int]:
    """The JSON object after `:` at `at`, as written, and where it ends."""
    if value[at] != ":":
        raise ValueError("no member")
    parsed, end = decoder.raw_decode(value, at + 1)
    if not isinstance(parsed, dict):
        raise ValueError("not an object")
    return value[at + 1 : end], end


def _sends_to(transport_json: str) -> str:
    from lineage_setup.client_config import Effective

    try:
        data = json.loads(transport_json)
    except ValueError:
        return ""
    found = Effective(data, "").destinations if isinstance(data, dict) else []
    return found[0].lineage_url if found else ""


def _json_name(url: str) -> str:
    """A transport's name from its host: marquez.example.com:5000 -> marquez_example_com."""
    import re

    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_") or "existing"
