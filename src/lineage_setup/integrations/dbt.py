"""dbt: an openlineage.yml that makes a plain `dbt-ol run` in the project send lineage."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lineage_setup import quoting, templates
from lineage_setup.answers import ENV_ENDPOINT, ENV_KEY, ENV_NAMESPACE, ENV_URL, Connection
from lineage_setup.edits import EditError, gitignore
from lineage_setup.errors import UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.plan import Workspace
from lineage_setup.validate import DEFAULT_ENDPOINT

NAME = "dbt"
TITLE = "dbt"
ALIASES: tuple[str, ...] = ()
HELP = "Write openlineage.yml so that `dbt-ol run` in a dbt project sends lineage."
PRINT_FORMATS = ("yaml", "env", "shell")
OPTIONS = (
    Option(
        "namespace_from",
        "--namespace-from",
        "file: openlineage.yml sets the job namespace (default). env: it does not; "
        "export OPENLINEAGE_NAMESPACE yourself (use this when Airflow runs dbt-ol).",
        default="file",
        choices=("file", "env"),
    ),
)
CONFIG = "openlineage.yml"
PROJECT = "dbt_project.yml"
PIN = "openlineage-dbt>=1.38"  # the transform transport needs openlineage-python >= 1.38


check_options = base.no_option_check
preflight = base.no_preflight


def check_project(ws: Workspace) -> None:
    if ws.read(PROJECT) is None:
        raise UsageError(f"no {PROJECT} in {ws.root}: run this in a dbt project, or pass --dir")


def namespace_default(ws: Workspace) -> str | None:
    name = _project(ws).get("name")
    return name if isinstance(name, str) else None


def _project(ws: Workspace) -> dict[str, Any]:
    return _safe_yaml(ws.read(PROJECT))


def _safe_yaml(text: str | None) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def transport_block(conn: Connection, namespace_from: str) -> str:
    name = "transport-namespace" if namespace_from == "file" else "transport-http"
    return templates.render(
        f"dbt/{name}.yml.tmpl",
        url=quoting.yaml_str(conn.url),
        endpoint=quoting.yaml_str(conn.endpoint),
        api_key=quoting.yaml_str(conn.api_key),
        namespace=quoting.yaml_str(conn.namespace),
    )


def config_file(conn: Connection, namespace_from: str) -> str:
    block = transport_block(conn, namespace_from)
    return templates.render("dbt/openlineage.yml.tmpl", transport=block.rstrip("\n"))


def plan(req: Request, ws: Workspace) -> None:
    from lineage_setup.edits import yamlblock  # PyYAML: only when a file is planned

    namespace_from = req.options.get("namespace_from", "file")
    _keep_out_of_git(ws)
    current = ws.read(CONFIG)
    if current is None:
        text = config_file(req.conn, namespace_from)
    else:
        block = transport_block(req.conn, namespace_from)
        try:
            text = yamlblock.set_top_level(current, "transport", block)
        except EditError as exc:
            raise base.unsafe_edit(
                ws.path(CONFIG),
                exc,
                f"replace its transport section with this yourself (your key where it shows ****):\n{block}",
            ) from None
    ws.write(CONFIG, text, reason="OpenLineage transport for dbt-ol", secret=True)
    _notes(req, ws)
    _steps(req.conn, namespace_from, ws)


def _keep_out_of_git(ws: Workspace) -> None:
    status = ws.git_status(CONFIG)
    if status in ("ignored", "tracked"):  # a tracked secret file is refused by the Workspace
        return
    current = ws.read(".gitignore") or ""
    updated = gitignore.ensure(
        current, CONFIG, "OpenLineage client config: holds an API key", force=status == "not-ignored"
    )
    ws.write(".gitignore", updated, reason=f"keep {CONFIG} out of git")


def _notes(req: Request, ws: Workspace) -> None:
    env = req.env
    if env.get("OPENLINEAGE_CONFIG"):
        ws.note(
            f"OPENLINEAGE_CONFIG is set ({env['OPENLINEAGE_CONFIG']}): dbt-ol reads that file "
            f"instead of {CONFIG}; unset it"
        )
    if env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        ws.note("OPENLINEAGE_DISABLED=true is set: dbt-ol will send nothing until it is unset")
    if _duckdb_without_path(ws, env):
        ws.note(
            "the dbt-duckdb profile has no `path:`; dbt-ol needs it (it fails with KeyError: 'path' "
            "after dbt finishes). Add e.g. `path: dev.duckdb` to the output."
        )


def _duckdb_without_path(ws: Workspace, env: Mapping[str, str]) -> bool:
    profile = str(_project(ws).get("profile"))
    candidates = [ws.path("profiles.yml")]
    if env.get("DBT_PROFILES_DIR"):
        candidates.insert(0, Path(env["DBT_PROFILES_DIR"]) / "profiles.yml")
    if env.get("HOME"):
        candidates.append(Path(env["HOME"]) / ".dbt" / "profiles.yml")
    for path in candidates:
        text = ws.read_input(path)
        if text is None:
            continue
        outputs = _safe_yaml(text).get(profile, {})
        outputs = outputs.get("outputs", {}) if isinstance(outputs, dict) else {}
        return any(
            isinstance(out, dict) and out.get("type") == "duckdb" and not out.get("path") for out in outputs.values()
        )
    return False


def _steps(conn: Connection, namespace_from: str, ws: Workspace) -> None:
    ws.step(f"pip install '{PIN}'   (the namespace setting needs openlineage-python 1.38 or newer)")
    if namespace_from == "env":
        ws.step(f"{quoting.export_line(ENV_NAMESPACE, conn.namespace)}   (in every shell that runs dbt-ol)")
    ws.step(f"cd {ws.root} && dbt-ol run   (also build, test, seed, snapshot; dbt-ol reads ./{CONFIG})")
    ws.step("optional: dbt docs generate first, so events carry column schemas")
    if namespace_from == "file":
        ws.step(
            f"when Airflow runs dbt-ol and passes its parent run, prefer --namespace-from env: "
            f"{CONFIG} renames the parent's namespace too, and wins over {ENV_NAMESPACE}"
        )


def env_vars(conn: Connection) -> list[tuple[str, str]]:
    pairs = [(ENV_URL, conn.url)]
    if conn.endpoint != DEFAULT_ENDPOINT:
        pairs.append((ENV_ENDPOINT, conn.endpoint))
    return [*pairs, (ENV_KEY, conn.api_key), (ENV_NAMESPACE, conn.namespace)]


def render(req: Request, fmt: str) -> Rendered:
    conn = req.conn
    if fmt == "yaml":
        return Rendered(
            config_file(conn, req.options.get("namespace_from", "file")),
            (f"save as {CONFIG} in the dbt project, chmod 600, and list it in .gitignore",),
        )
    stale = f"an {CONFIG} in the directory dbt-ol runs from wins over these variables"
    if fmt == "env":
        lines = [quoting.dotenv_line(name, value) for name, value in env_vars(conn)]
        return Rendered("\n".join(lines) + "\n", ("dotenv lines; keep the file out of git", stale))
    lines = [quoting.export_line(name, value) for name, value in env_vars(conn)]
    return Rendered("\n".join(lines) + "\n", ('for eval "$(lineage-setup dbt --print --format shell ...)"', stale))
