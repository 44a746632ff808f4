"""Every golden case of every integration (tests/golden/<integration>/<case>/), through the CLI.

The case format is in golden_cases.py. A case with `after/` is applied (--yes): the whole tree must
equal `after/` (bytes, files and folders, modes), the key is never printed, a re-run changes nothing
(not even an mtime) and `--check` then passes. From a fresh copy, `--check` exits 1 exactly when
`before/` and `after/` differ, and neither it nor `--dry-run` writes anything. A case without `after/`
is refused (exit 3) in every mode, with the lines of its `expect` file on stderr, and nothing written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import Result

from lineage_setup import integrations

from .golden_cases import CASE_FILES, GOLDEN, Case, cases, expected_modes, ids, modes, snapshot
from .helpers import CANARY, tree

CASES = cases()
APPLIED = [case for case in CASES if not case.refused]
REFUSED = [case for case in CASES if case.refused]


def _no_key_printed(result: Result) -> None:
    assert CANARY not in result.stdout
    assert CANARY not in result.stderr


def _untouched(project: Path, before: dict[str, tuple[bytes, int, int]], entries: set[str]) -> None:
    """Nothing written: every file's bytes, mode and mtime as they were, and no file or folder added."""
    assert tree(project) == before
    assert set(snapshot(project)) == entries


def test_every_integration_and_case_is_well_formed() -> None:
    assert {"airflow", "dbt", "great_expectations", "spark"} <= {case.integration for case in CASES}
    for case in CASES:
        assert integrations.find(case.command) is not None, f"{case.id}: no command {case.command!r}"
        assert case.before.is_dir(), f"{case.id}: no before/"
        assert {p.name for p in case.folder.iterdir()} <= CASE_FILES, case.id
        assert not case.refused or case.expect(), f"{case.id}: refused, so it needs an expect file"
        case.modes()  # parses


@pytest.mark.parametrize("case", APPLIED, ids=ids)
def test_golden(case: Case, tmp_path: Path) -> None:
    project = case.copy_before(tmp_path / "p")
    expected = case.copy_after(tmp_path / "expected")
    before = modes(project)

    first = case.run(project, "--yes")
    assert first.exit_code == 0, first.output
    _no_key_printed(first)
    for line in case.expect():
        assert line in first.stderr, line
    assert snapshot(project) == snapshot(expected)  # the whole tree: every file's bytes, every folder
    assert modes(project) == expected_modes(case, before, project, CANARY)

    settled, entries = tree(project), set(snapshot(project))
    again = case.run(project, "--yes")
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    _untouched(project, settled, entries)  # bytes, mode and mtime
    check = case.run(project, "--check")
    assert check.exit_code == 0, check.output
    _no_key_printed(again)
    _no_key_printed(check)


@pytest.mark.parametrize("case", APPLIED, ids=ids)
def test_check_and_dry_run_write_nothing(case: Case, tmp_path: Path) -> None:
    project = case.copy_before(tmp_path / "p")
    before, entries = tree(project), set(snapshot(project))

    check = case.run(project, "--check")
    assert check.exit_code == (1 if case.changes else 0), check.output
    if case.changes:
        assert "would change (--check: nothing written)" in check.stderr
    else:
        assert "Nothing to change" in check.stdout
    dry = case.run(project, "--dry-run")
    assert dry.exit_code == 0, dry.output
    if case.changes:
        assert "would change (--dry-run: nothing written)" in dry.stderr
        assert "+" in dry.stdout
    if case.writes(CANARY):
        assert "****" in dry.stdout  # the diff, with the key masked
    _no_key_printed(check)
    _no_key_printed(dry)
    _untouched(project, before, entries)


@pytest.mark.parametrize("case", REFUSED, ids=ids)
@pytest.mark.parametrize("mode", ["--yes", "--check", "--dry-run"])
def test_refused(case: Case, mode: str, tmp_path: Path) -> None:
    project = case.copy_before(tmp_path / "p")
    before, entries = tree(project), set(snapshot(project))
    result = case.run(project, mode)
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    for line in case.expect():
        assert line in result.stderr, line
    _no_key_printed(result)
    _untouched(project, before, entries)


def test_golden_files_are_not_ignored_by_this_repository() -> None:
    stored = [str(p) for p in GOLDEN.rglob("*") if p.is_file()]
    done = subprocess.run(["git", "check-ignore", "--no-index", *stored], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")  # 1: none of them is ignored
