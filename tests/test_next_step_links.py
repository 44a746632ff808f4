"""Each integration's next steps end with one line linking the upstream page they follow, read from `--dry-run`
as a user sees it (the numbered list under "Next steps:") and from --json's steps.

Where each page is (checked, not guessed):
- OpenLineage's pages are in OpenLineage/OpenLineage@1.52.0 website/docs/integrations/: dbt.md, spark/spark.md,
  spark/quickstart/quickstart_databricks.md, great-expectations.md, and airflow.md (which sends Airflow < 2.7,
  openlineage-airflow, to its 1.41 docs).
- https://airflow.apache.org/docs/apache-airflow-providers-openlineage/stable/guides/user.html ("Using OpenLineage
  integration"); https://www.astronomer.io/docs/astro/observe-openlineage ("Configure OpenLineage on Astro");
  https://docs.greatexpectations.io/docs/core/trigger_actions_based_on_results/create_a_custom_action (GX 1.x).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from .golden_cases import Case, cases
from .helpers import CONN, cli, copy_golden

DBT = "https://openlineage.io/docs/integrations/dbt"
SPARK = "https://openlineage.io/docs/integrations/spark/"
DATABRICKS = "https://openlineage.io/docs/integrations/spark/quickstart/quickstart_databricks"
GE = "https://openlineage.io/docs/integrations/great-expectations"
GX1 = "https://docs.greatexpectations.io/docs/core/trigger_actions_based_on_results/create_a_custom_action"
PROVIDER = "https://airflow.apache.org/docs/apache-airflow-providers-openlineage/stable/guides/user.html"
ASTRO = "https://www.astronomer.io/docs/astro/observe-openlineage"
OPENLINEAGE_AIRFLOW = "https://openlineage.io/docs/integrations/airflow"
CUSTOM = ["--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CONN[-1]]


def _files(tree: dict[str, str]) -> Callable[[Path], list[str]]:
    def build(root: Path) -> list[str]:
        for rel, text in tree.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        return []

    return build


def _golden(integration: str, name: str, *extra: str) -> Callable[[Path], list[str]]:
    def build(root: Path) -> list[str]:
        case = Case(integration, name)
        root.rmdir()
        copy_golden(case.before, root)
        return [*case.args(root), *extra]

    return build


def _spark(root: Path) -> list[str]:
    return ["--spark-conf", str(root / "spark-defaults.conf")]


DBT_PROJECT = {"dbt_project.yml": "name: jaffle\nprofile: jaffle\n"}
CASES = {
    "dbt": ("dbt", _files(DBT_PROJECT), DBT),
    "dbt --namespace-from env": ("dbt", lambda root: [*_files(DBT_PROJECT)(root), "--namespace-from", "env"], DBT),
    "spark": ("spark", _spark, SPARK),
    "databricks": ("databricks", _files({}), DATABRICKS),
    "great expectations 0.x": ("great-expectations", _golden("great_expectations", "fresh"), GE),
    "gx 1.x": ("great-expectations", _golden("gx1", "minimal-config"), GX1),
    "airflow 2.9 (provider)": ("airflow", lambda root: ["--airflow-version", "2.9"], PROVIDER),
    "airflow 3.0 (provider)": ("airflow", lambda root: ["--airflow-version", "3.0"], PROVIDER),
    "airflow 2.6 (openlineage-airflow)": ("airflow", lambda root: ["--airflow-version", "2.6"], OPENLINEAGE_AIRFLOW),
    "astro 9.2.0, another endpoint": (
        "airflow",
        _files({"Dockerfile": "FROM quay.io/astronomer/astro-runtime:9.2.0\n"}),
        ASTRO,
    ),
    "astro 3.0-1 (Airflow 3)": (
        "airflow",
        _files({"Dockerfile": "FROM astrocrpublic.azurecr.io/runtime:3.0-1\n"}),
        ASTRO,
    ),
    "astro 4.1.0 (before Astro configured lineage)": (
        "airflow",
        _files({"Dockerfile": "FROM quay.io/astronomer/astro-runtime:4.1.0\n"}),
        OPENLINEAGE_AIRFLOW,
    ),
}


def _numbered(stdout: str) -> list[str]:
    """The numbered steps under "Next steps:" (a step's continuation lines left out)."""
    lines = stdout.splitlines()
    assert "Next steps:" in lines, stdout
    steps = []
    for line in lines[lines.index("Next steps:") + 1 :]:
        if not line.startswith("  "):
            break
        numbered = re.match(r"\s+(\d+)\. (.*)", line)
        if numbered:
            steps.append(numbered.group(2))
    return steps


@pytest.mark.parametrize("name", CASES)
def test_the_last_next_step_links_the_tools_upstream_docs(tmp_path: Path, name: str) -> None:
    command, build, url = CASES[name]
    root = tmp_path / "p"
    root.mkdir()
    extra = build(root)
    args = [command, "--dir", str(root), *CUSTOM, *extra, "--dry-run"]
    result = cli(args)
    assert result.exit_code == 0, result.output
    steps = _numbered(result.stdout)
    assert steps[-1] == f"docs: {url}"
    assert sum("docs: " in step for step in steps) == 1
    document = json.loads(cli([*args, "--json"]).stdout)
    assert document["steps"][-1] == f"docs: {url}"


SETUPS = [case for case in cases() if not case.refused]


@pytest.mark.parametrize("case", SETUPS, ids=lambda case: case.id)
def test_every_golden_setup_ends_with_one_docs_line(tmp_path: Path, case: Case) -> None:
    """Every path a golden case takes (adding, replacing, re-runs, each Runtime) ends on exactly one link."""
    root = case.copy_before(tmp_path / "p")
    result = case.run(root, "--dry-run", "--json")
    steps = json.loads(result.stdout)["steps"]
    assert steps, case.id
    assert [step for step in steps if step.startswith("docs: ")] == [steps[-1]]
    assert steps[-1] in {f"docs: {url}" for *_, url in CASES.values()}
