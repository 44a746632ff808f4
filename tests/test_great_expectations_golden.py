"""Golden before/after trees for `lineage-setup great-expectations`, applied through the CLI.

Each case in golden/great_expectations/ is a project (`before/`) and what the command must leave
(`after/`, byte for byte); a case without `after/` must be refused (exit 3, nothing written) with
the lines of its `expect` file on stderr. An `args` file adds flags. Re-runs change nothing, the
key (CANARY) is only ever in the config variables file, and `--check`/`--dry-run` write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CANARY, CONN, cli, copy_golden, files, tree

GOLDEN = Path(__file__).parent / "golden" / "great_expectations"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "after").is_dir())
REFUSED = sorted(p.name for p in GOLDEN.iterdir() if not (p / "after").is_dir())


def _args(case: str) -> list[str]:
    extra = GOLDEN / case / "args"
    return extra.read_text().split() if extra.exists() else []


def _run(project: Path, case: str, *mode: str):  # type: ignore[no-untyped-def]
    return cli(["great-expectations", "--dir", str(project), *CONN, *_args(case), *mode])


def _no_key_printed(result) -> None:  # type: ignore[no-untyped-def]
    assert CANARY not in result.stdout
    assert CANARY not in result.stderr


def test_every_case_is_complete() -> None:
    assert len(CASES) >= 10 and len(REFUSED) >= 5
    for case in REFUSED:
        assert (GOLDEN / case / "expect").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    project, expected = tmp_path / "p", tmp_path / "expected"
    copy_golden(GOLDEN / case / "before", project)
    copy_golden(GOLDEN / case / "after", expected)

    first = _run(project, case, "--yes")
    assert first.exit_code == 0, first.output
    _no_key_printed(first)
    assert files(project) == files(expected)

    settled = tree(project)
    again = _run(project, case, "--yes")
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(project) == settled  # bytes, mode and mtime
    assert _run(project, case, "--check").exit_code == 0


@pytest.mark.parametrize("case", CASES)
def test_key_only_in_the_variables_file(case: str) -> None:
    after = GOLDEN / case / "after"
    holders = sorted(str(p.relative_to(after)) for p in after.rglob("*") if p.is_file() and CANARY in p.read_text())
    assert holders and all(name.endswith("uncommitted/config_variables.yml") for name in holders), holders


@pytest.mark.parametrize("case", CASES)
def test_check_and_dry_run_write_nothing(case: str, tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / case / "before", project)
    before = tree(project)
    check = _run(project, case, "--check")
    assert check.exit_code == 1, check.output
    assert "would change (--check: nothing written)" in check.stderr
    dry = _run(project, case, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "+" in dry.stdout and "****" in dry.stdout  # the diff, with the key masked
    _no_key_printed(check)
    _no_key_printed(dry)
    assert tree(project) == before


@pytest.mark.parametrize("case", REFUSED)
def test_refused(case: str, tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / case / "before", project)
    before = tree(project)
    result = _run(project, case, "--yes")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    for line in (GOLDEN / case / "expect").read_text().splitlines():
        assert line in result.stderr, line
    _no_key_printed(result)
    assert tree(project) == before


def test_created_variables_file_is_private(tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / "fresh" / "before", project)
    assert _run(project, "fresh", "--yes").exit_code == 0
    assert (project / "uncommitted" / "config_variables.yml").stat().st_mode & 0o777 == 0o600
    assert (project / "great_expectations.yml").stat().st_mode & 0o777 != 0o600
