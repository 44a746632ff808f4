"""dbt's own golden checks; every case is applied and re-run by test_golden.py (format: golden_cases.py)."""

from __future__ import annotations

from pathlib import Path

from .golden_cases import Case

FRESH, COMMENTS_KEPT = Case("dbt", "fresh"), Case("dbt", "comments-kept")


def test_created_config_is_private(tmp_path: Path) -> None:
    project = FRESH.copy_before(tmp_path / "p")
    assert FRESH.run(project, "--yes").exit_code == 0
    assert (project / "openlineage.yml").stat().st_mode & 0o777 == 0o600


def test_existing_modes_are_kept(tmp_path: Path) -> None:
    project = COMMENTS_KEPT.copy_before(tmp_path / "p")
    (project / "openlineage.yml").chmod(0o640)
    (project / ".gitignore").chmod(0o664)
    result = COMMENTS_KEPT.run(project, "--yes")
    assert result.exit_code == 0
    assert (project / "openlineage.yml").stat().st_mode & 0o777 == 0o640
    assert (project / ".gitignore").stat().st_mode & 0o777 == 0o664
    assert "readable by other users (mode 640)" in result.stderr
