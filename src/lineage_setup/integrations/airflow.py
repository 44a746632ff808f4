"""Airflow, on Astro or plain: the lineage setup the project's Astro Runtime (or Airflow version) needs.

Astro Runtime 4.2.0+ configures lineage itself, so nothing changes there (unless --local asks for a
`.env` that `astro dev start` also emits with). Older runtimes and plain Airflow get the OpenLineage
package their Airflow needs, pinned (requirements.txt), and its variables (.env); the Astro Deployment
gets the same variables through Astro CLI commands shown as next steps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lineage_setup import quoting, textdoc
from lineage_setup.answers import ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE, ENV_URL, Connection
from lineage_setup.edits import EditError, gitignore
from lineage_setup.errors import UsageError
from lineage_setup.integrations import airflow_versions as versions
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.validate import DEFAULT_ENDPOINT

if TYPE_CHECKING:  # packaging and the .env / requirements edits load when a plan is made, not at start-up
    from packaging.version import Version

    from lineage_setup.plan import Workspace

NAME = "airflow"
TITLE = "Airflow"
ALIASES: tuple[str, ...] = ("astronomer",)
HELP = "Set up lineage for an Astro project (from its Astro Runtime) or plain Airflow (--airflow-version)."
PRINT_FORMATS = ("env", "astro", "shell")
OPTIONS = (
    Option(
        "airflow_version",
        "--airflow-version",
        "Airflow version, e.g. 2.7 or 3.1: for plain Airflow (no Astro Dockerfile), or to override the "
        "Astro Runtime -> Airflow table; with --print it picks the variables (default: 2.7+ / 3).",
    ),
    Option(
        "local",
        "--local",
        "On Astro Runtime 4.2.0+ (lineage is automatic there), still write .env so `astro dev start` emits too.",
        default=False,
        is_flag=True,
    ),
    Option(
        "deployment_id",
        "--deployment-id",
        "Astro Deployment id to put in the `astro deployment variable` commands (default: a placeholder).",
    ),
)

DOCKERFILE, ENV_FILE, REQUIREMENTS = "Dockerfile", ".env", "requirements.txt"
ASTRO_CONFIG = ".astro/config.yaml"
RUNTIME2, RUNTIME3 = "quay.io/astronomer/astro-runtime", "astrocrpublic.azurecr.io/runtime"
BACKEND, BACKEND_CLASS = "AIRFLOW__LINEAGE__BACKEND", "openlineage.lineage_backend.OpenLineageBackend"
TRANSPORT, AF_NAMESPACE = "AIRFLOW__OPENLINEAGE__TRANSPORT", "AIRFLOW__OPENLINEAGE__NAMESPACE"
SECRET_KEYS = frozenset({ENV_KEY, TRANSPORT})  # the variables that hold the API key
HEADER = "OpenLineage (lineage-setup airflow)"
DEPLOYMENT_PLACEHOLDER = '"${ASTRO_DEPLOYMENT_ID:?}"'  # bash stops with "parameter null or not set"
AUTOMATIC = (
    "Lineage is configured automatically on Astro for Runtime >= 4.2.0; nothing to change. "
    "To also send lineage from `astro dev start`, run this again with --local."
)
ERA_WORDS = {
    "backend": "openlineage-airflow as Airflow's lineage backend",
    "plugin": "the openlineage-airflow plugin",
    "provider": "the apache-airflow-providers-openlineage provider",
}

_FROM = re.compile(r"\s*FROM\s+(?:--\S+\s+)*(?P<ref>\S+)(?:\s+AS\s+\S+)?\s*", re.IGNORECASE)
_TAG2 = re.compile(r"(?P<version>\d+\.\d+\.\d+)(?:-[A-Za-z0-9.-]+)?")  # 9.2.0, 9.2.0-base, 7.3.0-python-3.9
_TAG3 = re.compile(r"(?P<airflow>\d+\.\d+)-\d+(?:-[A-Za-z0-9.-]+)?")  # 3.1-12, 3.1-12-python-3.12
_DEPLOYMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


@dataclass(frozen=True)
class Target:
    """What the project runs, and so what lineage setup it needs."""

    astro: bool
    airflow: Version  # major.minor
    era: versions.Era
    automatic: bool  # Astro configures lineage itself
    label: str  # "Astro Runtime 4.1.0", "Plain Airflow"
    origin: str  # where the Airflow version came from


@dataclass(frozen=True)
class _From:
    number: int  # 1-based line number
    text: str
    image: str
    tag: str


# --- what the project runs -----------------------------------------------------------------------


def airflow_version(raw: str) -> Version:
    from packaging.version import InvalidVersion

    try:
        version = versions.minor(versions.version(raw.strip()))
    except InvalidVersion:
        raise UsageError(f"--airflow-version: {raw!r} is not a version such as 2.7 or 3.1") from None
    if version < versions.version(versions.OLDEST) or version.major > versions.NEWEST_MAJOR:
        raise UsageError(
            f"--airflow-version: Airflow {version} is not supported; OpenLineage works with Airflow 2.1 to 3.x"
        )
    return version


def _from_lines(text: str) -> list[_From]:
    found = []
    for number, line in enumerate(textdoc.lines(text), 1):
        match = _FROM.fullmatch(textdoc.strip_eol(line))
        if match is None:
            continue
        ref = match.group("ref").split("@", 1)[0]  # a digest pins the image, the tag still names it
        image, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
        found.append(_From(number, textdoc.strip_eol(line).strip(), image.lower(), tag))
    return found


def detect(ws: Workspace, options: Mapping[str, Any]) -> Target:
    raw = options.get("airflow_version")
    override = airflow_version(raw) if raw else None
    text = ws.read_input(ws.path(DOCKERFILE))  # only read, so a link is followed
    if text is None:
        if override is None:
            raise UsageError(
                f"{ws.path(DOCKERFILE)}: cannot read it as UTF-8 text; pass --airflow-version for plain Airflow"
                if ws.exists(DOCKERFILE)
                else f"no {DOCKERFILE} in {ws.root}: run this in an Astro project (astro dev init), "
                f"or pass --airflow-version (e.g. 2.7) for plain Airflow"
            )
        return _plain(override)
    lines = _from_lines(text)
    runtime = [line for line in lines if line.image in (RUNTIME2, RUNTIME3)]
    if runtime:
        return _astro(ws, runtime[-1], override)  # the last stage is the image that runs
    if override is None:
        found = "; ".join(f"line {line.number}: {line.text}" for line in lines) or "no FROM line"
        raise UsageError(
            f"{ws.path(DOCKERFILE)} does not start from an Astro Runtime image (found {found}); expected "
            f"FROM {RUNTIME2}:<version> or FROM {RUNTIME3}:<X.Y-Z>. For plain Airflow pass --airflow-version"
        )
    return _plain(override)


def _plain(airflow: Version) -> Target:
    return Target(False, airflow, versions.era(airflow), False, "Plain Airflow", "--airflow-version")


def _astro(ws: Workspace, line: _From, override: Version | None) -> Target:
    where = f"{DOCKERFILE} line {line.number}"
    if line.image == RUNTIME3 and (match := _TAG3.fullmatch(line.tag)):
        airflow = override or versions.version(match.group("airflow"))
        origin = "--airflow-version" if override else where
        return Target(True, airflow, versions.era(airflow), True, f"Astro Runtime {line.tag}", origin)
    if line.image == RUNTIME2 and (match := _TAG2.fullmatch(line.tag)):
        return _astro2(versions.version(match.group("version")), override, where)
    if override is None:
        raise UsageError(
            f"{ws.path(DOCKERFILE)} line {line.number}: cannot read the Astro Runtime version in "
            f"{line.text!r}; pin one (e.g. FROM {RUNTIME2}:9.2.0 or FROM {RUNTIME3}:3.1-12), "
            f"or pass --airflow-version"
        )
    return _astro_unknown(override)


def _astro2(runtime: Version, override: Version | None, where: str) -> Target:
    row = versions.airflow_for_runtime(runtime)
    if override is not None:
        airflow, origin = override, "--airflow-version"
    elif row is not None:
        airflow = versions.version(row.airflow)
        origin = f"{where}, via the Runtime table" + ("" if row.confirmed else "; an unconfirmed row")
    else:
        known = f"{versions.RUNTIME_AIRFLOW[0].runtime_major} to {versions.RUNTIME_AIRFLOW[-1].runtime_major}"
        raise UsageError(
            f"Astro Runtime {runtime} ({where}) is not in this tool's Runtime -> Airflow table (Runtime {known}); "
            f"pass --airflow-version with its Airflow version"
        )
    automatic = runtime >= versions.version(versions.AUTOMATIC_FROM)
    return Target(True, airflow, versions.era(airflow, runtime), automatic, f"Astro Runtime {runtime}", origin)


def _astro_unknown(airflow: Version) -> Target:
    """An Astro image whose version cannot be read: runtimes for Airflow 2.3+ are all >= 4.2.0, 2.1 ones < 4.2.0."""
    if versions.minor(airflow) == versions.version("2.2"):
        raise UsageError(
            "Astro Runtimes for Airflow 2.2 differ (4.2.0+ configure lineage themselves): pin the Runtime "
            "version in the Dockerfile's FROM line"
        )
    automatic = airflow >= versions.version("2.3")
    return Target(
        True, airflow, versions.era(airflow), automatic, "Astro Runtime (version not pinned)", "--airflow-version"
    )


def describe(target: Target) -> str:
    how = f"lineage through {ERA_WORDS[target.era]}"
    if target.astro:
        return f"{target.label} runs Airflow {target.airflow} ({target.origin}): {how}."
    return f"Plain Airflow {target.airflow} ({target.origin}): {how}."


def deployment_id(options: Mapping[str, Any]) -> str | None:
    raw = options.get("deployment_id")
    if raw is None:
        return None
    if not _DEPLOYMENT_ID.fullmatch(raw):
        raise UsageError(f"--deployment-id: {raw!r} is not an Astro Deployment id (letters, digits, - and _)")
    return str(raw)


# --- the hooks the runner calls --------------------------------------------------------------------


def check_options(options: Mapping[str, Any], environ: Mapping[str, str], *, printing: bool) -> None:
    """Bad --airflow-version or --deployment-id: exit 2 before any question."""
    if options.get("airflow_version"):
        airflow_version(options["airflow_version"])
    deployment_id(options)


def check_project(ws: Workspace) -> None:
    """Nothing here: what counts as a project depends on --airflow-version, so preflight checks it."""


def preflight(ws: Workspace, options: Mapping[str, Any]) -> str | None:
    """Before any question: a bad project is exit 2, and Runtime >= 4.2.0 needs no answers at all."""
    target = detect(ws, options)
    if target.automatic and not options.get("local"):
        return f"{describe(target)}\n{AUTOMATIC}"
    return None


def namespace_default(ws: Workspace) -> str | None:
    """The Astro project's name (.astro/config.yaml `project: name:`), when it is a valid namespace."""
    import yaml

    from lineage_setup import validate

    try:
        data = yaml.safe_load(ws.read_input(ws.path(ASTRO_CONFIG)) or "")
        name = data["project"]["name"]
        return validate.namespace(name, ASTRO_CONFIG) if isinstance(name, str) else None
    except (yaml.YAMLError, TypeError, KeyError, UsageError):
        return None


