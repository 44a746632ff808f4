"""The Workspace: an integration's only door to the project.

Every read goes through it (regular files only, so a FIFO cannot hang a run), it reads through
the edits already proposed (two integrations editing one file compose, and the user sees one
diff per file), it asks git, and it records the proposals that become a Plan.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from lineage_setup import fs, git, textdoc
from lineage_setup.errors import UnsafeTargetError
from lineage_setup.plan import FileChange, Plan, RemoteChange, label_of

INSPECT_LIMIT = 16 * 1024 * 1024  # a Dockerfile, a profiles.yml, a checkpoint: never this large
T = TypeVar("T")


class _Files:
    """What every view of one run shares: the files as read, the edits proposed, what git said."""

    def __init__(self) -> None:
        self.snapshots: dict[Path, fs.Snapshot] = {}
        self.pending: dict[Path, tuple[str | None, bool, set[str]]] = {}  # text (None: delete), secret, reasons
        self.git: dict[Path, git.GitStatus] = {}
        self.plain: set[Path] = set()  # files proposed without the key
        self.reads = 0  # files read from disk (the benchmark and tests count them)
        self.globs: dict[tuple[Path, str], list[str]] = {}  # the paths found, as strings
        self.regular: set[str] = set()  # of those, the regular files (as the folder's listing said)
        self.derived: dict[tuple[Path, Hashable], Any] = {}  # Workspace.once


class Workspace:
    def __init__(self, root: Path, files: _Files | None = None) -> None:
        self.root = root
        self._files = files or _Files()
        self._snapshots = self._files.snapshots
        self._pending = self._files.pending
        self._git = self._files.git
        self._plain = self._files.plain
        self._steps: list[str] = []
        self._notes: list[str] = []
        self._infos: list[str] = []
        self._remote: list[RemoteChange] = []
        self._paths: dict[str, Path] = {}

    def looked_at(self) -> Iterator[str]:
        """Each file this run looked at, as the user knows it, and whether it was there (for -v)."""
        for path, snap in list(self._snapshots.items()):
            yield f"{'read' if snap.st is not None else 'looked for (absent)'} {label_of(path, self.root)}"

    def sibling(self, root: Path) -> Workspace:
        """A view of another folder in the same run: its edits compose with this one's (one diff per file),
        its steps and notes are its own (the wizard shows them per project)."""
        return Workspace(root, self._files)

    @property
    def reads(self) -> int:
        return self._files.reads

    # --- reading ---------------------------------------------------------------------------

    def path(self, rel: str | Path) -> Path:
        """A path inside the project (an absolute one stays as it is); made once per name (a run asks for
        thousands of checkpoint files several times, and pathlib parses each name anew)."""
        if not isinstance(rel, str):
            return self.root / rel
        made = self._paths.get(rel)
        if made is None:
            made = self._paths[rel] = self.root / rel
        return made

    def label(self, rel: str | Path) -> str:
        """A path as the user knows it: relative to the project when inside it."""
        return label_of(self.path(rel), self.root)

    def _snap(self, path: Path) -> fs.Snapshot:
        if path not in self._snapshots:
            self._snapshots[path] = fs.snapshot(path, str(path) in self._files.regular)
            self._files.reads += 1
        return self._snapshots[path]

    def exists(self, rel: str | Path) -> bool:
        path = self.path(rel)
        return path in self._pending or self._snap(path).st is not None

    def is_dir(self, rel: str | Path) -> bool:
        return self.path(rel).is_dir()

    def stat(self, rel: str | Path) -> os.stat_result | None:
        """The entry itself (a link is not followed); None when there is none."""
        return self._snap(self.path(rel)).st

    def glob(self, pattern: str, under: str | Path = "") -> list[Path]:
        """Files under a folder matching a pattern (`**/` recurses; linked folders are not entered), sorted
        as paths (part by part); asked once per run (detection and planning share the answer)."""
        return [Path(path) for path in self._glob(pattern, under)]

    def glob_names(self, pattern: str, under: str | Path = "") -> list[str]:
        """`glob`, each file as its path under the folder (`sub/x.yml`): no Path made for thousands of files."""
        cut = len(str(self.path(under)).rstrip(os.sep)) + 1
        return [path[cut:].replace(os.sep, "/") for path in self._glob(pattern, under)]

    def _glob(self, pattern: str, under: str | Path) -> list[str]:
        folder = self.path(under)
        key = (folder, pattern)
        if key not in self._files.globs:
            self._files.globs[key] = _glob(folder, pattern, self._files.regular)
        return self._files.globs[key]

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """What `make` derives from the project, made once per run under `key` (detection and planning ask
        for the same listing of thousands of files): like `glob`, it does not see this run's own proposals.
        Per project folder: a sibling view's `key` names something else."""
        derived = self._files.derived
        if (self.root, key) not in derived:
            derived[self.root, key] = make()
        return derived[self.root, key]  # type: ignore[no-any-return]

    def read(self, rel: str | Path) -> str | None:
        """Text (BOM removed) of a file we may edit, pending edits included; None if absent or not a file.

        A link is followed for reading (the writer refuses to replace it). Not UTF-8: refused.
        """
        path = self.path(rel)
        if path in self._pending:
            return self._pending[path][0]  # None once it is to be deleted
        snap = self._snap(path)
        data = snap.data if snap.data is not None or snap.st is None else fs.read_regular(path)
        return None if data is None else textdoc.decode(data, path)[0]

    def inspect(self, rel: str | Path) -> str | None:
        """Text of a file we only read (a Dockerfile, a profile): None when absent or not UTF-8 text.

        Regular files only, and at most INSPECT_LIMIT bytes: anything else is refused (exit 3).
        """
        path = self.path(rel)
        if path in self._pending:
            return self._pending[path][0]
        self._files.reads += 1
        data = fs.read_regular(path, INSPECT_LIMIT)
        try:
            text = None if data is None else data.decode()
        except UnicodeDecodeError:
            return None
        return text[1:] if text is not None and text.startswith(textdoc.BOM) else text  # as utf-8-sig would

    # --- git -------------------------------------------------------------------------------

    def git_status(self, rel: str | Path) -> git.GitStatus:
        path = self.path(rel)
        if path not in self._git:
            self._git[path] = git.status(path)
        return self._git[path]

    def keep_out_of_git(self, rel: str | Path, why: str, *, ignore_in: str = "") -> git.GitStatus:
        """Make git ignore a file that will hold the key: a line in `<ignore_in>/.gitignore`, unless git
        already ignores it (a file git tracks is refused when the plan is made)."""
        from lineage_setup.edits import gitignore

        path = self.path(rel)
        status = self.git_status(path)
        if status in ("ignored", "tracked"):
            return status
        folder = self.path(ignore_in)
        ignore_rel = posixpath.join(ignore_in, ".gitignore")
        entry = Path(os.path.relpath(path, folder)).as_posix()
        if entry.startswith("../"):
            if status == "not-ignored":
                self.note(f"{path} is in a git repository and not ignored: add it to .gitignore, {why}")
            return status
        current = self.read(ignore_rel) or ""
        if status == "not-ignored":
            self.note(f"git does not ignore {self.label(path)}, which will hold the API key: adding it to .gitignore")
        if status == "not-ignored" or not gitignore.covers(current, entry):
            updated = gitignore.ensure(current, entry, why, force=status == "not-ignored")
            self.write(ignore_rel, updated, reason=f"keep {entry} out of git")
        return status

    # --- proposals -------------------------------------------------------------------------

    def write(self, rel: str | Path, text: str, *, reason: str, secret: bool = False) -> None:
        path = self.path(rel)
        if not secret:
            self._plain.add(path)
        pending = self._pending.get(path)
        reasons = pending[2] if pending else set()
        reasons.add(reason)
        self._pending[path] = (text, secret or bool(pending and pending[1]), reasons)

    def delete(self, rel: str | Path, *, reason: str) -> None:
        """Propose removing a file (one lineage-setup created and that holds nothing else now)."""
        path = self.path(rel)
        reasons = self._pending[path][2] if path in self._pending else set()
        self._pending[path] = (None, False, {*reasons, reason})

    def step(self, text: str) -> None:
        """What the user does next, in order."""
        self._steps.append(text)

    def note(self, text: str) -> None:
        """A warning: something in the project or environment the user should fix or know."""
        self._notes.append(text)

    def info(self, text: str) -> None:
        self._infos.append(text)

    def remote(self, change: RemoteChange) -> None:
        self._remote.append(change)

    def messages(self) -> Plan:
        """This view's own steps, notes, infos and remote changes (no file changes: those are the run's)."""
        return Plan((), tuple(self._steps), tuple(self._notes), tuple(self._infos), tuple(self._remote))

    def plan(self) -> Plan:
        changes = []
        for path, (text, secret, reasons) in self._pending.items():
            before = self._snap(path)
            if secret:
                self._guard_secret(before)
            bom = (before.data or b"").startswith(textdoc.BOM_BYTES)
            after = None if text is None else textdoc.encode(text, bom=bom)
            if after == before.data or (after is None and before.st is None):
                continue
            fs.check_target(before)
            mode = fs.SECRET_MODE if secret else fs.default_mode()
            changes.append(FileChange(before, after, mode, secret, tuple(sorted(reasons))))
        return Plan(tuple(changes), tuple(self._steps), tuple(self._notes), tuple(self._infos), tuple(self._remote))

    def _guard_secret(self, before: fs.Snapshot) -> None:
        """A file that will hold the key: meant for it, never one git tracks or would not ignore, and said so
        when others can read it. Asked after planning, so our own .gitignore edits count."""
        path = before.path
        self._refuse_mixed(path)
        self._refuse_linked_folders(path)
        status = self.git_status(path)
        if status == "tracked":
            raise UnsafeTargetError(
                f"{path} is tracked by git, so the API key would be committed; nothing was written. "
                f"Untrack it first (git rm --cached {self.label(path)}), then run this again."
            )
        if status == "unknown":
            raise UnsafeTargetError(
                f"git could not say whether {path} is tracked (`git status` in {path.parent} shows why: git "
                "missing, or a repository it does not trust); it would hold the API key, so nothing was written"
            )
        if status == "not-ignored":
            self._refuse_unignored(path)
        mode = before.mode
        if before.data is not None and mode is not None and mode & 0o077:
            label = self.label(path)
            self._notes.append(
                f"{label} is readable by other users (mode {mode:o}); run: chmod 600 {label} (it holds the API key)"
            )

    def _refuse_mixed(self, path: Path) -> None:
        if path in self._plain:
            raise UnsafeTargetError(
                f"{path} would hold the API key, but it is also a configuration file that is not meant for "
                "secrets (and may be shared or committed); nothing was written. Point the key's file elsewhere."
            )

    def _refuse_linked_folders(self, path: Path) -> None:
        """A folder inside the project that is a link would put the key somewhere else."""
        try:
            parts = path.parent.relative_to(self.root).parts
        except ValueError:
            return  # outside the project (a spark-defaults.conf): the user named that path
        for depth in range(1, len(parts) + 1):
            folder = self.root.joinpath(*parts[:depth])
            if folder.is_symlink():
                raise UnsafeTargetError(
                    f"{folder} is a symbolic link (to {os.readlink(folder)}), so the API key would be written "
                    f"outside the project; nothing was written. Replace the link with a folder, or run "
                    "lineage-setup where the real folder is."
                )

    def _refuse_unignored(self, path: Path) -> None:
        pending = {p: text or "" for p, (text, _, _) in self._pending.items() if p.name == ".gitignore"}
        ignored, rule = git.ignore_rule(path, pending)
        if ignored:
            return
        why = f"{rule} un-ignores it" if rule else "no ignore rule names it"
        raise UnsafeTargetError(
            f"{path} would hold the API key, but git would not ignore it ({why}); nothing was written. "
            f"Make git ignore {self.label(path)} (git check-ignore -v {self.label(path)} shows the rule that "
            "decides), then run this again."
        )


