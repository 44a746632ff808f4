"""Plans: the file changes and steps an integration proposes, and the one writer that applies them."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lineage_setup import fs, textdoc
from lineage_setup.errors import LineageSetupError, UnsafeTargetError, WriteError


@dataclass(frozen=True)
class FileChange:
    before: fs.Snapshot
    after: bytes
    new_mode: int  # used only when the file is created
    secret: bool = False  # holds the API key
    reasons: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return self.before.path

    @property
    def status(self) -> Literal["create", "update"]:
        return "create" if self.before.data is None else "update"

    def diff(self, label: str) -> list[str]:
        """Unified diff lines without their endings (the caller redacts secrets)."""
        old = textdoc.decode(self.before.data, self.path)[0] if self.before.data is not None else ""
        new = textdoc.decode(self.after, self.path)[0]
        out = []
        for line in difflib.unified_diff(
            textdoc.lines(old),
            textdoc.lines(new),
            fromfile="/dev/null" if self.status == "create" else f"a/{label}",
            tofile=f"b/{label}",
        ):
            out.append(textdoc.strip_eol(line))
            if not line.endswith("\n"):
                out.append("\\ No newline at end of file")
        return out


@dataclass(frozen=True)
class RemoteChange:
    """A change outside the project (a cluster's settings, say), shown and confirmed like a file change."""

    title: str  # e.g. "Databricks cluster 0123-456789-abc (restarts if running)"
    diff: tuple[str, ...]  # lines to show; ui redacts secrets
    apply: Callable[[], None] = field(compare=False)  # raises LineageSetupError saying which step failed


@dataclass(frozen=True)
class Plan:
    changes: tuple[FileChange, ...] = ()
    steps: tuple[str, ...] = ()  # what the user does next, in order
    notes: tuple[str, ...] = ()  # warnings about the project or environment
    infos: tuple[str, ...] = ()  # plain facts worth saying (e.g. "lineage is already automatic here")
    remote: tuple[RemoteChange, ...] = ()

    @property
    def pending(self) -> int:
        return len(self.changes) + len(self.remote)


def label_of(path: Path, root: Path) -> str:
    """A path as the user knows it: relative to the project when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


class Workspace:
    """An integration's only view of the project: reads through pending edits, records proposals.

    Integrations never open files themselves; two integrations editing one file compose here
    and the user sees one diff per file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._snapshots: dict[Path, fs.Snapshot] = {}
        self._pending: dict[Path, tuple[str, bool, set[str]]] = {}
        self._steps: list[str] = []
        self._notes: list[str] = []
        self._infos: list[str] = []
        self._remote: list[RemoteChange] = []

    def path(self, rel: str | Path) -> Path:
        return self.root / rel

    def _snap(self, path: Path) -> fs.Snapshot:
        if path not in self._snapshots:
            self._snapshots[path] = fs.snapshot(path)
        return self._snapshots[path]

    def exists(self, rel: str | Path) -> bool:
        path = self.path(rel)
        return path in self._pending or self._snap(path).st is not None

    def read(self, rel: str | Path) -> str | None:
        """Text (BOM removed) of a file, pending edits included; None if absent or not a file."""
        path = self.path(rel)
        if path in self._pending:
            return self._pending[path][0]
        data = self._snap(path).data
        return None if data is None else textdoc.decode(data, path)[0]

    def read_input(self, path: Path) -> str | None:
        """Text of a file we only read (follows links); None when it cannot be read as UTF-8."""
        try:
            return path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None

    def write(self, rel: str | Path, text: str, *, reason: str, secret: bool = False) -> None:
        path = self.path(rel)
        pending = self._pending.get(path)
        reasons = pending[2] if pending else set()
        reasons.add(reason)
        self._pending[path] = (text, secret or bool(pending and pending[1]), reasons)

    def git_status(self, rel: str | Path) -> fs.GitStatus:
        return fs.git_status(self.path(rel))

    def step(self, text: str) -> None:
        self._steps.append(text)

    def note(self, text: str) -> None:
        """A warning: something in the project or environment the user should fix or know."""
        self._notes.append(text)

    def info(self, text: str) -> None:
        self._infos.append(text)

    def remote(self, change: RemoteChange) -> None:
        self._remote.append(change)

    def plan(self) -> Plan:
        changes = []
        for path, (text, secret, reasons) in self._pending.items():
            before = self._snap(path)
            if secret:
                self._guard_secret(before)
            after = textdoc.encode(text, bom=(before.data or b"").startswith(textdoc.BOM_BYTES))
            if after == before.data:
                continue
            fs.check_target(before)
            mode = fs.SECRET_MODE if secret else fs.default_mode()
            changes.append(FileChange(before, after, mode, secret, tuple(sorted(reasons))))
        return Plan(tuple(changes), tuple(self._steps), tuple(self._notes), tuple(self._infos), tuple(self._remote))

    def _guard_secret(self, before: fs.Snapshot) -> None:
        """A file that holds the key: never one git tracks, and say so when others can read it."""
        path = before.path
        status = self.git_status(path)
        if status == "tracked":
            raise UnsafeTargetError(
                f"{path} is tracked by git, so the API key would be committed; nothing was written. "
                f"Untrack it first (git rm --cached {label_of(path, self.root)}), then run this again."
            )
        if status == "unknown":
            raise UnsafeTargetError(
                f"git could not say whether {path} is tracked (`git status` in {path.parent} shows why: git "
                "missing, or a repository it does not trust); it would hold the API key, so nothing was written"
            )
        mode = before.mode
        if before.data is not None and mode is not None and mode & 0o077:
            label = label_of(path, self.root)
            self._notes.append(
                f"{label} is readable by other users (mode {mode:o}); run: chmod 600 {label} (it holds the API key)"
            )


def apply(plan: Plan) -> None:
    """Write every file or none (all re-checked first, earlier writes undone on failure), then remote changes."""
    for change in plan.changes:
        fs.check_target(change.before)
        fs.ensure_unchanged(change.before)
    done: list[FileChange] = []
    created = _missing_folders(plan.changes)
    stale = {folder: fs.stale_temps(folder) for folder in {change.path.parent for change in plan.changes}}
    try:
        for change in plan.changes:
            mode = change.before.mode if change.before.mode is not None else change.new_mode
            fs.atomic_write(change.before, change.after, mode, stale[change.path.parent], sync_dir=False)
            done.append(change)
        fs.sync_dirs(stale)
    except BaseException as exc:
        failed = _undo(done, created)
        if failed:
            raise WriteError(
                f"{_why(exc)}; these files were already replaced and could not be restored: " + ", ".join(failed)
            ) from exc
        if isinstance(exc, OSError):
            raise WriteError(f"{_why(exc)}; no file was changed") from exc
        raise
    for remote in plan.remote:
        try:
            remote.apply()
        except LineageSetupError as exc:
            if not plan.changes:
                raise
            written = ", ".join(str(change.path) for change in plan.changes)
            raise type(exc)(f"{exc}; the local files were written: {written}") from exc


def _missing_folders(changes: tuple[FileChange, ...]) -> list[Path]:
    """Folders the writes will create, deepest first, so an undo can remove them again."""
    missing = set()
    for change in changes:
        folder = change.path.parent
        while not folder.exists() and folder != folder.parent:
            missing.add(folder)
            folder = folder.parent
    return sorted(missing, key=lambda path: len(path.parts), reverse=True)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"writing {exc.filename or 'a file'} failed: {exc.strerror or exc}"
    return str(exc) or type(exc).__name__


def _undo(done: list[FileChange], created: list[Path]) -> list[str]:
    failed = []
    for change in reversed(done):
        try:
            if change.before.data is None:
                fs.remove(change.path)
            else:
                written = fs.snapshot(change.path)
                fs.atomic_write(written, change.before.data, change.before.mode or change.new_mode)
        except OSError:
            failed.append(str(change.path))
    for folder in created:
        with suppress(OSError):  # not empty: something else is in it now, so it stays
            folder.rmdir()
    return failed
