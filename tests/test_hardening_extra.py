"""Small hardening promises, each proved once: private modes for what may hold the key (the EBUSY fallback's
backup, the settings file), network text escaped before it reaches a terminal (a Databricks API message),
an empty `outputs:` in profiles.yml, and the canary scan every helpers.cli run makes."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
import respx

from lineage_setup import fs, settings, ui, writer
from lineage_setup.workspace import Workspace

from .helpers import CANARY, CONN, cli
from .test_databricks_apply import ARGS, CLUSTER, ENV, HOST, TOKEN


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    """A umask that would leave new files readable by all: a private mode must not come from it."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# --- the EBUSY fallback's backup ------------------------------------------------------------------------


@pytest.mark.parametrize("left_over", [False, True], ids=["new backup", "backup left by a killed run"])
def test_the_ebusy_backup_is_0600_before_any_byte_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, left_over: bool
) -> None:
    """A file that cannot be renamed over (a single-file bind mount) is written in place behind a backup of
    its old bytes, which may hold the key: private from its creation, whatever the umask or a stale one's mode."""
    target = tmp_path / "openlineage.yml"
    target.write_text(f"transport:\n  auth:\n    apiKey: {CANARY}\n")
    target.chmod(0o644)
    backup = tmp_path / ".openlineage.yml.lineage-setup.bak"
    if left_over:
        backup.write_text("stale")
        backup.chmod(0o644)
    ws = Workspace(tmp_path)
    ws.write("openlineage.yml", "transport:\n  type: console\n", reason="test")
    the_plan = ws.plan()
    real_replace = os.replace

    def busy(src: str, dst: str) -> None:
        if Path(dst) == target:
            raise OSError(errno.EBUSY, "Device or resource busy", str(dst))
        real_replace(src, dst)

    seen: list[tuple[int, int]] = []
    real_copy = shutil.copyfileobj

    def copy(source: IO[bytes], destination: IO[bytes], *args: Any) -> None:
        st = os.fstat(destination.fileno())
        seen.append((stat.S_IMODE(st.st_mode), st.st_size))  # as it is when the first byte is copied
        real_copy(source, destination, *args)

    monkeypatch.setattr(fs.os, "replace", busy)
    monkeypatch.setattr(fs.shutil, "copyfileobj", copy)
    with _umask(0):
        writer.apply(the_plan)
    assert seen == [(0o600, 0)]
    assert target.read_text() == "transport:\n  type: console\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # the target keeps its own mode
    assert not backup.exists()


# --- the settings file ----------------------------------------------------------------------------------


def test_the_settings_file_is_created_0600(tmp_path: Path) -> None:
    file = tmp_path / "config" / "lineage-setup" / "settings.toml"
    env = {"LINEAGE_SETUP_CONFIG": str(file)}
    with _umask(0):
        assert settings.save(env, {"url": "https://h.example", "endpoint": "api/v1/lineage"}) == file
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    file.chmod(0o640)  # a mode the user chose is kept
    settings.save(env, {"url": "https://other.example"})
    assert stat.S_IMODE(file.stat().st_mode) == 0o640
    assert settings.load(env)["url"] == "https://other.example"


# --- text from the network ------------------------------------------------------------------------------

HOSTILE = "no access\x1b[2J\x1b]0;owned\x07\rdone\x08\x9b31m"


def test_a_databricks_api_message_is_shown_with_control_characters_escaped() -> None:
    with respx.mock(base_url=HOST, assert_all_called=False) as api:
        api.get("/api/2.1/clusters/get").respond(403, json={"error_code": "PERMISSION\x1b[5m", "message": HOSTILE})
        result = cli([*ARGS, "--yes"], env=ENV)
    assert result.exit_code == 1, result.output
    line = next(line for line in result.stderr.splitlines() if f"reading cluster {CLUSTER} failed" in line)
    assert "PERMISSION\\x1b[5m: no access\\x1b[2J\\x1b]0;owned\\x07\\rdone\\x08\\x9b31m" in line
    control = [ch for ch in result.stdout + result.stderr if not ch.isprintable() and ch not in "\n\t"]
    assert control == []
    assert TOKEN not in result.stdout + result.stderr


# --- dbt: profiles.yml ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "profiles",
    [
        "jaffle:\n  target: dev\n  outputs:\n",
        "jaffle:\n  outputs: []\n",
        "jaffle:\n  outputs: [dev]\n",
        "jaffle:\n  outputs: {dev: null}\n",
        "jaffle:\n",
        "jaffle: text\n",
        "- a list\n",
        "",
    ],
    ids=["empty outputs", "outputs []", "outputs a list", "a null output", "empty profile", "text", "list", "empty"],
)
def test_a_profiles_yml_dbt_would_reject_does_not_crash_the_setup(dbt_project: Path, profiles: str) -> None:
    (dbt_project / "profiles.yml").write_text(profiles)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 0, result.output
    assert "no `path:`" not in result.output
    assert (dbt_project / "openlineage.yml").is_file()


def test_profiles_yml_is_read_by_that_check(dbt_project: Path) -> None:
    """The same run notices a duckdb output without `path:`: the file above was read, not skipped."""
    (dbt_project / "profiles.yml").write_text("jaffle:\n  outputs:\n    dev: {type: duckdb}\n")
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 0, result.output
    assert "no `path:`" in result.output


# --- the canary scan of helpers.cli ---------------------------------------------------------------------


def test_helpers_cli_fails_a_run_that_shows_the_key_unasked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every message made to leak: caught on stderr always, on stdout unless --print asked for the config."""
    monkeypatch.setattr(ui, "printable", lambda text: f"{text} {CANARY}")
    env = {"LINEAGE_SETUP_CONFIG": str(tmp_path / "none.toml")}
    with pytest.raises(AssertionError, match="the API key leaked to stdout of `lineage-setup settings`"):
        cli(["settings"], env=env)
    with pytest.raises(AssertionError, match="the API key leaked to stderr of `lineage-setup dbt"):
        cli(["dbt", "--dir", str(tmp_path), "--namespace", "dev"], env=env)  # an error: stderr only
    with pytest.raises(AssertionError, match="the API key leaked to stderr of `lineage-setup dbt --print"):
        cli(["dbt", "--print", *CONN])  # the hints on stderr are scanned even with --print
    monkeypatch.undo()
    printed = cli(["dbt", "--print", *CONN])  # the config on stdout holds the key: asked for
    assert printed.exit_code == 0 and CANARY in printed.stdout
