"""--apply: read the cluster and the workspace file, and propose the remote changes that bring them in line.

Reading happens now (so --check and --dry-run can show the diff); the writes run only when the plan is
applied, each through the Api, and a failure says which step failed and what was already done. The
calls and the fields clusters/edit accepts follow databricks/databricks-sdk-py `databricks/sdk/service/compute.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from lineage_setup import secretvalues
from lineage_setup.answers import Connection
from lineage_setup.errors import UnsafeTargetError, UsageError, UserAbort, VerificationError, interrupt_code
from lineage_setup.integrations.databricks import access
from lineage_setup.integrations.databricks import render as rendering
from lineage_setup.integrations.databricks.api import Api, ApiError, Cluster, InitScript
from lineage_setup.integrations.databricks.config import Setup
from lineage_setup.openlineage_spark import LISTENER, NAMESPACE_KEY, CannotCompose, composite
from lineage_setup.plan import RemoteChange

T = TypeVar("T")


@dataclass(frozen=True)
class Proposal:
    """What --apply would do: the remote changes, and what to tell the user."""

    changes: tuple[RemoteChange, ...]
    notes: tuple[str, ...]
    steps: tuple[str, ...]


@dataclass
class Progress:
    """What the remote changes already did, so a later failure can say so."""

    done: list[str] = field(default_factory=list)

    def said(self) -> str:
        return "already done: " + "; ".join(self.done) if self.done else "nothing was changed"


def call(step: str, host: str, progress: Progress, action: Callable[[], T]) -> T:
    """`action()`, its ApiError told as `step` failing (exit 1), and an interrupt as interrupting it, each
    with what was already done."""
    try:
        return action()
    except ApiError as exc:
        raise VerificationError(f"{step} failed: {exc.describe(host)}; {progress.said()}") from None
    except KeyboardInterrupt as exc:
        raise UserAbort(f"interrupted while {step}; {progress.said()}", interrupt_code(exc)) from None


def propose(api: Api, cluster_id: str, conn: Connection, s: Setup, *, add: bool = False) -> Proposal:
    progress = Progress()
    cluster = call(f"reading cluster {cluster_id}", api.host, progress, lambda: api.get_cluster(cluster_id))
    _refuse_job_cluster(cluster, cluster_id)
    mode = access.mode_of(cluster)
    no_tls = access.tls_refused_because(mode) if s.tls_workaround else None
    if no_tls:
        s = replace(s, tls_workaround=False)
    script = rendering.init_script(s).encode("utf-8")
    current = call(f"reading {s.workspace_path}", api.host, progress, lambda: api.export_file(s.workspace_path))
    changes = [_upload_change(api, s, script, current, progress)] if current != script else []
    wanted, renames, said = _wanted(cluster, conn, s, add)
    merged = merge(cluster, wanted, s.init_script_entry, renames)
    if merged.changed:
        changes.append(_cluster_change(api, cluster_id, cluster, merged, progress))
    notes = [*said, *_notes(conn, s, merged)]
    if no_tls:
        notes.append(f"the TLS workaround lines ({rendering.TLS_OPTION} in extraJavaOptions) were left out: {no_tls}")
    notes += filter(None, [access.stage_note(mode, s.stage_dir)])
    return Proposal(tuple(changes), tuple(notes), tuple(rendering.remote_steps(s)))


def _wanted(
    cluster: Cluster, conn: Connection, s: Setup, add: bool
) -> tuple[list[tuple[str, str]], dict[str, str], list[str]]:
    """The keys to set, the cluster's keys to move (--add: its transport into the composite), what to say."""
    conf = dict(cluster.get("spark_conf") or {})
    try:
        comp = composite(conf, conn, s.target, api_key=s.secret_ref) if add else None
    except CannotCompose as exc:
        raise UnsafeTargetError(
            f"the cluster's Spark config cannot take a second destination as it is: {exc}; nothing was changed "
            f"(or pass --replace to send to {conn.lineage_url} only)"
        ) from None
    if comp is None:
        return rendering.spark_conf(conn, s), {}, []
    namespace = conf.get(NAMESPACE_KEY)
    said = []
    if namespace is not None and namespace != conn.namespace:
        said.append(f"{NAMESPACE_KEY} stays {namespace}: it is the one namespace of every destination")
    ours = [] if namespace is not None else [(NAMESPACE_KEY, conn.namespace)]
    return [*comp.pairs, *ours, *rendering.tls_conf(s)], comp.renames, said


def _refuse_job_cluster(cluster: Cluster, cluster_id: str) -> None:
    if cluster.get("cluster_source") == "JOB":
        raise UsageError(
            f"cluster {cluster_id} is a job cluster, which cannot be edited; put the init script and "
            "Spark config into the job's cluster spec instead (run this command again with --print --format "
            "cluster-json in place of --apply, --host and --cluster-id)"
        )


def _upload_change(api: Api, s: Setup, script: bytes, current: bytes | None, progress: Progress) -> RemoteChange:
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
        call(f"creating the workspace folder {folder}", api.host, progress, lambda: api.mkdirs(folder))
        progress.done.append(f"the workspace folder {folder} exists (created if it was missing)")
        step = f"uploading the init script to {s.workspace_path}"
        call(step, api.host, progress, lambda: api.import_file(s.workspace_path, script))
        progress.done.append(f"the init script was uploaded to {s.workspace_path}")

    return RemoteChange(f"workspace file {s.workspace_path} (the init script)", tuple(diff), apply)


# --- merging ours into the cluster's spark_conf and init_scripts --------------------------------------


