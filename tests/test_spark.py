"""`lineage-setup spark`: --print formats checked by real consumers, versions, and patch mode through the CLI."""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest
from jproperties import Properties

from lineage_setup.answers import Connection
from lineage_setup.errors import UsageError
from lineage_setup.integrations import spark
from lineage_setup.integrations.base import Request
from lineage_setup.workspace import Workspace

from .helpers import CANARY, CONN, cli, git, tree

LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
# valid for every validator, and each awkward for some target: ; & ! # ( ) < > | * ? in the key, : ; = in the namespace
HOSTILE_KEY = "olk_;&!#()<>|*?~^%@{}[],.:-_+=CANARY"
HOSTILE = ["--url", "https://lineage.example.com:8443", "--namespace", "=ns;a:b@c+d/e", "--api-key", HOSTILE_KEY]


def _print(fmt: str | None, *extra: str, conn: list[str] = CONN):  # type: ignore[no-untyped-def]
    args = ["spark", "--print", *conn, *extra]
    result = cli([*args, "--format", fmt] if fmt else args)
    assert result.exit_code == 0, result.output
    return result


def _python_config(snippet: str) -> dict[str, str]:
    """The .config(key, value) pairs of the SparkSession chain, read from the parsed AST."""
    tree_ = ast.parse(snippet)
    pairs = {}
    for node in ast.walk(tree_):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "config":
            key, value = (ast.literal_eval(arg) for arg in node.args)
            pairs[key] = value
    return pairs


def _shell_args(flags: str) -> list[str]:
    """What spark-submit would receive: the flags pasted after a command, through real bash."""
    script = 'args() { printf "%s\\0" "$@"; }\neval "args $FLAGS"'
    done = subprocess.run(
        ["bash", "-c", script], env={"FLAGS": flags, "PATH": os.environ["PATH"]}, capture_output=True, check=True
    )
    return done.stdout.decode().split("\0")[:-1]


def _java(text: str) -> dict[str, str]:
    props = Properties()
    props.load(text.encode("utf-8"), "utf-8")
    return {key: props[key].data.strip() for key in props}


@pytest.mark.parametrize("conn", [CONN, HOSTILE], ids=["plain", "hostile"])
def test_python_snippet_parses_and_sets_every_key(conn: list[str]) -> None:
    out = _print("python", conn=conn).stdout
    pairs = _python_config(out)  # ast.parse raises on the seed's broken chain
    assert pairs["spark.jars.packages"] == "io.openlineage:openlineage-spark_2.12:1.54.0"
    assert pairs["spark.extraListeners"] == LISTENER
    assert pairs["spark.openlineage.transport.type"] == "http"
    assert pairs["spark.openlineage.transport.endpoint"] == "/api/v1/lineage"
    assert pairs["spark.openlineage.transport.auth.type"] == "api_key"
    assert pairs["spark.openlineage.transport.auth.apiKey"] == conn[-1]
    assert pairs["spark.openlineage.namespace"] == conn[3]
    assert "getOrCreate()" in out
    compile(out, "snippet.py", "exec")


@pytest.mark.parametrize("conn", [CONN, HOSTILE], ids=["plain", "hostile"])
def test_submit_flags_paste_into_bash(conn: list[str]) -> None:
    out = _print("submit", conn=conn).stdout
    subprocess.run(["bash", "-n"], input=f"spark-submit {out.rstrip()} app.py\n", text=True, check=True)
    args = _shell_args(out)
    assert args[:2] == ["--packages", "io.openlineage:openlineage-spark_2.12:1.54.0"]
    confs = dict(arg.split("=", 1) for arg in args[3::2])
    assert all(flag == "--conf" for flag in args[2::2])
    assert confs["spark.extraListeners"] == LISTENER
    assert confs["spark.openlineage.transport.auth.apiKey"] == conn[-1]
    assert confs["spark.openlineage.namespace"] == conn[3]
    assert confs["spark.openlineage.transport.url"] == conn[1]


@pytest.mark.parametrize("conn", [CONN, HOSTILE], ids=["plain", "hostile"])
def test_conf_lines_read_back_by_a_java_properties_reader(conn: list[str]) -> None:
    seen = _java(_print("conf", conn=conn).stdout)
    assert seen["spark.openlineage.transport.auth.apiKey"] == conn[-1]
    assert seen["spark.openlineage.namespace"] == conn[3]
    assert seen["spark.openlineage.transport.url"] == conn[1]
    assert seen["spark.extraListeners"] == LISTENER


def test_without_format_one_valid_format_the_sparksession_snippet() -> None:
    result = _print(None)
    assert result.stdout == _print("python").stdout
    ast.parse(result.stdout)
    assert "=== --format" not in result.stderr


