"""The one writer: atomic, all-or-nothing, drift-checked, mode-keeping, and silent when nothing changes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup import fs, plan, writer
from lineage_setup.errors import ConflictError, UnsafeTargetError, UserAbort, WriteError
from lineage_setup.workspace import Workspace


def _plan(root: Path, edits: dict[str, str], secret: bool = False) -> plan.Plan:
    ws = Workspace(root)
    for rel, text in edits.items():
        ws.write(rel, text, reason="test", secret=secret)
    return ws.plan()


def _temps(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.endswith(fs.TMP_SUFFIX) or p.name.endswith(".bak")]


def test_creates_secret_file_0600_and_plain_file_by_umask(tmp_path: Path) -> None:
    writer.apply(_plan(tmp_path, {"secret.yml": "k: v\n"}, secret=True))
    writer.apply(_plan(tmp_path, {"plain.txt": "x\n"}))
    assert (tmp_path / "secret.yml").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "plain.txt").stat().st_mode & 0o777 == fs.default_mode()


def test_creates_missing_parent_folders(tmp_path: Path) -> None:
    writer.apply(_plan(tmp_path, {"a/b/c.txt": "x\n"}))
    assert (tmp_path / "a/b/c.txt").read_text() == "x\n"


def test_keeps_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old\n")
    target.chmod(0o751)
    writer.apply(_plan(tmp_path, {"f.txt": "new\n"}, secret=True))
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o751


def test_unchanged_text_is_not_a_change(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"\xef\xbb\xbfsame\r\n")
    before = target.stat()
    assert _plan(tmp_path, {"f.txt": "same\r\n"}).changes == ()
    assert target.stat().st_mtime_ns == before.st_mtime_ns


@pytest.mark.parametrize(
    "failure",
    [OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EIO, "I/O error"), KeyboardInterrupt()],
)
@pytest.mark.parametrize("where", ["replace", "fsync"])
def test_failure_leaves_original_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException, where: str
) -> None:
    target = tmp_path / "f.txt"
    target.write_text("original\n")
    target.chmod(0o644)
    inode = target.stat().st_ino
    the_plan = _plan(tmp_path, {"f.txt": "new\n"})

    def boom(*args: object) -> None:
        raise failure

    monkeypatch.setattr(fs.os, where, boom)
    expected = UserAbort if isinstance(failure, KeyboardInterrupt) else WriteError
    with pytest.raises(expected) as raised:
        writer.apply(the_plan)
    if expected is UserAbort:  # interrupted: said so, and nothing changed
        assert raised.value.exit_code == 130 and "nothing was changed" in str(raised.value)
    monkeypatch.undo()
    assert target.read_text() == "original\n"
    assert target.stat().st_ino == inode
    assert target.stat().st_mode & 0o777 == 0o644
    assert _temps(tmp_path) == []


def test_second_file_failing_restores_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("a-old\n")
    the_plan = _plan(tmp_path, {"a.txt": "a-new\n", "b.txt": "b-new\n"})
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        if str(dst).endswith("b.txt"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(fs.os, "replace", replace)
    with pytest.raises(WriteError, match="no file was changed"):
        writer.apply(the_plan)
    assert (tmp_path / "a.txt").read_text() == "a-old\n"
    assert not (tmp_path / "b.txt").exists()
    assert _temps(tmp_path) == []


def test_file_changed_since_planning_is_not_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("v1\n")
    the_plan = _plan(tmp_path, {"f.txt": "ours\n", "other.txt": "x\n"})
    target.write_text("someone else\n")
    with pytest.raises(ConflictError, match="changed since"):
        writer.apply(the_plan)
    assert target.read_text() == "someone else\n"
    assert not (tmp_path / "other.txt").exists()


def test_file_created_since_planning_is_not_clobbered(tmp_path: Path) -> None:
    the_plan = _plan(tmp_path, {"f.txt": "ours\n"})
    (tmp_path / "f.txt").write_text("theirs\n")
    with pytest.raises(ConflictError):
        writer.apply(the_plan)
    assert (tmp_path / "f.txt").read_text() == "theirs\n"


def test_change_between_last_check_and_replace_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.txt"
    target.write_text("v1\n")
    the_plan = _plan(tmp_path, {"f.txt": "ours\n"})
    real_fsync = os.fsync

    def fsync_then_edit(fd: int) -> None:  # another writer sneaks in while we write the temp file
        real_fsync(fd)
        target.write_text("sneaky\n")

    monkeypatch.setattr(fs.os, "fsync", fsync_then_edit)
    with pytest.raises(ConflictError):
        writer.apply(the_plan)
    assert target.read_text() == "sneaky\n"
    assert _temps(tmp_path) == []


def test_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("x\n")
    (tmp_path / "link.txt").symlink_to(real)
    with pytest.raises(UnsafeTargetError, match="symbolic link"):
        _plan(tmp_path, {"link.txt": "y\n"})
    assert real.read_text() == "x\n"


def test_directory_and_fifo_are_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "fifo")
    for name in ("d", "fifo"):
        with pytest.raises(UnsafeTargetError, match="not a regular file"):
            _plan(tmp_path, {name: "y\n"})


def test_a_fifo_is_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a FIFO would release a writer blocked on it: a snapshot only looks (lstat)."""
    os.mkfifo(tmp_path / "fifo")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(fs.os, "open", lambda path, *args: (opened.append(str(path)), real_open(path, *args))[1])
    snap = fs.snapshot(tmp_path / "fifo")
    assert (snap.data, opened) == (None, [])
    assert fs.snapshot(tmp_path / "none") == fs.Snapshot(tmp_path / "none", None, None)
    (tmp_path / "f").write_bytes(b"x" * 70_000)
    assert fs.snapshot(tmp_path / "f").data == b"x" * 70_000 and opened == [str(tmp_path / "f")]


