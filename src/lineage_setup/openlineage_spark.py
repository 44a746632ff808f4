"""The openlineage-spark listener, whichever cluster runs it: the release the config is for and the keys it reads.

Shared by the Spark and Databricks integrations (neither imports the other). The keys depend on the
release the user runs (OpenLineage/OpenLineage `integration/spark/app/src/main/java/io/openlineage/spark/agent/`
`ArgumentParser.java` and `UrlParser.java` at each tag):
- up to 0.18.0 only the legacy `host`/`apiKey`/`version` keys (the jar posts to <host>/api/<version>/lineage);
- 0.19.2 (PR #1383) reads `spark.openlineage.transport.*` (type, url, endpoint, auth.type, auth.apiKey) and
  maps the legacy keys onto them where those are missing; its `version` mapping writes `api/v<version>/lineage`,
  so the legacy `v1` would become `api/vv1/lineage` there: from 0.19.2 on only `transport.*` is written;
- 0.22.0 removed the legacy keys (PR #1711).
Values under `transport.` become lists when they look like one: in 0.19.2 any value holding `;`, from 0.20.4
(PR #1507) a value `[...;...]`. 1.9.1 added the Scala suffix to the Maven artifact (`integration/spark/build.gradle`
@1.8.0 vs @1.9.1). So the version is an input, and users pinned to old jars get config their jar reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
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
TRANSPORT_SINCE = "0.19.2"  # first release reading spark.openlineage.transport.* (PR #1383)
LEGACY_REMOVED = "0.22.0"  # legacy host/apiKey/url/version keys no longer read (PR #1711)
BRACKETED_LISTS_SINCE = "0.20.4"  # before: any transport value with ';' is read as a list (PR #1507)
LEGACY_KEYS = (
    "spark.openlineage.host",
    "spark.openlineage.apiKey",
    "spark.openlineage.url",
    "spark.openlineage.version",
)
TRANSPORT_PREFIX = "spark.openlineage.transport."
# template placeholder -> the key whose value fills it (templates/spark/*.tmpl, templates/databricks/spark-conf*.tmpl)
_PLACEHOLDERS = {
    "url": "spark.openlineage.transport.url",
    "endpoint": "spark.openlineage.transport.endpoint",
    "api_key": "spark.openlineage.transport.auth.apiKey",
    "namespace": "spark.openlineage.namespace",
}
_LEGACY_PLACEHOLDERS = {
    "url": "spark.openlineage.host",
    "api_version": "spark.openlineage.version",
    "api_key": "spark.openlineage.apiKey",
    "namespace": "spark.openlineage.namespace",
}
_RELEASE_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_LEGACY_ENDPOINT_RE = re.compile(r"api/([A-Za-z0-9._-]+)/lineage")


@dataclass(frozen=True)
class Target:
    """The openlineage-spark release the config is for."""

    version: str
    scala: str = SCALA_DEFAULT

    @property
    def legacy_keys(self) -> bool:
        """The release reads only the legacy keys (no transport.*)."""
        return _older(self.version, TRANSPORT_SINCE)

    @property
    def maps_legacy_keys(self) -> bool:
        """The release reads transport.* and still maps the legacy keys onto the transport keys missing."""
        return not self.legacy_keys and _older(self.version, LEGACY_REMOVED)

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
    endpoint = "/" + conn.endpoint
    _refuse_list_like(tgt, (("endpoint", endpoint), ("API key", key)))
    return [
        ("spark.openlineage.transport.type", "http"),
        ("spark.openlineage.transport.url", conn.url),
        ("spark.openlineage.transport.endpoint", endpoint),
        ("spark.openlineage.transport.auth.type", "api_key"),
        ("spark.openlineage.transport.auth.apiKey", key),
        ("spark.openlineage.namespace", conn.namespace),
    ]


def _refuse_list_like(tgt: Target, values: tuple[tuple[str, str], ...]) -> None:
    """ArgumentParser turns a transport value that looks like a list into a JSON array, which the HTTP
    transport cannot read as a string (ArgumentParser.extractOpenlineageConfFromSparkConf @0.19.2, @0.20.4)."""
    bracketed = not _older(tgt.version, BRACKETED_LISTS_SINCE)
    for what, value in values:
        if ";" not in value:
            continue
        if not bracketed:
            raise UsageError(
                f"openlineage-spark {tgt.version} reads a transport value holding ';' as a list, so the {what} "
                f"cannot be passed to it; use openlineage-spark {BRACKETED_LISTS_SINCE} or newer "
                "(--openlineage-version)"
            )
        if value.startswith("[") and value.endswith("]"):
            raise UsageError(
                f"openlineage-spark reads a value such as [a;b] as a list, so the {what} (in brackets, "
                "holding ';') cannot be passed to it"
            )


def template_values(pairs: Sequence[tuple[str, str]], tgt: Target, quote: Callable[[str], str]) -> dict[str, str]:
    """The placeholders of a transport template of `tgt`'s era, from transport_conf's pairs, quoted by `quote`."""
    conf = dict(pairs)
    names = _LEGACY_PLACEHOLDERS if tgt.legacy_keys else _PLACEHOLDERS
    return {name: quote(conf[key]) for name, key in names.items()}


def _legacy_api_version(conn: Connection, tgt: Target) -> str:
    """Before 0.19.2 the jar always posts to <host>/api/<version>/lineage; only <version> is configurable."""
    match = _LEGACY_ENDPOINT_RE.fullmatch(conn.endpoint)
    if match is None:
        raise UsageError(
            f"openlineage-spark {tgt.version} always sends to <url>/api/<version>/lineage, so the endpoint "
            f"/{conn.endpoint} cannot be configured for it; use openlineage-spark {TRANSPORT_SINCE} or newer "
            "(--openlineage-version), or an endpoint of that form"
        )
    return match.group(1)
