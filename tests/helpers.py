from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from typer.testing import CliRunner

from lineage_setup.cli import app

CANARY = "olk_CANARY_7f3c9a1b2c4d"
CONN = ["--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CANARY]


def cli(args: Sequence[str], input: str | None = None, env: dict[str, str] | None = None):
    """Run the CLI in-process; stdin is not a terminal, so nothing prompts.

    Every run is also a canary scan: the key (CANARY) must never appear on stderr, nor on stdout unless the
    args ask for it with --print (alone, with --format, or with --json: the config goes to stdout, hints to
    stderr); anywhere else it is a leak.
    """
    result = CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=False)
    scanned = (
        (("stderr", result.stderr),) if "--print" in args else (("stdout", result.stdout), ("stderr", result.stderr))
    )
    for name, text in scanned:
        assert CANARY not in text, f"the API key leaked to {name} of `lineage-setup {' '.join(args)}`"
    return result


def tree(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, mode and mtime of every file, to prove a run touched nothing."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            st = path.stat()
            out[str(path.relative_to(root))] = (path.read_bytes(), st.st_mode, st.st_mtime_ns)
    return out


def copy_golden(src: Path, dst: Path) -> None:
    """Copy a golden tree; dotfiles are stored as dot-<name> so they do not apply to this repository."""
    shutil.copytree(src, dst)
    for stored in sorted(dst.rglob("dot-*"), key=lambda p: len(p.parts), reverse=True):
        stored.rename(stored.with_name("." + stored.name[len("dot-") :]))


def files(root: Path) -> dict[str, bytes]:
    """Every file's bytes, by path relative to root."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)
