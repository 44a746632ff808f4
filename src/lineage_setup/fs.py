"""Reading targets safely, and writing them atomically."""

from __future__ import annotations

import errno
import os
import shutil  # typer imports it anyway
import stat
from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple

from lineage_setup.errors import ConflictError, UnsafeTargetError

TMP_SUFFIX = ".lineage-setup.tmp"
PRIVATE_PREFIX = "lineage-setup-"  # temp files in the git folder
SECRET_MODE = 0o600


class Snapshot(NamedTuple):
    """What a target held when we planned: bytes (None if absent) and its lstat."""

    path: Path
    data: bytes | None
    st: os.stat_result | None

    @property
    def mode(self) -> int | None:
        return stat.S_IMODE(self.st.st_mode) if self.st else None


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)


def snapshot(path: Path, listed_regular: bool = False) -> Snapshot:
    """A target as it is now: a link or other non-file has no data (the writer refuses to replace it).

    lstat first: a FIFO is never opened (opening one would release a writer waiting on it). A regular file
    is then read with one open, fstat and read (a bulk run snapshots thousands). listed_regular: the
    folder's listing a moment ago said it is a regular file, so the lstat is skipped (2,000 checkpoints:
    7 ms); the open (no link followed, never blocking) and the fstat still check what it is now."""
    if not listed_regular:
        st = _lstat(path)
        if st is None or not stat.S_ISREG(st.st_mode):
            return Snapshot(path, None, st)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return _snapshot_by_lstat(path)  # replaced since the lstat, or unreadable: the careful way says which
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):
            return _snapshot_by_lstat(path)
        data = os.read(fd, now.st_size + 1)
        if len(data) != now.st_size:  # it changed size meanwhile: read on to its end
            data += b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
        return Snapshot(path, data, now)
    finally:
        os.close(fd)


def _snapshot_by_lstat(path: Path) -> Snapshot:
    st = _lstat(path)
    data = read_regular(path) if st is not None and stat.S_ISREG(st.st_mode) else None
    return Snapshot(path, data, st)


def _lstat(path: Path) -> os.stat_result | None:
    """The entry itself; None when there is none."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in a path read from a config file
        raise _unreadable(path, exc) from None


def read_regular(path: Path, limit: int | None = None) -> bytes | None:
    """A regular file's bytes (a link is followed); None when there is nothing at `path`.

    Opened without blocking and checked on the descriptor, so a FIFO, device or socket put where a
    file belongs is refused instead of hanging the run (or, for /dev/zero, filling memory).
    `limit`: refuse a file larger than this many bytes (files we only inspect).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):  # before fdopen: it refuses a directory with its own error
        os.close(fd)
        raise UnsafeTargetError(f"{path} is not a regular file ({_kind(st.st_mode)}); refusing to read it")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise UnsafeTargetError(
            f"{path} is larger than the {limit // 1024 // 1024} MiB this tool reads from such a file; "
            "is it the right file?"
        )
    return data


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((word for test, word in kinds if test(mode)), "not a file")


def _unreadable(path: Path, exc: OSError | ValueError) -> UnsafeTargetError:
    if isinstance(exc, ValueError):
        return UnsafeTargetError(f"{str(path)!r}: not a usable path ({exc})")
    if isinstance(exc, NotADirectoryError):
        return UnsafeTargetError(f"{path}: a parent of this path is not a directory")
    if exc.errno == errno.ENXIO and stat.S_ISSOCK(_mode(path)):  # a socket cannot even be opened
        return UnsafeTargetError(f"{path} is not a regular file (a socket); refusing to read it")
    return UnsafeTargetError(f"{path}: cannot read it ({exc.strerror or exc})")


def _mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode
    except OSError:
        return 0


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


def ensure_unchanged(snap: Snapshot, quick: bool = False) -> None:
    """Refuse (ConflictError) when the target's bytes are not what we planned against.

    quick: the same inode, size, mode and times as planned count as unchanged without reading the bytes
    (the first check of many files; the writer reads each again right before replacing it).
    """
    if quick and snap.st is not None and _same_stat(snap):
        return
    current = snapshot(snap.path)
    same_kind = (current.st is None) == (snap.st is None)
    if not same_kind or current.data != snap.data:
        raise ConflictError(
            f"{snap.path} changed since lineage-setup read it; nothing more was written. "
            "Run the command again to plan against the new content."
        )


def _same_stat(snap: Snapshot) -> bool:
    try:
        now = os.lstat(snap.path)
    except OSError:
        return False
    fields = ("st_dev", "st_ino", "st_mode", "st_size", "st_mtime_ns", "st_ctime_ns")
    return all(getattr(now, name) == getattr(snap.st, name) for name in fields)