def test_format_all_gives_all_three_each_under_a_heading() -> None:
    result = _print("all")
    assert result.stdout == _print("python").stdout + _print("submit").stdout + _print("conf").stdout
    headings = [line for line in result.stderr.splitlines() if "=== --format" in line]
    assert headings == ["# === --format python ===", "# === --format submit ===", "# === --format conf ==="]


def test_print_needs_no_spark_home(tmp_path: Path) -> None:
    assert _print("conf").exit_code == 0


# --- versions (OpenLineage/OpenLineage ArgumentParser.java @0.22.0, build.gradle @1.9.1) ----------------------

CURRENT_KEYS = {
    "spark.openlineage.transport.type": "http",
    "spark.openlineage.transport.url": "https://lineage.example.com",
    "spark.openlineage.transport.endpoint": "/api/v1/lineage",
    "spark.openlineage.transport.auth.type": "api_key",
    "spark.openlineage.transport.auth.apiKey": CANARY,
    "spark.openlineage.namespace": "dev",
}
LEGACY_KEYS = {
    "spark.openlineage.host": "https://lineage.example.com",
    "spark.openlineage.version": "v1",
    "spark.openlineage.apiKey": CANARY,
    "spark.openlineage.namespace": "dev",
}


@pytest.mark.parametrize(
    ("version", "scala", "artifact", "keys"),
    [
        ("0.2.3", None, "io.openlineage:openlineage-spark:0.2.3", LEGACY_KEYS),
        ("0.18.0", None, "io.openlineage:openlineage-spark:0.18.0", LEGACY_KEYS),
        ("0.19.2", None, "io.openlineage:openlineage-spark:0.19.2", CURRENT_KEYS),  # reads transport.* (PR #1383)
        ("0.21.1", None, "io.openlineage:openlineage-spark:0.21.1", CURRENT_KEYS),
        ("0.22.0", None, "io.openlineage:openlineage-spark:0.22.0", CURRENT_KEYS),
        ("1.8.0", None, "io.openlineage:openlineage-spark:1.8.0", CURRENT_KEYS),
        ("1.9.1", None, "io.openlineage:openlineage-spark_2.12:1.9.1", CURRENT_KEYS),
        (
            spark.OPENLINEAGE_VERSION,
            None,
            f"io.openlineage:openlineage-spark_2.12:{spark.OPENLINEAGE_VERSION}",
            CURRENT_KEYS,
        ),
        (
            spark.OPENLINEAGE_VERSION,
            "2.13",
            f"io.openlineage:openlineage-spark_2.13:{spark.OPENLINEAGE_VERSION}",
            CURRENT_KEYS,
        ),
    ],
)
def test_version_aware_rendering(version: str, scala: str | None, artifact: str, keys: dict[str, str]) -> None:
    extra = ["--openlineage-version", version, *(["--scala", scala] if scala else [])]
    seen = _java(_print("conf", *extra).stdout)
    assert seen.pop("spark.jars.packages") == artifact
    assert seen.pop("spark.extraListeners") == LISTENER
    assert seen == keys
    assert _python_config(_print("python", *extra).stdout)["spark.jars.packages"] == artifact


def test_default_version_is_one_constant() -> None:
    assert spark.OPENLINEAGE_VERSION == "1.54.0"
    assert next(o for o in spark.OPTIONS if o.name == "openlineage_version").default == spark.OPENLINEAGE_VERSION


