"""Plans: the file changes, remote changes and steps integrations propose (writer.py applies them)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from lineage_setup import fs, linediff, textdoc


class FileChange(NamedTuple):
    before: fs.Snapshot
    after: bytes | None  # None: the file is deleted (remove takes out a file lineage-setup created)
    new_mode: int  # used only when the file is created
    secret: bool = False  # holds the API key
    reasons: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return self.before.path

    @property
    def status(self) -> Literal["create", "update", "delete"]:
        if self.after is None:
            return "delete"
        return "create" if self.before.data is None else "update"

    def diff(self, label: str) -> list[str]:
        """Unified diff lines without their endings (the caller redacts secrets).

        Only the changed middle goes to difflib (the lines both texts start and end with are cut off first,
        context kept, hunk numbers shifted back): a small edit near the end of a 100,000-line file costs
        a few lines' work, not a quadratic match over all of them. A long middle (edits at both ends) goes
        to linediff, which costs about a comparison per unchanged line when the changes are few.
        """
        old = textdoc.lines(textdoc.decode(self.before.data, self.path)[0]) if self.before.data is not None else []
        new = textdoc.lines(textdoc.decode(self.after, self.path)[0]) if self.after is not None else []
        lo, old_hi, new_hi = _changed_middle(old, new, CONTEXT)
        out = []
        long_middle = old_hi - lo + new_hi - lo > LONG
        for line in (linediff.unified if long_middle else difflib.unified_diff)(
            old[lo:old_hi],
            new[lo:new_hi],
            fromfile="/dev/null" if self.status == "create" else f"a/{label}",
            tofile="/dev/null" if self.status == "delete" else f"b/{label}",
            n=CONTEXT,
        ):
            out.append(_shift_hunk(textdoc.strip_eol(line), lo) if line.startswith("@@") else textdoc.strip_eol(line))
            if not line.endswith("\n"):
                out.append("\\ No newline at end of file")
        return out


CONTEXT = 3
LONG = 2000  # lines in the changed middle of both texts from which linediff makes the diff
_HUNK = re.compile(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _changed_middle(old: list[str], new: list[str], context: int) -> tuple[int, int, int]:
    """Where to cut both line lists so that only the differing middle and its context remain."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    lo = max(0, head - context)
    keep_tail = max(0, tail - context)
    return lo, len(old) - keep_tail, len(new) - keep_tail


def _shift_hunk(header: str, offset: int) -> str:
    if not offset:
        return header
    match = _HUNK.match(header)
    if match is None:
        return header
    old_start, old_len, new_start, new_len = match.groups()
    return f"@@ -{int(old_start) + offset}{old_len or ''} +{int(new_start) + offset}{new_len or ''} @@"


@dataclass(frozen=True)
class RemoteChange:
    """A change outside the project (a cluster's settings, say), shown and confirmed like a file change."""

    title: str  # e.g. "Databricks cluster 0123-456789-abc (restarts if running)"
    diff: tuple[str, ...]  # lines to show; ui redacts secrets
    apply: Callable[[], None] = field(compare=False)  # raises LineageSetupError saying which step failed
    secrets: tuple[str, ...] = field(default=(), repr=False)  # values the diff must mask (an old key on the cluster)


class Plan(NamedTuple):
    changes: tuple[FileChange, ...] = ()
    steps: tuple[str, ...] = ()  # what the user does next, in order
    notes: tuple[str, ...] = ()  # warnings about the project or environment
    infos: tuple[str, ...] = ()  # plain facts worth saying (e.g. "lineage is already automatic here")
    remote: tuple[RemoteChange, ...] = ()

    @property
    def pending(self) -> int:
        return len(self.changes) + len(self.remote)

    def with_remote(self, remote: tuple[RemoteChange, ...]) -> Plan:
        """The same file changes with these remote changes (gathered from several views of one run)."""
        return Plan(self.changes, self.steps, self.notes, self.infos, (*self.remote, *remote))


def label_of(path: Path, root: Path) -> str:
    """A path as the user knows it: relative to the project when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
