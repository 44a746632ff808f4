"""Golden before/after trees for `lineage-setup dbt`, applied through the CLI, then re-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CONN, cli, copy_golden, tree

GOLDEN = Path(__file__).parent / "golden" / "dbt"
CASES = sorted(p.name for p in GOLDEN.iterdir())


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / case / "before", project)
    expected = tmp_path / "expected"
    copy_golden(GOLDEN / case / "after", expected)

    first = cli(["dbt", "--dir", str(project), *CONN, "--yes"])
    assert first.exit_code == 0, first.output
    for path in expected.rglob("*"):
        if path.is_file():
            rel = path.relative_to(expected)
            assert (project / rel).read_bytes() == path.read_bytes(), rel
    assert sorted(p.name for p in project.iterdir()) == sorted(p.name for p in expected.iterdir())

    settled = tree(project)
    again = cli(["dbt", "--dir", str(project), *CONN, "--yes"])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(project) == settled  # bytes, mode and mtime


def test_created_config_is_private(tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / "fresh" / "before", project)
    assert cli(["dbt", "--dir", str(project), *CONN, "--yes"]).exit_code == 0
    assert (project / "openlineage.yml").stat().st_mode & 0o777 == 0o600


def test_existing_modes_are_kept(tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / "comments-kept" / "before", project)
    (project / "openlineage.yml").chmod(0o640)
    (project / ".gitignore").chmod(0o664)
    result = cli(["dbt", "--dir", str(project), *CONN, "--yes"])
    assert result.exit_code == 0
    assert (project / "openlineage.yml").stat().st_mode & 0o777 == 0o640
    assert (project / ".gitignore").stat().st_mode & 0o777 == 0o664
    assert "readable by other users (mode 640)" in result.stderr
