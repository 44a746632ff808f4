"""Golden before/after trees for `lineage-setup airflow`, applied through the CLI, then re-run.

Each case holds `args` (extra arguments, one per line), `before/` and `after/`. Files and folders
whose names start with `.` are stored as `dot-<name>` so that they do not apply to this repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .helpers import CANARY, CONN, cli, copy_golden, files, tree

GOLDEN = Path(__file__).parent / "golden" / "airflow"
CASES = sorted(p.name for p in GOLDEN.iterdir())


def case_args(case: str) -> list[str]:
    return (GOLDEN / case / "args").read_text().splitlines()


def run_case(case: str, project: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli(["airflow", "--dir", str(project), *CONN, *case_args(case), *extra])


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    project, expected = tmp_path / "p", tmp_path / "expected"
    copy_golden(GOLDEN / case / "before", project)
    copy_golden(GOLDEN / case / "after", expected)

    first = run_case(case, project, "--yes")
    assert first.exit_code == 0, first.output
    assert files(project) == files(expected)
    assert CANARY not in first.stdout + first.stderr

    settled = tree(project)
    again = run_case(case, project, "--yes")
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(project) == settled  # bytes, mode and mtime
    assert run_case(case, project, "--check").exit_code == 0


@pytest.mark.parametrize("case", CASES)
def test_check_then_dry_run_write_nothing(case: str, tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / case / "before", project)
    before = tree(project)
    changes = files(GOLDEN / case / "before") != files(GOLDEN / case / "after")
    assert run_case(case, project, "--check").exit_code == (1 if changes else 0)
    dry = run_case(case, project, "--dry-run")
    assert dry.exit_code == 0
    assert tree(project) == before
    assert CANARY not in dry.stdout + dry.stderr


def test_golden_files_are_not_ignored_by_this_repository() -> None:
    stored = [str(p) for p in GOLDEN.rglob("*") if p.is_file()]
    done = subprocess.run(["git", "check-ignore", "--no-index", *stored], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")  # 1: none of them is ignored


def test_created_env_is_private(tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / "plain-2.2-fresh" / "before", project)
    assert run_case("plain-2.2-fresh", project, "--yes").exit_code == 0
    assert (project / ".env").stat().st_mode & 0o777 == 0o600
    assert (project / "requirements.txt").stat().st_mode & 0o777 != 0o600  # only the key's file is private


def test_existing_env_keeps_its_mode_with_a_warning(tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / "astro-4.1.0" / "before", project)
    (project / ".env").chmod(0o644)
    result = run_case("astro-4.1.0", project, "--yes")
    assert result.exit_code == 0
    assert (project / ".env").stat().st_mode & 0o777 == 0o644
    assert "readable by other users (mode 644); run: chmod 600 .env" in result.stderr