# --- the variables -----------------------------------------------------------------------------------


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


# --- the plan ----------------------------------------------------------------------------------------


def plan(req: Request, ws: Workspace) -> None:
    target = detect(ws, req.options)
    deployment = deployment_id(req.options)
    ws.info(describe(target))
    if target.automatic and not req.options.get("local"):
        ws.info(AUTOMATIC)
        return
    pairs = variables(req.conn, target.era)
    _keep_out_of_git(ws)
    _keep_out_of_image(ws)
    if not target.automatic:  # the runtime ships the package when Astro configures lineage
        _requirement(ws, target)
    _dotenv(ws, pairs)
    _notes(ws, target, req.env)
    _infos_and_steps(ws, target, pairs, deployment)


def _keep_out_of_git(ws: Workspace) -> None:
    status = ws.git_status(ENV_FILE)
    if status not in ("ignored", "tracked"):  # a tracked secret file is refused by the Workspace
        if status == "not-ignored":
            ws.note(f"git does not ignore {ENV_FILE}, which will hold the API key: adding it to .gitignore")
        current = ws.read(".gitignore") or ""
        comment = "local environment: holds the OpenLineage API key"
        updated = gitignore.ensure(current, ENV_FILE, comment, force=status == "not-ignored")
        ws.write(".gitignore", updated, reason=f"keep {ENV_FILE} out of git")


