"""Databricks: OpenLineage's init script (jar onto the driver classpath, listener in a driver conf),
the cluster Spark config that says where events go, and optionally applying both to a cluster.

The init script follows OpenLineage's own `integration/spark/databricks/open-lineage-init-script.sh`
(facts §5.3): `spark.jars.packages` does not work on Databricks and openlineage-spark is not on PyPI.
The API key never goes into the script; in the Spark config it can be a secret reference.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lineage_setup import quoting, redact, templates, validate
from lineage_setup.answers import Connection
from lineage_setup.errors import UsageError, VerificationError
from lineage_setup.integrations import base, spark
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.plan import RemoteChange, Workspace

NAME = "databricks"
TITLE = "Databricks"
ALIASES: tuple[str, ...] = ()
HELP = (
    "Write OpenLineage's init script for a Databricks cluster and show the Spark config to paste "
    "(or --apply both to a cluster through the REST API)."
)
PRINT_FORMATS = ("spark-conf", "init-script", "cluster-json")

SCRIPT = "openlineage-init.sh"
WORKSPACE_PATH = "/Shared/openlineage/openlineage-init.sh"
STAGE_DIR = "/dbfs/databricks/openlineage"  # where OpenLineage's upload script stages the jar
DBC_LISTENER = "com.databricks.backend.daemon.driver.DBCEventLoggingListener"
LISTENERS = f"{DBC_LISTENER},{spark.LISTENER}"
TLS_OPTION = "-Djava.security.properties="
JAVA_OPTIONS = ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")
TOKEN_ENV = "DATABRICKS_TOKEN"
MAVEN = "https://repo1.maven.org/maven2"
_SECRET_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")  # Databricks' rule for scope and key names
_CLUSTER_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_WORKSPACE_PATH_RE = re.compile(r"/[A-Za-z0-9._~@+=,/-]+")

OPTIONS = (
    Option("script", "--script", f"Where to write the init script (default: {SCRIPT} in --dir)."),
    Option(
        "jar_path",
        "--jar-path",
        f"The staged openlineage-spark jar the init script copies; a * in the file name is a glob "
        f"(default: {STAGE_DIR}/openlineage-spark_*.jar; openlineage-spark-*.jar before 1.9.1).",
    ),
    Option(
        "workspace_path",
        "--workspace-path",
        "Where the cluster finds the init script: a workspace file, or a /Volumes/<catalog>/<schema>/<volume>/ "
        "path (DBFS init scripts are no longer supported).",
        default=WORKSPACE_PATH,
    ),
    Option(
        "openlineage_version",
        "--openlineage-version",
        "The openlineage-spark release of the staged jar (an exact version); below 0.22.0 the legacy keys "
        "of that era are written.",
        default=spark.OPENLINEAGE_VERSION,
    ),
    Option(
        "scala",
        "--scala",
        "Scala version of the cluster's runtime, for the jar name (default: 2.12).",
        choices=("2.12", "2.13"),
    ),
    Option("secret_scope", "--secret-scope", "Databricks secret scope holding the API key (with --secret-key)."),
    Option("secret_key", "--secret-key", "Name of the secret holding the API key (with --secret-scope)."),
    Option(
        "no_tls_workaround",
        "--no-tls-workaround",
        "Leave out the two -Djava.security.properties= lines (a TLS workaround some clusters need).",
        is_flag=True,
        default=False,
    ),
    Option(
        "apply",
        "--apply",
        f"Upload the init script and add it and the Spark config to --cluster-id through the REST API "
        f"(token from {TOKEN_ENV}). A running cluster restarts.",
        is_flag=True,
        default=False,
    ),
    Option("host", "--host", "Workspace URL for --apply, e.g. https://adb-123.4.azuredatabricks.net."),
    Option("cluster_id", "--cluster-id", "Cluster to change with --apply."),
)


@dataclass(frozen=True)
class Setup:
    """Everything the options decide."""

    target: spark.Target
    stage_dir: str
    jar_pattern: str
    workspace_path: str
    secret: tuple[str, str] | None = None
    tls_workaround: bool = True

    @property
    def secret_ref(self) -> str | None:
        if self.secret is None:
            return None
        scope, key = self.secret
        return "{{secrets/" + scope + "/" + key + "}}"  # Databricks' secret reference syntax

    @property
    def init_script_entry(self) -> dict[str, dict[str, str]]:
        kind = "volumes" if self.workspace_path.startswith("/Volumes/") else "workspace"
        return {kind: {"destination": self.workspace_path}}


# --- options -----------------------------------------------------------------------------------------


def setup(options: Mapping[str, Any]) -> Setup:
    tgt = spark.target(options)
    stage_dir, pattern = _jar_path(options.get("jar_path"), tgt)
    return Setup(
        tgt,
        stage_dir,
        pattern,
        _workspace_path(options.get("workspace_path") or WORKSPACE_PATH),
        _secret(options.get("secret_scope"), options.get("secret_key")),
        not options.get("no_tls_workaround"),
    )


def _jar_path(raw: str | None, tgt: spark.Target) -> tuple[str, str]:
    if not raw:
        name = (
            "openlineage-spark-*.jar"
            if tgt.artifact.split(":")[1] == "openlineage-spark"
            else "openlineage-spark_*.jar"
        )
        return STAGE_DIR, name
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        raise UsageError("--jar-path: control characters (a newline?) are not allowed")
    folder, _, name = raw.rpartition("/")
    if not raw.startswith("/") or not name or not folder:
        raise UsageError(
            f"--jar-path: expects an absolute path on the cluster, e.g. {STAGE_DIR}/openlineage-spark_*.jar"
        )
    if any(ch in folder for ch in "*?["):
        raise UsageError("--jar-path: only the file name may hold a glob (*), not the folder")
    return folder, name


def _workspace_path(raw: str) -> str:
    if raw.startswith(("/dbfs/", "dbfs:")):
        raise UsageError(
            "--workspace-path: DBFS init scripts are no longer supported by Databricks; use a workspace "
            f"file such as {WORKSPACE_PATH} or a /Volumes/... path"
        )
    if not _WORKSPACE_PATH_RE.fullmatch(raw) or "//" in raw or raw.endswith("/"):
        raise UsageError(
            f"--workspace-path: {raw!r} is not an absolute file path of letters, digits and . _ ~ @ + = , / -"
        )
    return raw


def _secret(scope: str | None, key: str | None) -> tuple[str, str] | None:
    if not scope and not key:
        return None
    if not scope or not key:
        raise UsageError("--secret-scope and --secret-key go together: the scope and the secret's name in it")
    for flag, value in (("--secret-scope", scope), ("--secret-key", key)):
        if not _SECRET_NAME_RE.fullmatch(value):
            raise UsageError(f"{flag}: {value!r} must be 1-128 letters, digits, '-', '_' or '.'")
    return scope, key


def check_options(options: Mapping[str, Any], env: Mapping[str, str], *, printing: bool) -> None:
    setup(options)
    if options.get("apply"):
        if printing:
            raise UsageError("--apply and --print cannot be combined")
        _remote_target(options, env)
    elif options.get("host") or options.get("cluster_id"):
        raise UsageError("--host and --cluster-id are used only with --apply")


@dataclass(frozen=True)
class RemoteTarget:
    host: str
    cluster_id: str
    token: str = field(repr=False)


def _remote_target(options: Mapping[str, Any], env: Mapping[str, str]) -> RemoteTarget:
    token = (env.get(TOKEN_ENV) or "").strip()
    redact.register(token)
    if not options.get("host") or not options.get("cluster_id"):
        raise UsageError("--apply needs --host https://<workspace> and --cluster-id")
    url = validate.url(options["host"], "--host")
    if url.insecure or url.path:
        raise UsageError("--host: give the workspace URL, https://<workspace>, without a path")
    if not _CLUSTER_ID_RE.fullmatch(options["cluster_id"]):
        raise UsageError(f"--cluster-id: {options['cluster_id']!r} is not a cluster ID such as 0123-456789-abcdefgh")
    if not token:
        raise UsageError(f"--apply needs a Databricks token in {TOKEN_ENV} (never a flag: others can read argv)")
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise UsageError(f"{TOKEN_ENV}: the token contains whitespace or a control character")
    if setup(options).workspace_path.startswith("/Volumes/"):
        raise UsageError("--apply uploads the init script as a workspace file; --workspace-path must not be /Volumes/")
    return RemoteTarget(url.base, options["cluster_id"], token)


check_project = base.no_project_check  # runs anywhere
namespace_default = base.no_namespace_default
preflight = base.no_preflight


# --- what we render ----------------------------------------------------------------------------------


def spark_conf(conn: Connection, s: Setup) -> list[tuple[str, str]]:
    pairs = spark.transport_conf(conn, s.target, api_key=s.secret_ref)
    if s.tls_workaround:
        pairs += [(key, TLS_OPTION) for key in JAVA_OPTIONS]
    return pairs


def spark_conf_block(conn: Connection, s: Setup) -> str:
    return "".join(f"{key} {value}\n" for key, value in spark_conf(conn, s))


def init_script(s: Setup) -> str:
    return templates.render(
        "databricks/init-script.sh.tmpl",
        stage_dir=quoting.shell(s.stage_dir),
        jar_pattern=quoting.shell(s.jar_pattern),
        listeners=json.dumps(LISTENERS),  # a HOCON quoted string is a JSON string
    )


def cluster_json(conn: Connection, s: Setup) -> str:
    body = {"spark_conf": dict(spark_conf(conn, s)), "init_scripts": [s.init_script_entry]}
    return json.dumps(body, indent=2) + "\n"


def _secret_steps(s: Setup) -> str:
    scope, key = s.secret or ("", "")
    return (
        f"create the secret before the cluster starts: databricks secrets create-scope {quoting.shell(scope)}, "
        f"then databricks secrets put-secret {quoting.shell(scope)} {quoting.shell(key)} and paste the API key"
    )


def _key_hints(s: Setup) -> tuple[str, ...]:
    if s.secret:
        return (f"the key is the secret reference {s.secret_ref}; {_secret_steps(s)}",)
    return (
        "the API key is in these lines: anyone who can view the cluster can read it; store it as a Databricks "
        "secret instead with --secret-scope S --secret-key K",
    )


def _tls_hint(s: Setup) -> tuple[str, ...]:
    if not s.tls_workaround:
        return ()
    return (
        "the two -Djava.security.properties= lines are a TLS workaround (some clusters disable TLS algorithms "
        "the endpoint needs); if you already set extraJavaOptions, add the option to your value instead; "
        "--no-tls-workaround leaves them out",
    )


def render(req: Request, fmt: str) -> Rendered:
    s = setup(req.options)
    if fmt == "init-script":
        return Rendered(
            init_script(s),
            (f"save as {SCRIPT}, store it at {s.workspace_path} and add it to the cluster's init scripts",),
        )
    if fmt == "cluster-json":
        return Rendered(
            cluster_json(req.conn, s),
            (
                "fragment for the Clusters API: merge it into your cluster spec, keeping the spark_conf keys "
                "and init_scripts already there (or let --apply merge it)",
                *_key_hints(s),
            ),
        )
    return Rendered(
        spark_conf_block(req.conn, s),
        (
            "paste into the cluster's Advanced options > Spark config (one `key value` per line; no comments)",
            *_tls_hint(s),
            *_key_hints(s),
        ),
    )


# --- plan ------------------------------------------------------------------------------------------


def plan(req: Request, ws: Workspace) -> None:
    s = setup(req.options)
    script = req.options.get("script")
    if not req.options.get("apply") or script:
        path = Path(os.path.abspath(Path(script).expanduser())) if script else ws.path(SCRIPT)
        ws.write(path, init_script(s), reason="OpenLineage init script for Databricks")
    if req.options.get("apply"):
        _plan_remote(req, ws, s, _remote_target(req.options, req.env))
    else:
        _manual_steps(req.conn, ws, s, script or SCRIPT)


def _download(s: Setup) -> str:
    _, name, version = s.target.artifact.split(":")
    return f"curl -fLO {MAVEN}/io/openlineage/{name}/{version}/{s.target.jar_name}"


def _stage_hint(s: Setup) -> str:
    jar = s.target.jar_name
    if s.stage_dir.startswith("/dbfs/"):
        return f"databricks fs cp {jar} dbfs:{s.stage_dir.removeprefix('/dbfs')}/"
    if s.stage_dir.startswith("/Volumes/"):
        return f"databricks fs cp {jar} dbfs:{s.stage_dir}/"
    return f"copy it to {s.stage_dir} on the cluster"


def _manual_steps(conn: Connection, ws: Workspace, s: Setup, script: str) -> None:
    ws.step(f"download the listener jar: {_download(s)}")
    ws.step(f"stage it where the init script looks ({s.stage_dir}): {_stage_hint(s)}")
    ws.step(
        f"store {script} at {s.workspace_path} (Workspace > Import, or a Unity Catalog volume; DBFS init "
        "scripts are no longer supported), then add it under the cluster's Advanced options > Init scripts"
    )
    block = "".join(f"\n       {line}" for line in spark_conf_block(conn, s).splitlines())
    shown = "" if s.secret else " (the key shows as ****: print it with --print --format spark-conf)"
    ws.step(f"paste into the cluster's Advanced options > Spark config{shown}:{block}")
    if s.secret:
        ws.step(_secret_steps(s))
    ws.step("restart the cluster, then look for OpenLineageSparkListener in the driver log")
    ws.step("or let lineage-setup upload and configure it: --apply --host https://<workspace> --cluster-id <id>")


# --- --apply ---------------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass
class _Progress:
    """What the remote changes already did, so a later failure can say so."""

    done: list[str] = field(default_factory=list)

    def said(self) -> str:
        return "already done: " + "; ".join(self.done) if self.done else "nothing was changed"


def _call(step: str, host: str, progress: _Progress, action: Callable[[], T]) -> T:
    from lineage_setup.databricks_api import ApiError

    try:
        return action()
    except ApiError as exc:
        raise VerificationError(f"{step} failed: {exc.describe(host)}; {progress.said()}") from None


def _plan_remote(req: Request, ws: Workspace, s: Setup, remote: RemoteTarget) -> None:
    from lineage_setup.databricks_api import Client

    api = Client(remote.host, remote.token)
    progress = _Progress()
    cluster = _call(
        f"reading cluster {remote.cluster_id}", remote.host, progress, lambda: api.get_cluster(remote.cluster_id)
    )
    _refuse_job_cluster(cluster, remote)
    script = init_script(s).encode("utf-8")
    current = _call(f"reading {s.workspace_path}", remote.host, progress, lambda: api.export_file(s.workspace_path))
    if current != script:
        ws.remote(_upload_change(api, s, script, current, progress))
    merged = merge(cluster, spark_conf(req.conn, s), s.init_script_entry)
    if merged.changed:
        ws.remote(_cluster_change(api, remote, cluster, merged, progress))
    _remote_notes(ws, cluster, s, merged)


def _refuse_job_cluster(cluster: Mapping[str, Any], remote: RemoteTarget) -> None:
    if cluster.get("cluster_source") == "JOB":
        raise UsageError(
            f"cluster {remote.cluster_id} is a job cluster, which cannot be edited; put the init script and "
            "Spark config into the job's cluster spec instead (see --print --format cluster-json)"
        )


def _upload_change(api: Any, s: Setup, script: bytes, current: bytes | None, progress: _Progress) -> RemoteChange:
    import difflib

    folder = s.workspace_path.rsplit("/", 1)[0] or "/"
    old = current.decode("utf-8", "replace") if current is not None else ""
    diff = difflib.unified_diff(
        old.splitlines(),
        script.decode("utf-8").splitlines(),
        "/dev/null" if current is None else f"a{s.workspace_path}",
        f"b{s.workspace_path}",
        lineterm="",
    )

    def apply() -> None:
        _call(f"creating the workspace folder {folder}", api.host, progress, lambda: api.mkdirs(folder))
        progress.done.append(f"the workspace folder {folder} exists (created if it was missing)")
        step = f"uploading the init script to {s.workspace_path}"
        _call(step, api.host, progress, lambda: api.import_file(s.workspace_path, script))
        progress.done.append(f"the init script was uploaded to {s.workspace_path}")

    return RemoteChange(f"workspace file {s.workspace_path} (the init script)", tuple(diff), apply)


@dataclass(frozen=True)
class Merged:
    spark_conf: dict[str, str]
    init_scripts: list[Any]
    diff: tuple[str, ...]
    kept: int  # the cluster's own keys left as they were

    @property
    def changed(self) -> bool:
        return bool(self.diff)


def _java_options(existing: str | None, ours: str) -> str:
    """Add our option to a cluster's own extraJavaOptions (setting it would replace theirs)."""
    tokens = (existing or "").split()
    if any(token.startswith(TLS_OPTION) for token in tokens):
        return existing or ""
    return " ".join([*tokens, ours])


