"""What in .env, the Dockerfile, requirements.txt or the environment would override or stop what is set up.

On a Runtime where Astro sends lineage through the provider's composite transport, `[openlineage] transport`
(AIRFLOW__OPENLINEAGE__TRANSPORT) is handed to the client as `config=`, which wins over every
OPENLINEAGE__ variable: Astro's composite is dropped and Observe stops receiving lineage; `config_path` and
`config_conn_id` win the same way (apache/airflow `providers/openlineage/.../plugins/adapter.py`,
`get_openlineage_config`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from lineage_setup import textdoc
from lineage_setup.answers import Connection
from lineage_setup.integrations.airflow import project, versions
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, REQUIREMENTS, Target
from lineage_setup.integrations.airflow.versions import BACKEND, TRANSPORT
from lineage_setup.validate import DEFAULT_ENDPOINT

OVERRIDING = (TRANSPORT, "AIRFLOW__OPENLINEAGE__CONFIG_PATH", "AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID")
_INSTRUCTION = re.compile(r"\s*(?P<word>[A-Za-z]+)\b")
_ESCAPE = re.compile(r"\A(?:#[^\n]*\n)*#\s*escape\s*=", re.IGNORECASE)  # a parser directive, at the top
_ENV = re.compile(r"\s*ENV\s+(?P<args>\S.*)", re.IGNORECASE)


def overrides_astro(key: str) -> str:
    return (
        f"{key}, which overrides Astro's own lineage on this Runtime: the provider hands it to the client, which "
        f"then drops Astro's composite transport (Observe and Astro alerts get no lineage)"
    )


def notes(found: Target, dotenv: str, requirements_txt: str, environ: Mapping[str, str]) -> list[str]:
    """What in .env, requirements.txt or the environment would override or stop what we set."""
    from lineage_setup.edits import env, requirements

    bound = {binding.key: binding.value for binding in env.parse(dotenv)}
    found_notes = []
    if found.era != "backend" and bound.get(BACKEND):
        found_notes.append(f"{ENV_FILE} sets {BACKEND}, which only Airflow 2.1/2.2 use; remove that line")
    for key in OVERRIDING[1:]:
        if found.era == "provider" and bound.get(key):
            wins = overrides_astro(key) if found.composite else f"{key}, which wins over {TRANSPORT}"
            found_notes.append(f"{ENV_FILE} sets {wins}; remove it to use this endpoint")
    for key in ("OPENLINEAGE_DISABLED", "AIRFLOW__OPENLINEAGE__DISABLED"):
        value = bound.get(key, environ.get(key, ""))
        if value.strip().lower() in ("true", "1", "t"):
            found_notes.append(f"{key}={value} is set: Airflow will send no lineage until it is removed")
    listed = requirements.find(requirements_txt, "openlineage-airflow")
    if found.era == "provider" and listed is not None:
        found_notes.append(f"{REQUIREMENTS} lists `{listed}`: remove it; from Airflow 2.7 the provider replaces it")
    return found_notes


def removable_overrides(text: str) -> dict[int, str]:
    """The ENV lines lineage-setup takes out (0-based index -> variable): in the image that runs (its last
    stage and the stages it starts FROM by name), one line, one variable, and that variable overrides Astro's
    lineage. An ENV that also sets other variables or continues over lines is left to the user (dockerfile())."""
    if "<<" in text or _ESCAPE.search(text):
        return {}  # a heredoc's lines or another escape character: not read here, the note stays
    lines = [textdoc.strip_eol(line) for line in textdoc.lines(text)]
    continued = [False, *(line.rstrip().endswith("\\") for line in lines)]
    found = {}
    for index in sorted(project.running_lines(text)):
        line = lines[index]
        env = _ENV.fullmatch(line)
        if continued[index] or continued[index + 1] or not env:
            continue
        args = env.group("args").strip()
        if "=" not in args.split(None, 1)[0]:
            key, single = args.split(None, 1)[0], True  # the old `ENV KEY value` form: one variable
        else:
            try:
                tokens = shlex.split(args, posix=True)
            except ValueError:
                continue
            key, single = tokens[0].partition("=")[0], len(tokens) == 1
        if single and key in OVERRIDING:
            found[index] = key
    return found


def dockerfile(found: Target, text: str | None) -> list[str]:
    """ENV lines of the image that runs (project.running_lines) that override Astro's lineage and that
    lineage-setup leaves in place (an ENV that also sets other variables, or continues over lines): the lines
    to delete."""
    if not found.composite or not text:
        return []
    found_notes = []
    instruction = ""
    taken_out = removable_overrides(text)
    running = project.running_lines(text)
    for number, line in enumerate(textdoc.lines(text), 1):
        body = textdoc.strip_eol(line)
        if number - 1 in taken_out or number - 1 not in running:
            continue
        if not instruction and (match := _INSTRUCTION.match(body)):
            instruction = match.group("word").upper()
        for key in OVERRIDING:
            if instruction == "ENV" and re.search(rf"(?:^|\s){key}(?:[=\s]|$)", body):
                found_notes.append(
                    f"{DOCKERFILE} line {number} sets {overrides_astro(key)}. Delete it from the Dockerfile "
                    f"(or that variable from the line): {body.strip()}"
                )
        instruction = instruction if body.endswith("\\") else ""
    return found_notes


def ships_old_client(found: Target, conn: Connection) -> bool:
    """Runtimes 4.0.9-4.1.x ship openlineage-airflow 0.4-0.5, and a custom endpoint is asked for."""
    low, high = (versions.version(v) for v in versions.OLD_SHIPPED)
    return found.runtime is not None and low <= found.runtime < high and conn.endpoint != DEFAULT_ENDPOINT


def old_client(found: Target, conn: Connection) -> list[str]:
    if not ships_old_client(found, conn):
        return []
    return [
        f"{found.label} ships openlineage-airflow 0.4-0.5, which ignores OPENLINEAGE_ENDPOINT (openlineage-python "
        f"reads it from {versions.ENDPOINT_READ_FROM}): with it, events would go to {conn.url}/{DEFAULT_ENDPOINT}, "
        f"not {conn.lineage_url}. So {REQUIREMENTS} asks for `{versions.ENDPOINT_PIN.spec}`, whose client reads it"
    ]


def uncompressed(conn: Connection, pairs: list[tuple[str, str]]) -> list[str]:
    """A backend that takes gzip, and variables with no compression setting (openlineage-airflow's
    OPENLINEAGE_URL ones: openlineage-python's `_http_transport_from_env_variables` reads url, endpoint, key)."""
    if not conn.preset.gzip or any("compression" in f"{key} {value}".lower() for key, value in pairs):
        return []
    return [
        f"{conn.preset.title} takes gzip-compressed events, but OPENLINEAGE_URL and its variables have no "
        "compression setting: events go uncompressed (Airflow 2.7+ with the provider sends them compressed)"
    ]
