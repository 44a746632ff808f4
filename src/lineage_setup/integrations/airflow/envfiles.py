"""The lineage variables an Airflow project sets, each with where it comes from: .env, the Dockerfile's ENV
instructions, airflow.cfg and (plain Airflow only) the environment.

Precedence, lowest first: airflow.cfg (Airflow reads AIRFLOW__SECTION__KEY variables over it), the
environment, the Dockerfile's ENV (the image), .env (docker compose's `env_file:` and `astro dev` put it over
the image's; Astro: ".env takes precedence over the Dockerfile locally", astronomer/docs
`astro/environment-variables.md`). An Astro project's containers never see this shell's environment, so it
is left out there. Nothing here edits.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup import textdoc
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, running_lines

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

AIRFLOW_CFG = "airflow.cfg"
PREFIXES = ("OPENLINEAGE", "AIRFLOW__OPENLINEAGE__", "AIRFLOW__LINEAGE__", "MARQUEZ_")
_INSTRUCTION = re.compile(r"\s*(?P<word>[A-Za-z]+)(?:\s+(?P<args>.*))?")


@dataclass(frozen=True)
class Value:
    value: str  # as the reader sees it (quotes removed)
    source: str  # ".env line 3", "Dockerfile line 2", "the environment", "airflow.cfg [openlineage] transport"
    file: str = ""  # the project file it is in ("" for the environment)
    raw: str = ""  # .env only: the text after `=` as written


Variables = dict[str, Value]


def lineage_key(name: str) -> bool:
    return name.startswith(PREFIXES)


def dotenv(ws: Workspace) -> Variables:
    """.env's lineage variables as python-dotenv and docker compose read them (the last binding wins)."""
    from lineage_setup.edits import env

    text = ws.inspect(ENV_FILE)
    if not text:
        return {}
    lines = textdoc.lines(text)
    found: Variables = {}
    for binding in env.parse(text):
        if lineage_key(binding.key):
            raw = textdoc.strip_eol(lines[binding.first]).split("=", 1)[1].strip()
            found[binding.key] = Value(binding.value, f"{ENV_FILE} line {binding.first + 1}", ENV_FILE, raw)
    return found


def dockerfile(text: str | None) -> Variables:
    """The ENV instructions of the image that runs (its last stage, and the stages it starts FROM by name), as
    Docker reads them."""
    running = running_lines(text or "")
    found: Variables = {}
    for number, word, args in _instructions(text or ""):
        if word == "ENV" and number - 1 in running:
            for key, value in _env_pairs(args):
                if lineage_key(key):
                    found[key] = Value(value, f"{DOCKERFILE} line {number}", DOCKERFILE)
    return found


def _instructions(text: str) -> list[tuple[int, str, str]]:
    """(first line number, keyword, arguments) per instruction: continuation lines joined, comment lines
    (also those inside a continued instruction) dropped."""
    found: list[tuple[int, str, str]] = []
    pieces: list[str] = []
    first = 0
    for number, line in enumerate(textdoc.lines(text), 1):
        body = textdoc.strip_eol(line)
        if body.lstrip().startswith("#") or (not pieces and not body.strip()):
            continue
        first = first if pieces else number
        if body.rstrip().endswith("\\"):
            pieces.append(body.rstrip()[:-1])
            continue
        match = _INSTRUCTION.fullmatch(" ".join([*pieces, body]))
        pieces = []
        if match:
            found.append((first, match.group("word").upper(), match.group("args") or ""))
    return found


def _env_pairs(args: str) -> list[tuple[str, str]]:
    """`ENV A=1 B="two words"` (quotes and backslashes as a shell reads them), or the old `ENV A one value`."""
    words = args.split(None, 1)
    if not words:
        return []
    if "=" not in words[0]:
        return [(words[0], words[1].strip() if len(words) > 1 else "")]
    try:
        tokens = shlex.split(args, comments=False, posix=True)
    except ValueError:  # an unclosed quote: Docker refuses the Dockerfile
        return []
    return [(key, value) for key, _, value in (token.partition("=") for token in tokens) if key]


def airflow_cfg(ws: Workspace) -> Variables:
    """airflow.cfg's [openlineage] options and [lineage] backend, as the variables that would override them."""
    import configparser

    text = ws.inspect(AIRFLOW_CFG)
    if not text:
        return {}
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    found: Variables = {}
    for section in ("openlineage", "lineage"):
        if not parser.has_section(section):
            continue
        for option, value in parser.items(section):
            if section == "lineage" and option != "backend":
                continue
            name = f"AIRFLOW__{section.upper()}__{option.upper()}"
            found[name] = Value(value.strip(), f"{AIRFLOW_CFG} [{section}] {option}", AIRFLOW_CFG)
    return found


def environment(env: Mapping[str, str]) -> Variables:
    return {key: Value(value, "the environment") for key, value in env.items() if lineage_key(key)}


def project_variables(ws: Workspace, env: Mapping[str, str] | None, *, astro: bool) -> Variables:
    """Every lineage variable the project's Airflow reads, the winning one for each name.

    env: the environment (None: the project's files only, as the wizard's detection reads them)."""
    merged: Variables = {}
    merged.update(airflow_cfg(ws))
    if env is not None and not astro:
        merged.update(environment(env))
    merged.update(dockerfile(ws.inspect(DOCKERFILE)))
    merged.update(dotenv(ws))
    return merged


def plain(variables: Variables) -> dict[str, str]:
    return {key: value.value for key, value in variables.items()}
