"""--help of every command fits 80 columns and cuts nothing: no value list broken mid-word, nothing elided."""

from __future__ import annotations

import pytest

from lineage_setup.cli import OTHERS
from lineage_setup.integrations import ALIASES, REGISTRY

from .helpers import cli

COMMANDS = [*REGISTRY, *ALIASES, *OTHERS]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_80_columns(command: str) -> None:
    result = cli([command, "--help"] if command else ["--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    for line in lines:  # a metavar or a flag is never split across lines
        assert not line.rstrip(" │").endswith(("|", "<", "-", "_")), line
        for cell in line.split("│"):  # nor a <a|b|c> list, in any column (remove's argument was)
            assert cell.count("<") == cell.replace("->", "").count(">"), line


@pytest.mark.parametrize(
    ("command", "flag"), [("spark", "--spark-conf"), ("databricks", "--script"), ("dbt", "--api-key-file")]
)
def test_path_options_say_path(command: str, flag: str) -> None:
    lines = cli([command, "--help"], env={"COLUMNS": "100"}).stdout.splitlines()
    assert any(line.split()[1:3] == [flag, "PATH"] for line in lines if flag in line)


@pytest.mark.parametrize("command", ["init", "verify", "dbt", "spark"])
def test_the_namespace_example_fits_the_command(command: str) -> None:
    shown = cli([command, "--help"], env={"COLUMNS": "120"}).stdout
    assert ("e.g. prod" if command in ("init", "verify") else f"e.g. {command}-prod") in shown
    assert command == "dbt" or "dbt-prod" not in shown


def test_defaults_and_aliases_are_shown() -> None:
    assert "default: 5000" in cli(["listen", "--help"], env={"COLUMNS": "80"}).stdout
    assert "default: 10.0" in cli(["verify", "--help"], env={"COLUMNS": "80"}).stdout
    assert "alias: astronomer" in cli(["airflow", "--help"], env={"COLUMNS": "120"}).stdout
    assert "e.g. spark-prod" in cli(["spark", "--help"], env={"COLUMNS": "120"}).stdout