def test_legacy_api_version_follows_the_endpoint() -> None:
    seen = _java(_print("conf", "--openlineage-version", "0.2.3", "--endpoint", "api/v2/lineage").stdout)
    assert seen["spark.openlineage.version"] == "v2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--openlineage-version", "0.2.+"], "expects an exact release"),
        (["--openlineage-version", "latest"], "expects an exact release"),
        (["--openlineage-version", "1.8.0", "--scala", "2.13"], "built for Scala 2.12 only"),
        (["--openlineage-version", "0.18.0", "--endpoint", "custom/lineage"], "use openlineage-spark 0.19.2 or newer"),
    ],
)
def test_bad_version_options_exit_2(args: list[str], message: str) -> None:
    result = cli(["spark", "--print", *CONN, *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert CANARY not in result.stdout + result.stderr


# --- patch mode ------------------------------------------------------------------------------------


def _patch(conf: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return cli(["spark", "--spark-conf", str(conf), *CONN, *extra], env=env)


def test_check_exits_1_then_0_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.master local[2]\n")
    before = tree(tmp_path)
    assert _patch(conf, "--dry-run").exit_code == 0
    assert _patch(conf, "--check").exit_code == 1
    assert tree(tmp_path) == before
    assert _patch(conf, "--yes").exit_code == 0
    assert _patch(conf, "--check").exit_code == 0


def test_created_file_is_private_and_key_is_never_shown(tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    result = _patch(conf, "--yes")
    assert result.exit_code == 0, result.output
    assert conf.stat().st_mode & 0o777 == 0o600
    assert "holds the API key, mode 600" in result.stdout
    assert CANARY not in result.stdout + result.stderr
    assert CANARY in conf.read_text()


def test_existing_readable_file_keeps_its_mode_and_warns(tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.master local[2]\n")
    conf.chmod(0o644)
    result = _patch(conf, "--yes")
    assert result.exit_code == 0
    assert conf.stat().st_mode & 0o777 == 0o644
    assert "readable by other users (mode 644)" in result.stderr


@pytest.mark.parametrize("var", ["SPARK_HOME", "SPARK_CONF_DIR"])
def test_default_file_comes_from_the_environment(tmp_path: Path, var: str) -> None:
    home = tmp_path / "spark"
    (home / "conf").mkdir(parents=True)
    target = home / "conf" / "spark-defaults.conf"
    value = str(home / "conf") if var == "SPARK_CONF_DIR" else str(home)
    result = cli(["spark", *CONN, "--yes"], env={var: value})
    assert result.exit_code == 0, result.output
    assert LISTENER in target.read_text()


def test_spark_conf_dir_wins_over_spark_home(tmp_path: Path) -> None:
    (tmp_path / "home" / "conf").mkdir(parents=True)
    (tmp_path / "confdir").mkdir()
    env = {"SPARK_HOME": str(tmp_path / "home"), "SPARK_CONF_DIR": str(tmp_path / "confdir")}
    assert cli(["spark", *CONN, "--yes"], env=env).exit_code == 0
    assert (tmp_path / "confdir" / "spark-defaults.conf").exists()
    assert not (tmp_path / "home" / "conf" / "spark-defaults.conf").exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ([], {}, "pass --spark-conf PATH (or set SPARK_HOME), or use --print"),
        ([], {"SPARK_HOME": "/nonexistent/spark"}, "SPARK_HOME=/nonexistent/spark is not a directory"),
        (["--spark-conf", "/nonexistent/dir/spark-defaults.conf"], {}, "the folder /nonexistent/dir does not exist"),
    ],
)
def test_no_file_to_patch_is_exit_2_before_any_question(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    # no connection answers given: the option check comes first, so the message is about the file
    result = cli(["spark", *args], env=env)
    assert result.exit_code == 2
    assert message in result.stderr


def test_spark_conf_that_is_a_directory_is_exit_2(tmp_path: Path) -> None:
    result = _patch(tmp_path, "--yes")
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_tracked_conf_is_refused(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.master local\n")
    git(tmp_path, "add", "spark-defaults.conf")
    before = tree(tmp_path)
    result = _patch(conf, "--yes")
    assert result.exit_code == 3
    assert "tracked by git" in result.stderr
    assert tree(tmp_path) == before


def test_unparseable_conf_is_exit_3_with_the_lines_to_paste(tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.extraListeners com.a.A,\\\n")
    before = tree(tmp_path)
    result = _patch(conf, "--yes")
    assert result.exit_code == 3
    assert "ends with a backslash" in result.stderr
    assert "spark.openlineage.transport.auth.apiKey ****" in result.stderr
    assert CANARY not in result.stdout + result.stderr
    assert tree(tmp_path) == before


def test_a_value_with_a_newline_is_exit_2() -> None:
    conn = Connection("https://h.example", "api/v1/lineage", "dev\nspark.evil x", CANARY)
    req = Request(conn, spark.Options(spark_conf="/tmp/x.conf", openlineage_version="1.54.0"), {})
    with pytest.raises(UsageError, match="newline"):
        spark.plan(req, Workspace(Path("/tmp")))
    with pytest.raises(UsageError, match="newline"):
        spark.render(req, "conf")


def test_legacy_and_current_keys_of_the_other_era_are_flagged(tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.openlineage.url https://old/api/v1/namespaces/x\n")
    result = _patch(conf, "--yes")
    assert "also sets spark.openlineage.url, which openlineage-spark 1.54.0 ignores; remove it" in result.stderr


def test_symlinked_conf_is_refused_and_the_target_untouched(tmp_path: Path) -> None:
    real = tmp_path / "real.conf"
    real.write_text("spark.master local\n")
    (tmp_path / "spark-defaults.conf").symlink_to(real)
    before = tree(tmp_path)
    result = _patch(tmp_path / "spark-defaults.conf", "--yes")
    assert result.exit_code == 3
    assert "symbolic link" in result.stderr
    assert tree(tmp_path) == before
