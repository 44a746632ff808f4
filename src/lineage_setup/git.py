"""Asking git about the files we write, as the user's own git would answer.

The environment is the user's (GIT_DIR/GIT_WORK_TREE of a bare-repository dotfiles setup are how their
git sees these files), except what would mix other output into the answers or make git wait for input.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

# unknown: git could not answer (not installed beside a .git folder, "dubious ownership", ...)
GitStatus = Literal["tracked", "ignored", "not-ignored", "no-repo", "unknown"]
_REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")


def _env(own_repository: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_TRACE")}
    if not own_repository:  # a scratch repository of ours: the user's repository variables would point away
        env = {k: v for k, v in env.items() if k not in _REPOSITORY_VARIABLES}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    return env


def _git(folder: Path | str, *args: str, own: bool = True) -> tuple[int | None, str, str]:
    """Exit code (None: git could not be run), stdout and stderr."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, env=_env(own), timeout=30, check=False
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None, "", ""
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def ask(folder: Path, *args: str) -> tuple[int | None, str, str]:
    """Run one git query in `folder` as the user's git would: exit code (None: no git), stdout, stderr."""
    return _git(folder, *args)


def _existing_folder(path: Path) -> Path:
    folder = path.parent
    while not folder.is_dir() and folder != folder.parent:  # the file's folder may not exist yet
        folder = folder.parent
    return folder


def status(path: Path) -> GitStatus:
    """tracked / ignored / not-ignored by the repository holding `path`; no-repo; or unknown.

    "no-repo" only when git itself says so (or git is missing and no .git folder is above):
    any other failure must not let a file holding the key pass as untracked.
    """
    folder = _existing_folder(path)
    rel = os.path.relpath(path, folder)
    code, _, err = _git(folder, "rev-parse", "--is-inside-work-tree")
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


def private_dir(path: Path) -> Path | None:
    """The repository's git folder, where git never looks for files to add (None outside a repository)."""
    code, out, _ = _git(_existing_folder(path), "rev-parse", "--absolute-git-dir")
    return Path(out.strip()) if code == 0 and out.strip() else None


def ignore_rule(path: Path, pending: Mapping[Path, str]) -> tuple[bool, str]:
    """Would git ignore `path` once the pending .gitignore texts are written? And the rule that decides.

    Git is asked about a scratch repository holding the same ignore files (ours as planned, the others
    as they are), so its own precedence rules answer: a deeper `!name` wins over our line. The rule is
    "<file>:<line>: <pattern>" ("" when no pattern matches).
    """
    folder = _existing_folder(path)
    code, top, _ = _git(folder, "rev-parse", "--show-toplevel")
    if code != 0 or not top.strip():
        return False, ""
    top_dir = Path(top.strip())
    rel = Path(os.path.relpath(os.path.realpath(path), top_dir))
    pending = {Path(os.path.realpath(file)): text for file, text in pending.items()}
    import tempfile  # here: most runs never ask this question

    with tempfile.TemporaryDirectory(prefix="lineage-setup-git-") as scratch:
        if _git(scratch, "init", "-q", own=False)[0] != 0:
            return False, ""
        _copy_excludes(folder, Path(scratch))
        _copy_ignore_files(top_dir, rel, Path(scratch), pending)
        question = ("check-ignore", "-v", "-n", "--no-index", "--", rel.as_posix())
        code, out, _ = _git(scratch, *_excludes_option(folder), *question, own=False)
    pattern, rule = _rule(out, top_dir)
    return code == 0 and bool(pattern) and not pattern.startswith("!"), rule  # -v exits 0 for a `!` match too


def _copy_excludes(folder: Path, scratch: Path) -> None:
    code, out, _ = _git(folder, "rev-parse", "--path-format=absolute", "--git-path", "info/exclude")
    source = Path(out.strip())
    if code == 0 and source.is_file():
        (scratch / ".git" / "info").mkdir(parents=True, exist_ok=True)
        (scratch / ".git" / "info" / "exclude").write_bytes(source.read_bytes())


def _excludes_option(folder: Path) -> list[str]:
    code, out, _ = _git(folder, "config", "--path", "--get", "core.excludesFile")
    return ["-c", f"core.excludesFile={out.strip()}"] if code == 0 and out.strip() else []


def _copy_ignore_files(top: Path, rel: Path, scratch: Path, pending: Mapping[Path, str]) -> None:
    """Every .gitignore on the way from the top of the repository to the file's folder."""
    for depth in range(len(rel.parts)):
        sub = Path(*rel.parts[:depth])
        real = top / sub / ".gitignore"
        text = pending.get(real)
        if text is None and real.is_file():
            text = real.read_text(encoding="utf-8", errors="replace")
        if text is not None:
            (scratch / sub).mkdir(parents=True, exist_ok=True)
            (scratch / sub / ".gitignore").write_text(text, encoding="utf-8")


def _rule(out: str, top: Path) -> tuple[str, str]:
    """The deciding pattern, and it as "<file>:<line>: <pattern>" with the user's file, from check-ignore -v -n
    (`source:line:pattern<TAB>path`; all empty when no pattern matches)."""
    source, _, rest = out.split("\n", 1)[0].partition(":")
    number, _, pattern = rest.partition(":")
    pattern = pattern.split("\t", 1)[0]
    if not pattern:
        return "", ""
    where = source if os.path.isabs(source) else str(top / source)  # relative: inside the repository
    return pattern, f"{where}:{number}: {pattern}"
