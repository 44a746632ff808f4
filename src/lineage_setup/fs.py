"""Reading targets safely, writing them atomically, and asking git about them."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lineage_setup.errors import ConflictError, UnsafeTargetError

TMP_SUFFIX = ".lineage-setup.tmp"
SECRET_MODE = 0o600
# unknown: git could not answer (not installed beside a .git folder, "dubious ownership", ...)
GitStatus = Literal["tracked", "ignored", "not-ignored", "no-repo", "unknown"]


@dataclass(frozen=True)
class Snapshot:
    """What a target held when we planned: bytes (None if absent) and its lstat."""

    path: Path
    data: bytes | None
    st: os.stat_result | None

    @property
    def mode(self) -> int | None:
        return stat.S_IMODE(self.st.st_mode) if self.st else None


def snapshot(path: Path) -> Snapshot:
    """Read a file without opening anything that is not a regular file (a FIFO would block)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return Snapshot(path, None, None)
    except NotADirectoryError:
        raise UnsafeTargetError(f"{path}: a parent of this path is not a directory") from None
    data = path.read_bytes() if stat.S_ISREG(st.st_mode) else None
    return Snapshot(path, data, st)


def check_target(snap: Snapshot) -> None:
    """Refuse what an atomic replace would damage or silently bypass."""
    path, st = snap.path, snap.st
    if st is None:
        parent = path.parent
        while not parent.exists():
            parent = parent.parent
        if not os.access(parent, os.W_OK):
            raise UnsafeTargetError(f"{path}: cannot create it, {parent} is not writable")
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeTargetError(
            f"{path} is a symbolic link (to {os.readlink(path)}); refusing to replace it. "
            "Run lineage-setup where the real file is, or replace the link with a copy."
        )
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeTargetError(f"{path} is not a regular file; refusing to write it")
    if st.st_nlink > 1:
        raise UnsafeTargetError(f"{path} has {st.st_nlink} hard links; a replace would split them")
    # the mode bits too: root passes every access() check, and a replace would bypass them
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise UnsafeTargetError(f"{path} is read-only (or its folder is); refusing to replace it")


def ensure_unchanged(snap: Snapshot) -> None:
    current = snapshot(snap.path)
    same_kind = (current.st is None) == (snap.st is None)
    if not same_kind or current.data != snap.data:
        raise ConflictError(
            f"{snap.path} changed since lineage-setup read it; nothing more was written. "
            "Run the command again to plan against the new content."
        )


def default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(
    before: Snapshot, data: bytes, mode: int, stale: Sequence[str] | None = None, sync_dir: bool = True
) -> None:
    """Temp file beside the target, fsync, then replace; the target is never half-written.

    stale: `stale_temps(folder)` listed once by a caller writing many files into one folder.
    sync_dir=False: the caller fsyncs the folder (`sync_dirs`) once after all its replaces.
    """
    path = before.path
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(path, stale)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if before.st is not None and os.geteuid() == 0:
                os.fchown(handle.fileno(), before.st.st_uid, before.st.st_gid)
            os.fsync(handle.fileno())
        ensure_unchanged(before)
        _replace(tmp, path, data)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync_dir:
        _fsync_dir(path.parent)


def _replace(tmp: str, path: Path, data: bytes) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        # a single-file bind mount (containers) cannot be renamed over: write in place,
        # guarded by a private backup that is removed once the new bytes are on disk
        if exc.errno != errno.EBUSY:
            raise
        _write_in_place(path, data)
        os.unlink(tmp)


def _write_in_place(path: Path, data: bytes) -> None:
    backup = path.with_name(f".{path.name}.lineage-setup.bak")
    shutil.copyfile(path, backup)
    os.chmod(backup, SECRET_MODE)
    with open(path, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
    os.unlink(backup)


def sync_dirs(directories: Iterable[Path]) -> None:
    """Make the renames in these folders durable: one fsync per folder, not per file."""
    for directory in directories:
        _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def stale_temps(folder: Path) -> list[str]:
    """Names of our temp files in a folder (a killed run leaves them; a finished one never does)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [name for name in names if name.startswith(".") and name.endswith(TMP_SUFFIX)]


def sweep_stale_temps(path: Path, stale: Sequence[str] | None = None) -> None:
    """Remove temp files a killed run of ours left beside this target.

    Name tests, not glob(): a glob per target over a folder of thousands of checkpoints is
    quadratic, and it reads `[` in a file name as a pattern.
    """
    prefix = f".{path.name}."
    for name in stale_temps(path.parent) if stale is None else stale:
        if name.startswith(prefix) and len(name) >= len(prefix) + len(TMP_SUFFIX):
            with suppress(OSError):
                (path.parent / name).unlink()


def remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()


def git_status(path: Path) -> GitStatus:
    """tracked / ignored / not-ignored by the repository holding `path`; no-repo; or unknown.

    "no-repo" only when git itself says so (or git is missing and no .git folder is above):
    any other failure must not let a file holding the key pass as untracked.
    """
    folder = path.parent
    while not folder.is_dir() and folder != folder.parent:  # the file's folder may not exist yet
        folder = folder.parent
    rel = os.path.relpath(path, folder)
    code, err = _git(folder, "rev-parse", "--is-inside-work-tree")
    if code != 0:
        if code is None:
            return "unknown" if _inside_git_folder(folder) else "no-repo"
        return "no-repo" if "not a git repository" in err else "unknown"
    if _git(folder, "ls-files", "--error-unmatch", "--", rel)[0] == 0:
        return "tracked"
    code = _git(folder, "check-ignore", "-q", "--", rel)[0]
    if code == 0:
        return "ignored"
    return "not-ignored" if code == 1 else "unknown"


def _inside_git_folder(folder: Path) -> bool:
    return any((parent / ".git").exists() for parent in (folder.resolve(), *folder.resolve().parents))


def _git(folder: Path, *args: str) -> tuple[int | None, str]:
    """Exit code (None: git could not be run) and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, env=env, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None, ""
    return done.returncode, done.stderr.decode("utf-8", "replace")
