"""The wizard in a real pseudo-terminal, as a new user meets it: pick two of three projects, edit one
namespace, confirm, decline the test event."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import yaml

from .helpers import CANARY

BIN = Path(sys.executable).parent
DOWN, SPACE, CTRL_U = "\x1b[B", " ", "\x15"


def spawn_wizard(args: list[str], root: Path, home: Path) -> tuple[pexpect.spawn, list[str]]:
    """`lineage-setup <args>` in a pseudo-terminal in `root`, with a private HOME and none of the developer's
    lineage variables; the transcript of what it shows fills the list as it runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP", "CI"))}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", HOME=str(home))
    child = pexpect.spawn(
        str(BIN / "lineage-setup"), args, cwd=str(root), env=env, encoding="utf-8", timeout=30, dimensions=(50, 200)
    )
    transcript: list[str] = []
    child.logfile_read = type("T", (), {"write": transcript.append, "flush": lambda self: None})()
    return child, transcript


def _monorepo(root: Path) -> Path:
    for folder, name in (("analytics", "jaffle"), ("finance", "ledger"), ("marketing", "funnel")):
        (root / folder).mkdir(parents=True)
        (root / folder / "dbt_project.yml").write_text(f"name: {name}\nprofile: {name}\n")
    return root


def test_pick_two_of_three_edit_a_namespace_confirm_and_decline_the_test(tmp_path: Path) -> None:
    root = _monorepo(tmp_path / "repo")
    child, transcript = spawn_wizard([], root, tmp_path)
    child.expect("Set up which projects")  # bare lineage-setup in a terminal is the wizard
    child.expect("funnel")
    child.send(DOWN + DOWN + SPACE)  # untick the third (all three start ticked: none is set up yet)
    child.send("\r")
    child.expect("Where should lineage go")
    child.send("\r")  # Astro, the default
    child.expect("Astro base domain")
    child.sendline("https://lineage.example.com")
    child.expect("API key")
    child.sendline(CANARY)
    child.expect("Namespace for dbt jaffle")
    child.sendline("")  # its own name
    child.expect("Namespace for dbt ledger")
    child.send(CTRL_U)
    child.sendline("finance-prod")
    child.expect("Apply 4 files")
    child.send("y")
    child.expect("Send a test event")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    text = "".join(transcript)
    assert child.exitstatus == 0, text
    assert CANARY not in text
    namespaces = {}
    for folder in ("analytics", "finance"):
        transport = yaml.safe_load((root / folder / "openlineage.yml").read_text())["transport"]
        namespaces[folder] = transport["transformer_properties"]["new_job_namespace"]
    assert namespaces == {"analytics": "jaffle", "finance": "finance-prod"}
    assert not (root / "marketing" / "openlineage.yml").exists()
