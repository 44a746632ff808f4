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


def test_defaults_and_aliases_are_shown() -> None:
    assert "default: 5000" in cli(["listen", "--help"], env={"COLUMNS": "80"}).stdout
    assert "default: 10.0" in cli(["verify", "--help"], env={"COLUMNS": "80"}).stdout
    assert "alias: astronomer" in cli(["airflow", "--help"], env={"COLUMNS": "120"}).stdout
    assert "e.g. spark-prod" in cli(["spark", "--help"], env={"COLUMNS": "120"}).stdout
