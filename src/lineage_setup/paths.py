"""Paths the user gives (flags and variables): `~` expanded and the filesystem asked, with every failure as
bad input naming its source (exit 2), never a traceback: `~nosuchuser/x`, a name too long for the
filesystem, a folder this user may not enter."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from lineage_setup.errors import UsageError


def expand(raw: str | Path, source: str, *, shown: bool = True) -> Path:
    """`raw` with `~` and `~user` expanded. `shown=False` keeps the value out of the message (a key file's
    name may be the key itself)."""
    try:
        return Path(raw).expanduser()
    except RuntimeError:  # ~user for a user this system does not know, or no home to expand ~ to
        what = f" {raw}" if shown else ""
        raise UsageError(f"{source}:{what} names a home folder (~) that does not exist here") from None


def problem(exc: OSError) -> str:
    """Why the filesystem refused a path the user gave, in words."""
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long for the filesystem"
    if exc.errno == errno.EACCES:
        return "permission denied (a folder on the way cannot be entered)"
    return exc.strerror or str(exc)


def is_dir(path: Path, source: str) -> bool:
    """Whether the path is a folder (links followed); a path the filesystem cannot even look at is bad input."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise UsageError(f"{source}: {path}: {problem(exc)}") from None
