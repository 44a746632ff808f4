"""--add: our transport beside the ones openlineage.yml already has, as openlineage-python's `composite`
transport (continue_on_failure: true, so one backend failing never stops the other).

openlineage-python reads `transports` as a mapping of name -> transport since 1.23.0 (client/python
`transport/composite.py` @1.23.0); each existing transport keeps its lines as written, comments included.
"""

from __future__ import annotations

import re
from typing import Any

from lineage_setup.answers import Connection
from lineage_setup.edits import EditError
from lineage_setup.integrations.dbt.render import composite_block, ours, transport_block

_NAME = re.compile(r"[^a-z0-9]+")


def name_for(url: str) -> str:
    """A sub-transport name from an endpoint's host: lineage.example.com -> lineage_example_com."""
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    return _NAME.sub("_", host.lower()).strip("_") or "destination"


def block(text: str, conn: Connection, namespace_from: str) -> str:
    """The `transport:` section sending to what the file already sends to, and to ours."""
    import yaml

    from lineage_setup.edits import yamlblock

    transport = (yaml.safe_load(text) or {}).get("transport")
    ours_name = name_for(conn.url)
    entry = ours(conn, namespace_from)
    if not isinstance(transport, dict) or _sends_to(transport) <= {conn.lineage_url}:
        return transport_block(conn, namespace_from)  # it sends nowhere else (ours, the console): ours alone
    if transport.get("type") != "composite":
        existing = body(dict(yamlblock.entries(text, ()))["transport"])
        return composite_block([(_other_name(transport, ours_name), existing), (ours_name, entry)], ours_name)
    if not isinstance(transport.get("transports"), dict):
        raise EditError("its composite transport lists its transports without names; name them (a mapping)")
    kept = [(key, body(lines)) for key, lines in yamlblock.entries(text, ("transport", "transports"))]
    kept = [(key, body) for key, body in kept if key != ours_name]
    return composite_block([*kept, (ours_name, entry)], ours_name)


def body(entry: str) -> str:
    """An entry's value: the lines after its `key:` line, moved to column 0 (or what follows `key:` inline)."""
    first, _, rest = entry.partition("\n")
    inline = first.split(":", 1)[1].strip() if ":" in first else ""
    if inline and not inline.startswith("#"):
        return inline
    lines = rest.split("\n")
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)


def _sends_to(transport: dict[str, Any]) -> set[str]:
    from lineage_setup.client_config import Effective

    return {d.lineage_url for d in Effective(transport, "").destinations}


def _other_name(transport: dict[str, Any], ours_name: str) -> str:
    inner = transport.get("transport")
    url = transport.get("url") or (inner.get("url") if isinstance(inner, dict) else None)
    name = name_for(url) if isinstance(url, str) else "existing"
    return name if name != ours_name else f"{name}_before"