def _keep_out_of_image(ws: Workspace) -> None:
    """`docker build` (and `astro deploy`) would copy .env, and the key in it, into the image."""
    if not ws.exists(DOCKERFILE):
        return
    current = ws.read(".dockerignore") or ""
    if not gitignore.names(current, ENV_FILE):
        updated = gitignore.ensure(current, ENV_FILE, "holds the OpenLineage API key")
        ws.write(".dockerignore", updated, reason=f"keep {ENV_FILE} out of the image")


def _requirement(ws: Workspace, target: Target) -> None:
    from lineage_setup.edits import requirements

    pin = versions.requirement(target.airflow, target.era)
    current = ws.read(REQUIREMENTS) or ""
    try:
        updated = requirements.ensure(current, pin.spec, pin.why)
    except EditError as exc:
        raise base.unsafe_edit(
            ws.path(REQUIREMENTS), exc, f"add this line yourself (or to the file it is generated from):\n{pin.spec}"
        ) from None
    existing = requirements.find(current, pin.name)
    if existing is not None and updated != current:
        ws.note(f"{REQUIREMENTS}: replacing `{existing}` with `{pin.spec}` ({pin.why})")
    ws.write(REQUIREMENTS, updated, reason=f"{pin.name} for Airflow {target.airflow}")


