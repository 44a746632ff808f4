"""Git's view of the project is git's own: asked with the user's environment, and asked again after
planning about every file that will hold the key (tracked, or not ignored even after our .gitignore edit:
refused, exit 3, naming the rule); a second run never grows .gitignore again."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .helpers import CANARY, CONN, cli, files, git


def _dotfiles(tmp_path: Path, name: str, text: str) -> tuple[Path, dict[str, str]]:
    """A bare-repository dotfiles setup: the work tree has no .git; GIT_DIR and GIT_WORK_TREE say where."""
    work, bare = tmp_path / "home", tmp_path / "dotfiles.git"
    work.mkdir(exist_ok=True)
    (work / name).parent.mkdir(parents=True, exist_ok=True)
    (work / name).write_text(text)
    git(tmp_path, "init", "-q", "--bare", str(bare))
    env = {"GIT_DIR": str(bare), "GIT_WORK_TREE": str(work)}
    done = subprocess.run(["git", "add", name], cwd=work, env={**os.environ, **env}, capture_output=True)
    assert done.returncode == 0, done.stderr
    return work, env


@pytest.mark.parametrize(
    ("name", "args", "text"),
    [
        ("openlineage.yml", ["dbt"], "transport:\n  type: console\n"),
        (".env", ["airflow", "--airflow-version", "2.7"], "A=1\n"),
        ("conf/spark-defaults.conf", ["spark", "--spark-conf", "conf/spark-defaults.conf"], "spark.master local\n"),
    ],
)
def test_tracked_through_git_dir_is_refused(tmp_path: Path, name: str, args: list[str], text: str) -> None:
    work, env = _dotfiles(tmp_path, name, text)
    if args[0] == "dbt":
        (work / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    before = files(work)
    old = os.getcwd()
    os.chdir(work)  # --spark-conf is relative to the current directory
    try:
        result = cli([*args, "--dir", str(work), *CONN, "--yes"], env=env)
    finally:
        os.chdir(old)
    assert result.exit_code == 3, result.output
    assert "tracked by git" in result.stderr
    assert files(work) == before
    assert CANARY not in result.output


def _negated(root: Path) -> Path:
    """A project whose conf/ folder un-ignores the key's file with a rule of its own."""
    git(root, "init", "-q")
    (root / "conf").mkdir()
    (root / "conf" / ".gitignore").write_text("# keep every conf file\n!spark-defaults.conf\n")
    (root / "conf" / "spark-defaults.conf").write_text("spark.master local\n")
    return root / "conf" / "spark-defaults.conf"


def test_not_ignored_key_file_is_refused_with_the_rule(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    conf = _negated(root)
    before = files(root)
    result = cli(["spark", "--spark-conf", str(conf), "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 3, result.output
    assert "conf/.gitignore:2: !spark-defaults.conf un-ignores it" in result.stderr
    assert files(root) == before


def test_not_ignored_key_file_without_a_rule_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    git(root, "init", "-q")
    (root / "spark-defaults.conf").write_text("spark.master local\n")
    result = cli(["spark", "--spark-conf", str(root / "spark-defaults.conf"), "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 3, result.output
    assert "no ignore rule names it" in result.stderr


def test_deeper_negation_beats_our_gitignore_line(tmp_path: Path) -> None:
    """Our line goes into the project's .gitignore; a deeper folder's `!name` still wins, and git says so."""
    root = tmp_path / "p"
    (root / "app").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "app" / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    (root / "app" / ".gitignore").write_text("!openlineage.yml\n")
    result = cli(["dbt", "--dir", str(root / "app"), *CONN, "--yes"])
    assert result.exit_code == 0, result.output  # same folder: our line comes last and wins
    check = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "app/openlineage.yml"], check=False)
    assert check.returncode == 0


def test_second_run_never_grows_gitignore(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    git(root, "init", "-q")
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    (root / ".gitignore").write_text("!openlineage.yml\n")  # un-ignored first: our forced line fixes it
    assert cli(["dbt", "--dir", str(root), *CONN, "--yes"]).exit_code == 0
    settled = (root / ".gitignore").read_bytes()
    for _ in range(2):
        again = cli(["dbt", "--dir", str(root), *CONN, "--yes"])
        assert again.exit_code == 0, again.output
        assert (root / ".gitignore").read_bytes() == settled
