"""Only regular files are read: a FIFO, a device or a socket where lineage-setup reads a project file is refused
(exit 3, one line naming the file) at once, never waited on; a file we only inspect is read up to
workspace.INSPECT_LIMIT bytes and refused above it. The settings file is skipped with a warning instead.

Each case runs the real CLI in a subprocess with a timeout: a FIFO opened the blocking way would hang an
in-process test (and the suite) forever, here it fails the test after 20 s.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lineage_setup.errors import UnsafeTargetError
from lineage_setup.workspace import INSPECT_LIMIT, Workspace

from .helpers import CANARY, CONN

TIMEOUT = 20  # seconds; every case here takes well under one
SETTINGS_LIMIT = 1024 * 1024  # settings.load reads at most this much


def _airflow(root: Path) -> None:
    (root / "Dockerfile").write_text("FROM quay.io/astronomer/astro-runtime:9.2.0\n")
    (root / "requirements.txt").write_text("")
    (root / ".astro").mkdir()
    (root / ".astro" / "config.yaml").write_text("project:\n  name: proj\n")


def _dbt(root: Path) -> None:
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    (root / "profiles.yml").write_text("jaffle:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: d.duckdb}\n")


def _ge(root: Path) -> None:
    ge = root / "great_expectations"
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "uncommitted").mkdir()
    (ge / "great_expectations.yml").write_text("config_version: 3.0\n")
    (ge / ".gitignore").write_text("uncommitted/\n")
    (ge / "checkpoints" / "c.yml").write_text("name: c\nconfig_version: 1.0\nclass_name: Checkpoint\naction_list: []\n")


def _gx1(root: Path) -> None:
    gx = root / "gx"
    (gx / "checkpoints").mkdir(parents=True)
    (gx / "great_expectations.yml").write_text(
        "config_version: 4.0\nstores:\n  checkpoint_store:\n    class_name: CheckpointStore\n"
        "    store_backend:\n      class_name: TupleFilesystemStoreBackend\n      base_directory: checkpoints/\n"
        "checkpoint_store_name: checkpoint_store\n"
    )
    (gx / ".gitignore").write_text("uncommitted/\n")
    (gx / "checkpoints" / "c.json").write_text('{"actions": [], "name": "c", "validation_definitions": []}\n')


# (project, the file put in place of a regular one, the command that reads it)
TARGETS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "Dockerfile": (_airflow, "Dockerfile", "airflow"),
    "astro config": (_airflow, ".astro/config.yaml", "airflow"),
    "dbt profiles.yml": (_dbt, "profiles.yml", "dbt"),
    "great_expectations.yml": (_ge, "great_expectations/great_expectations.yml", "great-expectations"),
    "GE 0.x checkpoint YAML": (_ge, "great_expectations/checkpoints/c.yml", "great-expectations"),
    "GX 1.x checkpoint JSON": (_gx1, "gx/checkpoints/c.json", "great-expectations"),
}
# the message naming what was there instead of a file
KINDS = {
    "FIFO": r"is not a regular file \(a FIFO\); refusing to read it",
    "character device": r"is not a regular file \(a character device\); refusing to read it",
    "link to /dev/zero": r"is not a regular file \(a character device\); refusing to read it",  # a link is followed
    "UNIX socket": r" is not a regular file \(a socket\)",  # open(2) fails with ENXIO; the message says why
    "over the limit": r"is larger than the 16 MiB this tool reads from such a file",
}
# A GE 0.x checkpoint is a file the tool edits, read whole (no cap): the cap is for files only inspected.
EDITED = {("GE 0.x checkpoint YAML", "over the limit")}
CASES = [(target, kind) for target in TARGETS for kind in KINDS if (target, kind) not in EDITED]


def _put(kind: str, path: Path, size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the regular file at `path` by `kind`."""
    path.unlink(missing_ok=True)
    if kind == "FIFO":
        os.mkfifo(path)
    elif kind == "character device":
        if os.geteuid() != 0:
            pytest.skip("mknod of a character device needs root")
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "UNIX socket":
        monkeypatch.chdir(path.parent)  # a relative name: sun_path holds only 108 bytes
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(path.name)
    else:
        with path.open("wb") as handle:  # sparse: no 16 MiB written
            handle.truncate(size + 1)


def _listing(root: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every entry under root (links and special files too) with its inode, mode, size and mtime."""
    out = {}
    for top, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            st = os.lstat(os.path.join(top, name))
            out[os.path.relpath(os.path.join(top, name), root)] = (st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lineage_setup", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )


@pytest.mark.parametrize(("target", "kind"), CASES)
def test_a_file_that_is_not_regular_or_too_large_is_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, kind: str
) -> None:
    build, rel, command = TARGETS[target]
    root = tmp_path / "proj"
    root.mkdir()
    build(root)
    _put(kind, root / rel, INSPECT_LIMIT, monkeypatch)
    before = _listing(root)
    result = _run(command, "--dir", str(root), *CONN, "--yes", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"lineage-setup: {root / rel}")
    assert re.search(KINDS[kind], result.stderr), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert _listing(root) == before  # nothing written, nothing removed


@pytest.mark.parametrize("kind", ["FIFO", "/dev/zero", "UNIX socket", "over the limit"])
def test_a_settings_file_that_is_not_regular_or_too_large_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_project: Path, kind: str
) -> None:
    file = Path("/dev/zero") if kind == "/dev/zero" else tmp_path / "settings.toml"
    if kind != "/dev/zero":
        _put(kind, file, SETTINGS_LIMIT, monkeypatch)
    monkeypatch.setenv("LINEAGE_SETUP_CONFIG", str(file))
    message = KINDS.get(kind, KINDS["character device"]).replace("16 MiB", "1 MiB")
    # no URL given: the saved settings are read, skipped, and the run goes on to ask for one (no terminal)
    run = _run("dbt", "--dir", str(dbt_project), "--namespace", "dev", "--api-key", CANARY, "--yes", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    warning, error = run.stderr.splitlines()
    assert warning.startswith(f"warning: ignoring the saved settings: {file}")
    assert re.search(message, warning), warning
    assert error.startswith("lineage-setup: missing the OpenLineage endpoint")
    assert CANARY not in run.stdout + run.stderr
    # `lineage-setup settings` shows the file, so there it is an error: one line, exit 2
    shown = _run("settings", cwd=tmp_path)
    assert (shown.returncode, shown.stdout) == (2, "")
    [line] = shown.stderr.splitlines()
    assert line.startswith(f"lineage-setup: {file}") and re.search(message, line), line


def test_the_inspect_limit_is_exact(tmp_path: Path) -> None:
    """INSPECT_LIMIT bytes are read; one byte more is refused."""
    path = tmp_path / "Dockerfile"
    with path.open("wb") as handle:
        handle.truncate(INSPECT_LIMIT)
    assert len(Workspace(tmp_path).inspect("Dockerfile") or "") == INSPECT_LIMIT
    with path.open("ab") as handle:
        handle.write(b"\n")
    with pytest.raises(UnsafeTargetError, match="larger than the 16 MiB"):
        Workspace(tmp_path).inspect("Dockerfile")
