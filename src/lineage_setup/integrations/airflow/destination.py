"""On an Astro Runtime that configures lineage itself: is the endpoint Astro (nothing to add), or another one
(added next to Astro's as a named sub-transport)?

Astro itself is an endpoint derived from an Astro base domain (--domain, LINEAGE_SETUP_DOMAIN), or a host
under astronomer.io (the OpenLineage URL Astro shows in the Organization settings). Any other --url is
another endpoint, even an Astro one on a custom domain: pass --domain for that.

The sub-transport's name becomes part of variable names (`OPENLINEAGE__TRANSPORT__TRANSPORTS__<NAME>__URL`),
split on `__` and lower-cased by openlineage-python (client.py, `_load_config_from_env_variables`), so it is
letters, digits and single underscores. `DEFAULT_HTTP` is taken: the client puts OPENLINEAGE_URL there
(client.py, `_alias_env_vars`), and Astro sets OPENLINEAGE_URL.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lineage_setup.answers import ENV_DOMAIN, Connection
from lineage_setup.errors import UsageError

ASTRO_ORIGINS = frozenset({"--domain", ENV_DOMAIN})
ASTRO_HOST = "astronomer.io"
RESERVED = frozenset({"DEFAULT_HTTP"})
NAME_MAX = 64
_NAME = re.compile(r"[A-Z0-9]+(?:_[A-Z0-9]+)*")
FLAG = "--transport-name"


def is_astro(conn: Connection) -> bool:
    if conn.origin.get("url") in ASTRO_ORIGINS and conn.backend == "astro":  # --domain names Datadog's and Atlan's too
        return True
    host = (urlsplit(conn.url).hostname or "").lower()
    return host == ASTRO_HOST or host.endswith(f".{ASTRO_HOST}")


def domain_of(conn: Connection) -> str | None:
    """The domain a --domain URL came from (the preset's form: https://api.<domain> for Astro,
    https://data-obs-intake.<site> for Datadog), to repeat it in a command."""
    form = conn.preset.domain_url
    if conn.origin.get("url") not in ASTRO_ORIGINS or form is None:
        return None
    prefix = form.split("{domain}", 1)[0].split("://", 1)[-1]
    return (urlsplit(conn.url).hostname or "").removeprefix(prefix)


def check_name(raw: str) -> str:
    """--transport-name, upper-cased (exit 2 when it cannot be one)."""
    name = raw.strip().upper()
    if len(name) > NAME_MAX or not _NAME.fullmatch(name):
        raise UsageError(
            f"{FLAG}: {raw!r} cannot name a sub-transport: use letters, digits and single underscores "
            f"(not at either end), at most {NAME_MAX} characters, e.g. MARQUEZ"
        )
    if name in RESERVED:
        raise UsageError(f"{FLAG}: {name} is where openlineage-python puts OPENLINEAGE_URL (Astro's); pick another")
    return name


def derived_name(conn: Connection) -> str:
    """The endpoint's host, upper-case, every run of other characters one `_` (lineage.example.com ->
    LINEAGE_EXAMPLE_COM); LINEAGE_ in front when it would not start with a letter (127.0.0.1) or is taken."""
    host = (urlsplit(conn.url).hostname or "").upper()
    name = re.sub(r"[^A-Z0-9]+", "_", host).strip("_")
    if not name[:1].isalpha() or name in RESERVED:
        name = f"LINEAGE_{name}".rstrip("_")
    return name[:NAME_MAX].rstrip("_")


def name(raw: str | None, conn: Connection) -> str:
    return check_name(raw) if raw is not None else derived_name(conn)
