"""-v adds one line per decision (files looked at, where each answer came from, each request and its
status), on stderr or as `decisions` in --json; -q leaves errors only. Neither shows the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage_setup import workspace
from lineage_setup.workspace import Workspace

from .helpers import CANARY, CONN, cli
from .receiver import receiver

DECISIONS = ("  . read dbt_project.yml", "  . looked for (absent) openlineage.yml", "  . url <- --url")


def test_verbose_says_what_it_read_and_where_each_answer_came_from(dbt_project: Path) -> None:
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run", "-v"])
    assert result.exit_code == 0
    for line in (*DECISIONS, "  . api_key <- --api-key", "  . namespace <- --namespace"):
        assert line in result.stderr.splitlines()
    assert CANARY not in result.stdout + result.stderr


def test_a_normal_run_shows_no_decisions(dbt_project: Path) -> None:
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run"])
    assert result.exit_code == 0 and not [line for line in result.stderr.splitlines() if line.startswith("  . ")]


def test_without_v_or_json_the_files_are_not_even_labelled(dbt_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run over thousands of files must not build a line per file that nobody sees."""
    labelled: list[Path] = []
    monkeypatch.setattr(workspace, "label_of", lambda path, root: labelled.append(path) or str(path))
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run"]).exit_code == 0
    assert dbt_project / "dbt_project.yml" not in labelled  # read, not changed: labelled only for -v
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run", "-v"]).exit_code == 0
    assert dbt_project / "dbt_project.yml" in labelled


def test_a_derived_value_is_made_once_per_project_folder(tmp_path: Path) -> None:
    """Workspace.once: detection and planning share one listing; a sibling view (another project of the
    same run) with the same key gets its own."""
    made: list[Path] = []
    first = Workspace(tmp_path / "a")
    sibling = first.sibling(tmp_path / "b")
    for ws in (first, first, sibling, sibling):
        assert ws.once("listing", lambda ws=ws: made.append(ws.root) or ws.root.name) == ws.root.name
    assert made == [tmp_path / "a", tmp_path / "b"]


def test_json_keeps_the_decisions(dbt_project: Path) -> None:
    document = json.loads(cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run", "--json", "-v"]).stdout)
    assert {line.strip(" .") for line in DECISIONS} <= set(document["decisions"])


def test_verbose_verify_names_each_request_and_its_status() -> None:
    with receiver() as rx:
        result = cli(["verify", "--url", rx.url, "--namespace", "n", "--api-key", CANARY, "-v"])
    posts = [line for line in result.stderr.splitlines() if line.startswith(f"  . POST {rx.url}/api/v1/lineage: ")]
    assert result.exit_code == 0 and len(posts) == 2 and all(": 201 in " in line for line in posts)


def test_verbose_init_lists_the_files_of_every_project(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "dbt_project.yml").write_text("name: a\n")
    result = cli(["init", "--dir", str(tmp_path), *CONN, "--dry-run", "-v"])
    assert result.exit_code == 0 and "  . read a/dbt_project.yml" in result.stderr.splitlines()


def test_quiet_shows_errors_only(dbt_project: Path) -> None:
    quiet = cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run", "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    failed = cli(["dbt", "--dir", str(dbt_project), "--url", "nope", "--namespace", "n", "--api-key", CANARY, "-q"])
    assert failed.exit_code == 2 and failed.stdout == "" and failed.stderr.startswith("lineage-setup: ")
