"""`lineage-setup init` (and bare `lineage-setup`), `demo` and `settings`, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage_setup import fs, writer

from .helpers import CANARY, cli, files, tree

CONN = ["--url", "https://lineage.example.com", "--api-key", CANARY]


def _repo(root: Path) -> Path:
    for rel, text in {
        "analytics/dbt_project.yml": "name: jaffle\nprofile: jaffle\n",
        "marts/dbt_project.yml": "name: marts\nprofile: marts\n",
        "docs/README.md": "no project here\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_bare_command_without_a_terminal_prints_help_and_exits_0() -> None:
    result = cli([])
    assert result.exit_code == 0
    assert "Usage" in result.stdout and "init" in result.stdout


def test_init_sets_up_every_project_found_then_nothing_to_change(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    first = cli(["init", "--dir", str(root), *CONN, "--yes"])
    assert first.exit_code == 0, first.output
    assert "jaffle" in first.stdout and "marts" in first.stdout
    for project, namespace in (("analytics", "jaffle"), ("marts", "marts")):  # each its own name by default
        config = (root / project / "openlineage.yml").read_text()
        assert f'new_job_namespace: "{namespace}"' in config
        assert (root / project / "openlineage.yml").stat().st_mode & 0o777 == 0o600
    assert CANARY not in first.output
    settled = tree(root)
    again = cli(["init", "--dir", str(root), *CONN, "--yes"])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(root) == settled


def test_check_over_the_repository_exits_1_before_and_0_after(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    before = tree(root)
    assert cli(["init", "--dir", str(root), *CONN, "--check"]).exit_code == 1
    assert tree(root) == before
    assert cli(["init", "--dir", str(root), *CONN, "--yes"]).exit_code == 0
    assert cli(["init", "--dir", str(root), *CONN, "--check"]).exit_code == 0


@pytest.mark.parametrize(
    ("selection", "configured"),
    [
        (["--only", "analytics"], {"analytics"}),
        (["--only", "dbt", "--exclude", "marts"], {"analytics"}),
        (["--exclude", "analytics/"], {"marts"}),
    ],
)
def test_only_and_exclude_take_names_or_paths(tmp_path: Path, selection: list[str], configured: set[str]) -> None:
    root = _repo(tmp_path / "repo")
    result = cli(["init", "--dir", str(root), *CONN, "--namespace", "one", *selection, "--yes"])
    assert result.exit_code == 0, result.output
    assert {p.parent.name for p in root.rglob("openlineage.yml")} == configured


def test_only_naming_nothing_found_is_exit_2(tmp_path: Path) -> None:
    result = cli(["init", "--dir", str(_repo(tmp_path / "repo")), *CONN, "--only", "nowhere", "--yes"])
    assert result.exit_code == 2
    assert "nothing found matches nowhere" in result.stderr


def test_every_missing_answer_in_one_message(tmp_path: Path) -> None:
    result = cli(["init", "--dir", str(_repo(tmp_path / "repo")), "--no-input", "--yes"])
    assert result.exit_code == 2
    assert "missing answers (no terminal to ask in): the OpenLineage endpoint" in result.stderr
    assert "the API key: pass --api-key-file (or --api-key)" in result.stderr


def test_one_unit_a_failure_on_the_second_file_restores_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(tmp_path / "repo")
    before = files(root)
    real, written = fs.atomic_write, []

    def fail_second(*args: object, **kwargs: object) -> None:
        if len(written) == 1:
            raise OSError(28, "No space left on device", "x")
        written.append(args)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.fs, "atomic_write", fail_second)
    result = cli(["init", "--dir", str(root), *CONN, "--yes"])
    assert result.exit_code == 1, result.output
    assert "no file was changed" in result.stderr
    assert files(root) == before


def test_nothing_found(tmp_path: Path) -> None:
    result = cli(["init", "--dir", str(tmp_path), *CONN, "--yes"])
    assert result.exit_code == 0
    assert "Nothing to set up here" in result.stderr


def _private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    return folder


def test_demo_works_offline_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = _private_tmp(tmp_path, monkeypatch)
    home = Path.home()
    before = tree(home)
    result = cli(["demo"])
    assert result.exit_code == 0, result.output
    assert "START    demo/lineage-setup.verify" in result.stdout
    assert "COMPLETE demo/lineage-setup.verify" in result.stdout
    assert "2 events arrived" in result.stdout
    assert list(scratch.iterdir()) == []  # the sample repository is gone
    assert tree(home) == before  # nothing saved, nothing written outside the temporary folder


def test_demo_keep_prints_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = _private_tmp(tmp_path, monkeypatch)
    result = cli(["demo", "--keep"])
    assert result.exit_code == 0, result.output
    [kept] = list(scratch.iterdir())
    assert f"kept in {kept}" in result.stdout
    assert (kept / "dbt" / "openlineage.yml").is_file()


def test_settings_show_and_forget(tmp_path: Path) -> None:
    env = {"LINEAGE_SETUP_CONFIG": str(tmp_path / "s.toml")}
    assert "No saved settings" in cli(["settings"], env=env).stdout
    (tmp_path / "s.toml").write_text('url = "https://saved.example"\nendpoint = "api/v1/lineage"\n')
    shown = cli(["settings"], env=env)
    assert shown.exit_code == 0 and "https://saved.example" in shown.stdout and str(tmp_path / "s.toml") in shown.stdout
    forgot = cli(["settings", "--forget"], env=env)
    assert forgot.exit_code == 0 and not (tmp_path / "s.toml").exists()
