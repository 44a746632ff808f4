"""What a spark-defaults.conf says about lineage: found (the wizard), effective (status).

openlineage-spark reads its config from the SparkConf (ArgumentParser: spark.openlineage.* keys), merged under
an openlineage.yml and OPENLINEAGE__* variables on the driver; without a transport type it prints events to
the driver log (ConsoleConfig). The release is the one in spark.jars.packages, when the file names one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup.edits import EditError, properties
from lineage_setup.errors import UnsafeTargetError, UsageError
from lineage_setup.integrations.base import Description, Project, Setting, State
from lineage_setup.integrations.spark import project
from lineage_setup.integrations.spark.render import OUR_PACKAGE
from lineage_setup.openlineage_spark import (
    COMPOSITE_SINCE,
    COMPRESSION_SINCE,
    LISTENER,
    NAMESPACE_KEY,
    OPENLINEAGE_VERSION,
    TRANSPORT_PREFIX,
    Destination,
    Target,
    destinations,
    parse_version,
    subs_of,
    target_for,
    transport_of,
)

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

CONF = "spark-defaults.conf"
DEFAULT_NAMESPACE = "default"  # SparkOpenLineageConfig's namespace when none is set
KEY_KEYS = ("spark.openlineage.transport.auth.apiKey", "spark.openlineage.apiKey")


@dataclass(frozen=True)
class Conf:
    """One spark-defaults.conf, parsed: its keys (the last of each wins, as in java.util.Properties)."""

    text: str
    values: dict[str, str]
    target: Target
    version_source: str  # where the release came from

    @property
    def listener(self) -> bool:
        return LISTENER in items(self.values.get("spark.extraListeners", ""))

    @property
    def destinations(self) -> list[Destination]:
        return destinations(self.values, self.target)

    @property
    def holds_key(self) -> bool:
        return any((key.endswith(".auth.apiKey") or key in KEY_KEYS) and v for key, v in self.values.items())


def items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse(text: str, where: Path | str) -> Conf:
    """The file's keys; UnsafeTargetError (exit 3) when it cannot be read as Spark reads it."""
    try:
        values = {entry.key: entry.value for entry in properties.entries(text)}
    except EditError as exc:
        raise UnsafeTargetError(f"{where}: cannot read it as Spark does: {exc}") from None
    ours = [item for item in items(values.get("spark.jars.packages", "")) if OUR_PACKAGE.search(item)]
    version = ours[-1].rsplit(":", 1)[-1] if ours else ""
    if _exact(version):
        return Conf(text, values, target_for(version, None), "spark.jars.packages")
    why = f"{version} in spark.jars.packages is not one release" if version else "not in spark.jars.packages"
    return Conf(text, values, target_for(OPENLINEAGE_VERSION, None), f"assumed ({why})")


def _exact(version: str) -> bool:
    try:
        return bool(version) and parse_version(version) == version
    except UsageError:  # a range such as 0.2.+ loads whatever is newest
        return False


def detect(ws: Workspace) -> tuple[Project, ...]:
    text = ws.inspect(CONF)
    if text is None:
        return ()
    path = os.path.abspath(ws.path(CONF))
    try:
        conf = parse(text, path)
    except UnsafeTargetError as exc:  # said by status, and refused by a run (with the lines to paste)
        return (Project("spark", ws.root, None, "unknown", (("cannot read it", str(exc)),), (("spark_conf", path),)),)
    sends = conf.destinations
    state: State = "configured" if sends and conf.listener else "not configured"
    facts = [("sends to", d.lineage_url) for d in sends]
    if conf.version_source == "spark.jars.packages":
        facts.append(("openlineage-spark", conf.target.version))
    name = conf.values.get(NAMESPACE_KEY) or None
    return (Project("spark", ws.root, name, state, tuple(facts), (("spark_conf", path),)),)


def describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    """What the listener does with this file (spark-submit reads it from $SPARK_CONF_DIR or $SPARK_HOME/conf)."""
    text = ws.inspect(CONF)
    if text is None:
        return Description((), (f"{ws.path(CONF)} is gone",))
    label = str(ws.path(CONF))
    try:
        conf = parse(text, label)
    except UnsafeTargetError as exc:
        return Description((Setting("config", label, _read_as(ws.path(CONF), env)),), (f"{exc}; fix it",))
    settings = [
        Setting("config", label, _read_as(ws.path(CONF), env)),
        Setting("openlineage-spark", conf.target.version, conf.version_source),
        Setting("listener", "registered" if conf.listener else "missing", "spark.extraListeners"),
    ]
    for d in conf.destinations:
        where = f"{label} ({f'transports.{d.name}' if d.name else 'transport'})"
        settings += [Setting("sends to", d.lineage_url, where)]
        settings += [Setting("api key", f"...{d.key[-4:]}" if d.key else "none", where if d.key else "-")]
    namespace = conf.values.get(NAMESPACE_KEY)
    settings.append(Setting("namespace", namespace or DEFAULT_NAMESPACE, NAMESPACE_KEY if namespace else "default"))
    problems = _problems(conf, ws.path(CONF), env) + _key_file_problems(ws, conf)
    endpoints = tuple((d.url, d.endpoint.lstrip("/"), d.key) for d in conf.destinations)
    return Description(tuple(settings), tuple(problems), endpoints)


def _read_as(path: Path, env: Mapping[str, str]) -> str:
    for var, sub in (("SPARK_CONF_DIR", ""), ("SPARK_HOME", "conf")):
        if env.get(var):
            folder = Path(env[var]).expanduser() / sub
            if os.path.abspath(folder / CONF) == os.path.abspath(path):
                return f"${var}{'/' + sub if sub else ''}: spark-submit reads it"
            return f"not ${var}{'/' + sub if sub else ''}: spark-submit reads it only with --properties-file"
    return "spark-submit reads it as $SPARK_CONF_DIR or $SPARK_HOME/conf"


def _problems(conf: Conf, path: Path, env: Mapping[str, str]) -> list[str]:
    values, tgt = conf.values, conf.target
    rerun = f"lineage-setup spark --spark-conf {path}" + (
        f" --openlineage-version {tgt.version}" if tgt.version != OPENLINEAGE_VERSION else ""
    )
    transport = transport_of(values)
    found = project.notes(path, conf.text, tgt)
    if not conf.listener:
        found.append(f"spark.extraListeners does not list {LISTENER}: nothing sends lineage; run {rerun}")
    if not conf.destinations and transport.get("type", "console") == "console" and not tgt.legacy_keys:
        found.append(
            "no transport sends events anywhere (spark.openlineage.transport.type is missing or console): "
            f"openlineage-spark prints them to the driver log, not sent; run {rerun}"
        )
    found += _version_problems(transport, tgt)
    env_keys = sorted(key for key in env if key.startswith("OPENLINEAGE__TRANSPORT"))
    if env_keys:
        found.append(
            f"{env_keys[0]} (and {len(env_keys) - 1} more) in this environment override the file's transport for a "
            "driver started from here (openlineage-spark merges OPENLINEAGE__* over the SparkConf); unset them"
        )
    return found


def _version_problems(transport: Mapping[str, str], tgt: Target) -> list[str]:
    found = []
    if transport.get("type") == "composite" and _older(tgt, COMPOSITE_SINCE):
        found.append(
            f"transport.type composite needs openlineage-spark {COMPOSITE_SINCE} or newer; {tgt.version} reads one "
            "transport only and sends nothing: load a newer jar"
        )
    if any(k == "compression" or k.endswith(".compression") for k in transport) and _older(tgt, COMPRESSION_SINCE):
        found.append(f"openlineage-spark {tgt.version} ignores compression (read since {COMPRESSION_SINCE})")
    for name, sub in sorted(subs_of(transport).items()):
        url = sub.get("url", "")
        if sub.get("type") == "http" and sub.get("endpoint") and url.split("://", 1)[-1].strip("/").count("/"):
            found.append(
                f"{TRANSPORT_PREFIX}transports.{name}.url has a path and an endpoint is set: the Java client "
                'refuses that ("You can\'t pass both uri and endpoint parameters"); keep the url to scheme://host'
            )
    return found


def _older(tgt: Target, than: str) -> bool:
    from packaging.version import Version

    return Version(tgt.version) < Version(than)


def _key_file_problems(ws: Workspace, conf: Conf) -> list[str]:
    if not conf.holds_key:
        return []
    found = []
    if ws.git_status(CONF) == "tracked":
        found.append(f"{CONF} holds the API key and git tracks it: git rm --cached {CONF}, and revoke the key")
    stat = ws.stat(CONF)
    if stat is not None and stat.st_mode & 0o077:
        found.append(f"{CONF} holds the API key and others can read it: chmod 600 {ws.path(CONF)}")
    return found
