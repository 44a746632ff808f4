"""Promises about the repository itself: CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _commands(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [" ".join(block.replace("\\\n", " ").split()) for block in blocks]


def test_ci_runs_the_readme_test_command() -> None:
    readme = _commands((REPO / "README.md").read_text())
    ci = (REPO / ".ci" / "run").read_text()
    ci_command = " ".join(ci.split("\n", 4)[-1].replace("\\\n", " ").split())
    assert readme[1] == ci_command
    assert "pytest" in readme[1] and "pip install ." in readme[0]


def test_pre_commit_hooks_run_real_commands() -> None:
    import shlex

    import yaml

    from .helpers import cli

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"] for hook in hooks} == {"lineage-setup-status", "lineage-setup-check"}
    for hook in hooks:
        program, *args = shlex.split(hook["entry"])
        assert program == "lineage-setup" and hook["pass_filenames"] is False
        assert cli([*args, "--help"]).exit_code == 0, hook["entry"]
