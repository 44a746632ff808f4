"""`lineage-setup dbt` through the real CLI: modes, exit codes, git safety, and the key kept secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lineage_setup import runner

from .helpers import CANARY, CONN, cli, git, tree


def _no_key(result) -> None:  # type: ignore[no-untyped-def]
    assert CANARY not in result.stdout
    assert CANARY not in result.stderr


def test_missing_project_is_exit_2(empty_dir: Path) -> None:
    result = cli(["dbt", "--dir", str(empty_dir), *CONN, "--yes"])
    assert result.exit_code == 2
    assert f"no dbt_project.yml in {empty_dir.resolve()}" in result.stderr
    assert list(empty_dir.iterdir()) == []


def test_dir_must_exist(tmp_path: Path) -> None:
    result = cli(["dbt", "--dir", str(tmp_path / "nope"), *CONN])
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--domain", "https://astronomer.io", "--namespace", "dev", "--api-key", CANARY],
            "--domain: expects a domain, not a URL; did you mean 'astronomer.io'",
        ),
        (
            ["--url", "lineage.example.com", "--namespace", "dev", "--api-key", CANARY],
            "--url: 'lineage.example.com' has no scheme",
        ),
        (
            ["--url", "https://h.example", "--namespace", "dev ops", "--api-key", CANARY],
            "--namespace: whitespace is not allowed",
        ),
        (
            ["--url", "https://h.example", "--namespace", "dev", "--api-key", f"Bearer {CANARY}"],
            "--api-key: paste the key without the 'Bearer ' prefix",
        ),
        (
            ["--url", "https://h.example", "--namespace", "dev", "--api-key", f"{CANARY}$x"],
            "--api-key: the API key contains '$'",
        ),
        (
            ["--url", "https://h.example", "--namespace", "dev"],
            "missing the API key: pass --api-key-file (or --api-key) or set OPENLINEAGE_API_KEY",
        ),
        (["--namespace", "dev", "--api-key", CANARY], "missing the OpenLineage endpoint"),
        ([*CONN, "--check", "--dry-run"], "--check and --dry-run cannot be combined"),
        ([*CONN, "--format", "yaml"], "--format applies only with --print"),
    ],
)
def test_bad_input_is_exit_2_one_line_nothing_written(dbt_project: Path, args: list[str], message: str) -> None:
    before = tree(dbt_project)
    result = cli(["dbt", "--dir", str(dbt_project), *args, "--yes"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"lineage-setup: {message}" or message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert tree(dbt_project) == before
    _no_key(result)


def test_unknown_choice_is_exit_2(dbt_project: Path) -> None:
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--namespace-from", "bogus"])
    assert result.exit_code == 2


def test_without_terminal_or_yes_shows_diff_and_writes_nothing(dbt_project: Path) -> None:
    before = tree(dbt_project)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN])
    assert result.exit_code == 2
    assert "pass --yes to apply" in result.stderr
    assert '+      apiKey: "****"' in result.stdout
    assert tree(dbt_project) == before
    _no_key(result)


def test_dry_run_shows_masked_diff_and_writes_nothing(dbt_project: Path) -> None:
    before = tree(dbt_project)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run"])
    assert result.exit_code == 0
    assert "+++ b/openlineage.yml" in result.stdout
    assert "create  openlineage.yml" in result.stdout
    assert "--dry-run: nothing written" in result.stderr
    assert tree(dbt_project) == before
    _no_key(result)


def test_check_exits_1_then_0(dbt_project: Path) -> None:
    first = cli(["dbt", "--dir", str(dbt_project), *CONN, "--check"])
    assert first.exit_code == 1
    assert "2 files would change" in first.stderr
    assert not (dbt_project / "openlineage.yml").exists()
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"]).exit_code == 0
    second = cli(["dbt", "--dir", str(dbt_project), *CONN, "--check"])
    assert second.exit_code == 0
    assert "Nothing to change" in second.stdout
    for result in (first, second):
        _no_key(result)


def test_other_answers_update_in_place(dbt_project: Path) -> None:
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"]).exit_code == 0
    result = cli(
        [
            "dbt",
            "--dir",
            str(dbt_project),
            "--url",
            "https://other.example/",
            "--namespace",
            "prod",
            "--api-key",
            CANARY,
            "--replace",  # it sends elsewhere now: without a terminal to ask, --add or --replace must say
            "--yes",
        ]
    )
    assert result.exit_code == 0
    assert "update  openlineage.yml" in result.stdout
    config = yaml.safe_load((dbt_project / "openlineage.yml").read_text())
    assert config["transport"]["transformer_properties"] == {"new_job_namespace": "prod"}
    assert config["transport"]["transport"]["url"] == "https://other.example"
    assert (dbt_project / ".gitignore").read_text().count("openlineage.yml") == 1


def test_namespace_from_env_writes_plain_http_and_says_export(dbt_project: Path) -> None:
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--namespace-from", "env", "--yes"])
    assert result.exit_code == 0
    config = yaml.safe_load((dbt_project / "openlineage.yml").read_text())
    assert config["transport"] == {
        "type": "http",
        "url": "https://lineage.example.com",
        "endpoint": "api/v1/lineage",
        "auth": {"type": "api_key", "apiKey": CANARY},
    }
    assert "export OPENLINEAGE_NAMESPACE=dev" in result.stdout


def test_answers_from_environment_only(dbt_project: Path) -> None:
    env = {"OPENLINEAGE_URL": "https://env.example", "OPENLINEAGE_API_KEY": CANARY, "OPENLINEAGE_NAMESPACE": "envns"}
    result = cli(["dbt", "--dir", str(dbt_project), "--yes"], env=env)
    assert result.exit_code == 0, result.output
    assert "(from OPENLINEAGE_URL)" in result.stdout
    assert (
        yaml.safe_load((dbt_project / "openlineage.yml").read_text())["transport"]["transport"]["url"]
        == "https://env.example"
    )
    _no_key(result)


def test_key_from_stdin(dbt_project: Path) -> None:
    args = [
        "dbt",
        "--dir",
        str(dbt_project),
        "--url",
        "https://h.example",
        "--namespace",
        "n",
        "--api-key-file",
        "-",
        "--yes",
    ]
    result = cli(args, input=f"{CANARY}\n")
    assert result.exit_code == 0, result.output
    assert CANARY in (dbt_project / "openlineage.yml").read_text()
    _no_key(result)


# --- --print -------------------------------------------------------------------------------


def test_print_yaml_has_the_real_key_on_stdout_only(empty_dir: Path) -> None:
    result = cli(["dbt", "--dir", str(empty_dir), *CONN, "--print"])  # no dbt project needed
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["transport"]["transport"]["auth"]["apiKey"] == CANARY
    assert CANARY not in result.stderr
    assert "save as openlineage.yml" in result.stderr
    assert list(empty_dir.iterdir()) == []


def test_print_shell_evals_to_the_variables(tmp_path: Path) -> None:
    result = cli(
        [
            "dbt",
            "--dir",
            str(tmp_path),
            "--url",
            "https://h.example/ol/v1",
            "--namespace",
            "a;b",
            "--api-key",
            "k#e+y/=.-_12",
            "--print",
            "--format",
            "shell",
        ]
    )
    assert result.exit_code == 0
    script = (
        result.stdout
        + 'printf "%s\\n" "$OPENLINEAGE_URL" "$OPENLINEAGE_ENDPOINT" "$OPENLINEAGE_API_KEY" "$OPENLINEAGE_NAMESPACE"'
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["https://h.example", "ol/v1", "k#e+y/=.-_12", "a;b"]


def test_print_env_reads_back_with_python_dotenv(tmp_path: Path) -> None:
    from dotenv import dotenv_values

    result = cli(
        [
            "dbt",
            "--dir",
            str(tmp_path),
            "--url",
            "https://h.example",
            "--namespace",
            "a;b",
            "--api-key",
            "k#e+y/=(x)12",
            "--print",
            "--format",
            "env",
        ]
    )
    assert result.exit_code == 0
    env_file = tmp_path / "x.env"
    env_file.write_text(result.stdout)
    assert dotenv_values(env_file) == {
        "OPENLINEAGE_URL": "https://h.example",
        "OPENLINEAGE_API_KEY": "k#e+y/=(x)12",
        "OPENLINEAGE_NAMESPACE": "a;b",
    }


# --- git and unsafe targets ------------------------------------------------------------------


def test_tracked_config_is_refused_with_exit_3(dbt_project: Path) -> None:
    git(dbt_project, "init", "-q")
    (dbt_project / "openlineage.yml").write_text("transport:\n  type: console\n")
    git(dbt_project, "add", "openlineage.yml")
    before = tree(dbt_project)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 3
    assert "tracked by git" in result.stderr
    assert "git rm --cached openlineage.yml" in result.stderr
    assert tree(dbt_project) == before


def test_not_ignored_in_repo_gets_gitignore_entry(dbt_project: Path) -> None:
    git(dbt_project, "init", "-q")
    assert cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"]).exit_code == 0
    check = subprocess.run(["git", "-C", str(dbt_project), "check-ignore", "-q", "openlineage.yml"], check=False)
    assert check.returncode == 0


def test_already_ignored_by_parent_leaves_gitignore_alone(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("openlineage.yml\n")
    project = tmp_path / "analytics"
    project.mkdir()
    (project / "dbt_project.yml").write_text("name: a\n")
    result = cli(["dbt", "--dir", str(project), *CONN, "--yes"])
    assert result.exit_code == 0
    assert not (project / ".gitignore").exists()
    assert (tmp_path / ".gitignore").read_text() == "openlineage.yml\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("transport: [\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
        ("transport:\n  type: console\ntransport:\n  type: http\n", "duplicate top-level keys"),
    ],
)
def test_unparseable_config_is_exit_3_with_snippet(dbt_project: Path, content: str, reason: str) -> None:
    (dbt_project / "openlineage.yml").write_text(content)
    before = tree(dbt_project)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 3
    assert reason in result.stderr
    assert 'apiKey: "****"' in result.stderr  # the snippet to paste, key redacted
    assert tree(dbt_project) == before
    _no_key(result)


def test_symlinked_config_is_exit_3(dbt_project: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.yml"
    real.write_text("transport:\n  type: console\n")
    (dbt_project / "openlineage.yml").symlink_to(real)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 3
    assert "symbolic link" in result.stderr
    assert real.read_text() == "transport:\n  type: console\n"


def test_non_utf8_config_is_exit_3(dbt_project: Path) -> None:
    (dbt_project / "openlineage.yml").write_bytes("# café\n".encode("latin-1"))
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 3
    assert "not UTF-8" in result.stderr


# --- notes ----------------------------------------------------------------------------------


def test_notes_about_environment_and_duckdb_profile(dbt_project: Path) -> None:
    (dbt_project / "profiles.yml").write_text(
        "jaffle:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      threads: 1\n"
    )
    env = {"OPENLINEAGE_CONFIG": "/etc/ol.yml", "OPENLINEAGE_DISABLED": "true"}
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run"], env=env)
    assert result.exit_code == 0
    assert "OPENLINEAGE_CONFIG is set (/etc/ol.yml)" in result.stderr
    assert "OPENLINEAGE_DISABLED=true" in result.stderr
    assert "dbt-duckdb profile has no `path:`" in result.stderr


def test_duckdb_profile_with_path_gets_no_note(dbt_project: Path) -> None:
    (dbt_project / "profiles.yml").write_text(
        "jaffle:\n  outputs:\n    dev:\n      type: duckdb\n      path: x.duckdb\n"
    )
    assert "duckdb" not in cli(["dbt", "--dir", str(dbt_project), *CONN, "--dry-run"]).stderr


def test_http_url_warns(dbt_project: Path) -> None:
    result = cli(
        [
            "dbt",
            "--dir",
            str(dbt_project),
            "--url",
            "http://lineage.example.com",
            "--namespace",
            "n",
            "--api-key",
            CANARY,
            "--dry-run",
        ]
    )
    assert "http:// sends the API key unencrypted" in result.stderr


# --- errors that are not the user's ---------------------------------------------------------


def test_internal_error_is_redacted_exit_1(dbt_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        secret = CANARY  # noqa: F841 - a local holding the key must not be shown
        raise RuntimeError(f"boom with {CANARY}")

    monkeypatch.setattr(runner, "_show_and_apply", broken)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 1
    assert "internal error" in result.stderr
    assert "boom with ****" in result.stderr
    _no_key(result)


def test_interrupt_is_exit_130(dbt_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_show_and_apply", interrupted)
    result = cli(["dbt", "--dir", str(dbt_project), *CONN, "--yes"])
    assert result.exit_code == 130
    assert "interrupted; nothing was written" in result.stderr


def test_python_dash_m_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lineage_setup", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("lineage-setup 0.")
