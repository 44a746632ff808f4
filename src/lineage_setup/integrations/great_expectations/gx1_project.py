"""GX 1.x projects, read through the Workspace: telling them from GE 0.x, and where GX keeps what the
action needs (the checkpoint store, its JSON files, the plugins folder). No edits here.

GX 1.x writes `config_version: 4` and keeps checkpoints as JSON files in the checkpoint store's folder
(great_expectations 1.x: data_context/store/checkpoint_store.py, `filepath_suffix=".json"`); GE 0.x
writes config_version 2 or 3 and YAML checkpoints.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from lineage_setup.edits import EditError
from lineage_setup.integrations.great_expectations import project

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

VERSION = 4  # GX 1.x's config_version
MODULE = "openlineage_gx"  # the plugin module: <plugins_directory>/openlineage_gx.py
ACTION_TYPE = "openlineage_gx"  # the action's `type`, distinct from OpenLineage's own "openlineage"
STORE_CLASS = "CheckpointStore"
GX_STORE_MODULE = "great_expectations.data_context.store"  # where GX looks when module_name is absent
PLUGINS = "plugins/"  # GX 1.x's default plugins_directory
STORE = "checkpoint_store"  # GX 1.x's default checkpoint_store_name
SUPPORTED = "great_expectations 1.3.0 or later (1.2.6 in the 1.2 series)"

Generation = Literal["0.x", "1.x", "unknown"]


class OwnStore(EditError):
    """The checkpoint store is the project's own class: GX loads it from the project's own module."""


class Kind(NamedTuple):
    generation: Generation
    why: str = ""  # for "unknown": what does not fit


def classify(ws: Workspace, root: str, data: Any) -> Kind:
    """GE 0.x (the 0.x path, as it always was), GX 1.x, or neither that lineage-setup knows."""
    version = data.get("config_version") if isinstance(data, dict) else None
    number = _number(version)
    json_checkpoints = bool(ws.glob("**/*.json", under=project.rel(root, "checkpoints")))
    if version is not None and number is None:
        return Kind("unknown", f"config_version is {version!r}, not a number")
    if number == VERSION:
        return Kind("1.x")
    if number is not None and number > VERSION:
        return Kind("unknown", f"config_version {version} is newer than GX 1.x's {VERSION}")
    if json_checkpoints:
        return Kind("unknown", f"it has JSON checkpoints (as GX 1.x writes) but config_version {version} (GE 0.x)")
    return Kind("0.x")


def _number(version: Any) -> float | None:
    if isinstance(version, bool):
        return None
    try:
        return float(version) if version is not None else None
    except (TypeError, ValueError):
        return None


class Layout(NamedTuple):
    """Where a GX 1.x project keeps what the action needs, as great_expectations.yml says."""

    store: str  # checkpoint_store_name
    store_module: str | None  # stores.<store>.module_name as written (None: absent)
    checkpoints: str  # the store's folder, relative to --dir
    plugins: str | None  # plugins_directory as written (None: absent, so GX puts no folder on sys.path)
    module: str  # the plugin module's path, relative to --dir

    @property
    def plugins_folder(self) -> str:
        return (self.plugins or PLUGINS).strip("/") or "."


def layout(root: str, config: dict[str, Any], label: Path) -> Layout:
    """Read from great_expectations.yml; EditError when GX would not load the module through the store."""
    store = project.setting(config.get("checkpoint_store_name"), "checkpoint_store_name", label) or STORE
    entry, backend = project.store_config(config, store, label)
    if not entry:
        raise EditError(f"it has no stores.{store} (the checkpoint store checkpoint_store_name names)")
    cls = entry.get("class_name")
    module = project.setting(entry.get("module_name"), f"stores.{store}.module_name", label)
    if cls != STORE_CLASS or module not in (None, GX_STORE_MODULE, MODULE):
        named = f"{module}.{cls}" if module else str(cls)
        raise OwnStore(f"its checkpoint store is {named}, not GX's own {STORE_CLASS}, which GX can load from {MODULE}")
    if backend.get("class_name") != "TupleFilesystemStoreBackend":
        raise EditError("its checkpoint store is not a local folder (TupleFilesystemStoreBackend)")
    folder = backend.get("base_directory", "checkpoints/")
    plugins = project.setting(config.get("plugins_directory"), "plugins_directory", label)
    for name, value in (("the checkpoint store's base_directory", folder), ("plugins_directory", plugins)):
        if value is not None and not project.inside(value):
            raise EditError(f"{name} {value!r} is not a folder inside the project")
    found = Layout(store, module, project.rel(root, folder.strip("/") or "."), plugins, "")
    module_path = posixpath.normpath(project.rel(root, found.plugins_folder, f"{MODULE}.py"))
    return Layout(store, module, posixpath.normpath(found.checkpoints), plugins, module_path)


def checkpoint_files(ws: Workspace, folder: str) -> dict[str, str]:
    """The checkpoint JSON files GX 1.x reads (<name>.json in the store's folder), by checkpoint name."""
    project.readable_folder(ws, folder)
    return {path.stem: project.rel(folder, path.name) for path in ws.glob("*.json", under=folder)}
