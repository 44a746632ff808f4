"""Our own output failing: a reader that goes away ends the run quietly, a full disk is one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import CANARY, CONN

BIN = Path(sys.executable).parent / "lineage-setup"
PRINTS = [
    ["dbt", "--print", "--format", "yaml"],
    ["spark", "--print", "--format", "all"],
    ["airflow", "--print", "--format", "astro"],
]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))}


@pytest.mark.parametrize("args", PRINTS, ids=lambda a: a[0])
def test_closed_pipe_ends_quietly(args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone (as `| head` does once it has its lines)
    done = subprocess.run(
        [str(BIN), *args, *CONN], stdout=write_end, stderr=subprocess.PIPE, env=_env(), timeout=60, check=False
    )
    os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().count("\n") <= 3  # the hints at most: no traceback, no "Exception ignored"
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
    assert CANARY.encode() not in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", PRINTS, ids=lambda a: a[0])
def test_full_disk_is_one_line(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [str(BIN), *args, *CONN], stdout=full, stderr=subprocess.PIPE, env=_env(), timeout=60, check=False
        )
    assert done.returncode == 1
    assert b"could not write the output: No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr


def test_a_pipe_keeps_the_order_a_terminal_shows(tmp_path: Path) -> None:
    """stdout and stderr into one pipe (as `2>&1 | less`): each message is flushed as it is written, so a warning
    stays between the summary it follows and the diff it precedes (a block-buffered stdout would put it first)."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: p\n")
    (project / "openlineage.yml").write_text("transport:\n  type: console\n")
    (project / "openlineage.yml").chmod(0o644)  # a warning: others can read the file that will hold the key
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))}
    done = subprocess.run(
        [sys.executable, "-m", "lineage_setup", "dbt", "--dir", str(project), *CONN, "--replace", "--dry-run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout
    assert CANARY not in done.stdout

    def first(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix))

    assert first("API key") < first("warning: openlineage.yml is readable by other users") < first("--- a/")
