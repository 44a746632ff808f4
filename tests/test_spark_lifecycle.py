"""Spark from setup to removal: the wizard finds a spark-defaults.conf, status explains it, a second destination
goes beside the first (--add), backends without a key or with gzip, and remove restores every byte it can."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jproperties import Properties

from .golden_cases import GOLDEN, copy_golden
from .helpers import CANARY, CONN, cli, files

SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))
MARQUEZ = (
    "spark.master yarn\n"
    "spark.jars.packages io.openlineage:openlineage-spark_2.13:1.30.0\n"
    "spark.extraListeners com.example.Audit,io.openlineage.spark.agent.OpenLineageSparkListener\n"
    "spark.openlineage.transport.type=http\n"
    "spark.openlineage.transport.url=http://marquez.internal:5000\n"
    "spark.openlineage.namespace   etl\n"
)
# restorable byte for byte: every line we changed there, we changed by adding to it (or renamed, with --add)
RESTORED = (
    "fresh",
    "comments-and-listeners",
    "no-final-newline",
    "datadog-gzip",
    "add-beside-marquez",
    "add-to-a-composite",
)


def _conf(root: Path, text: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "spark-defaults.conf"
    if text is not None:
        conf.write_text(text)
        conf.chmod(0o600)
    return conf


def _spark(root: Path, *args: str) -> Any:
    return cli(["spark", "--dir", str(root), "--spark-conf", str(root / "spark-defaults.conf"), *args])


def _keys(conf: Path) -> dict[str, str]:
    props = Properties()
    props.load(conf.read_bytes(), "utf-8")
    return {key: props[key].data.strip() for key in props}


def _json(args: list[str]) -> dict[str, Any]:
    result = cli([*args, "--json"])
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code and CANARY not in result.stdout + result.stderr
    return document


@pytest.mark.parametrize("case", sorted(p.name for p in (GOLDEN / "spark").iterdir()))
def test_setup_then_remove(case: str, tmp_path: Path) -> None:
    root = tmp_path / "p"
    copy_golden(GOLDEN / "spark" / case / "before", root)
    original = files(root)
    lines = [a for a in (GOLDEN / "spark" / case / "args").read_text().splitlines() if not a.startswith("#")]
    extra = [a for a in lines if "{root}" not in a and a != "--spark-conf"]  # --replace, --add, --backend X ...
    setup = _spark(root, *CONN, *extra, "--yes")
    assert setup.exit_code == 0, setup.output
    removed = cli(["remove", "spark", "--dir", str(root), "--yes"])
    assert removed.exit_code == 0, removed.output
    after = files(root)
    if case in RESTORED:
        assert after == original
        return
    left = after.get("spark-defaults.conf", b"").decode()
    assert "lineage-setup" not in left and CANARY not in left and "OpenLineageSparkListener" not in left
    assert "spark.openlineage.transport" not in left


def test_add_keeps_the_first_destination_and_remove_gives_it_back(tmp_path: Path) -> None:
    conf = _conf(tmp_path / "p", MARQUEZ)
    root = conf.parent
    refused = _spark(root, *CONN, "--yes")
    assert refused.exit_code == 2 and "--add" in refused.stderr and "--replace" in refused.stderr
    assert conf.read_text() == MARQUEZ
    added = _spark(root, *CONN, "--add", "--yes")
    assert added.exit_code == 0, added.output
    assert "spark.openlineage.namespace stays etl" in added.stderr  # one namespace for every destination
    keys = _keys(conf)
    assert keys["spark.openlineage.transport.type"] == "composite"
    assert keys["spark.openlineage.transport.transports.marquez_internal.url"] == "http://marquez.internal:5000"
    ours = "spark.openlineage.transport.transports.lineage_setup_lineage_example_com."
    assert keys[ours + "url"] == "https://lineage.example.com" and keys[ours + "auth.apiKey"] == CANARY
    assert keys["spark.jars.packages"] == "io.openlineage:openlineage-spark_2.13:1.30.0"  # their release stays
    assert "spark.openlineage.transport.url" not in keys
    again = _spark(root, *CONN, "--add", "--yes")
    assert again.exit_code == 0 and "Nothing to change" in again.stdout
    status = _json(["status", "--dir", str(root)])
    sends = {s["value"] for s in status["status"][0]["settings"] if s["name"] == "sends to"}
    assert sends == {"http://marquez.internal:5000/api/v1/lineage", "https://lineage.example.com/api/v1/lineage"}
    assert cli(["remove", "--dir", str(root), "--yes"]).exit_code == 0
    assert conf.read_text() == MARQUEZ


def test_add_is_refused_where_the_transport_cannot_become_a_sub_transport(tmp_path: Path) -> None:
    text = MARQUEZ.replace("http://marquez.internal:5000", "http://marquez.internal:5000/api/v1/lineage")
    conf = _conf(tmp_path / "p", text)
    result = _spark(conf.parent, *CONN, "--add", "--yes")
    assert result.exit_code == 3, result.output
    assert "has a path or a query" in result.stderr and "--replace" in result.stderr
    assert conf.read_text() == text


def test_add_is_refused_when_the_file_loads_a_release_without_composite(tmp_path: Path) -> None:
    conf = _conf(tmp_path / "p", MARQUEZ.replace(":1.30.0", ":1.20.0"))
    result = _spark(conf.parent, *CONN, "--add", "--yes")
    assert result.exit_code == 2, result.output
    assert "loads openlineage-spark 1.20.0 reads one transport only" in result.stderr


def test_replace_takes_a_composite_down_to_ours(tmp_path: Path) -> None:
    conf = _conf(tmp_path / "p", MARQUEZ)
    assert _spark(conf.parent, *CONN, "--add", "--yes").exit_code == 0
    other = ["--url", "https://other.example.com", "--namespace", "etl", "--api-key", CANARY]
    replaced = _spark(conf.parent, *other, "--replace", "--yes")
    assert replaced.exit_code == 0, replaced.output
    assert "events no longer go to" in replaced.stderr
    keys = _keys(conf)
    assert not [key for key in keys if ".transports." in key or key.endswith("continueOnFailure")]
    assert (keys["spark.openlineage.transport.type"], keys["spark.openlineage.transport.url"]) == (
        "http",
        "https://other.example.com",
    )


def test_a_backend_without_a_key_gets_no_auth_and_datadog_gets_gzip(tmp_path: Path) -> None:
    marquez = _conf(tmp_path / "m")
    args = ["--backend", "marquez", "--url", "http://marquez.example:5000", "--namespace", "n", "--yes"]
    assert _spark(marquez.parent, *args).exit_code == 0
    assert not [key for key in _keys(marquez) if "auth" in key or "apiKey" in key]
    datadog = _conf(tmp_path / "d")
    args = ["--backend", "datadog", "--domain", "datadoghq.eu", "--api-key", CANARY, "--namespace", "n", "--yes"]
    assert _spark(datadog.parent, *args).exit_code == 0
    assert _keys(datadog)["spark.openlineage.transport.compression"] == "gzip"
    old = _conf(tmp_path / "o")
    result = _spark(old.parent, *args[:-1], "--openlineage-version", "1.12.0", "--yes")
    assert result.exit_code == 0 and "sends events uncompressed" in result.stderr
    assert "spark.openlineage.transport.compression" not in _keys(old)


def test_status_explains_a_configured_a_half_configured_and_a_broken_conf(tmp_path: Path) -> None:
    good = _conf(tmp_path / "repo" / "good")
    assert _spark(good.parent, *CONN, "--yes").exit_code == 0
    _conf(
        tmp_path / "repo" / "half",
        "spark.openlineage.transport.type http\nspark.openlineage.transport.url https://x.example\n",
    )
    broken = _conf(
        tmp_path / "repo" / "broken",
        f"spark.extraListeners io.openlineage.spark.agent.OpenLineageSparkListener\n"
        f"spark.openlineage.transport.type console\nspark.openlineage.transport.auth.apiKey {CANARY}\n",
    )
    broken.chmod(0o644)
    text = cli(["status", "--dir", str(tmp_path / "repo")])
    assert text.exit_code == 1 and CANARY not in text.output
    report = _json(["status", "--dir", str(tmp_path / "repo")])
    by_path = {entry["path"]: entry for entry in report["status"]}
    assert by_path["good"]["problems"] == []
    assert [p for p in by_path["half"]["problems"] if "does not list" in p]
    broken_problems = " ".join(by_path["broken"]["problems"])
    assert "printed" in broken_problems or "driver log" in broken_problems
    assert "others can read it: chmod 600" in broken_problems
    settings = {s["name"]: s["value"] for s in by_path["good"]["settings"]}
    assert settings["api key"] == "..." + CANARY[-4:] and settings["namespace"] == "dev"


def test_init_status_and_remove_end_to_end(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    conf = _conf(repo / "conf", "spark.master yarn\n")
    original = files(repo)
    found = _json(["init", "--dir", str(repo), "--no-input", *CONN, "--dry-run"])
    assert [(f["kind"], f["lineage"]) for f in found["found"]] == [("spark", "not configured")]
    done = cli(["init", "--dir", str(repo), "--no-input", *CONN, "--yes"])
    assert done.exit_code == 0, done.output
    assert _keys(conf)["spark.openlineage.transport.url"] == "https://lineage.example.com"
    again = _json(["init", "--dir", str(repo), "--no-input", *CONN, "--check"])
    assert again["exit_code"] == 0 and again["found"][0]["lineage"] == "configured"
    assert _json(["status", "--dir", str(repo)])["exit_code"] == 0
    _json(["remove", "--dir", str(repo), "--dry-run"])
    assert cli(["remove", "--dir", str(repo), "--yes"]).exit_code == 0
    assert files(repo) == original


def test_remove_leaves_what_was_edited_since_and_says_so(tmp_path: Path) -> None:
    conf = _conf(tmp_path / "p")
    assert _spark(conf.parent, *CONN, "--yes").exit_code == 0
    conf.write_text(conf.read_text().replace("transport.type http", "transport.type kafka"))
    result = cli(["remove", "--dir", str(conf.parent), "--yes"])
    assert result.exit_code == 0, result.output
    assert "spark.openlineage.transport.type is not as lineage-setup writes it" in result.stdout + result.stderr
    assert _keys(conf) == {"spark.openlineage.transport.type": "kafka"}
