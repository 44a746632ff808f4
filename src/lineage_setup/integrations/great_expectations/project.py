"""What a Great Expectations project holds, read through the Workspace: where it is, its config and
version, where its checkpoints and config variables live, and what in the environment overrides
the action. No edits here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from lineage_setup.answers import ENV_KEY
from lineage_setup.errors import UnsafeTargetError, UsageError

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

CONFIG = "great_expectations.yml"
ROOTS = ("", "great_expectations", "gx")  # --dir itself, GE <= 0.15's folder, newer GE's folder
VARIABLES = "uncommitted/config_variables.yml"  # GE's default config_variables_file_path
REQUIREMENTS = "requirements.txt"
SUPPORTED = "great_expectations 0.13.26 to 0.15.34"
# the extra as its metadata spells it: pip before 23.3 does not match [great_expectations] to it (PEP 685)
PIN = "openlineage-integration-common[great-expectations]<=1.39.0"


def rel(root: str, *parts: str) -> str:
    return posixpath.join(root, *parts)


def find_root(ws: Workspace) -> str:
    """The folder (relative to --dir) that holds great_expectations.yml."""
    for root in ROOTS:
        if ws.exists(rel(root, CONFIG)):
            return root
    looked = ", ".join(str(ws.path(rel(root, CONFIG))) for root in ROOTS)
    raise UsageError(f"no Great Expectations project: looked for {looked}; run this in the project, or pass --dir")


def config_text(ws: Workspace, root: str) -> str:
    return ws.read(rel(root, CONFIG)) or ""


def _gx1_version(version: Any) -> bool:
    """config_version 4 or later, written as a number or as a quoted one ("4.0")."""
    try:
        return float(version) >= 4
    except (TypeError, ValueError):
        return False


def refuse_gx1(ws: Workspace, root: str, data: Any) -> None:
    """GX 1.x (config_version 4, JSON checkpoints) has no place for the action: refused, with the options."""
    version = data.get("config_version") if isinstance(data, dict) else None
    json_checkpoints = bool(ws.glob("**/*.json", under=rel(root, "checkpoints")))
    if not _gx1_version(version) and not json_checkpoints:
        return
    raise UnsafeTargetError(
        f"{ws.path(rel(root, CONFIG))} is a GX 1.x project (config_version {version}"
        f"{', JSON checkpoints' if json_checkpoints else ''}); nothing was written. OpenLineage's Great "
        f"Expectations action runs only on {SUPPORTED} (openlineage-integration-common 1.39.0 or older); "
        "its 1.40+ version does not run on GX 1.x either (GX calls the action's run(), which it does not "
        "implement). Options: keep a GE 0.15.34 environment for the validations you want lineage for; "
        "write a small GX 1.x action (a ValidationAction with run()) that sends events with "
        "openlineage-python; or, when Airflow runs GX, rely on Airflow's OpenLineage provider."
    )


def _inside(path: Any) -> bool:
    """A relative path in the project, as GE reads it (no variable in it)."""
    if not isinstance(path, str) or "$" in path:
        return False
    return not PurePosixPath(path).is_absolute() and ".." not in path.split("/")


def checkpoint_folder(root: str, config: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Where the checkpoint store keeps its YAML files when it is a local folder, else a note why not."""
    stores = config.get("stores")
    store = stores.get(config.get("checkpoint_store_name", "")) if isinstance(stores, dict) else None
    backend = store.get("store_backend", {}) if isinstance(store, dict) else {}
    if not isinstance(backend, dict) or backend.get("class_name", "TupleFilesystemStoreBackend") not in (
        "TupleFilesystemStoreBackend",
    ):
        return None, "the checkpoint store is not a local folder: add the action to your checkpoints yourself"
    folder = backend.get("base_directory", "checkpoints/")
    if not _inside(folder):
        return None, f"checkpoint folder {folder!r} is not inside the project: add the action to your checkpoints"
    return rel(root, folder.strip("/") or "."), None