@dataclass(frozen=True)
class Merged:
    spark_conf: dict[str, str]
    init_scripts: list[InitScript]
    diff: tuple[str, ...]
    kept: int  # the cluster's own keys left as they were

    @property
    def changed(self) -> bool:
        return bool(self.diff)


def _java_options(existing: str | None, ours: str) -> str:
    """Add our option to a cluster's own extraJavaOptions (setting it would replace theirs)."""
    tokens = (existing or "").split()
    if any(token.startswith(rendering.TLS_OPTION) for token in tokens):
        return existing or ""
    return " ".join([*tokens, ours])


def merge(
    cluster: Cluster, wanted: list[tuple[str, str]], entry: InitScript, renames: dict[str, str] | None = None
) -> Merged:
    """The cluster's spark_conf and init_scripts with ours added; nothing of theirs dropped (`renames` moves
    their keys, the transport --add puts into the composite)."""
    before: dict[str, str] = dict(cluster.get("spark_conf") or {})
    conf = {(renames or {}).get(key, key): value for key, value in before.items()}
    for key, value in wanted:
        conf[key] = _java_options(conf.get(key), value) if key in rendering.JAVA_OPTIONS else value
    if "spark.extraListeners" in conf and LISTENER not in conf["spark.extraListeners"].split(","):
        conf["spark.extraListeners"] = conf["spark.extraListeners"].rstrip(",") + "," + LISTENER
    scripts = list(cluster.get("init_scripts") or [])
    diff = conf_diff(before, conf)
    if diff:
        diff.insert(0, "@@ spark_conf @@")
    if entry not in scripts:
        diff += ["@@ init_scripts @@", *(f"  {_describe(item)}" for item in scripts), f"+ {_describe(entry)}"]
        scripts.append(entry)
    kept = len([key for key in before if conf.get(key) == before[key]])
    return Merged(conf, scripts, tuple(diff), kept)


def conf_diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The spark_conf lines that go (-) and come (+)."""
    gone = [f"- {key} {before[key]}" for key in before if key not in after]
    changed = (key for key in after if after[key] != before.get(key))
    return gone + [line for key in changed for line in _conf_diff(key, before.get(key), after[key])]


def _conf_diff(key: str, old: str | None, new: str) -> list[str]:
    return ([f"- {key} {old}"] if old is not None else []) + [f"+ {key} {new}"]


def _describe(item: Any) -> str:
    if isinstance(item, dict) and len(item) == 1:
        kind, where = next(iter(item.items()))
        if isinstance(where, dict) and "destination" in where:
            return f"{kind} {where['destination']}"
    return json.dumps(item, sort_keys=True)


# --- the cluster change ------------------------------------------------------------------------------


def _restart_text(state: str) -> str:
    if state == "RUNNING":
        return "RUNNING: it restarts when this is applied"
    if state == "TERMINATED":
        return "TERMINATED: it stays so; the change applies at its next start"
    return f"{state or 'state unknown'}: Databricks accepts edits only when it is running or terminated"


def _cluster_change(api: Api, cluster_id: str, cluster: Cluster, merged: Merged, progress: Progress) -> RemoteChange:
    name = cluster.get("cluster_name") or cluster_id
    state = str(cluster.get("state") or "")
    title = f"Databricks cluster {cluster_id} '{name}' ({_restart_text(state)})"
    others = f"{merged.kept} other spark_conf key{'' if merged.kept == 1 else 's'}"
    diff = (*merged.diff, f"  ({others} kept unchanged)")

    def apply() -> None:
        step = f"updating cluster {cluster_id}"
        fresh = call(f"re-reading cluster {cluster_id}", api.host, progress, lambda: api.get_cluster(cluster_id))
        if _settings_of(fresh) != _settings_of(cluster):
            raise VerificationError(
                f"cluster {cluster_id} changed since it was read (spark_conf or init_scripts); its "
                f"settings were not touched; {progress.said()}. Run this again to plan against the new settings."
            )
        call(step, api.host, progress, lambda: _update(api, cluster_id, fresh, merged))
        progress.done.append(f"cluster {cluster_id} was updated")

    return RemoteChange(title, diff, apply, tuple(secretvalues.in_data(cluster.get("spark_conf") or {})))


def _settings_of(cluster: Cluster) -> tuple[Any, Any]:
    return cluster.get("spark_conf") or {}, cluster.get("init_scripts") or []


def _update(api: Api, cluster_id: str, fresh: Cluster, merged: Merged) -> None:
    """clusters/update with an update_mask; workspaces without it get clusters/edit with the full spec."""
    fields: Cluster = {"spark_conf": merged.spark_conf, "init_scripts": merged.init_scripts}
    try:
        api.update_cluster(cluster_id, fields)
    except ApiError as exc:
        if not exc.no_such_endpoint:
            raise
        api.edit_cluster({**fresh, **fields})


def _notes(conn: Connection, s: Setup, merged: Merged) -> list[str]:
    notes = []
    if not s.secret and not conn.keyless:
        notes.append(
            "the API key goes into the cluster's Spark config, readable by anyone who can view the cluster; "
            "store it as a Databricks secret with --secret-scope S --secret-key K instead"
        )
    for key in rendering.JAVA_OPTIONS:
        own = [token for token in merged.spark_conf.get(key, "").split() if token.startswith(rendering.TLS_OPTION)]
        if s.tls_workaround and own and own != [rendering.TLS_OPTION]:
            notes.append(f"{key} already sets its own {own[0]}; it was kept as it is")
    return notes