def _dotenv(ws: Workspace, pairs: list[tuple[str, str]]) -> None:
    from lineage_setup.edits import env

    current = ws.read(ENV_FILE) or ""
    try:
        updated = env.upsert(current, dict(pairs), header=HEADER)
    except EditError as exc:
        lines = "\n".join(quoting.dotenv_line(key, value) for key, value in pairs)
        raise base.unsafe_edit(
            ws.path(ENV_FILE), exc, f"make it set these yourself (your key where it shows ****):\n{lines}"
        ) from None
    ws.write(ENV_FILE, updated, reason="OpenLineage variables for local runs", secret=True)
    if textdoc.eol_of(updated) == "\r\n":
        ws.note(
            f"{ENV_FILE} has Windows (CRLF) line endings: docker compose and python-dotenv read it, but "
            f"bash `source` would keep a carriage return at the end of every value"
        )


def _notes(ws: Workspace, target: Target, environ: Mapping[str, str]) -> None:
    from lineage_setup.edits import env, requirements

    bound = {binding.key: binding.value for binding in env.parse(ws.read(ENV_FILE) or "")}
    if target.era != "backend" and bound.get(BACKEND):
        ws.note(f"{ENV_FILE} sets {BACKEND}, which only Airflow 2.1/2.2 use; remove that line")
    for key in ("AIRFLOW__OPENLINEAGE__CONFIG_PATH", "AIRFLOW__OPENLINEAGE__CONFIG_CONN_ID"):
        if target.era == "provider" and bound.get(key):
            ws.note(f"{ENV_FILE} sets {key}, which wins over {TRANSPORT}; remove it to use this endpoint")
    for key in ("OPENLINEAGE_DISABLED", "AIRFLOW__OPENLINEAGE__DISABLED"):
        value = bound.get(key, environ.get(key, ""))
        if value.strip().lower() in ("true", "1", "t"):
            ws.note(f"{key}={value} is set: Airflow will send no lineage until it is removed")
    listed = requirements.find(ws.read(REQUIREMENTS) or "", "openlineage-airflow")
    if target.era == "provider" and listed is not None:
        ws.note(f"{REQUIREMENTS} lists `{listed}`: remove it; from Airflow 2.7 the provider replaces it")


