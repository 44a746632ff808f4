"""Shell completion (Typer's): commands, --format values and paths complete in a real bash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect

BIN = Path(sys.executable).parent


def _bash(tmp_path: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", TERM="dumb", PS1="$ ", HOME=str(tmp_path))
    child = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-i"], env=env, cwd=str(tmp_path), encoding="utf-8", timeout=20
    )
    child.sendline('eval "$(lineage-setup --show-completion bash)"; echo ready')
    child.expect("ready")
    return child


def test_commands_and_format_values_complete_in_bash(tmp_path: Path) -> None:
    child = _bash(tmp_path)
    child.send("lineage-setup spa\t")
    child.expect("lineage-setup spark ")
    child.send("--print --format con\t")
    child.expect("--format conf")
    child.sendcontrol("c")
    child.send("lineage-setup great\t")
    child.expect("great-expectations ")
    child.sendcontrol("c")
    child.sendline("exit")
    child.expect(pexpect.EOF)


def test_completion_lists_what_fits(tmp_path: Path) -> None:
    env = {**os.environ, "_LINEAGE_SETUP_COMPLETE": "complete_bash"}
    for words, cword, expected in (
        ("lineage-setup s", "1", {"spark", "status", "settings"}),
        ("lineage-setup dbt --print --format ", "4", {"yaml", "env", "shell"}),
        (
            "lineage-setup dbt --backend ",
            "3",
            {"astro", "marquez", "datahub", "openmetadata", "datadog", "atlan", "custom"},
        ),
    ):
        done = subprocess.run(
            [str(BIN / "lineage-setup")],
            env={**env, "COMP_WORDS": words, "COMP_CWORD": cword},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert set(done.stdout.split()) == expected, (words, done.stdout, done.stderr)
