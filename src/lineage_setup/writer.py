"""The one writer: apply a plan's file changes as one unit (all or none), then its remote changes."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from lineage_setup import fs, git
from lineage_setup.errors import LineageSetupError, UserAbort, WriteError, interrupt_code
from lineage_setup.plan import FileChange, Plan


def apply(plan: Plan) -> None:
    """Write every file or none (all re-checked first, earlier writes undone on failure), then remote changes."""
    for change in plan.changes:
        fs.check_target(change.before)
        fs.ensure_unchanged(change.before, quick=True)  # each is read again right before its replace
    _write_all(plan.changes)
    for remote in plan.remote:
        try:
            remote.apply()
        except (LineageSetupError, KeyboardInterrupt) as exc:
            if not plan.changes:
                raise
            raise _after_writes(exc, plan.changes) from exc


BATCH = 16  # more files than this: their temp files are all written, then flushed at once (not one fsync each)


def _write_all(changes: tuple[FileChange, ...]) -> None:
    done: list[FileChange] = []
    created = _missing_folders(changes)
    stale = {folder: fs.stale_temps(folder) for folder in {change.path.parent for change in changes}}
    temps: dict[int, str] = {}  # a batch's temp files, by change, until each is put in place
    try:
        if sum(change.after is not None for change in changes) > BATCH:
            for index, change in enumerate(changes):
                if change.after is not None:
                    temps[index] = fs.write_temp(change.before, change.after, *_how(change, stale), sync=False)
            fs.sync_filesystems(temps.values())
        for index, change in enumerate(changes):
            _put(change, temps, index, stale)
            done.append(change)
        fs.sync_dirs(stale)
    except BaseException as exc:
        for tmp in temps.values():
            fs.discard(tmp)
        error = _failed(exc, done, created)
        if error is exc:
            raise
        raise error from None if isinstance(error, UserAbort) else exc


def _put(change: FileChange, temps: dict[int, str], index: int, stale: dict[Path, list[str]]) -> None:
    """One change made: a file deleted, a batch's temp file put in place, or a file written on its own."""
    if change.after is None:
        fs.ensure_unchanged(change.before)
        fs.remove(change.path)
    elif index in temps:
        fs.put_in_place(change.before, temps[index], change.after)
        del temps[index]  # (an interrupt before this line: discarding a renamed temp is a no-op)
    else:
        mode, near, private = _how(change, stale)
        fs.atomic_write(change.before, change.after, mode, near, False, private)


def _failed(exc: BaseException, done: list[FileChange], created: list[Path]) -> BaseException:
    """What to raise once the files already replaced are put back (or could not be)."""
    failed = _undo(done, created)
    if failed:
        return WriteError(
            f"{_why(exc)}; these files were already replaced and could not be restored: " + ", ".join(failed)
        )
    if isinstance(exc, OSError):
        return WriteError(f"{_why(exc)}; no file was changed")
    if isinstance(exc, KeyboardInterrupt):
        restored = f"the {len(done)} file(s) already written were restored, so " if done else ""
        return UserAbort(f"interrupted; {restored}nothing was changed", interrupt_code(exc))
    return exc


def _how(change: FileChange, stale: dict[Path, list[str]]) -> tuple[int, list[str], Path | None]:
    """The mode a change's file gets, the stale temp files beside it, and where its temp file goes."""
    mode = change.before.mode if change.before.mode is not None else change.new_mode
    private = git.private_dir(change.path) if change.secret else None
    return mode, stale[change.path.parent], private


def _after_writes(exc: LineageSetupError | KeyboardInterrupt, changes: tuple[FileChange, ...]) -> LineageSetupError:
    """A remote step failed or was interrupted: say that the local files were written all the same."""
    written = ", ".join(str(change.path) for change in changes)
    if isinstance(exc, KeyboardInterrupt):
        return UserAbort(f"interrupted; the local files were written: {written}", interrupt_code(exc))
    error = type(exc)(f"{exc}; the local files were written: {written}")
    error.exit_code = exc.exit_code
    return error


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
            else:  # updated or deleted: its old bytes and mode come back
                written = fs.snapshot(change.path)
                fs.atomic_write(written, change.before.data, change.before.mode or change.new_mode)
        except OSError:
            failed.append(str(change.path))
    for folder in created:
        with suppress(OSError):  # not empty: something else is in it now, so it stays
            folder.rmdir()
    return failed
