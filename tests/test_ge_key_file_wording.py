"""GE 0.x: the line that says why the config variables file changes names the files that really say the
key's `${VAR}` after the run (a checkpoint's own action_list, great_expectations.yml's operator, or both),
read back from the files themselves, and no other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .helpers import CONN, cli
from .test_cli_great_expectations import LEGACY, V3, _project

CUSTOM = (
    V3.format(name="daily")
    + """\
  - name: openlineage
    action:
      class_name: OpenLineageValidationAction
      module_name: openlineage.common.provider.great_expectations
      openlineage_host: https://lineage.example.com
      openlineage_namespace: dev
      openlineage_apiKey: ${MY_KEY}
"""
)

SHAPES = {
    "v3 checkpoint only": {"daily": V3.format(name="daily")},
    "legacy checkpoint only": {"daily": LEGACY.format(name="daily")},
    "legacy and v3": {"a": LEGACY.format(name="a"), "b": V3.format(name="b")},
    "the user's own variable": {"daily": CUSTOM},
}


def _reason(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if "uncommitted/config_variables.yml   (" in line)
    found = re.search(r"\(the API key, for (.*?)(?:, holds the API key.*)?\)$", line)
    assert found, line
    return found.group(1)


def _named(reason: str) -> dict[str, set[str]]:
    """`${A} in x, y; ${B} in z` as {A: {x, y}, B: {z}}."""
    out: dict[str, set[str]] = {}
    for part in reason.split("; "):
        variable, _, files = part.partition(" in ")
        out[variable.strip("${}")] = set(files.split(", "))
    return out


def _holders(ge: Path) -> dict[str, set[str]]:
    """Every variable a project YAML file (not the variables file) says, and which files say it."""
    out: dict[str, set[str]] = {}
    for path in sorted(ge.rglob("*.yml")):
        if "uncommitted" in path.parts:
            continue
        for variable in re.findall(r"\$\{(\w+)\}", path.read_text()):
            out.setdefault(variable, set()).add(str(path.relative_to(ge)))
    return out


@pytest.mark.parametrize("shape", SHAPES)
def test_the_key_file_line_names_the_files_that_say_the_variable(tmp_path: Path, shape: str) -> None:
    root = _project(tmp_path / "p", SHAPES[shape])
    result = cli(["great-expectations", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 0, result.stderr
    named = _named(_reason(result.stdout))
    assert named == _holders(root / "great_expectations")
    assert all(named.values())


def test_a_checkpoint_project_does_not_send_the_user_to_great_expectations_yml(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    result = cli(["great-expectations", "--dir", str(root), *CONN, "--dry-run"])
    assert _reason(result.stdout) == "${OPENLINEAGE_API_KEY} in checkpoints/daily.yml"
    assert "${OPENLINEAGE_API_KEY}" not in (root / "great_expectations" / "great_expectations.yml").read_text()


def test_many_checkpoints_are_counted_not_listed(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {f"c{n}": V3.format(name=f"c{n}") for n in range(5)})
    result = cli(["great-expectations", "--dir", str(root), *CONN, "--dry-run"])
    reason = _reason(result.stdout)
    assert reason == "${OPENLINEAGE_API_KEY} in checkpoints/c0.yml, checkpoints/c1.yml, checkpoints/c2.yml and 2 more"


def test_with_no_file_saying_it_the_line_says_so(tmp_path: Path) -> None:
    ge = tmp_path / "p" / "great_expectations"
    ge.mkdir(parents=True)
    (ge / "great_expectations.yml").write_text("config_version: 3.0\ndatasources: {}\n")
    result = cli(["great-expectations", "--dir", str(ge.parent), *CONN, "--dry-run"])
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "config_variables.yml   (" in line)
    assert "which no file says yet" in line
    assert "great_expectations.yml" not in line.split("(", 1)[1]
