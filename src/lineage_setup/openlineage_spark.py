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

A second destination (--add) is the composite transport: `spark.openlineage.transport.type=composite` and
`spark.openlineage.transport.transports.<name>.*`, read since 1.23.0 (`client/java/.../CompositeConfig.java`,
PR #3039). ArgumentParser splits every key on '.', so a name holds none; each sub-transport is read by a plain
ObjectMapper (an unknown key fails the whole config) and without UrlParser (a url with a path and an endpoint
fails). `HttpConfig.compression` (gzip) is read since 1.13.0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

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
COMPRESSION_SINCE = "1.13.0"  # HttpConfig.compression (client/java HttpConfig.java @1.12.0 vs @1.13.0)
COMPOSITE_SINCE = "1.23.0"  # CompositeConfig (client/java, CHANGELOG 1.23.0, PR #3039)
LEGACY_KEYS = (
    "spark.openlineage.host",
    "spark.openlineage.apiKey",
    "spark.openlineage.url",
    "spark.openlineage.version",
)
TRANSPORT_PREFIX = "spark.openlineage.transport."
TYPE_KEY = TRANSPORT_PREFIX + "type"
SUBS_PREFIX = TRANSPORT_PREFIX + "transports."  # + <name>.<key>: one sub-transport of a composite
CONTINUE_KEY = TRANSPORT_PREFIX + "continueOnFailure"  # false by default in 1.23.0-1.25.x (true since 1.26.0)
NAMESPACE_KEY = "spark.openlineage.namespace"
OURS_PREFIX = "lineage_setup_"  # the sub-transport lineage-setup adds is lineage_setup_<host>
DEFAULT_ENDPOINT = "/api/v1/lineage"  # HttpTransport's when none is set
# What a sub-transport of type http may set: TransportConfig's type and HttpConfig's fields (client/java
# TransportConfig.java, HttpConfig.java @1.52.0; tests/data/openlineage-java-config.json holds the list read there)
HTTP_FIELDS = ("type", "url", "endpoint", "timeoutInMillis", "auth", "urlParams", "headers", "compression")
# ArgumentParser.PROPERTIES_PREFIXES: the rest of such a key is one name, at the top level only
_WHOLE_KEY_FIELDS = ("properties", "urlParams", "headers")
# template placeholder -> the key whose value fills it (templates/spark/*.tmpl, templates/databricks/spark-conf*.tmpl)
# (the other keys of transport_conf, the key and compression, fill `$more` one line each)
_PLACEHOLDERS = {
    "url": "spark.openlineage.transport.url",
    "endpoint": "spark.openlineage.transport.endpoint",
    "namespace": NAMESPACE_KEY,
}
_LEGACY_PLACEHOLDERS = {
    "url": "spark.openlineage.host",
    "api_version": "spark.openlineage.version",
    "namespace": NAMESPACE_KEY,
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
    """Where events go and under which namespace, in the keys `tgt` reads; `api_key` overrides the key text.
    A backend without a key (conn.keyless) gets no auth keys at all."""
    key = conn.api_key if api_key is None else api_key
    if tgt.legacy_keys:
        pairs = [("spark.openlineage.host", conn.url), ("spark.openlineage.version", _legacy_api_version(conn, tgt))]
        return [*pairs, *([] if conn.keyless else [("spark.openlineage.apiKey", key)]), (NAMESPACE_KEY, conn.namespace)]
    return [*http_conf(conn, tgt, TRANSPORT_PREFIX, key), (NAMESPACE_KEY, conn.namespace)]


def http_conf(conn: Connection, tgt: Target, prefix: str, key: str) -> list[tuple[str, str]]:
    """An http transport's keys under `prefix` (the transport itself, or one sub-transport of a composite)."""
    endpoint = "/" + conn.endpoint
    _refuse_list_like(tgt, (("endpoint", endpoint), ("API key", key)))
    pairs = [(prefix + "type", "http"), (prefix + "url", conn.url), (prefix + "endpoint", endpoint)]
    if not conn.keyless:
        pairs += [(prefix + "auth.type", "api_key"), (prefix + "auth.apiKey", key)]
    if compresses(conn, tgt):
        pairs.append((prefix + "compression", "gzip"))
    return pairs


def compresses(conn: Connection, tgt: Target) -> bool:
    """gzip for a backend that expects it, when the release can (older ones send uncompressed)."""
    return conn.preset.gzip and not _older(tgt.version, COMPRESSION_SINCE)


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


def template_values(
    pairs: Sequence[tuple[str, str]],
    tgt: Target,
    quote: Callable[[str], str],
    more: Callable[[list[tuple[str, str]]], str],
) -> dict[str, str]:
    """The placeholders of a transport template of `tgt`'s era, from transport_conf's pairs, quoted by `quote`;
    `$more` is what `more` makes of the pairs no placeholder names (the key, compression), in their order."""
    conf = dict(pairs)
    names = _LEGACY_PLACEHOLDERS if tgt.legacy_keys else _PLACEHOLDERS
    values = {name: quote(conf[key]) for name, key in names.items()}
    fixed = {*names.values(), TYPE_KEY}
    values["more"] = more([(key, value) for key, value in pairs if key not in fixed])
    return values


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


# --- what a conf sends to, and a second destination beside it (--add) -------------------------------------


@dataclass(frozen=True)
class Destination:
    url: str  # as the transport posts to it: scheme://host[:port] (a sub-transport's url may hold a path)
    endpoint: str  # with its leading slash; "" when the url holds the path
    key: str | None
    name: str | None = None  # its name in a composite

    @property
    def lineage_url(self) -> str:
        return self.url.rstrip("/") + ("/" + self.endpoint.lstrip("/") if self.endpoint else "")


def transport_of(conf: Mapping[str, str]) -> dict[str, str]:
    """The transport keys without their prefix; blank values are skipped, as ArgumentParser skips them."""
    return {k[len(TRANSPORT_PREFIX) :]: v for k, v in conf.items() if k.startswith(TRANSPORT_PREFIX) and v.strip()}


def subs_of(transport: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """A composite's sub-transports by name (from `transports.<name>.<key>`)."""
    found: dict[str, dict[str, str]] = {}
    for key, value in transport.items():
        name, _, rest = key.removeprefix("transports.").partition(".")
        if key.startswith("transports.") and name and rest:
            found.setdefault(name, {})[rest] = value
    return found


def destinations(conf: Mapping[str, str], tgt: Target) -> list[Destination]:
    """Where the listener sends, read as `tgt` reads the conf (no transport, or the console: nowhere)."""
    transport = transport_of(conf)
    kind = transport.get("type", "")
    if tgt.legacy_keys or (tgt.maps_legacy_keys and not kind):
        host = conf.get("spark.openlineage.host", "").strip()
        version = conf.get("spark.openlineage.version", "").strip() or "v1"
        return [Destination(host, f"/api/{version}/lineage", conf.get("spark.openlineage.apiKey"))] if host else []
    if kind == "composite":
        subs = subs_of(transport)
        return [d for name in sorted(subs) for d in _http(subs[name], name, top=False)]
    return _http(transport, None, top=True) if kind == "http" else []


def _http(transport: Mapping[str, str], name: str | None, *, top: bool) -> list[Destination]:
    """An http transport's destination; at the top level UrlParser first reduces the url to scheme://authority
    (an /api/<v>/... path becomes the endpoint, ?api_key= the key) (UrlParser.parseUrl)."""
    url = transport.get("url", "").strip()
    if transport.get("type") != "http" or not url:
        return []
    parts = urlsplit(url)
    key = transport.get("auth.apiKey") if transport.get("auth.type") == "api_key" else None
    endpoint = transport.get("endpoint") or DEFAULT_ENDPOINT
    if not top:
        return [Destination(url, "" if parts.path else endpoint, key, name)]
    elements = parts.path.split("/")
    while elements and not elements[-1]:
        elements.pop()  # as Java's String.split drops trailing empty strings
    if len(elements) > 2 and elements[1] == "api":
        endpoint = f"/api/{elements[2]}/lineage"
    key = next(iter(parse_qs(parts.query).get("api_key", [])), key)
    return [Destination(f"{parts.scheme}://{parts.netloc}", endpoint, key, name)]


def sub_name(url: str) -> str:
    """A sub-transport name from a url's host, without the '.' ArgumentParser splits on: a.b.com -> a_b_com."""
    host = urlsplit(url).hostname or ""
    return re.sub(r"[^a-z0-9]+", "_", host.lower()).strip("_") or "destination"


class CannotCompose(ValueError):
    """The transport there cannot become a sub-transport as it is; the message says what to change."""


@dataclass(frozen=True)
class Composite:
    """--add: their transport's keys moved under a name (none when it is a composite already), and the keys to set."""

    renames: dict[str, str]
    pairs: list[tuple[str, str]]
    ours: str
    theirs: str | None


def refuse_composite(tgt: Target, loads: str = "") -> None:
    """--add needs the composite transport; `loads` names where the release came from (a file's jar list)."""
    if not _older(tgt.version, COMPOSITE_SINCE):
        return
    then = (
        f"load {COMPOSITE_SINCE} or newer there first"
        if loads
        else f"load that release or a newer one (--openlineage-version {COMPOSITE_SINCE} or newer)"
    )
    raise UsageError(
        f"--add: {loads or 'openlineage-spark'} {tgt.version} reads one transport only; a second destination needs "
        f"the composite transport, which openlineage-spark reads since {COMPOSITE_SINCE}: {then}, or pass --replace"
    )


def composite(conf: Mapping[str, str], conn: Connection, tgt: Target, api_key: str | None = None) -> Composite | None:
    """Ours beside what `conf` sends to, as a composite; None when it sends nowhere else (then ours alone)."""
    refuse_composite(tgt)
    if not {d.lineage_url for d in destinations(conf, tgt)} - {conn.lineage_url}:
        return None
    ours = OURS_PREFIX + sub_name(conn.url)
    sub = http_conf(conn, tgt, f"{SUBS_PREFIX}{ours}.", conn.api_key if api_key is None else api_key)
    transport = transport_of(conf)
    if transport.get("type") == "composite":
        keep = [] if "continueOnFailure" in transport else [(CONTINUE_KEY, "true")]
        return Composite({}, [*keep, *sub], ours, None)
    _check_movable(transport)
    theirs = sub_name(transport["url"])
    moved = (key for key in conf if key.startswith(TRANSPORT_PREFIX))
    renames = {key: f"{SUBS_PREFIX}{theirs}.{key[len(TRANSPORT_PREFIX) :]}" for key in moved}
    return Composite(renames, [(TYPE_KEY, "composite"), (CONTINUE_KEY, "true"), *sub], ours, theirs)


def _check_movable(transport: Mapping[str, str]) -> None:
    """An http transport whose keys a sub-transport reads the same way (destinations() found its url)."""
    unknown = sorted({key.split(".")[0] for key in transport} - set(HTTP_FIELDS))
    if unknown:
        named = ", ".join(TRANSPORT_PREFIX + key for key in unknown)
        raise CannotCompose(
            f"it sets {named}, which the Java client ignores for a lone transport but refuses in a composite's "
            "sub-transport (an unknown key fails the whole config); remove it first"
        )
    dotted = sorted(k for k in transport if k.split(".")[0] in _WHOLE_KEY_FIELDS and k.count(".") > 1)
    if dotted:
        raise CannotCompose(
            f"{TRANSPORT_PREFIX}{dotted[0]} has a '.' in its name, which openlineage-spark keeps whole only for the "
            "transport itself, not for a composite's sub-transport; rename it first"
        )
    parts = urlsplit(transport["url"])
    if parts.path or parts.query:
        raise CannotCompose(
            f"{TRANSPORT_PREFIX}url has a path or a query, which openlineage-spark rewrites for a lone http "
            f"transport but not inside a composite; set it to {parts.scheme}://{parts.netloc} and the path as "
            f"{TRANSPORT_PREFIX}endpoint first"
        )