def _glob(folder: Path, pattern: str, regular: set[str]) -> list[str]:
    """The files under `folder` matching `pattern`, sorted; those the listing says are regular files go
    into `regular` too (reading them can skip an lstat each: see fs.snapshot)."""
    if not folder.is_dir():
        return []
    name = pattern[3:]
    if not pattern.startswith("**/") or "/" in name or "**" in name:
        return [str(path) for path in sorted(path for path in folder.glob(pattern) if not path.is_dir())]
    # `**/NAME`: a walk and a name match, sorted as strings split at `/` would be (the order Path sorting gives):
    # for 2,000 checkpoints a third of the time of pathlib's glob, sort and is_dir() per path
    found: list[str] = []
    _walk(str(folder), name, found, regular)
    return _sorted(found)


def _sorted(paths: list[str]) -> list[str]:
    """Sorted as the paths split at `/` would be: NUL sorts before any character, and no name holds one."""
    return sorted(paths, key=lambda path: path.replace(os.sep, "\0"))


def _walk(folder: str, name: str, found: list[str], regular: set[str]) -> None:
    """os.walk's files (a link to a folder is listed, not entered; an unreadable folder is skipped), with
    each entry's type as the listing gives it (no stat call per file)."""
    import fnmatch

    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    files = {}
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            files[entry.name] = entry
        elif not entry.is_symlink():
            _walk(entry.path, name, found, regular)
    for match in fnmatch.filter(files, name):
        entry = files[match]
        found.append(entry.path)
        if entry.is_file(follow_symlinks=False):
            regular.add(entry.path)
