"""The openlineage-spark listener, whichever cluster runs it: the release the config is for and the keys it reads.

Shared by the Spark and Databricks integrations (neither imports the other). The keys depend on the
release the user runs: OpenLineage 0.22.0 removed the legacy `host`/`apiKey`/`url`/`version` keys in
favour of `transport.*` (OpenLineage/OpenLineage PR #1711, `integration/spark/.../ArgumentParser.java`
@0.22.0), and 1.9.1 added the Scala suffix to the Maven artifact (`integration/spark/build.gradle`
@1.8.0 vs @1.9.1). So the version is an input, and users pinned to old jars get config their jar reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lineage_setup.answers import Connection
from lineage_setup.errors import UsageError

# One recent release (openlineage-python on PyPI; OpenLineage releases in lock-step). The latest on
# Maven Central could not be confirmed, so this is only the default of --openlineage-version.
OPENLINEAGE_VERSION = "1.54.0"
SCALA_DEFAULT = "2.12"
LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
GROUP = "io.openlineage"
SCALA_SINCE = "1.9.1"  # first release published as openlineage-spark_<scala>
TRANSPORT_SINCE = "0.22.0"  # legacy host/apiKey/url keys removed (PR #1711)
LEGACY_KEYS = (
    "spark.openlineage.host",
    "spark.openlineage.apiKey",
    "spark.openlineage.url",
    "spark.openlineage.version",
)
TRANSPORT_PREFIX = "spark.openlineage.transport."
_RELEASE_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_LEGACY_ENDPOINT_RE = re.compile(r"api/([A-Za-z0-9._-]+)/lineage")


@dataclass(frozen=True)
class Target:
    """The openlineage-spark release the config is for."""

    version: str
    scala: str = SCALA_DEFAULT

    @property
    def legacy_keys(self) -> bool:
        return _older(self.version, TRANSPORT_SINCE)

    @property
    def artifact(self) -> str:
        """Maven coordinates, group:artifact:version."""
        if _older(self.version, SCALA_SINCE):
            return f"{GROUP}:openlineage-spark:{self.version}"
        return f"{GROUP}:openlineage-spark_{self.scala}:{self.version}"

    @property
    def artifact_name(self) -> str:
        return self.artifact.split(":")[1]

    @property
    def jar_name(self) -> str:
        _, name, version = self.artifact.split(":")
        return f"{name}-{version}.jar"


def _older(version: str, than: str) -> bool:
    from packaging.version import Version

    return Version(version) < Version(than)


def parse_version(raw: str | None, source: str = "--openlineage-version") -> str:
    value = (raw or "").strip()
    if not _RELEASE_RE.fullmatch(value):
        raise UsageError(
            f"{source}: expects an exact release such as {OPENLINEAGE_VERSION}, not {value!r} "
            "(a range such as 0.2.+ loads whatever is newest, with keys of another era)"
        )
    return value


def target_for(version: str | None, scala: str | None) -> Target:
    """The release of --openlineage-version, built for --scala (refused when that release has no such build)."""
    exact = parse_version(version or OPENLINEAGE_VERSION)
    if scala == "2.13" and _older(exact, SCALA_SINCE):
        raise UsageError(
            f"--scala 2.13: openlineage-spark {exact} is built for Scala 2.12 only "
            f"(Scala 2.13 builds start with {SCALA_SINCE})"
        )
    return Target(exact, scala or SCALA_DEFAULT)


def transport_conf(conn: Connection, tgt: Target, api_key: str | None = None) -> list[tuple[str, str]]:
    """Where events go and under which namespace, in the keys `tgt` reads; `api_key` overrides the key text."""
    key = conn.api_key if api_key is None else api_key
    if tgt.legacy_keys:
        return [
            ("spark.openlineage.host", conn.url),
            ("spark.openlineage.version", _legacy_api_version(conn, tgt)),
            ("spark.openlineage.apiKey", key),
            ("spark.openlineage.namespace", conn.namespace),
        ]
    return [
        ("spark.openlineage.transport.type", "http"),
        ("spark.openlineage.transport.url", conn.url),
        ("spark.openlineage.transport.endpoint", "/" + conn.endpoint),
        ("spark.openlineage.transport.auth.type", "api_key"),
        ("spark.openlineage.transport.auth.apiKey", key),
        ("spark.openlineage.namespace", conn.namespace),
    ]


def _legacy_api_version(conn: Connection, tgt: Target) -> str:
    """Before 0.22.0 the jar always posts to <host>/api/<version>/lineage; only <version> is configurable."""
    match = _LEGACY_ENDPOINT_RE.fullmatch(conn.endpoint)
    if match is None:
        raise UsageError(
            f"openlineage-spark {tgt.version} always sends to <url>/api/<version>/lineage, so the endpoint "
            f"/{conn.endpoint} cannot be configured for it; use openlineage-spark {TRANSPORT_SINCE} or newer "
            "(--openlineage-version), or an endpoint of that form"
        )
    return match.group(1)