def default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(
    before: Snapshot,
    data: bytes,
    mode: int,
    stale: Sequence[str] | None = None,
    sync_dir: bool = True,
    private: Path | None = None,
) -> None:
    """Temp file (created 0600), fsync, then replace; the target is never half-written.

    stale: `stale_temps(folder)` listed once by a caller writing many files into one folder.
    sync_dir=False: the caller fsyncs the folder (`sync_dirs`) once after all its replaces.
    private: a folder git never looks in (the repository's git folder), for the temp file of a file
    that holds the key, so a run killed before the replace leaves no key where `git add` finds it.
    """
    put_in_place(before, write_temp(before, data, mode, stale, private), data)
    if sync_dir:
        _fsync_dir(before.path.parent)


def write_temp(
    before: Snapshot,
    data: bytes,
    mode: int,
    stale: Sequence[str] | None = None,
    private: Path | None = None,
    sync: bool = True,
) -> str:
    """The new bytes in a temp file beside the target (or in `private`), with the mode (and owner) the
    target keeps; fsynced unless `sync` is False (the caller flushes many at once: sync_filesystems)."""
    path = before.path
    if before.st is None:  # a new file: its folder may be new too (an existing file's folder is there)
        path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(path, stale)
    fd, tmp = _temp_file(path, private)
    try:
        try:
            view = memoryview(data)
            while view:  # the descriptor itself: no file object per file (a bulk run writes thousands)
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
            if before.st is not None and os.geteuid() == 0:
                os.fchown(fd, before.st.st_uid, before.st.st_gid)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        discard(tmp)
        raise
    return tmp


def put_in_place(before: Snapshot, tmp: str, data: bytes) -> None:
    """Replace the target by its temp file, unless the target changed since we read it (then the temp
    file goes and ConflictError says so)."""
    try:
        ensure_unchanged(before)
        _replace(tmp, before.path, data)
    except BaseException:
        discard(tmp)
        raise


def discard(tmp: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(tmp)


def sync_filesystems(paths: Iterable[str]) -> None:
    """Make many written files durable at once: one syncfs(2) per filesystem holding them (Linux), else
    one sync(2); 2,000 fsyncs took 1.6 s here, writing them all and one syncfs 0.3 s."""
    devices: dict[int, str] = {}
    for folder in {os.path.dirname(path) for path in paths}:  # one stat per folder, not per file
        devices.setdefault(os.stat(folder or ".").st_dev, folder or ".")
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    for path in devices.values():
        fd = os.open(path, os.O_RDONLY)
        try:
            if syncfs(fd) != 0:
                code = ctypes_errno()
                raise OSError(code, os.strerror(code), path)
        finally:
            os.close(fd)


def _syncfs() -> Any:
    """libc's syncfs, where there is one (Linux); None elsewhere."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def ctypes_errno() -> int:
    import ctypes

    return ctypes.get_errno()


def _temp_file(path: Path, private: Path | None) -> tuple[int, str]:
    """mkstemp (mode 0600) beside the target, or in `private` when a rename from there is atomic.
    (tempfile, with random, is imported here: a run that writes nothing does without them.)"""
    import tempfile

    if private is not None and _same_device(private, path.parent):
        sweep_private_temps(private)
        return tempfile.mkstemp(dir=private, prefix=PRIVATE_PREFIX, suffix=TMP_SUFFIX)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)


def _same_device(one: Path, other: Path) -> bool:
    try:
        return os.stat(one).st_dev == os.stat(other).st_dev
    except OSError:
        return False


def sweep_private_temps(private: Path) -> None:
    """Temp files a killed run left in the git folder (they may hold the key)."""
    for name in stale_temps(private, PRIVATE_PREFIX):
        with suppress(OSError):
            (private / name).unlink()


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
    # 0600 from its creation, before any byte of the old file (which may hold the key) is copied
    fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), SECRET_MODE)
    with os.fdopen(fd, "wb") as copy, open(path, "rb") as original:
        os.fchmod(copy.fileno(), SECRET_MODE)  # an existing backup keeps its mode otherwise
        shutil.copyfileobj(original, copy)
        copy.flush()
        os.fsync(copy.fileno())
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


def stale_temps(folder: Path, prefix: str = ".") -> list[str]:
    """Names of our temp files in a folder (a killed run leaves them; a finished one never does)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [name for name in names if name.startswith(prefix) and name.endswith(TMP_SUFFIX)]


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