def merge(cluster: Mapping[str, Any], wanted: list[tuple[str, str]], entry: dict[str, Any]) -> Merged:
    """The cluster's spark_conf and init_scripts with ours added; nothing of theirs dropped."""
    before: dict[str, str] = dict(cluster.get("spark_conf") or {})
    conf = dict(before)
    for key, value in wanted:
        conf[key] = _java_options(conf.get(key), value) if key in JAVA_OPTIONS else value
    if "spark.extraListeners" in conf and spark.LISTENER not in conf["spark.extraListeners"].split(","):
        conf["spark.extraListeners"] = conf["spark.extraListeners"].rstrip(",") + "," + spark.LISTENER
    scripts = list(cluster.get("init_scripts") or [])
    diff = [
        line for key in conf if conf[key] != before.get(key) for line in _conf_diff(key, before.get(key), conf[key])
    ]
    if diff:
        diff.insert(0, "@@ spark_conf @@")
    if entry not in scripts:
        diff += ["@@ init_scripts @@", *(f"  {_describe(item)}" for item in scripts), f"+ {_describe(entry)}"]
        scripts.append(entry)
    kept = len([key for key in before if conf[key] == before[key]])
    return Merged(conf, scripts, tuple(diff), kept)


def _conf_diff(key: str, old: str | None, new: str) -> list[str]:
    return ([f"- {key} {old}"] if old is not None else []) + [f"+ {key} {new}"]


