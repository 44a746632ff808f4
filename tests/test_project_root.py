"""Run from a folder inside a project, dbt and airflow find the project above it, as git does: an Astro
project's dags/ never gets a .env or requirements.txt of its own."""

from __future__ import annotations

from pathlib import Path

from .helpers import CANARY, CONN, cli


def test_dbt_from_a_models_folder(dbt_project: Path) -> None:
    inner = dbt_project / "models" / "marts"
    inner.mkdir(parents=True)
    result = cli(["dbt", "--dir", str(inner), *CONN, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Using the dbt project at {dbt_project}" in result.stderr
    assert (dbt_project / "openlineage.yml").is_file() and not (inner / "openlineage.yml").exists()


def test_airflow_from_dags(tmp_path: Path) -> None:
    root = tmp_path / "astro"
    (root / ".astro").mkdir(parents=True)
    (root / ".astro" / "config.yaml").write_text("project:\n  name: etl\n")
    (root / "Dockerfile").write_text("FROM quay.io/astronomer/astro-runtime:4.1.0\n")
    (root / "dags").mkdir()
    result = cli(["airflow", "--dir", str(root / "dags"), *CONN, "--yes"])
    assert result.exit_code == 0, result.output
    assert (root / ".env").is_file() and (root / "requirements.txt").is_file()
    assert not (root / "dags" / ".env").exists() and not (root / "dags" / "requirements.txt").exists()
    assert CANARY not in result.output


def test_a_project_folder_itself_is_used_as_given(dbt_project: Path, tmp_path: Path) -> None:
    nested = dbt_project / "sub"
    nested.mkdir()
    (nested / "dbt_project.yml").write_text("name: inner\nprofile: inner\n")
    assert cli(["dbt", "--dir", str(nested), *CONN, "--yes"]).exit_code == 0
    assert (nested / "openlineage.yml").is_file() and not (dbt_project / "openlineage.yml").exists()
