"""Spark: the OpenLineage listener and HTTP transport as a SparkSession snippet, spark-submit flags,
or spark-defaults.conf lines -- printed, or upserted into spark-defaults.conf.

The keys depend on the openlineage-spark version the user runs (facts §5.2): 0.22.0 removed the
legacy `host`/`apiKey`/`url` keys in favour of `transport.*`, and 1.9.1 added the Scala suffix to
the Maven artifact. So the version is an input, and users pinned to old jars get config their jar reads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lineage_setup import quoting, templates
from lineage_setup.answers import Connection
from lineage_setup.edits import EditError, properties
from lineage_setup.errors import UsageError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.plan import Workspace

NAME = "spark"
TITLE = "Spark"
ALIASES: tuple[str, ...] = ()
HELP = (
    "Configure the OpenLineage Spark listener: patch spark-defaults.conf, or --print a SparkSession "
    "snippet, spark-submit flags or spark-defaults.conf lines."
)
PRINT_FORMATS = ("all", "python", "submit", "conf")

# One recent release (openlineage-python on PyPI; OpenLineage releases in lock-step). The latest on
# Maven Central could not be confirmed, so this is only the default of --openlineage-version.
OPENLINEAGE_VERSION = "1.54.0"
SCALA_DEFAULT = "2.12"
LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener"
GROUP = "io.openlineage"
# any openlineage-spark coordinate, with or without a Scala suffix: ours in another version
OUR_PACKAGE = re.compile(r"^io\.openlineage:openlineage-spark(_2\.1[0-9])?:")
COMMENT = "OpenLineage: listener and HTTP transport (added by lineage-setup)"
_RELEASE_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_LEGACY_ENDPOINT_RE = re.compile(r"api/([A-Za-z0-9._-]+)/lineage")
_SCALA_SINCE = "1.9.1"  # first release published as openlineage-spark_<scala>
_TRANSPORT_SINCE = "0.22.0"  # legacy host/apiKey/url keys removed (PR #1711)
LEGACY_KEYS = (
    "spark.openlineage.host",
    "spark.openlineage.apiKey",
    "spark.openlineage.url",
    "spark.openlineage.version",
)
TRANSPORT_PREFIX = "spark.openlineage.transport."

OPTIONS = (
    Option(
        "openlineage_version",
        "--openlineage-version",
        "The openlineage-spark release your jobs load (an exact version such as 1.54.0). Below 0.22.0 the "
        "legacy keys of that era are written; below 1.9.1 the artifact has no Scala suffix.",
        default=OPENLINEAGE_VERSION,
    ),
    Option(
        "scala",
        "--scala",
        f"Scala version of your Spark build, for the artifact name (default: {SCALA_DEFAULT}).",
        choices=("2.12", "2.13"),
    ),
    Option(
        "spark_conf",
        "--spark-conf",
        "spark-defaults.conf to patch (default: $SPARK_CONF_DIR/spark-defaults.conf, else "
        "$SPARK_HOME/conf/spark-defaults.conf). A relative path is relative to the current directory.",
    ),
)


@dataclass(frozen=True)
class Target:
    """The openlineage-spark release the config is for."""

    version: str
    scala: str = SCALA_DEFAULT

    @property
    def legacy_keys(self) -> bool:
        return _older(self.version, _TRANSPORT_SINCE)

    @property
    def artifact(self) -> str:
        if _older(self.version, _SCALA_SINCE):
            return f"{GROUP}:openlineage-spark:{self.version}"
        return f"{GROUP}:openlineage-spark_{self.scala}:{self.version}"

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


def target(options: Mapping[str, Any]) -> Target:
    version = parse_version(options.get("openlineage_version") or OPENLINEAGE_VERSION)
    scala = options.get("scala")
    if scala == "2.13" and _older(version, _SCALA_SINCE):
        raise UsageError(
            f"--scala 2.13: openlineage-spark {version} is built for Scala 2.12 only "
            f"(Scala 2.13 builds start with {_SCALA_SINCE})"
        )
    return Target(version, scala or SCALA_DEFAULT)


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
            f"/{conn.endpoint} cannot be configured for it; use openlineage-spark {_TRANSPORT_SINCE} or newer "
            "(--openlineage-version), or an endpoint of that form"
        )
    return match.group(1)


def settings(conn: Connection, tgt: Target) -> list[properties.Setting]:
    return [
        properties.Setting("spark.jars.packages", tgt.artifact, list_sep=",", replaces=OUR_PACKAGE),
        properties.Setting("spark.extraListeners", LISTENER, list_sep=","),
        *(properties.Setting(key, value) for key, value in transport_conf(conn, tgt)),
    ]


def _all_conf(conn: Connection, tgt: Target) -> list[tuple[str, str]]:
    return [("spark.jars.packages", tgt.artifact), ("spark.extraListeners", LISTENER), *transport_conf(conn, tgt)]


# --- options checked before any prompt -------------------------------------------------------------


def check_options(options: Mapping[str, Any], env: Mapping[str, str], *, printing: bool) -> None:
    target(options)
    if not printing:
        conf_path(options, env)


def conf_path(options: Mapping[str, Any], env: Mapping[str, str]) -> Path:
    """The spark-defaults.conf to patch, as Spark itself finds it when no flag is given."""
    raw = options.get("spark_conf")
    if raw:
        path = Path(os.path.abspath(Path(raw).expanduser()))
        if path.is_dir():
            raise UsageError(f"--spark-conf: {raw} is a directory; name the file, e.g. {path / 'spark-defaults.conf'}")
        if not path.parent.is_dir():
            raise UsageError(f"--spark-conf: the folder {path.parent} does not exist")
        return path
    for var, sub in (("SPARK_CONF_DIR", ""), ("SPARK_HOME", "conf")):
        if env.get(var):
            home = Path(env[var]).expanduser()
            if not home.is_dir():
                raise UsageError(f"{var}={env[var]} is not a directory; fix it, or pass --spark-conf PATH")
            return Path(os.path.abspath(home / sub / "spark-defaults.conf"))
    raise UsageError(
        "no spark-defaults.conf to patch: pass --spark-conf PATH (or set SPARK_HOME), "
        "or use --print to get the config to paste"
    )


check_project = base.no_project_check  # runs anywhere
namespace_default = base.no_namespace_default
preflight = base.no_preflight


# --- patch mode ------------------------------------------------------------------------------------


def plan(req: Request, ws: Workspace) -> None:
    tgt = target(req.options)
    path = conf_path(req.options, req.env)
    _keep_out_of_git(ws, path)
    current = ws.read(path)
    try:
        text = properties.apply(current or "", settings(req.conn, tgt), COMMENT)
    except properties.ValueRejected as exc:
        raise UsageError(f"cannot write spark-defaults.conf: {exc}") from None
    except EditError as exc:
        raise base.unsafe_edit(
            path, exc, f"add these lines yourself (your key where it shows ****):\n{conf_lines(req.conn, tgt)}"
        ) from None
    ws.write(path, text, reason="OpenLineage listener and transport for Spark", secret=True)
    _notes(ws, path, text, tgt)
    _steps(ws, path, tgt)


def _keep_out_of_git(ws: Workspace, path: Path) -> None:
    status = ws.git_status(path)  # a tracked secret file is refused by the Workspace
    if status == "not-ignored":
        ws.note(f"{path} is in a git repository and not ignored: add it to .gitignore, it will hold the API key")


def _notes(ws: Workspace, path: Path, text: str, tgt: Target) -> None:
    stale = _stale_keys(text, tgt)
    if stale:
        them = "it" if len(stale) == 1 else "them"
        ws.note(f"{path} also sets {', '.join(stale)}, which openlineage-spark {tgt.version} ignores; remove {them}")
    jars = properties.get(text, "spark.jars") or ""
    if "openlineage-spark" in jars:
        ws.note(
            "spark.jars also loads an openlineage-spark jar; with spark.jars.packages that is two "
            "listener versions on one classpath: keep one"
        )
    if (properties.get(text, "spark.openlineage.disabled") or "").lower() == "true":
        ws.note("spark.openlineage.disabled is true: the listener sends nothing until it is removed")


def _stale_keys(text: str, tgt: Target) -> list[str]:
    keys = [entry.key for entry in properties.entries(text)]
    if tgt.legacy_keys:
        return sorted({key for key in keys if key.startswith(TRANSPORT_PREFIX)})
    return sorted({key for key in keys if key in LEGACY_KEYS})


def _steps(ws: Workspace, path: Path, tgt: Target) -> None:
    ws.step(
        f"run your jobs as usual (spark-submit, pyspark, spark-shell read {path}); the first start "
        f"downloads {tgt.artifact} from Maven Central (offline: put {tgt.jar_name} in $SPARK_HOME/jars "
        "and drop it from spark.jars.packages)"
    )
    ws.step("look for OpenLineageSparkListener in the driver log, and for your jobs in the lineage UI")


# --- --print ---------------------------------------------------------------------------------------


def conf_lines(conn: Connection, tgt: Target) -> str:
    """spark-defaults.conf lines: exactly what patch mode adds to an empty file."""
    return properties.apply("", settings(conn, tgt), COMMENT)


def python_snippet(conn: Connection, tgt: Target) -> str:
    pairs = dict(_all_conf(conn, tgt))
    groups = (
        ("the listener jar (from Maven Central) and the listener", ("spark.jars.packages", "spark.extraListeners")),
        ("where lineage events go", tuple(key for key in pairs if key not in _NOT_TRANSPORT)),
        ("the namespace your Spark jobs are listed under", ("spark.openlineage.namespace",)),
    )
    lines = []
    for comment, keys in groups:
        lines.append(f"    # {comment}")
        lines.extend(f"    .config({key!r}, {pairs[key]!r})" for key in keys)
    return templates.render("spark/session.py.tmpl", version=tgt.version, configs="\n".join(lines))


_NOT_TRANSPORT = ("spark.jars.packages", "spark.extraListeners", "spark.openlineage.namespace")


def submit_flags(conn: Connection, tgt: Target) -> str:
    flags = [f"--packages {quoting.shell(tgt.artifact)}"]
    flags += [f"--conf {quoting.shell(f'{key}={value}')}" for key, value in _all_conf(conn, tgt)[1:]]
    return " \\\n".join(flags) + "\n"


def _check_values(conn: Connection, tgt: Target) -> None:
    try:
        for key, value in _all_conf(conn, tgt):
            properties.line(key, value)
    except properties.ValueRejected as exc:
        raise UsageError(f"cannot render the Spark config: {exc}") from None


def render(req: Request, fmt: str) -> Rendered:
    tgt = target(req.options)
    _check_values(req.conn, tgt)
    about = f"openlineage-spark {tgt.version} ({tgt.artifact})"
    parts = {
        "python": Rendered(
            python_snippet(req.conn, tgt),
            (
                f"a SparkSession for {about}; create it before any other session "
                "(spark.jars.packages is read only when the JVM starts)",
                "if your builder already sets spark.jars.packages or spark.extraListeners, add ours to "
                "that comma-separated value: a second .config() replaces the first",
            ),
        ),
        "submit": Rendered(
            submit_flags(req.conn, tgt),
            (f"spark-submit flags for {about}; paste after spark-submit, before your application",),
        ),
        "conf": Rendered(
            conf_lines(req.conn, tgt),
            (
                f"spark-defaults.conf lines for {about}; keep the file private (chmod 600), it holds "
                "the key; if it already sets spark.extraListeners or spark.jars.packages, add ours to those "
                "lists (lineage-setup spark --spark-conf PATH does that for you)",
            ),
        ),
    }
    if fmt == "all":
        headed = (Rendered(part.text, (f"=== --format {name} ===", *part.hints)) for name, part in parts.items())
        return Rendered("", sections=tuple(headed))
    return parts[fmt]
