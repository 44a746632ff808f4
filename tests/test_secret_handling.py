"""The key stays secret on the less travelled paths: git that cannot answer, old keys, key fragments."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from lineage_setup import prompts, settings

from .helpers import CANARY, CONN, cli, git, tree
from .test_answers import FakePrompter


def _tracked_config(project: Path) -> None:
    git(project, "init", "-q")
    (project / "openlineage.yml").write_text("transport:\n  type: console\n")
    git(project, "add", ".")
    git(project, "commit", "-qm", "init")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the repository to another owner")
def test_repository_git_refuses_to_read_is_not_taken_for_no_repository(dbt_project: Path) -> None:
    _tracked_config(dbt_project)
    shutil.chown(dbt_project, 1000, 1000)
    for path in dbt_project.rglob("*"):
        os.chown(path, 1000, 1000, follow_symlinks=False)
    probe = subprocess.run(["git", "-C", str(dbt_project), "status"], capture_output=True, text=True)
    assert "dubious ownership" in probe.stderr  # the situation this test is about
    before = tree(dbt_project)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 3
    assert "git could not say whether" in result.stderr
    assert tree(dbt_project) == before


def test_git_missing_beside_a_git_folder_is_refused(
    dbt_project: Path, monkeypatch: pytest.MonkeyPatch, empty_dir: Path
) -> None:
    _tracked_config(dbt_project)
    monkeypatch.setenv("PATH", str(empty_dir))  # no git to ask
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 3
    assert "git could not say whether" in result.stderr


def test_no_git_and_no_repository_is_fine(dbt_project: Path, monkeypatch: pytest.MonkeyPatch, empty_dir: Path) -> None:
    monkeypatch.setenv("PATH", str(empty_dir))
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"]).exit_code == 0


def test_a_previous_key_is_masked_in_diffs(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM quay.io/astronomer/astro-runtime:3.0.0\n")
    (tmp_path / ".env").write_text("OPENLINEAGE_API_KEY=OLDSECRETKEY123\n")
    result = cli(["airflow", "--dir", str(tmp_path), *CONN, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "-OPENLINEAGE_API_KEY=****" in result.stdout
    assert "OLDSECRETKEY123" not in result.output


def test_a_fragment_of_a_long_key_is_not_shown(dbt_project: Path) -> None:
    key = secrets.token_urlsafe(90)
    (dbt_project / "openlineage.yml").write_text(f"transport:\n  auth:\n    apiKey: {key}: x\n")
    args = ["--url", "https://h.example.com", "--namespace", "ns", "--api-key", key, "--dry-run"]
    result = cli(["dbt", "--dir", str(dbt_project), *args])
    assert result.exit_code == 3
    assert "not valid YAML" in result.stderr
    for size in (12, 16, 32):
        assert key[:size] not in result.output and key[-size:] not in result.output


def test_interrupt_after_writing_does_not_say_nothing_was_written(
    dbt_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Interrupting(FakePrompter):
        def confirm(self, message: str, *, default: bool = False) -> bool:
            if "test event" in message:
                raise KeyboardInterrupt
            return True

    monkeypatch.setattr(prompts, "interactive", lambda no_input, env: True)
    monkeypatch.setattr(prompts, "make_prompter", lambda: Interrupting({}))
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 130
    assert "the project is set up, but no test event was confirmed" in result.stderr
    assert "nothing was written" not in result.stderr
    assert (dbt_project / "openlineage.yml").exists()


def test_a_broken_settings_file_does_not_stop_a_run_that_needs_it_not(
    dbt_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "settings.toml"
    broken.write_bytes(b"\xff\xfe url = [")
    monkeypatch.setenv("LINEAGE_SETUP_CONFIG", str(broken))
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--print"]).exit_code == 0
    result = cli(["dbt", "--dir", str(dbt_project), "--namespace", "n", "--api-key", CANARY, "--print"])
    assert result.exit_code == 2  # the endpoint is still missing...
    assert "ignoring the saved settings" in result.stderr  # ...and the broken file is named, not fatal
    assert settings.path({"LINEAGE_SETUP_CONFIG": str(broken)}) == broken
