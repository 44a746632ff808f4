"""The wizard's scan: every kind of project by its marker files, nested ones, ignored and skipped folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lineage_setup import finder

from .helpers import git


def _files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


MONOREPO = {
    "analytics/dbt_project.yml": "name: jaffle\nprofile: jaffle\n",
    "analytics/nested/dbt_project.yml": "name: inner\nprofile: inner\n",
    "orchestration/Dockerfile": "FROM quay.io/astronomer/astro-runtime:9.2.0\n",
    "orchestration/.astro/config.yaml": "project:\n  name: etl\n",
    "quality/great_expectations/great_expectations.yml": "config_version: 3.0\n",
    "conf/spark-defaults.conf": "spark.master local\n",
    "cluster/databricks.yml": "bundle:\n  name: b\n",
    "web/node_modules/x/dbt_project.yml": "name: vendored\n",
    ".hidden/dbt_project.yml": "name: hidden\n",
    "venv/pyvenv.cfg": "home = /usr\n",
    "venv/lib/dbt_project.yml": "name: in-venv\n",
}
FOUND = {
    ("dbt", "analytics"),
    ("dbt", "analytics/nested"),
    ("airflow", "orchestration"),
    ("great-expectations", "quality"),
    ("spark", "conf"),
    ("databricks", "cluster"),
}


def _found(scan: finder.Scan) -> set[tuple[str, str]]:
    return {(c.entry.name, c.folder.relative_to(scan.root).as_posix()) for c in scan.candidates}


@pytest.mark.parametrize("in_git", [False, True], ids=["tree", "git"])
def test_every_kind_nested_projects_and_skipped_folders(tmp_path: Path, in_git: bool) -> None:
    _files(tmp_path, MONOREPO)
    if in_git:
        git(tmp_path, "init", "-q")
        (tmp_path / ".gitignore").write_text("venv/\n")
    scan = finder.scan(tmp_path)
    assert _found(scan) == FOUND
    assert scan.walked == ("git ls-files" if in_git else "the tree")


def test_git_ignored_folders_are_not_looked_in(tmp_path: Path) -> None:
    _files(tmp_path, {"a/dbt_project.yml": "name: a\n", "ignored/dbt_project.yml": "name: b\n"})
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("ignored/\n")
    assert _found(finder.scan(tmp_path)) == {("dbt", "a")}


def test_max_depth(tmp_path: Path) -> None:
    _files(tmp_path, {"a/b/c/d/dbt_project.yml": "name: deep\n", "a/dbt_project.yml": "name: a\n"})
    assert _found(finder.scan(tmp_path, max_depth=2)) == {("dbt", "a")}
    assert _found(finder.scan(tmp_path, max_depth=4)) == {("dbt", "a"), ("dbt", "a/b/c/d")}


def test_linked_folders_are_not_followed_and_loops_end(tmp_path: Path) -> None:
    _files(tmp_path, {"real/dbt_project.yml": "name: r\n"})
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert _found(finder.scan(tmp_path)) == {("dbt", "real")}


def test_unreadable_folder_is_skipped_when_walking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a normal user sees it (root reads everything): os.walk's error for a folder becomes a skip."""
    _files(tmp_path, {"ok/dbt_project.yml": "name: ok\n", "locked/dbt_project.yml": "name: x\n"})
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    scan = finder.scan(tmp_path)
    assert _found(scan) == {("dbt", "ok")}
    assert [(p.name, why) for p, why in scan.skipped] == [("locked", "Permission denied")]


def test_spark_conf_dir_from_the_environment(tmp_path: Path) -> None:
    conf = tmp_path / "spark" / "conf"
    _files(conf, {"spark-defaults.conf": "spark.master local\n"})
    (tmp_path / "repo").mkdir()
    scan = finder.scan(tmp_path / "repo", env={"SPARK_HOME": str(tmp_path / "spark")})
    assert [(c.entry.name, c.folder) for c in scan.candidates] == [("spark", conf.resolve())]
