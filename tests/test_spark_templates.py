"""templates/spark/*.tmpl: every template is used, and each renders hostile-but-valid values into text its
consumer parses to exactly the keys the listener needs (Python's own parser, bash, a Java-properties reader)."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from jproperties import Properties

from lineage_setup import templates
from lineage_setup.answers import Connection
from lineage_setup.edits import properties
from lineage_setup.openlineage_spark import target_for

# the module (the package's own `render` is the protocol function of the same name)
render = importlib.import_module("lineage_setup.integrations.spark.render")

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "spark"
# valid for every validator, each character awkward for some target
HOSTILE_KEY = "olk_;&!#()<>|*?~^%@{}[],.:-_+=CANARY"
HOSTILE = Connection("https://lineage.example.com:8443", "api/v1/lineage", "=ns;a:b@c+d/e", HOSTILE_KEY)
PLAIN = Connection("https://lineage.example.com", "api/v1/lineage", "dev", "olk_plain_0123456789")
ERAS = {"current": "1.54.0", "transport-keys-0.21": "0.21.1", "legacy": "0.18.0"}


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the templates loaded while the test runs."""
    names: list[str] = []
    real = templates.load

    def load(name: str):  # type: ignore[no-untyped-def]
        names.append(name)
        return real(name)

    monkeypatch.setattr(templates, "load", load)
    yield names


def test_every_spark_template_is_used(loaded: list[str]) -> None:
    for version in ERAS.values():
        tgt = target_for(version, None)
        render.python_snippet(PLAIN, tgt)
        render.submit_flags(PLAIN, tgt)
        render.conf_lines(PLAIN, tgt)
    assert {f"spark/{p.name}" for p in TEMPLATES.glob("*.tmpl")} == set(loaded)


def _python(text: str) -> dict[str, str]:
    """The .config(key, value) pairs of the SparkSession chain, as Python's parser reads them."""
    pairs = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "config":
            key, value = (ast.literal_eval(arg) for arg in node.args)
            pairs[key] = value
    return pairs


def _bash_args(flags: str) -> list[str]:
    """What spark-submit receives when the flags are pasted after it: the words bash makes of them."""
    subprocess.run(["bash", "-n"], input=f"spark-submit {flags.rstrip()} app.py\n", text=True, check=True)
    script = 'args() { printf "%s\\0" "$@"; }\neval "args $FLAGS"'
    env = {"FLAGS": flags, "PATH": os.environ["PATH"]}
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, check=True)
    return done.stdout.decode().split("\0")[:-1]


def _submit(flags: str) -> dict[str, str]:
    args = _bash_args(flags)
    assert args[0] == "--packages" and all(flag == "--conf" for flag in args[2::2])
    return {"spark.jars.packages": args[1], **dict(arg.split("=", 1) for arg in args[3::2])}


def _java(text: str) -> dict[str, str]:
    props = Properties()
    props.load(text.encode("utf-8"), "utf-8")
    return {key: props[key].data.strip() for key in props}  # Spark trims values


@pytest.mark.parametrize("conn", [PLAIN, HOSTILE], ids=["plain", "hostile"])
@pytest.mark.parametrize("era", ERAS)
def test_every_form_reads_back_as_the_keys_of_its_era(conn: Connection, era: str) -> None:
    tgt = target_for(ERAS[era], None)
    wanted = dict(render.all_conf(conn, tgt))
    assert wanted["spark.openlineage.namespace"] == conn.namespace
    assert conn.api_key in wanted.values()
    assert _python(render.python_snippet(conn, tgt)) == wanted
    assert _submit(render.submit_flags(conn, tgt)) == wanted
    assert _java(render.conf_lines(conn, tgt)) == wanted


@pytest.mark.parametrize("conn", [PLAIN, HOSTILE], ids=["plain", "hostile"])
@pytest.mark.parametrize("era", ERAS)
def test_printed_conf_lines_are_what_patch_mode_adds_to_an_empty_file(conn: Connection, era: str) -> None:
    tgt = target_for(ERAS[era], None)
    assert render.conf_lines(conn, tgt) == properties.apply("", render.settings(conn, tgt), render.COMMENT)


def test_python_snippet_compiles_with_a_key_python_would_misread_unquoted() -> None:
    conn = Connection("https://h.example", "api/v1/lineage", "ns", 'olk_"""\\n{x}%s\u00e9')
    text = render.python_snippet(conn, target_for("1.54.0", None))
    compile(text, "snippet.py", "exec")
    assert _python(text)["spark.openlineage.transport.auth.apiKey"] == conn.api_key