def _describe(item: Any) -> str:
    if isinstance(item, dict) and len(item) == 1:
        kind, where = next(iter(item.items()))
        if isinstance(where, dict) and "destination" in where:
            return f"{kind} {where['destination']}"
    return json.dumps(item, sort_keys=True)


def _restart_text(state: str) -> str:
    if state == "RUNNING":
        return "RUNNING: it restarts when this is applied"
    if state == "TERMINATED":
        return "TERMINATED: it stays so; the change applies at its next start"
    return f"{state or 'state unknown'}: Databricks accepts edits only when it is running or terminated"


def _cluster_change(
    api: Any, remote: RemoteTarget, cluster: Mapping[str, Any], merged: Merged, progress: _Progress
) -> RemoteChange:
    name = cluster.get("cluster_name") or remote.cluster_id
    state = str(cluster.get("state") or "")
    title = f"Databricks cluster {remote.cluster_id} '{name}' ({_restart_text(state)})"
    others = f"{merged.kept} other spark_conf key{'' if merged.kept == 1 else 's'}"
    diff = (*merged.diff, f"  ({others} kept unchanged)")

    def apply() -> None:
        step = f"updating cluster {remote.cluster_id}"
        fresh = _call(
            f"re-reading cluster {remote.cluster_id}", api.host, progress, lambda: api.get_cluster(remote.cluster_id)
        )
        if _settings_of(fresh) != _settings_of(cluster):
            raise VerificationError(
                f"cluster {remote.cluster_id} changed since it was read (spark_conf or init_scripts); its "
                f"settings were not touched; {progress.said()}. Run this again to plan against the new settings."
            )
        _call(step, api.host, progress, lambda: _update(api, remote.cluster_id, fresh, merged))
        progress.done.append(f"cluster {remote.cluster_id} was updated")

    return RemoteChange(title, diff, apply)