def checkpoint_files(ws: Workspace, folder: str) -> dict[str, str]:
    """Every checkpoint YAML file in the folder, by the name GE gives it (sub/x.yml is sub.x)."""
    base = ws.path(folder)
    found: dict[str, str] = {}
    for path in ws.glob("**/*.yml", under=folder):
        inner = path.relative_to(base)
        found[".".join(inner.with_suffix("").parts)] = posixpath.normpath(rel(folder, inner.as_posix()))
    return found


def select(found: dict[str, str], wanted: tuple[str, ...]) -> dict[str, str]:
    """The checkpoints --checkpoint names (all when none): an unknown name is bad input."""
    unknown = [name for name in wanted if name not in found]
    if unknown:
        known = ", ".join(found) or "none"
        raise UsageError(f"--checkpoint: no checkpoint named {', '.join(unknown)} (found: {known})")
    return {name: path for name, path in found.items() if not wanted or name in wanted}


def default_class(data: Mapping[str, Any]) -> str:
    """GE's own rule (CheckpointConfig): no class_name and no config_version is a LegacyCheckpoint,
    as GE 0.13's `checkpoint new` wrote them."""
    return "LegacyCheckpoint" if data.get("config_version") is None else "Checkpoint"


def variables_file(root: str, config: Mapping[str, Any]) -> tuple[str | None, Any]:
    """The config variables file (relative to --dir), or None when it is not inside the project; and
    the value great_expectations.yml gives."""
    path = config.get("config_variables_file_path") or VARIABLES
    return (posixpath.normpath(rel(root, path)) if _inside(path) else None), path


# --- what else decides where the events go --------------------------------------------------


def warnings(ws: Workspace, root: str, simple: list[str], env: Mapping[str, str], api_key: str) -> list[str]:
    """What in the project or the environment changes what the action does (`simple`: SimpleCheckpoints)."""
    found = []
    if ws.root.name == "gx" or root == "gx":
        found.append(f"a gx/ folder comes from GE newer than 0.15.34; OpenLineage's action runs only on {SUPPORTED}")
    if simple:
        names = ", ".join(simple[:5]) + (" ..." if len(simple) > 5 else "")
        found.append(
            f"SimpleCheckpoint ({names}): GE 0.14 and 0.15 replace a SimpleCheckpoint's action_list with "
            "their defaults, so the action runs there only on GE 0.13; change class_name to Checkpoint "
            "and list store_validation_result, store_evaluation_params and update_data_docs too"
        )
    if env.get("OPENLINEAGE_CONFIG") or any(name.startswith("OPENLINEAGE__TRANSPORT") for name in env):
        found.append(
            "OPENLINEAGE_CONFIG or OPENLINEAGE__TRANSPORT* is set: where GE runs with it, the OpenLineage "
            "client uses that and ignores the action's host and key"
        )
    for path in client_configs(ws, root, env):
        found.append(f"{path} exists: when GE runs where the client finds it, it wins over the action's host and key")
    if env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        found.append("OPENLINEAGE_DISABLED=true is set: the action will send nothing until it is unset")
    if env.get(ENV_KEY) and env[ENV_KEY].strip() != api_key:
        found.append(f"{ENV_KEY} is set in this environment to another key: GE prefers it over config_variables.yml")
    return found


def client_configs(ws: Workspace, root: str, env: Mapping[str, str]) -> list[Path]:
    """openlineage.yml files the OpenLineage client (<= 1.39) reads before the action's own settings."""
    candidates = [ws.path("openlineage.yml"), ws.path(rel(root, "openlineage.yml"))]
    if env.get("HOME"):
        candidates.append(Path(env["HOME"]) / ".openlineage" / "openlineage.yml")
    return sorted({path for path in candidates if _is_file(ws, path)})


def _is_file(ws: Workspace, path: Path) -> bool:
    return ws.is_dir(path.parent) and ws.exists(path) and not ws.is_dir(path)
