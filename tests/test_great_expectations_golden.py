"""Great Expectations' own golden checks; every case (applied or refused) is run by test_golden.py
(format: golden_cases.py). Here: enough cases of each kind, the key only ever in the config variables
file, and that file created private."""

from __future__ import annotations

from pathlib import Path

import pytest

from .golden_cases import Case, cases, ids
from .helpers import CANARY

CASES = [case for case in cases("great_expectations") if not case.refused]
REFUSED = [case for case in cases("great_expectations") if case.refused]


def test_every_case_is_complete() -> None:
    assert len(CASES) >= 10 and len(REFUSED) >= 5
    for case in REFUSED:
        assert (case.folder / "expect").is_file(), case.id


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_key_only_in_the_variables_file(case: Case) -> None:
    after = case.after
    assert after is not None
    holders = sorted(str(p.relative_to(after)) for p in after.rglob("*") if p.is_file() and CANARY in p.read_text())
    assert holders and all(name.endswith("uncommitted/config_variables.yml") for name in holders), holders


def test_created_variables_file_is_private(tmp_path: Path) -> None:
    case = Case("great_expectations", "fresh")
    project = case.copy_before(tmp_path / "p")
    assert case.run(project, "--yes").exit_code == 0
    assert (project / "uncommitted" / "config_variables.yml").stat().st_mode & 0o777 == 0o600
    assert (project / "great_expectations.yml").stat().st_mode & 0o777 != 0o600