def _settings_of(cluster: Mapping[str, Any]) -> tuple[Any, Any]:
    return cluster.get("spark_conf") or {}, cluster.get("init_scripts") or []


def _update(api: Any, cluster_id: str, fresh: Mapping[str, Any], merged: Merged) -> None:
    """clusters/update with an update_mask; workspaces without it get clusters/edit with the full spec."""
    from lineage_setup.databricks_api import ApiError

    fields = {"spark_conf": merged.spark_conf, "init_scripts": merged.init_scripts}
    try:
        api.update_cluster(cluster_id, fields)
    except ApiError as exc:
        if not exc.no_such_endpoint:
            raise
        api.edit_cluster({**fresh, **fields})


def _remote_notes(ws: Workspace, cluster: Mapping[str, Any], s: Setup, merged: Merged) -> None:
    if s.secret:
        ws.step(_secret_steps(s))
    else:
        ws.note(
            "the API key goes into the cluster's Spark config, readable by anyone who can view the cluster; "
            "store it as a Databricks secret with --secret-scope S --secret-key K instead"
        )
    for key in JAVA_OPTIONS:
        own = [token for token in merged.spark_conf.get(key, "").split() if token.startswith(TLS_OPTION)]
        if s.tls_workaround and own and own != [TLS_OPTION]:
            ws.note(f"{key} already sets its own {own[0]}; it was kept as it is")
    ws.step(
        f"stage the listener jar where the init script looks ({s.stage_dir}): {_download(s)}, then {_stage_hint(s)}"
    )
    ws.step(
        "a running cluster restarts when the change is applied (a terminated one uses it at its next start); "
        "then look for OpenLineageSparkListener in the driver log"
    )
