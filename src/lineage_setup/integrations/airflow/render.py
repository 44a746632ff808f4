"""The text Airflow and Astro read: the variables for each era, the transport JSON, the Astro CLI commands,
the next steps, and --print.

The provider reads `[openlineage] transport` as JSON (apache/airflow `providers/openlineage/.../conf.py`);
`astro deployment variable create` takes KEY=VALUE arguments and `--secret` (astronomer/astro-cli
`cmd/cloud/deployment.go`).
"""

from __future__ import annotations

import json
import re

from lineage_setup import quoting
from lineage_setup.answers import ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE, ENV_URL, Connection
from lineage_setup.errors import UsageError
from lineage_setup.integrations.airflow import project, versions
from lineage_setup.integrations.airflow.project import ENV_FILE, REQUIREMENTS, Target
from lineage_setup.integrations.airflow.versions import AF_NAMESPACE, BACKEND, BACKEND_CLASS, TRANSPORT
from lineage_setup.integrations.base import Rendered
from lineage_setup.validate import DEFAULT_ENDPOINT

SECRET_KEYS = frozenset({ENV_KEY, TRANSPORT})  # the variables that hold the API key
HEADER = "OpenLineage (lineage-setup airflow)"
DEPLOYMENT_PLACEHOLDER = '"${ASTRO_DEPLOYMENT_ID:?}"'  # bash stops with "parameter null or not set"
AUTOMATIC = (
    "Lineage is configured automatically on Astro for Runtime >= 4.2.0; nothing to change. "
    "To also send lineage from `astro dev start`, run this again with --local."
)
UPGRADE = "Upgrading to Astro Runtime 4.2.0 or newer is the easier path: Astro then configures lineage itself."
_DEPLOYMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def deployment_id(raw: str | None) -> str | None:
    """--deployment-id, checked: it goes into shell commands."""
    if raw is None:
        return None
    if not _DEPLOYMENT_ID.fullmatch(raw):
        raise UsageError(f"--deployment-id: {raw!r} is not an Astro Deployment id (letters, digits, - and _)")
    return str(raw)


def transport_json(conn: Connection) -> str:
    """`[openlineage] transport`: the transport dict as compact JSON (the provider reads it with getjson)."""
    transport = {
        "type": "http",
        "url": conn.url,
        "endpoint": conn.endpoint,
        "auth": {"type": "api_key", "apiKey": conn.api_key},
    }
    return json.dumps(transport, separators=(",", ":"))


def variables(conn: Connection, era: versions.Era) -> list[tuple[str, str]]:
    if era == "provider":
        return [(TRANSPORT, transport_json(conn)), (AF_NAMESPACE, conn.namespace)]
    pairs = [(BACKEND, BACKEND_CLASS)] if era == "backend" else []
    pairs.append((ENV_URL, conn.url))
    if conn.endpoint != DEFAULT_ENDPOINT:
        pairs.append((ENV_ENDPOINT, conn.endpoint))
    return [*pairs, (ENV_KEY, conn.api_key), (ENV_NAMESPACE, conn.namespace)]


def deployment_commands(pairs: list[tuple[str, str]], deployment: str | None) -> list[str]:
    """`astro deployment variable create` calls; the variables holding the key go in their own --secret call."""
    target = quoting.shell(deployment) if deployment else DEPLOYMENT_PLACEHOLDER
    plain = [pair for pair in pairs if pair[0] not in SECRET_KEYS]
    secret = [pair for pair in pairs if pair[0] in SECRET_KEYS]
    commands = []
    for group, flag in ((plain, ""), (secret, " --secret")):
        if group:
            args = " ".join(quoting.shell(f"{key}={value}") for key, value in group)
            commands.append(f"astro deployment variable create {args} --deployment-id {target}{flag}")
    return commands


def guidance(found: Target, pairs: list[tuple[str, str]], deployment: str | None) -> tuple[list[str], list[str]]:
    """What to know (infos) and what to do next (steps), for what the project runs."""
    if found.astro and found.automatic:
        return (
            ["Astro configures the Deployment's lineage itself; --local only adds .env for `astro dev start`."],
            ["astro dev restart   (containers read .env when they start)"],
        )
    if not found.astro:
        return [], _plain_steps()
    steps = [
        f"astro dev restart   (rebuilds the image with {REQUIREMENTS}; containers read {ENV_FILE})",
        *_deployment_steps(pairs, deployment),
        f"astro deploy   (ships {REQUIREMENTS} to the Deployment)",
    ]
    return [UPGRADE], steps


def _plain_steps() -> list[str]:
    return [
        f"pip install -r {REQUIREMENTS}   (in the Airflow environment, with Airflow's constraints file)",
        f"give the scheduler, workers, triggerer and webserver/API server the variables in {ENV_FILE} "
        f"(e.g. `set -a; . ./{ENV_FILE}; set +a` before starting them, or `env_file: {ENV_FILE}` in docker "
        f"compose), then restart them",
    ]


def _deployment_steps(pairs: list[tuple[str, str]], deployment: str | None) -> list[str]:
    steps = []
    if deployment is None:
        steps.append(
            "export ASTRO_DEPLOYMENT_ID=...   (astro deployment list shows it; or run this with --deployment-id)"
        )
    commands = "\n".join(f"     {command}" for command in deployment_commands(pairs, deployment))
    steps.append(
        f"set the same variables on the Deployment ({ENV_FILE} is for local runs only and never deployed):\n"
        f"{commands}\n"
        "     `create` skips keys the Deployment already has: to replace them, run the same commands with "
        "`update` instead of `create`. The key shows as ****; `lineage-setup airflow --print --format astro` "
        "prints these commands with it."
    )
    return steps


def printed(conn: Connection, airflow_version: str | None, deployment: str | None, fmt: str) -> Rendered:
    """--print: the variables for --airflow-version (default: the provider's), as dotenv, Astro CLI or shell."""
    airflow = project.airflow_version(airflow_version) if airflow_version else None
    the_era = versions.era(airflow) if airflow else "provider"
    pairs = variables(conn, the_era)
    which = f"Airflow {airflow}" if airflow else "Airflow 2.7+ and 3 (pass --airflow-version for older Airflow)"
    hints = [f"variables for {which}: lineage through {versions.ERA_WORDS[the_era]}"]
    if fmt == "astro":
        hints.append("`create` skips keys that already exist; `update` with the same arguments replaces them")
        hints.append("Astro Runtime 4.2.0+ configures lineage itself; these send it to your endpoint instead")
        lines = deployment_commands(pairs, deployment_id(deployment))
    elif fmt == "env":
        hints.append("dotenv lines, e.g. for an Astro project's .env (local runs only); keep the file out of git")
        lines = [quoting.dotenv_line(key, value) for key, value in pairs]
    else:
        lines = [quoting.export_line(key, value) for key, value in pairs]
    return Rendered("\n".join(lines) + "\n", tuple(hints))
