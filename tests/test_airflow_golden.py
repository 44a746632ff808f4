"""Airflow's own golden checks; every case is applied and re-run by test_golden.py (format: golden_cases.py)."""

from __future__ import annotations

from pathlib import Path

from .golden_cases import GOLDEN as ALL
from .golden_cases import Case

GOLDEN = ALL / "airflow"  # test_airflow_consumers reads the cases from here


def case_args(case: str) -> list[str]:
    """The case's extra arguments (its `args` file, one per line)."""
    return Case("airflow", case).args()


def test_created_env_is_private(tmp_path: Path) -> None:
    case = Case("airflow", "plain-2.2-fresh")
    project = case.copy_before(tmp_path / "p")
    assert case.run(project, "--yes").exit_code == 0
    assert (project / ".env").stat().st_mode & 0o777 == 0o600
    assert (project / "requirements.txt").stat().st_mode & 0o777 != 0o600  # only the key's file is private


def test_existing_env_keeps_its_mode_with_a_warning(tmp_path: Path) -> None:
    case = Case("airflow", "astro-4.1.0")
    project = case.copy_before(tmp_path / "p")
    (project / ".env").chmod(0o644)
    result = case.run(project, "--yes")
    assert result.exit_code == 0
    assert (project / ".env").stat().st_mode & 0o777 == 0o644
    assert "readable by other users (mode 644); run: chmod 600 .env" in result.stderr
