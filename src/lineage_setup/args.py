"""What the command-line options parse into: one typed, frozen value per command, checked on the way
(a bad value or combination is exit 2 before anything else happens). params.py holds the options as data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage_setup.errors import UsageError

if TYPE_CHECKING:
    from lineage_setup import answers, listen, removal, runner, wizard
    from lineage_setup.integrations.base import Integration, Option


@dataclass(frozen=True)
class Connection:
    """The connection flags, and whether prompting is allowed."""

    flags: answers.Flags
    no_input: bool


@dataclass(frozen=True)
class IntegrationArgs:
    root: Path
    mode: runner.Mode
    connection: Connection
    options: Any  # the integration's own Options dataclass


def connection(values: Mapping[str, Any]) -> Connection:
    from lineage_setup import answers

    names = ("domain", "url", "endpoint", "api_key", "api_key_file", "namespace", "backend")
    return Connection(answers.Flags(*(values[name] for name in names)), bool(values["no_input"]))


def mode(values: Mapping[str, Any]) -> runner.Mode:
    from lineage_setup import runner

    exclusive = (("--print", "print_"), ("--check", "check"), ("--dry-run", "dry_run"))
    chosen = [flag for flag, key in exclusive if values.get(key)]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} cannot be combined")
    if values.get("fmt") is not None and not values["print_"]:
        raise UsageError("--format applies only with --print")
    action = {"--print": "print", "--check": "check", "--dry-run": "dry-run"}.get(chosen[0] if chosen else "", "apply")
    if values.get("add") and values.get("replace"):
        raise UsageError("--add and --replace cannot be combined")
    return runner.Mode(
        action,  # type: ignore[arg-type]
        yes=values["yes"],
        fmt=values.get("fmt"),
        verify=values["verify"],
        show_all=values["show_all"],
        destination="add" if values.get("add") else "replace" if values.get("replace") else None,
    )


def root(value: Path) -> Path:
    from lineage_setup import paths

    folder = paths.expand(value, "--dir")
    if not paths.is_dir(folder, "--dir"):
        raise UsageError(f"--dir: {value} is not a directory")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise UsageError(f"--dir: {value}: permission denied (this user cannot read or enter it)")
    return folder.resolve()


def integration_args(integration: Integration, values: Mapping[str, Any]) -> IntegrationArgs:
    the_mode = mode(values)  # a bad combination of modes is reported first
    asked = root(values["dir"])
    folder = project_root(integration, asked)
    if folder != asked:
        from lineage_setup import ui

        ui.info(f"Using the {integration.TITLE} project at {folder} (the folder above {asked} that holds it).")
    own = {option.name: _value(values[option.name], option, folder) for option in integration.OPTIONS}
    return IntegrationArgs(folder, the_mode, connection(values), integration.Options(**own))


def _value(value: Any, option: Option, folder: Path) -> Any:
    if option.multiple:
        return tuple(value)
    if option.path and isinstance(value, str) and value:
        from lineage_setup import paths

        expanded = paths.expand(value, option.flag)
        return str(expanded if expanded.is_absolute() else folder / value)  # relative to --dir: the project
    return value


def project_root(integration: Integration, folder: Path) -> Path:
    """The project the command works on: --dir, or the nearest folder above it that holds the kind's root
    marker (from an Astro project's dags/, its root), as git finds its repository."""
    from lineage_setup.integrations import find

    entry = find(integration.NAME)
    markers = entry.root_markers if entry else ()
    if not markers or any((folder / marker).exists() for marker in markers):
        return folder
    for parent in folder.parents:
        if any((parent / marker).is_file() for marker in markers):
            return parent
    return folder


def init_args(values: Mapping[str, Any]) -> wizard.InitArgs:
    from lineage_setup import wizard

    the_mode = mode(values)
    depth = _depth(values)
    only, exclude = (_listed(values[name]) for name in ("only", "exclude"))
    flags = connection(values).flags
    return wizard.InitArgs(root(values["dir"]), the_mode, flags, only, exclude, depth)


def _listed(raw: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


def remove_args(values: Mapping[str, Any]) -> removal.RemoveArgs:
    from lineage_setup import removal

    the_mode = mode({**values, "print_": False, "verify": False})
    remote = {name: values[name] for name in ("apply", "host", "cluster_id") if values[name]}
    return removal.RemoveArgs(root(values["dir"]), the_mode, tuple(values["kinds"]), _depth(values), remote)


@dataclass(frozen=True)
class VerifyArgs:
    connection: Connection
    timeout: float
    lint: bool


@dataclass(frozen=True)
class ListenArgs:
    host: str
    port: int
    output: Path | None
    require_key: str | None
    checks: listen.Checks


@dataclass(frozen=True)
class StatusArgs:
    root: Path
    online: bool
    max_depth: int


def verify_args(values: Mapping[str, Any]) -> VerifyArgs:
    return VerifyArgs(connection(values), float(values["timeout"]), bool(values["lint"]))


def listen_args(values: Mapping[str, Any]) -> ListenArgs:
    from lineage_setup import listen

    checks = listen.Checks(bool(values["lint"]), values["backend"], values["namespace"], values["forward"])
    return ListenArgs(values["host"], int(values["port"]), values["output"], values["require_key"], checks)


def status_args(values: Mapping[str, Any]) -> StatusArgs:
    return StatusArgs(root(values["dir"]), bool(values["online"]), _depth(values))


def _depth(values: Mapping[str, Any]) -> int:
    if not 0 <= values["max_depth"] <= 64:
        raise UsageError("--max-depth: give a number of folders from 0 to 64")
    return int(values["max_depth"])
