"""A relative path in an option (--spark-conf, --script) is relative to --dir, the project, not to the folder
the command runs in (the help says --dir is the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CONN, cli


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["spark", "--spark-conf", "conf/spark-defaults.conf"], "conf/spark-defaults.conf"),
        (["databricks", "--script", "scripts/openlineage-init.sh"], "scripts/openlineage-init.sh"),
    ],
    ids=["spark", "databricks"],
)
def test_relative_option_paths_land_in_the_project(
    args: list[str], written: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    (project / Path(written).parent).mkdir(parents=True)
    (elsewhere / Path(written).parent).mkdir(parents=True)
    monkeypatch.chdir(elsewhere)  # the same relative folder exists here too: it must stay empty
    result = cli([*args, "--dir", str(project), *CONN, "--yes"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / written).is_file()
    assert not (elsewhere / written).exists()