def _infos_and_steps(ws: Workspace, target: Target, pairs: list[tuple[str, str]], deployment: str | None) -> None:
    if target.astro and target.automatic:
        ws.info("Astro configures the Deployment's lineage itself; --local only adds .env for `astro dev start`.")
        ws.step("astro dev restart   (containers read .env when they start)")
        return
    if not target.astro:
        ws.step(f"pip install -r {REQUIREMENTS}   (in the Airflow environment, with Airflow's constraints file)")
        ws.step(
            f"give the scheduler, workers, triggerer and webserver/API server the variables in {ENV_FILE} "
            f"(e.g. `set -a; . ./{ENV_FILE}; set +a` before starting them, or `env_file: {ENV_FILE}` in docker "
            f"compose), then restart them"
        )
        return
    ws.info("Upgrading to Astro Runtime 4.2.0 or newer is the easier path: Astro then configures lineage itself.")
    ws.step(f"astro dev restart   (rebuilds the image with {REQUIREMENTS}; containers read {ENV_FILE})")
    _deployment_steps(ws, pairs, deployment)
    ws.step(f"astro deploy   (ships {REQUIREMENTS} to the Deployment)")


def _deployment_steps(ws: Workspace, pairs: list[tuple[str, str]], deployment: str | None) -> None:
    if deployment is None:
        ws.step("export ASTRO_DEPLOYMENT_ID=...   (astro deployment list shows it; or run this with --deployment-id)")
    commands = "\n".join(f"     {command}" for command in deployment_commands(pairs, deployment))
    ws.step(
        f"set the same variables on the Deployment ({ENV_FILE} is for local runs only and never deployed):\n"
        f"{commands}\n"
        "     `create` skips keys the Deployment already has: to replace them, run the same commands with "
        "`update` instead of `create`. The key shows as ****; `lineage-setup airflow --print --format astro` "
        "prints these commands with it."
    )


# --- --print -----------------------------------------------------------------------------------------


def render(req: Request, fmt: str) -> Rendered:
    raw = req.options.get("airflow_version")
    airflow = airflow_version(raw) if raw else None
    the_era = versions.era(airflow) if airflow else "provider"
    pairs = variables(req.conn, the_era)
    which = f"Airflow {airflow}" if airflow else "Airflow 2.7+ and 3 (pass --airflow-version for older Airflow)"
    hints = [f"variables for {which}: lineage through {ERA_WORDS[the_era]}"]
    if fmt == "astro":
        hints.append("`create` skips keys that already exist; `update` with the same arguments replaces them")
        hints.append("Astro Runtime 4.2.0+ configures lineage itself; these send it to your endpoint instead")
        lines = deployment_commands(pairs, deployment_id(req.options))
    elif fmt == "env":
        hints.append("dotenv lines, e.g. for an Astro project's .env (local runs only); keep the file out of git")
        lines = [quoting.dotenv_line(key, value) for key, value in pairs]
    else:
        lines = [quoting.export_line(key, value) for key, value in pairs]
    return Rendered("\n".join(lines) + "\n", tuple(hints))
