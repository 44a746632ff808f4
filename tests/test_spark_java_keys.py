"""Every Spark key lineage-setup writes, read as openlineage-spark reads it, against the names the Java client's
config classes accept at that release (tests/data/openlineage-java-config.json, read from OpenLineage/OpenLineage's
CompositeConfig.java, HttpConfig.java, TransportConfig.java, ApiKeyTokenProvider.java and Spark's
ArgumentParser.java at each tag; see its "about").

ArgumentParser turns each spark.openlineage.* key into a path of JSON objects (split on '.', except after
transport.properties./urlParams./headers.), skipping blank values; a composite's sub-transports are then read
strictly (an unknown key fails the whole config), so every key must be one the class at that release has."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jproperties import Properties
from packaging.version import Version

from lineage_setup.answers import Connection
from lineage_setup.integrations.databricks import Options as DatabricksOptions
from lineage_setup.integrations.databricks import config as databricks_config
from lineage_setup.integrations.databricks import remote
from lineage_setup.openlineage_spark import (
    COMPOSITE_SINCE,
    COMPRESSION_SINCE,
    HTTP_FIELDS,
    target_for,
    transport_conf,
)

from .helpers import CANARY, cli

databricks_render = importlib.import_module("lineage_setup.integrations.databricks.render")
DATA = json.loads((Path(__file__).parent / "data" / "openlineage-java-config.json").read_text())
RELEASES = DATA["releases"]
THEIRS = "spark.openlineage.transport.type=http\nspark.openlineage.transport.url=http://marquez.internal:5000\n"
BACKENDS = {  # --backend: (flags, whether a key is sent)
    "custom": (["--url", "https://lineage.example.com", "--api-key", CANARY], True),
    "datadog": (["--backend", "datadog", "--domain", "datadoghq.eu", "--api-key", CANARY], True),
    "marquez": (["--backend", "marquez", "--url", "http://marquez.example:5000"], False),
}


def _release(version: str) -> dict[str, Any]:
    """The newest release in the data at or below `version` (1.54.0 reads as 1.52.0, the newest tag read)."""
    known = [tag for tag in RELEASES if Version(tag) <= Version(version)]
    return RELEASES[max(known, key=Version)]


def _java(pairs: dict[str, str], release: dict[str, Any]) -> dict[str, Any]:
    """ArgumentParser.extractOpenLineageConfFromSparkConf: the spark.openlineage.* keys as nested objects."""
    whole = release["spark_properties_prefixes"]
    root: dict[str, Any] = {}
    for key, value in pairs.items():
        if not key.startswith("spark.openlineage.") or not value.strip():
            continue
        path = key.removeprefix("spark.openlineage.")
        prefix = next((p for p in whole if path.startswith(p)), None)
        parts = [*prefix.split(".")[:-1], path[len(prefix) :]] if prefix else path.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            assert isinstance(node, dict), f"{key}: {part} is a value and an object at once"
        node[parts[-1]] = value
    return root


def _check_http(http: dict[str, Any], release: dict[str, Any], where: str) -> None:
    allowed = set(release["http"]) | set(release["transport_config"])
    assert set(http) <= allowed, f"{where}: {sorted(set(http) - allowed)} are not HttpConfig's"
    assert http["type"] == "http"
    if "auth" in http:
        assert set(http["auth"]) <= {"type", *release["api_key_auth"]}, where
        assert http["auth"]["type"] in release["auth_type_ids"], where
    if "compression" in http:
        assert http["compression"] in release["http_compression_values"], where
    if http.get("endpoint"):  # HttpTransport.getUri: "You can't pass both uri and endpoint parameters."
        assert urlsplit(http["url"]).path == "", where


def _check(transport: dict[str, Any], release: dict[str, Any]) -> list[dict[str, Any]]:
    """The transport as the Java client would build it; the http transports it sends through."""
    if transport["type"] == "http":
        _check_http(transport, release, "transport")
        return [transport]
    assert transport["type"] == "composite"
    assert release["composite"] is not None, "this release has no composite transport"
    assert set(transport) <= {"type", *release["composite"]}, sorted(transport)
    assert transport["continueOnFailure"] == "true"  # false by default in 1.23.0-1.25.x: one failing stops the rest
    subs = transport["transports"]
    assert isinstance(subs, dict) and len(subs) >= 2  # a map, its keys the names (no '.': split on it)
    for name, sub in subs.items():
        _check_http(sub, release, f"transports.{name}")
    return list(subs.values())


def _conf(path: Path) -> dict[str, str]:
    props = Properties()
    props.load(path.read_bytes(), "utf-8")
    return {key: props[key].data.strip() for key in props}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("version", ["1.23.0", "1.26.0", "1.52.0", "1.54.0"])
def test_spark_add_writes_a_composite_the_java_client_reads(backend: str, version: str, tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text(THEIRS)
    flags, keyed = BACKENDS[backend]
    args = ["spark", "--dir", str(tmp_path), "--spark-conf", str(conf), "--openlineage-version", version]
    result = cli([*args, *flags, "--namespace", "n", "--add", "--yes"])
    assert result.exit_code == 0, result.output
    release = _release(version)
    sends = _check(_java(_conf(conf), release)["transport"], release)
    urls = {http["url"] for http in sends}
    assert "http://marquez.internal:5000" in urls and len(urls) == 2  # theirs kept, ours added
    ours = next(http for http in sends if http["url"] != "http://marquez.internal:5000")
    assert ("auth" in ours) is keyed and ("compression" in ours) is (backend == "datadog")


@pytest.mark.parametrize("version", ["1.12.0", "1.13.0", "1.54.0"])
@pytest.mark.parametrize("backend", ["datadog", "marquez"])
def test_lone_transport_keys_are_the_java_clients(version: str, backend: str) -> None:
    conn = Connection("https://h.example", "api/v1/lineage", "n", "" if backend == "marquez" else CANARY, {}, backend)
    release = _release(version)
    sends = _check(_java(dict(transport_conf(conn, target_for(version, None))), release)["transport"], release)
    assert ("compression" in sends[0]) is (backend == "datadog" and Version(version) >= Version(COMPRESSION_SINCE))
    assert ("auth" in sends[0]) is (backend != "marquez")


@pytest.mark.parametrize("version", ["1.23.0", "1.54.0"])
def test_databricks_add_merges_a_composite_the_java_client_reads(version: str) -> None:
    conn = Connection("https://lineage.example.com", "api/v1/lineage", "n", CANARY)
    s = databricks_config.setup(DatabricksOptions(openlineage_version=version, secret_scope="sc", secret_key="k"))
    cluster = {
        "spark_conf": {"spark.openlineage.transport.type": "http", "spark.openlineage.transport.url": "http://m:5000"}
    }
    wanted, renames, _ = remote._wanted(cluster, conn, s, add=True)
    merged = remote.merge(cluster, wanted, s.init_script_entry, renames)
    release = _release(version)
    sends = _check(_java(merged.spark_conf, release)["transport"], release)
    assert {http["url"] for http in sends} == {"http://m:5000", "https://lineage.example.com"}
    assert {http.get("auth", {}).get("apiKey") for http in sends} == {None, "{{secrets/sc/k}}"}


def test_databricks_add_block_to_paste_is_a_composite_the_java_client_reads() -> None:
    conn = Connection("https://lineage.example.com", "api/v1/lineage", "n", CANARY)
    s = databricks_config.setup(DatabricksOptions(no_tls_workaround=True))
    pasted = dict(
        line.split(" ", 1) for line in databricks_render.box_lines(databricks_render.added_conf(conn, s)).splitlines()
    )
    pasted |= {
        "spark.openlineage.transport.transports.existing.type": "http",
        "spark.openlineage.transport.transports.existing.url": "http://m:5000",
    }  # the step says to move theirs
    release = _release("1.54.0")
    assert len(_check(_java(pasted, release)["transport"], release)) == 2


@pytest.mark.parametrize("command", ["spark", "databricks"])
def test_add_is_refused_below_the_first_release_that_reads_a_composite(command: str, tmp_path: Path) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text(THEIRS)
    spark = ["--spark-conf", str(conf)] if command == "spark" else []
    args = [command, "--dir", str(tmp_path), *spark, "--openlineage-version", "1.22.0"]
    result = cli(
        [*args, "--url", "https://lineage.example.com", "--api-key", CANARY, "--namespace", "n", "--add", "--yes"]
    )
    assert result.exit_code == 2, result.output
    assert f"since {COMPOSITE_SINCE}" in result.stderr and "--replace" in result.stderr
    assert conf.read_text() == THEIRS and not (tmp_path / "openlineage-init.sh").exists()


def test_the_release_floors_are_the_ones_the_source_shows() -> None:
    """COMPOSITE_SINCE and COMPRESSION_SINCE are where the data says the classes changed, and the http keys a
    moved transport may keep are HttpConfig's at the first composite release (so they are read at every one)."""
    first_composite = min((tag for tag, r in RELEASES.items() if r["composite"]), key=Version)
    first_gzip = min((tag for tag, r in RELEASES.items() if r["http_compression_values"]), key=Version)
    assert (first_composite, first_gzip) == (COMPOSITE_SINCE, COMPRESSION_SINCE)
    assert all(not r["composite"] for tag, r in RELEASES.items() if Version(tag) < Version(COMPOSITE_SINCE))
    assert set(HTTP_FIELDS) <= {*RELEASES[COMPOSITE_SINCE]["http"], *RELEASES[COMPOSITE_SINCE]["transport_config"]}
    assert "name" in RELEASES[COMPOSITE_SINCE]["transport_config"]  # a map's names are accepted from the start
