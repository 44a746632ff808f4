"""What a dbt project holds: its dbt_project.yml, the profile dbt-ol will use, and what stops dbt-ol sending.

Nothing here edits; profiles.yml is only inspected (it may be outside the project).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

PROJECT = "dbt_project.yml"
CONFIG = "openlineage.yml"  # dbt-ol reads ./openlineage.yml from the directory it runs in


def found(ws: Workspace) -> bool:
    return ws.read(PROJECT) is not None


def settings(ws: Workspace) -> dict[str, Any]:
    """dbt_project.yml as a mapping ({} when absent or not YAML)."""
    return safe_yaml(ws.read(PROJECT))


def name(ws: Workspace) -> str | None:
    value = settings(ws).get("name")
    return value if isinstance(value, str) else None


def safe_yaml(text: str | None) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def notes(ws: Workspace, env: Mapping[str, str]) -> list[str]:
    """What would keep dbt-ol from sending with the config we write."""
    found_notes = []
    if env.get("OPENLINEAGE_CONFIG"):
        found_notes.append(
            f"OPENLINEAGE_CONFIG is set ({env['OPENLINEAGE_CONFIG']}): dbt-ol reads that file "
            f"instead of {CONFIG}; unset it"
        )
    if env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        found_notes.append("OPENLINEAGE_DISABLED=true is set: dbt-ol will send nothing until it is unset")
    if duckdb_without_path(ws, env):
        found_notes.append(
            "the dbt-duckdb profile has no `path:`; dbt-ol needs it (it fails with KeyError: 'path' "
            "after dbt finishes). Add e.g. `path: dev.duckdb` to the output."
        )
    return found_notes


def profiles_candidates(ws: Workspace, env: Mapping[str, str]) -> list[Path]:
    """Where dbt looks for profiles.yml, first match wins: $DBT_PROFILES_DIR, the project, ~/.dbt."""
    candidates = [ws.path("profiles.yml")]
    if env.get("DBT_PROFILES_DIR"):
        candidates.insert(0, Path(env["DBT_PROFILES_DIR"]) / "profiles.yml")
    if env.get("HOME"):
        candidates.append(Path(env["HOME"]) / ".dbt" / "profiles.yml")
    return candidates


def duckdb_without_path(ws: Workspace, env: Mapping[str, str]) -> bool:
    """The project's profile, in the first profiles.yml dbt reads, has a duckdb output with no `path:`."""
    profile = str(settings(ws).get("profile"))
    for path in profiles_candidates(ws, env):
        text = ws.inspect(path)
        if text is not None:
            return _duckdb_without_path(safe_yaml(text), profile)
    return False


def _duckdb_without_path(profiles: dict[str, Any], profile: str) -> bool:
    outputs = profiles.get(profile, {})
    outputs = outputs.get("outputs", {}) if isinstance(outputs, dict) else {}
    if not isinstance(outputs, dict):  # `outputs:` left empty, or a list: dbt itself reports that
        return False
    return any(_duckdb(out) and not out.get("path") for out in outputs.values())


def _duckdb(output: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(output, dict) and output.get("type") == "duckdb"
