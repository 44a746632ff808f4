"""A run ended by SIGTERM or SIGHUP ends like Ctrl-C: what was written is undone, it says so, and no temp
file (which may hold the key) is left behind; killed outright, its leftovers are swept by the next run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from lineage_setup import fs, git

from .helpers import CANARY, CONN, cli, files
from .helpers import git as run_git


def _two_file_project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    (root / ".gitignore").write_text("target/\n")
    return root


@pytest.mark.parametrize(("signum", "code", "said"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")])
def test_signal_during_apply_undoes_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int, code: int, said: str
) -> None:
    root = _two_file_project(tmp_path)
    before = files(root)
    real_fsync, calls = fs.os.fsync, []

    def fsync_then_signal(fd: int) -> None:
        real_fsync(fd)
        calls.append(fd)
        if len(calls) == 2:  # the first file is in place, the second is being written
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(fs.os, "fsync", fsync_then_signal)
    result = cli(["dbt", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == code, result.output
    assert "restored" in result.stderr or said in result.stderr
    assert files(root) == before  # the first file was put back, the second never landed
    assert not [p for p in root.rglob("*") if p.name.endswith(fs.TMP_SUFFIX)]
    assert CANARY not in result.output
    assert signal.getsignal(signal.SIGTERM) is not None  # the handlers were put back after the run


def test_secret_temp_file_goes_where_git_never_looks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between writing the temp file and the rename (SIGKILL cannot be caught), the key is left in
    the repository's git folder, not beside the target where `git add -A` would pick it up."""
    root = _two_file_project(tmp_path)
    run_git(root, "init", "-q")
    seen: list[str] = []
    real_replace = fs.os.replace

    def replace_dies(src: str, dst: str) -> None:
        if not Path(src).name.startswith(fs.PRIVATE_PREFIX):
            real_replace(src, dst)
            return
        seen.append(src)
        raise SystemExit("killed")  # stands for SIGKILL: no cleanup code of ours runs after this

    def unlink_unless_ours(path: str, *args: object, **kwargs: object) -> None:
        if not Path(path).name.startswith(fs.PRIVATE_PREFIX):  # our temp file stays, as after SIGKILL
            real_unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    real_unlink = fs.os.unlink
    monkeypatch.setattr(fs.os, "replace", replace_dies)
    monkeypatch.setattr(fs.os, "unlink", unlink_unless_ours)
    cli(["dbt", "--dir", str(root), *CONN, "--yes"])
    monkeypatch.undo()
    private = git.private_dir(root / "openlineage.yml")
    assert private is not None
    secret_temps = [Path(p) for p in seen if Path(p).parent == private]
    assert secret_temps and all(p.stat().st_mode & 0o777 == 0o600 for p in secret_temps)
    assert not [p for p in root.rglob("*") if p.name.endswith(fs.TMP_SUFFIX) and ".git" not in p.parts]

    again = cli(["dbt", "--dir", str(root), *CONN, "--yes"])  # the next run sweeps what the killed one left
    assert again.exit_code == 0, again.output
    assert not any(p.exists() for p in secret_temps)
