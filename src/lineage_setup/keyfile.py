"""Reading the API key from the file --api-key-file names (or stdin), without ever echoing that name."""

from __future__ import annotations

import re
import sys

from lineage_setup import validate
from lineage_setup.errors import UnsafeTargetError, UsageError


def read(name: str) -> str:
    """The file's text. Its name is never echoed: a key pasted where the path belongs would be shown."""
    from lineage_setup import fs, paths

    if name == "-":
        return sys.stdin.read()
    try:
        data = fs.read_regular(paths.expand(name, "--api-key-file", shown=False), limit=validate.KEY_MAX * 4)
    except UnsafeTargetError as exc:
        said = re.search(r"\(([^()]*)\)[^()]*$", str(exc))  # the last (...): why, without the path
        reason = said.group(1) if said else "not a readable file"
        raise UsageError(f"--api-key-file: cannot read the file it names ({reason}){_KEY_FILE_HINT}") from None
    if data is None:
        raise UsageError(f"--api-key-file: the file it names does not exist{_KEY_FILE_HINT}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("--api-key-file: the file it names is not UTF-8 text") from None


_KEY_FILE_HINT = (
    " (the path is not shown, in case it is the key itself: pass the key with --api-key-file - on stdin, "
    "or in OPENLINEAGE_API_KEY)"
)
