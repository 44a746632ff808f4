"""The tool's own settings: the endpoint you answered at a prompt, remembered for next time.

Only the URL and endpoint path are kept, never the key. The file is TOML (edited with tomlkit, so
comments a user adds survive) at $LINEAGE_SETUP_CONFIG, else $XDG_CONFIG_HOME/lineage-setup/settings.toml,
else ~/.config/lineage-setup/settings.toml. Flags and environment variables always win over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup import fs, textdoc
from lineage_setup.errors import ExitCode, UnsafeTargetError, UsageError

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

KEYS = ("url", "endpoint", "backend")
HEADER = "# lineage-setup settings: the OpenLineage endpoint last answered at a prompt (never the API key)."


def path(env: Mapping[str, str]) -> Path:
    from lineage_setup import paths

    if env.get("LINEAGE_SETUP_CONFIG"):
        return paths.expand(env["LINEAGE_SETUP_CONFIG"], "LINEAGE_SETUP_CONFIG")
    if env.get("XDG_CONFIG_HOME"):
        return paths.expand(env["XDG_CONFIG_HOME"], "XDG_CONFIG_HOME") / "lineage-setup" / "settings.toml"
    return paths.expand(Path(env.get("HOME", "~")) / ".config", "HOME") / "lineage-setup" / "settings.toml"


def _document(file: Path, data: bytes | None) -> TOMLDocument:
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(textdoc.decode(data, file)[0]) if data else tomlkit.document()
    except ParseError as exc:
        raise UsageError(f"{file}: not valid TOML ({exc}); fix or delete it") from None


def load(env: Mapping[str, str]) -> dict[str, str]:
    file = path(env)
    try:
        data = fs.read_regular(file, limit=1024 * 1024)
    except UnsafeTargetError as exc:  # a FIFO or device there must not hang the run
        raise UsageError(str(exc)) from None
    if data is None:
        return {}
    doc = _document(file, data)
    return {key: value for key in KEYS if isinstance(value := doc.get(key), str) and value}


def save(env: Mapping[str, str], values: Mapping[str, str]) -> Path | None:
    """Write the values (KEYS only); None when the file already holds them."""
    import tomlkit

    file = path(env)
    before = fs.snapshot(file)
    doc = _document(file, before.data)
    wanted = {key: value for key, value in values.items() if key in KEYS}
    if all(doc.get(key) == value for key, value in wanted.items()):
        return None
    if before.data is None:
        doc.add(tomlkit.comment(HEADER.removeprefix("# ")))
    for key, value in wanted.items():
        doc[key] = value
    fs.check_target(before)
    fs.atomic_write(before, doc.as_string().encode("utf-8"), before.mode or fs.SECRET_MODE)  # private: 0600
    return file


def show(env: Mapping[str, str], *, forget: bool = False) -> ExitCode:
    """`lineage-setup settings`: what is saved and where; --forget deletes it."""
    from lineage_setup import ui

    file = path(env)
    saved = load(env)
    if forget:
        if fs.snapshot(file).st is None:
            ui.info(f"Nothing to forget: there is no {file}.")
        else:
            fs.remove(file)
            ui.success(f"Forgot the saved settings: deleted {file}.")
        return ExitCode.OK
    if not saved:
        ui.success(f"No saved settings (they would be in {file}).")
        ui.info("An endpoint typed at a prompt is saved there once it proves right; never the API key.")
        return ExitCode.OK
    ui.success(f"Saved settings, in {file}:")
    for key in KEYS:
        if key in saved:
            ui.success(f"  {key:<9} {saved[key]}")
    ui.info("They are the prompt's defaults; flags and environment variables win. --forget deletes them.")
    return ExitCode.OK
