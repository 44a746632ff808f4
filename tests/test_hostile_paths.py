"""Paths given by flag or variable that the system cannot even look at are bad input (exit 2, one line naming
the flag), never a traceback: `~user` for an unknown user, a name too long for the filesystem, a folder this
user may not enter."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from lineage_setup import paths
from lineage_setup.errors import UsageError

from .helpers import CANARY, CONN, cli

NOUSER = "~lineage_setup_no_such_user_x/"
LONG = "a" * 300  # one name longer than NAME_MAX (255) on every common filesystem


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["dbt", "--dir", NOUSER + "proj", *CONN, "--dry-run"], "--dir"),
        (["status", "--dir", NOUSER + "repo"], "--dir"),
        (["remove", "--dir", NOUSER + "repo", "--dry-run"], "--dir"),
        (["init", "--dir", NOUSER + "repo", *CONN, "--dry-run"], "--dir"),
        (["dbt", "--dir", f"/tmp/{LONG}", *CONN, "--dry-run"], "--dir"),
        (["spark", "--spark-conf", NOUSER + "spark-defaults.conf", *CONN, "--dry-run"], "--spark-conf"),
        (["spark", "--spark-conf", f"/tmp/{LONG}/spark-defaults.conf", *CONN, "--dry-run"], "--spark-conf"),
        (["spark", "--spark-conf", f"/tmp/{LONG}", *CONN, "--dry-run"], "--spark-conf"),
        (["databricks", "--script", NOUSER + "init.sh", *CONN, "--dry-run"], "--script"),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else value,
)
def test_an_unusable_path_is_bad_input(args: list[str], flag: str, tmp_path: Path) -> None:
    result = cli(args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"lineage-setup: {flag}: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and CANARY not in result.stdout + result.stderr


def test_a_key_file_under_an_unknown_home_is_bad_input_and_not_echoed(dbt_project: Path) -> None:
    name = NOUSER + CANARY  # a key pasted where the path belongs must not be shown
    result = cli(["dbt", "--dir", str(dbt_project), "--url", "https://h.example.com", "--namespace", "n",
                  "--api-key-file", name, "--dry-run"])  # fmt: skip
    assert result.exit_code == 2 and "--api-key-file" in result.stderr
    assert CANARY not in result.stdout + result.stderr and "no_such_user" not in result.stderr


def test_a_settings_path_under_an_unknown_home(dbt_project: Path) -> None:
    env = {"LINEAGE_SETUP_CONFIG": NOUSER + "settings.toml"}
    shown = cli(["settings"], env=env)
    assert shown.exit_code == 2 and shown.stderr.startswith("lineage-setup: LINEAGE_SETUP_CONFIG: ")
    used = cli(["dbt", "--dir", str(dbt_project), "--namespace", "n", "--api-key", CANARY, "--dry-run"], env=env)
    assert used.exit_code == 2 and "LINEAGE_SETUP_CONFIG" in used.stderr  # then the URL is missing, not a crash
    assert "Traceback" not in used.stderr


def test_a_folder_that_cannot_be_entered_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(path: object, *args: object, **kwargs: object) -> os.stat_result:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(paths.os, "stat", refuse)  # as for a non-root user below a chmod 000 folder
    with pytest.raises(UsageError, match=r"^--spark-conf: .*permission denied"):
        paths.is_dir(tmp_path / "locked" / "conf", "--spark-conf")


def test_a_folder_where_a_file_is_read_is_bad_input(tmp_path: Path, dbt_project: Path) -> None:
    keyed = cli(
        ["dbt", "--print", "--url", "https://h.example.com", "--namespace", "n", "--api-key-file", str(tmp_path)]
    )
    assert keyed.exit_code == 2 and "cannot read the file it names (a directory)" in keyed.stderr
    assert str(tmp_path) not in keyed.stderr  # the path is never shown: it may be the key
    env = {"LINEAGE_SETUP_CONFIG": str(tmp_path)}
    shown = cli(["settings"], env=env)
    assert shown.exit_code == 2 and "is not a regular file (a directory)" in shown.stderr
    wizard = cli(["init", "--dir", str(dbt_project), "--no-input", "--api-key", CANARY, "--dry-run"], env=env)
    assert wizard.exit_code == 2 and "Traceback" not in wizard.stderr  # the saved settings skipped, URL missing


def test_a_dir_that_cannot_be_entered_is_bad_input(monkeypatch: pytest.MonkeyPatch, dbt_project: Path) -> None:
    real = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:  # readable, not enterable: chmod 744, not root
        return not (mode & os.X_OK) if Path(str(path)) == dbt_project else real(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run"])
    assert result.exit_code == 2 and result.stderr.startswith("lineage-setup: --dir: ")
    assert "permission denied" in result.stderr
