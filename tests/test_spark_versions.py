"""openlineage-spark 0.19.2-0.21.1 read `spark.openlineage.transport.*`: the keys written for them, read back the
way those releases read them.

No JVM build of openlineage-spark can be fetched here, so `_listener_reads` is a line-by-line port of what those
releases do with the Spark config (OpenLineage/OpenLineage at tags 0.19.2, 0.20.4 and 0.21.1:
`integration/spark/app/src/main/java/io/openlineage/spark/agent/ArgumentParser.java` (parse,
adjustDeprecatedConfigs, extractOpenlineageConfFromSparkConf), `UrlParser.java` (parseUrl) and
`client/java/src/main/java/io/openlineage/client/transports/HttpTransport.java` (getUri)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from jproperties import Properties
from packaging.version import Version

from .helpers import CANARY, CONN, cli

PREFIX = "spark.openlineage."
URL, ENDPOINT = "spark.openlineage.transport.url", "spark.openlineage.transport.endpoint"
API_KEY, AUTH_TYPE = "spark.openlineage.transport.auth.apiKey", "spark.openlineage.transport.auth.type"
TRANSPORT_RELEASES = ["0.19.2", "0.20.4", "0.20.6", "0.21.1"]
HOSTILE_KEY = "olk_;&!#()<>|*?~^%@{}[],.:-_+=CANARY"


class Refused(Exception):
    """The listener would fail to build its transport (Jackson, or HttpTransport, throws)."""


@dataclass(frozen=True)
class Reads:
    post_to: str
    authorization: str | None
    namespace: str


def _java_split(path: str) -> list[str]:
    parts = path.split("/")
    while len(parts) > 1 and parts[-1] == "":  # String.split drops trailing empty strings
        parts.pop()
    return parts


def _url_parser(url: str) -> dict[str, str]:
    """UrlParser.parseUrl (0.19.2-0.21.1): only what a URL without a query gives."""
    parsed = urlsplit(url)
    elements = _java_split(parsed.path)
    found = {URL: f"{parsed.scheme}://{parsed.netloc}"}
    for name, index, key in (("namespaces", 3, PREFIX + "namespace"), ("api", 1, ENDPOINT)):
        if len(elements) > index + 1 and elements[index] == name:
            value = elements[index + 1]
            found[key] = f"/api/{value}/lineage" if name == "api" else value
    return found


def _listener_reads(spark_conf: dict[str, str], release: str) -> Reads:
    conf = dict(spark_conf)
    v = Version(release)

    def replace(target: str, value: str, old: str) -> None:  # ArgumentParser.replaceConfigEntry
        conf.setdefault(target, value)
        del conf[old]

    if PREFIX + "host" in conf:
        replace(URL, conf[PREFIX + "host"], PREFIX + "host")
    if v >= Version("0.21.1") and PREFIX + "url" in conf:  # PR #1586
        replace(URL, conf[PREFIX + "url"], PREFIX + "url")
    if PREFIX + "version" in conf:
        given = conf[PREFIX + "version"]
        if v < Version("0.20.4"):
            api = f"api/v{given}/lineage"
        else:  # PR #1557: Integer.parseInt, else as it is
            api = f"api/v{int(given)}/lineage" if re.fullmatch(r"[+-]?[0-9]+", given) else f"api/{given}/lineage"
        replace(ENDPOINT, api, PREFIX + "version")
    if PREFIX + "apiKey" in conf:
        conf.setdefault(API_KEY, conf[PREFIX + "apiKey"])
        replace(AUTH_TYPE, "api_key", PREFIX + "apiKey")
    conf.setdefault(PREFIX + "transport.type", "http")
    if conf[PREFIX + "transport.type"] == "http" and URL in conf:
        conf.update(_url_parser(conf[URL]))  # conf::set: it overrides
    transport = _transport_tree(conf, v)
    return _http(transport, conf.get(PREFIX + "namespace", "default"))


def _transport_tree(conf: dict[str, str], v: Version) -> dict[str, Any]:
    """extractOpenlineageConfFromSparkConf: transport.* as a JSON tree, list-like values as arrays."""
    tree: dict[str, Any] = {}
    for key, value in conf.items():
        if not key.startswith(PREFIX + "transport.") or not value.strip():
            continue
        *path, leaf = key[len(PREFIX) :].split(".")
        node = tree
        for name in path:
            node = node.setdefault(name, {})
        if v < Version("0.20.4"):
            listed = ";" in value
        else:  # PR #1507: [a;b]
            listed = value.startswith("[") and value.endswith("]") and ";" in value
        if listed:
            items = value[1:-1] if value.startswith("[") and value.endswith("]") and v >= Version("0.20.4") else value
            node[leaf] = [item for item in items.split(";") if item.strip()]
        else:
            node[leaf] = value
    return tree["transport"]


def _http(transport: dict[str, Any], namespace: str) -> Reads:
    """HttpConfig as Jackson reads it (a string field refuses an array) and HttpTransport.getUri."""
    auth = transport.get("auth") or {}
    for value in (transport.get("url"), transport.get("endpoint"), auth.get("apiKey")):
        if isinstance(value, list):
            raise Refused("Cannot deserialize value of type `java.lang.String` from Array value")
    url = urlsplit(transport["url"])
    endpoint = transport.get("endpoint")
    if url.path and endpoint:
        raise Refused("You can't pass both uri and endpoint parameters.")
    path = url.path or endpoint or "/api/v1/lineage"
    path = path if path.startswith("/") else "/" + path  # URIBuilder.setPath on an absolute URI (normalizePath)
    header = f"Bearer {auth['apiKey']}" if auth.get("type") == "api_key" else None
    return Reads(f"{url.scheme}://{url.netloc}{path}", header, namespace)


def _java(text: str) -> dict[str, str]:
    props = Properties()
    props.load(text.encode("utf-8"), "utf-8")
    return {key: props[key].data.strip() for key in props}


def _box(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.splitlines())


def _conn(endpoint: str, key: str = CANARY) -> list[str]:
    return ["--url", "https://lineage.example.com", "--endpoint", endpoint, "--namespace", "dev", "--api-key", key]


# --- the port itself: it sees the bug that writing the legacy keys for 0.19.2 had ---------------------------


def test_the_port_reads_legacy_version_v1_as_vv1_in_0_19_2_only() -> None:
    legacy = {PREFIX + "host": "https://h.example", PREFIX + "version": "v1", PREFIX + "apiKey": "k" * 12}
    assert _listener_reads(legacy, "0.19.2").post_to == "https://h.example/api/vv1/lineage"
    assert _listener_reads(legacy, "0.21.1").post_to == "https://h.example/api/v1/lineage"


# --- what the tool writes for 0.19.2-0.21.1 --------------------------------------------------------------


@pytest.mark.parametrize("release", TRANSPORT_RELEASES)
@pytest.mark.parametrize("endpoint", ["api/v1/lineage", "custom/lineage", "openapi/openlineage/api/v1/lineage"])
def test_spark_conf_for_0_19_2_to_0_21_1_posts_to_a_custom_endpoint(release: str, endpoint: str) -> None:
    result = cli(["spark", "--print", "--format", "conf", *_conn(endpoint), "--openlineage-version", release])
    assert result.exit_code == 0, result.output
    conf = _java(result.stdout)
    assert not {PREFIX + "host", PREFIX + "version", PREFIX + "apiKey"} & set(conf)
    assert conf["spark.jars.packages"] == f"io.openlineage:openlineage-spark:{release}"
    reads = _listener_reads(conf, release)
    assert reads == Reads(f"https://lineage.example.com/{endpoint}", f"Bearer {CANARY}", "dev")


@pytest.mark.parametrize("release", TRANSPORT_RELEASES)
def test_databricks_spark_config_for_0_19_2_to_0_21_1_posts_to_a_custom_endpoint(release: str) -> None:
    version = ["--openlineage-version", release]
    result = cli(["databricks", "--print", "--format", "spark-conf", *_conn("custom/lineage"), *version])
    assert result.exit_code == 0, result.output
    reads = _listener_reads(_box(result.stdout), release)
    assert reads == Reads("https://lineage.example.com/custom/lineage", f"Bearer {CANARY}", "dev")


@pytest.mark.parametrize("release", ["0.20.4", "0.21.1", "1.54.0"])
def test_a_key_holding_semicolons_reaches_releases_that_read_only_bracketed_lists(release: str) -> None:
    version = ["--openlineage-version", release]
    result = cli(["spark", "--print", "--format", "conf", *_conn("api/v1/lineage", HOSTILE_KEY), *version])
    assert result.exit_code == 0, result.output
    if Version(release) < Version("0.22.0"):
        assert _listener_reads(_java(result.stdout), release).authorization == f"Bearer {HOSTILE_KEY}"


@pytest.mark.parametrize(
    ("release", "key", "message"),
    [
        ("0.19.2", HOSTILE_KEY, "openlineage-spark 0.19.2 reads a transport value holding ';' as a list"),
        ("1.54.0", "[olk_a;b_0123456789]", "reads a value such as [a;b] as a list"),
    ],
)
@pytest.mark.parametrize("command", ["spark", "databricks"])
def test_a_key_the_release_would_read_as_a_list_is_refused(command: str, release: str, key: str, message: str) -> None:
    conf = {PREFIX + "transport.url": "https://h.example", API_KEY: key, AUTH_TYPE: "api_key"}
    with pytest.raises(Refused):  # what the listener would do with it
        _listener_reads(conf, release)
    result = cli([command, "--print", *_conn("api/v1/lineage", key), "--openlineage-version", release])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert key not in result.stdout + result.stderr


def test_legacy_keys_in_spark_defaults_are_said_to_be_overridden_for_0_21_1(tmp_path: Any) -> None:
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("spark.openlineage.host https://old.example.com\n")
    result = cli(["spark", "--spark-conf", str(conf), *CONN, "--openlineage-version", "0.21.1", "--yes"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "also sets spark.openlineage.host, which the transport.* keys override in openlineage-spark 0.21.1" in said
    reads = _listener_reads(_java(conf.read_text()), "0.21.1")  # ours win over the old host
    assert reads.post_to == "https://lineage.example.com/api/v1/lineage"


@pytest.mark.parametrize(
    ("extra", "flags"), [([], ""), (["--openlineage-version", "0.21.1"], " --openlineage-version 0.21.1")]
)
def test_the_patch_hint_names_the_release_that_was_printed(extra: list[str], flags: str) -> None:
    result = cli(["spark", "--print", "--format", "conf", *CONN, *extra])
    assert result.exit_code == 0, result.output
    assert f"(lineage-setup spark --spark-conf PATH{flags} does that for you)" in " ".join(result.stderr.split())
