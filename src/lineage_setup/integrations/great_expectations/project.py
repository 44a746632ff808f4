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


def inside(path: Any) -> bool:
    """A relative path in the project, as GE reads it (no variable in it)."""
    if not isinstance(path, str) or "$" in path:
        return False
    return not PurePosixPath(path).is_absolute() and ".." not in path.split("/")


def setting(value: Any, where: str, label: Path, kind: type | tuple[type, ...] = str) -> Any:
    """A value GE reads as text (or `kind`), or absent; anything else is refused in one line (exit 3)."""
    if isinstance(value, str) and "\x00" in value:
        raise UnsafeTargetError(f"{label}: {where} holds a NUL character, which no file name can; nothing was written")
    if value is None or (isinstance(value, kind) and not isinstance(value, bool)):
        return value
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    what = "a mapping" if kind is dict else "a list" if kind is list else "text"
    raise UnsafeTargetError(
        f"{label}: {where} is {shown}, where GE expects {what}, so GE cannot load this file either; "
        "nothing was written. Fix it, then run this again."
    )


def store_config(config: Mapping[str, Any], name: Any, label: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The store `name` of great_expectations.yml and its store_backend ({} for what it does not say)."""
    stores = setting(config.get("stores"), "stores", label, dict) or {}
    store = setting(stores.get(name), f"stores.{name}", label, dict) or {}
    backend = setting(store.get("store_backend"), f"stores.{name}.store_backend", label, dict) or {}
    setting(store.get("class_name"), f"stores.{name}.class_name", label)
    setting(backend.get("class_name"), f"stores.{name}.store_backend.class_name", label)
    setting(backend.get("base_directory"), f"stores.{name}.store_backend.base_directory", label)
    return store, backend


def checkpoint_folder(root: str, config: Mapping[str, Any], label: Path) -> tuple[str | None, str | None]:
    """Where the checkpoint store keeps its YAML files when it is a local folder, else a note why not."""
    name = setting(config.get("checkpoint_store_name"), "checkpoint_store_name", label) or ""
    _, backend = store_config(config, name, label)
    if backend.get("class_name", "TupleFilesystemStoreBackend") != "TupleFilesystemStoreBackend":
        return None, "the checkpoint store is not a local folder: add the action to your checkpoints yourself"
    folder = backend.get("base_directory", "checkpoints/")
    if not inside(folder):
        return None, f"checkpoint folder {folder!r} is not inside the project: add the action to your checkpoints"
    return rel(root, folder.strip("/") or "."), None


PROBE = ".lineage-setup-probe"  # a name looked up (never created) to see whether a folder can be entered


def readable_folder(ws: Workspace, folder: str) -> None:
    """A folder we list must be one we may enter: Path.glob skips an unreadable one without a word, so a
    name in it is looked up first (exit 3 when that is refused)."""
    if not ws.is_dir(folder):
        return
    try:
        ws.exists(posixpath.join(folder, PROBE))
    except UnsafeTargetError:
        raise UnsafeTargetError(
            f"{ws.path(folder)}: cannot look inside this checkpoint folder (its permissions do not let this "
            "user enter it); nothing was written. Run lineage-setup as a user who can read it."
        ) from None


def checkpoint_files(ws: Workspace, folder: str) -> dict[str, str]:
    """Every checkpoint YAML file in the folder, by the name GE gives it (sub/x.yml is sub.x); listed once
    per run (a copy each time)."""
    return dict(ws.once(("GE 0.x checkpoint files", folder), lambda: _checkpoint_files(ws, folder)))


def _checkpoint_files(ws: Workspace, folder: str) -> dict[str, str]:
    readable_folder(ws, folder)
    found: dict[str, str] = {}
    for inner in ws.glob_names("**/*.yml", under=folder):  # strings: thousands of Path objects add up
        found[inner[: -len(".yml")].replace("/", ".")] = posixpath.normpath(rel(folder, inner))
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


def variables_file(root: str, config: Mapping[str, Any], label: Path) -> tuple[str | None, Any]:
    """The config variables file (relative to --dir), or None when it is not inside the project; and
    the value great_expectations.yml gives."""
    path = setting(config.get("config_variables_file_path"), "config_variables_file_path", label) or VARIABLES
    return (posixpath.normpath(rel(root, path)) if inside(path) else None), path


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