def test_a_file_listed_as_regular_is_read_without_an_lstat_and_checked_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's listing said "regular file": the lstat is skipped, and whatever is there now (a FIFO, a link,
    a folder, nothing) gives the snapshot the careful way gives, without blocking on the FIFO."""
    (tmp_path / "f").write_bytes(b"x\n")
    (tmp_path / "real").write_bytes(b"real\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "dir").mkdir()
    careful = {name: fs.snapshot(tmp_path / name) for name in ("f", "fifo", "link", "dir", "gone")}
    looked: list[str] = []
    real_lstat = os.lstat
    monkeypatch.setattr(fs.os, "lstat", lambda path, *a: (looked.append(Path(path).name), real_lstat(path, *a))[1])
    for name, expected in careful.items():
        assert fs.snapshot(tmp_path / name, listed_regular=True) == expected, name
    assert careful["f"].data == b"x\n" and careful["fifo"].data is None and careful["link"].data is None
    assert sorted(looked) == ["dir", "fifo", "gone", "link"]  # the regular file took no lstat


def test_the_listing_says_which_files_are_regular(tmp_path: Path) -> None:
    """Workspace globs list what os.walk lists (a link to a folder listed, not entered) and mark regular files."""
    from lineage_setup.workspace import _glob

    for rel in ("a.yml", "sub/b.yml", "sub/deeper/c.yml", "sub/other.txt", "outside/d.yml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x: 1\n")
    os.mkfifo(tmp_path / "sub" / "pipe.yml")
    (tmp_path / "sub" / "link.yml").symlink_to(tmp_path / "a.yml")
    (tmp_path / "sub" / "dangling.yml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "sub" / "folder-link").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "sub" / "dir.yml").mkdir()
    expected = sorted(
        (
            os.path.join(top, name)
            for top, _, names in os.walk(tmp_path / "sub")
            for name in names
            if name.endswith(".yml")
        ),
        key=lambda path: path.split(os.sep),
    )
    regular: set[str] = set()
    assert _glob(tmp_path / "sub", "**/*.yml", regular) == expected
    assert {Path(path).name for path in expected} == {"b.yml", "c.yml", "pipe.yml", "link.yml", "dangling.yml"}
    assert {Path(path).name for path in regular} == {"b.yml", "c.yml"}


def test_hard_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x\n")
    os.link(tmp_path / "a", tmp_path / "b")
    with pytest.raises(UnsafeTargetError, match="hard links"):
        _plan(tmp_path, {"a": "y\n"})


def test_read_only_target_is_refused_even_for_root(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("x\n")
    target.chmod(0o444)
    with pytest.raises(UnsafeTargetError, match="read-only"):
        _plan(tmp_path, {"f.txt": "y\n"})
    assert target.read_text() == "x\n"


def test_target_in_a_folder_the_user_cannot_write_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.txt"
    target.write_text("x\n")
    monkeypatch.setattr(fs.os, "access", lambda path, mode: Path(path) != tmp_path)  # as a non-root user sees it
    with pytest.raises(UnsafeTargetError, match="read-only"):
        _plan(tmp_path, {"f.txt": "y\n"})


def test_non_utf8_target_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_bytes("café\n".encode("latin-1"))
    ws = Workspace(tmp_path)
    with pytest.raises(UnsafeTargetError, match="not UTF-8"):
        ws.read("f.txt")


def test_ebusy_falls_back_to_guarded_in_place_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old\n")
    inode = target.stat().st_ino

    def busy(src: str, dst: str) -> None:
        raise OSError(errno.EBUSY, "Device or resource busy")

    monkeypatch.setattr(fs.os, "replace", busy)
    writer.apply(_plan(tmp_path, {"f.txt": "new\n"}))
    assert target.read_text() == "new\n"
    assert target.stat().st_ino == inode  # written in place
    assert _temps(tmp_path) == []


def test_stale_temp_files_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / f".f.txt.abc123{fs.TMP_SUFFIX}"
    stale.write_text("left by a killed run")
    writer.apply(_plan(tmp_path, {"f.txt": "x\n"}))
    assert not stale.exists()


def test_pending_edits_compose_into_one_change(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.write("f.txt", "one\n", reason="first", secret=True)
    ws.write("f.txt", (ws.read("f.txt") or "") + "two\n", reason="second", secret=True)
    [change] = ws.plan().changes
    assert change.after == b"one\ntwo\n"
    assert change.reasons == ("first", "second")
    assert change.secret


@pytest.mark.parametrize("secret_first", [True, False])
def test_a_config_file_never_receives_the_key(tmp_path: Path, secret_first: bool) -> None:
    """One file proposed both as plain config and as the key's file (GE's config_variables_file_path
    pointing at great_expectations.yml, say) is refused: the key would land in shared config."""
    ws = Workspace(tmp_path)
    ws.write("f.yml", "a: 1\n", reason="config", secret=secret_first)
    ws.write("f.yml", "a: 1\nkey: k\n", reason="key", secret=not secret_first)
    with pytest.raises(UnsafeTargetError, match="not meant for secrets"):
        ws.plan()
    assert not (tmp_path / "f.yml").exists()


def test_diff_marks_missing_final_newline(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\nb")
    [change] = _plan(tmp_path, {"f.txt": "a\nc"}).changes
    assert change.diff("f.txt") == [
        "--- a/f.txt",
        "+++ b/f.txt",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "\\ No newline at end of file",
        "+c",
        "\\ No newline at end of file",
    ]


def test_undo_removes_folders_the_write_created(empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = empty_dir
    the_plan = _plan(tmp_path, {"a.txt": "a\n", "sub/deeper/b.txt": "b\n"})
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        if str(dst).endswith("b.txt"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(fs.os, "replace", replace)
    with pytest.raises(WriteError):
        writer.apply(the_plan)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_failed_remote_change_says_the_files_were_written(tmp_path: Path) -> None:
    from lineage_setup.errors import VerificationError

    def fail() -> None:
        raise VerificationError("updating cluster c-1 failed: 403")

    ws = Workspace(tmp_path)
    ws.write("init.sh", "#!/bin/bash\n", reason="script")
    ws.remote(plan.RemoteChange("cluster c-1", (), fail))
    with pytest.raises(VerificationError, match=r"403; the local files were written: .*init\.sh"):
        writer.apply(ws.plan())


# --- many files: temp files written first, flushed at once (one syncfs), then each put in place ---------


def _many(root: Path, count: int = writer.BATCH + 4) -> tuple[plan.Plan, dict[str, bytes]]:
    root.mkdir()
    for n in range(0, count, 2):  # half exist (one with its own mode), half are created
        (root / f"f{n:02d}.txt").write_text(f"old {n}\n")
    (root / "f00.txt").chmod(0o640)
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    return _plan(root, {f"f{n:02d}.txt": f"new {n}\n" for n in range(count)}), before


def test_a_batch_writes_every_file_keeps_modes_and_flushes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    the_plan, _ = _many(root)
    flushed: list[list[str]] = []
    real_sync, real_fsync = fs.sync_filesystems, os.fsync
    files_fsynced: list[int] = []
    monkeypatch.setattr(fs, "sync_filesystems", lambda paths: (flushed.append(list(paths)), real_sync(paths)))
    monkeypatch.setattr(fs.os, "fsync", lambda fd: (files_fsynced.append(fd), real_fsync(fd)))
    writer.apply(the_plan)
    assert len(flushed) == 1 and len(flushed[0]) == writer.BATCH + 4  # every temp file, in one flush
    assert len(files_fsynced) == 1  # only the folder (one per folder), no file on its own
    assert {p.name: p.read_text() for p in root.iterdir()} == {
        f"f{n:02d}.txt": f"new {n}\n" for n in range(writer.BATCH + 4)
    }
    assert (root / "f00.txt").stat().st_mode & 0o777 == 0o640
    assert (root / "f01.txt").stat().st_mode & 0o777 == fs.default_mode()
    assert _plan(root, {f"f{n:02d}.txt": f"new {n}\n" for n in range(writer.BATCH + 4)}).changes == ()


def test_a_failed_flush_changes_nothing_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "p"
    the_plan, before = _many(root)

    def fail(paths: object) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(fs, "sync_filesystems", fail)
    with pytest.raises(WriteError, match="no file was changed"):
        writer.apply(the_plan)
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before


@pytest.mark.parametrize("failure", [ConflictError, KeyboardInterrupt])
def test_a_batch_stopped_halfway_puts_back_what_it_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException]
) -> None:
    """A file changed by someone else after the temp files were written (or ^C) halfway through the
    replaces: those already replaced get their old bytes back, and no temp file is left."""
    root = tmp_path / "p"
    the_plan, before = _many(root)
    real_put = fs.put_in_place
    calls: list[Path] = []

    def put(snap: fs.Snapshot, tmp: str, data: bytes) -> None:
        calls.append(snap.path)
        if len(calls) == 10:
            if failure is KeyboardInterrupt:
                raise KeyboardInterrupt
            snap.path.write_text("someone else\n")
        real_put(snap, tmp, data)

    monkeypatch.setattr(fs, "put_in_place", put)
    with pytest.raises(ConflictError if failure is ConflictError else UserAbort):
        writer.apply(the_plan)
    now = {p.name: p.read_bytes() for p in root.iterdir()}
    if failure is ConflictError:  # theirs stays as they wrote it
        assert now.pop(calls[9].name) == b"someone else\n"
        before.pop(calls[9].name, None)
    assert now == before


def test_workspace_glob_finds_what_pathlib_finds_in_the_same_order(tmp_path: Path) -> None:
    """Workspace.glob's os.walk path for `**/NAME` against pathlib's glob: links to folders not entered,
    a link to a file listed, a folder named like a file left out, dotfiles in, part-by-part order."""
    root = tmp_path / "p"
    for rel in ["a/b.yml", "a.x/c.yml", "z.yml", "A.yml", ".h.yml", "sub/deeper/q.yml", "sub/x.yaml", "d.yml/i.yml"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x: 1\n")
    (root / "link").symlink_to(root / "sub")
    (root / "lf.yml").symlink_to(root / "z.yml")
    (root / "ld.yml").symlink_to(root / "sub")
    ws = Workspace(root)
    for pattern in ("**/*.yml", "**/*", "*.yml"):
        expected = sorted(path for path in root.glob(pattern) if not path.is_dir())
        assert ws.glob(pattern) == expected, pattern
    assert [p.relative_to(root).as_posix() for p in ws.glob("**/*.yml", under="sub")] == ["sub/deeper/q.yml"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.text(alphabet="ab/.-_\x01 ", min_size=1, max_size=12), max_size=12))
def test_listed_paths_sort_as_split_at_slashes(paths: list[str]) -> None:
    """The glob sorts by replacing `/` with NUL: the order of sorting the paths split at `/`."""
    from lineage_setup import workspace

    assert workspace._sorted(paths) == sorted(paths, key=lambda path: path.split(os.sep))
