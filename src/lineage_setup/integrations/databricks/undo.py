"""`remove databricks`: the cluster's side, as the steps that undo it, or (--apply) as one remote change.

Ours on a cluster is what `lineage-setup databricks --apply` puts there: the transport keys it writes (an http
transport, or our `lineage_setup_<host>` sub-transport of a composite, whose other sub-transport then gets its
own keys back), the namespace with an http transport of ours, the TLS option in extraJavaOptions, our listener
in spark.extraListeners, and our init script's entry. Everything else on the cluster stays; so does the
uploaded workspace file (other clusters may run it), and the staged jar.
"""

from __future__ import annotations

from collections.abc import Mapping

from lineage_setup import secretvalues
from lineage_setup.errors import VerificationError
from lineage_setup.integrations.databricks import render as rendering
from lineage_setup.integrations.databricks.api import Api, Cluster
from lineage_setup.integrations.databricks.config import Setup
from lineage_setup.integrations.databricks.remote import (
    Merged,
    Progress,
    Proposal,
    _describe,
    _refuse_job_cluster,
    _settings_of,
    _update,
    call,
    conf_diff,
)
from lineage_setup.openlineage_spark import (
    CONTINUE_KEY,
    LEGACY_KEYS,
    LISTENER,
    NAMESPACE_KEY,
    OURS_PREFIX,
    SUBS_PREFIX,
    TRANSPORT_PREFIX,
    TYPE_KEY,
    subs_of,
    transport_of,
)
from lineage_setup.plan import RemoteChange

OUR_HTTP = ("type", "url", "endpoint", "auth.type", "auth.apiKey", "compression")


def undone(conf: Mapping[str, str]) -> dict[str, str]:
    """The cluster's spark_conf without ours."""
    out = {k: v for k, v in conf.items() if not k.startswith(SUBS_PREFIX + OURS_PREFIX)}
    transport = transport_of(conf)
    if transport.get("type") == "composite":
        others = [name for name in subs_of(transport) if not name.startswith(OURS_PREFIX)]
        if len(others) == 1:  # the transport --add moved under a name gets its own keys back
            prefix = f"{SUBS_PREFIX}{others[0]}."
            rest = {k: v for k, v in out.items() if k not in (TYPE_KEY, CONTINUE_KEY)}
            out = {(TRANSPORT_PREFIX + k[len(prefix) :] if k.startswith(prefix) else k): v for k, v in rest.items()}
        elif not others:
            out = {k: v for k, v in out.items() if k not in (TYPE_KEY, CONTINUE_KEY, NAMESPACE_KEY)}
    elif transport.get("type") == "http":
        out = {k: v for k, v in out.items() if k not in {TRANSPORT_PREFIX + key for key in OUR_HTTP} | {NAMESPACE_KEY}}
    out = {k: v for k, v in out.items() if k not in LEGACY_KEYS}
    for key in rendering.JAVA_OPTIONS:
        _without_item(out, key, rendering.TLS_OPTION, " ")
    _without_item(out, "spark.extraListeners", LISTENER, ",")
    return out


def _without_item(conf: dict[str, str], key: str, item: str, sep: str) -> None:
    if key not in conf:
        return
    items = [part.strip() for part in conf[key].split(sep) if part.strip()]
    if item not in items:
        return
    rest = [part for part in items if part != item]
    if rest:
        conf[key] = sep.join(rest)
    else:
        del conf[key]


def propose_removal(api: Api, cluster_id: str, s: Setup) -> Proposal:
    progress = Progress()
    cluster = call(f"reading cluster {cluster_id}", api.host, progress, lambda: api.get_cluster(cluster_id))
    _refuse_job_cluster(cluster, cluster_id)
    before: dict[str, str] = dict(cluster.get("spark_conf") or {})
    conf = undone(before)
    scripts = [item for item in cluster.get("init_scripts") or [] if item != s.init_script_entry]
    diff = conf_diff(before, conf)
    diff = (["@@ spark_conf @@", *diff] if diff else []) + _scripts_diff(cluster, s)
    merged = Merged(conf, scripts, tuple(diff), len([k for k in before if conf.get(k) == before[k]]))
    steps = (
        f"the init script stays in the workspace at {s.workspace_path} (other clusters may run it): "
        f"databricks workspace delete {s.workspace_path}",
    )
    if not merged.changed:
        return Proposal((), (), steps)
    return Proposal((_removal(api, cluster_id, cluster, merged, progress),), (), steps)


def _scripts_diff(cluster: Cluster, s: Setup) -> list[str]:
    scripts = list(cluster.get("init_scripts") or [])
    if s.init_script_entry not in scripts:
        return []
    return ["@@ init_scripts @@", *(f"{'-' if i == s.init_script_entry else ' '} {_describe(i)}" for i in scripts)]


def _removal(api: Api, cluster_id: str, cluster: Cluster, merged: Merged, progress: Progress) -> RemoteChange:
    name = cluster.get("cluster_name") or cluster_id
    title = f"Databricks cluster {cluster_id} '{name}' (a running cluster restarts)"

    def apply() -> None:
        fresh = call(f"re-reading cluster {cluster_id}", api.host, progress, lambda: api.get_cluster(cluster_id))
        if _settings_of(fresh) != _settings_of(cluster):
            raise VerificationError(
                f"cluster {cluster_id} changed since it was read; its settings were not touched; {progress.said()}. "
                "Run this again to plan against the new settings."
            )
        call(f"updating cluster {cluster_id}", api.host, progress, lambda: _update(api, cluster_id, fresh, merged))
        progress.done.append(f"cluster {cluster_id} was updated")

    kept = f"  ({merged.kept} other spark_conf key{'' if merged.kept == 1 else 's'} kept unchanged)"
    secrets = tuple(secretvalues.in_data(cluster.get("spark_conf") or {}))
    return RemoteChange(title, (*merged.diff, kept), apply, secrets)
