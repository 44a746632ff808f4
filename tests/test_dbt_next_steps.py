"""dbt's next steps name the openlineage-dbt version the chosen mode needs, read from `--dry-run` as a user sees
it. File mode (the default) writes a `transform` transport, in openlineage-python since 1.33.0
(https://github.com/OpenLineage/OpenLineage/blob/1.33.0/CHANGELOG.md): the step pins >=1.33 and says why.
`--namespace-from env` writes a plain http transport: neither 1.33 nor Astro's recommended 1.38 applies, so
neither is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CONN, cli


def _run(root: Path, *args: str) -> tuple[list[str], str]:
    result = cli(["dbt", "--dir", str(root), *CONN, "--dry-run", *args])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Next steps:") + 1
    steps = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        steps.append(line.strip())
    assert steps, result.stdout
    return steps, result.stdout + result.stderr


def test_file_mode_pins_openlineage_dbt_1_33_for_the_transform_transport(dbt_project: Path) -> None:
    steps, _ = _run(dbt_project)
    (install,) = [step for step in steps if "pip install" in step]
    assert install.startswith("1. pip install 'openlineage-dbt>=1.33'")
    assert "transform transport" in install and "1.33 or newer" in install
    assert not any("1.38" in step for step in steps)


@pytest.mark.parametrize("version", ["1.33", "1.38"])
def test_env_mode_names_no_minimum_version(dbt_project: Path, version: str) -> None:
    steps, everything = _run(dbt_project, "--namespace-from", "env")
    (install,) = [step for step in steps if "pip install" in step]
    assert install == "1. pip install openlineage-dbt"
    assert version not in everything
    assert any("export OPENLINEAGE_NAMESPACE=dev" in step for step in steps)
