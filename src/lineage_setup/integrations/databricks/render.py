"""The Databricks config as text: the init script, the Spark config block, the cluster JSON, and the hints.

The init script follows OpenLineage's own `integration/spark/databricks/open-lineage-init-script.sh`
(OpenLineage/OpenLineage): the jar goes onto the driver classpath and the listener into a driver conf,
because `spark.jars.packages` does not work on Databricks (OpenLineage/docs
`docs/integrations/spark/quickstart/quickstart_databricks.md`) and openlineage-spark is a jar, not a PyPI
package. The API key never goes into the script; in the Spark config it can be a secret reference
(https://docs.databricks.com/security/secrets/secrets-spark-conf-env-var.html).
"""

from __future__ import annotations

import json

from lineage_setup import quoting, templates
from lineage_setup.answers import Connection
from lineage_setup.errors import UsageError
from lineage_setup.integrations.base import Rendered
from lineage_setup.integrations.databricks.access import MODES_FOR_TLS
from lineage_setup.integrations.databricks.config import SCRIPT, VOLUMES, Setup
from lineage_setup.openlineage_spark import (
    CONTINUE_KEY,
    LISTENER,
    OURS_PREFIX,
    SUBS_PREFIX,
    TRANSPORT_PREFIX,
    TYPE_KEY,
    http_conf,
    sub_name,
    template_values,
    transport_conf,
)

# first, as in OpenLineage's init script since 1.25.0 (PR #3251): without it the Spark UI of a terminated
# cluster is lost
DBC_LISTENER = "com.databricks.backend.daemon.driver.DBCEventLoggingListener"
LISTENERS = f"{DBC_LISTENER},{LISTENER}"
TLS_OPTION = "-Djava.security.properties="
JAVA_OPTIONS = ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")
MAVEN = "https://repo1.maven.org/maven2"
# the last next step: OpenLineage's Databricks quickstart
# (OpenLineage/OpenLineage@1.52.0 website/docs/integrations/spark/quickstart/quickstart_databricks.md)
DOCS = "https://openlineage.io/docs/integrations/spark/quickstart/quickstart_databricks"


def spark_conf(conn: Connection, s: Setup) -> list[tuple[str, str]]:
    return [*transport_conf(conn, s.target, api_key=s.secret_ref), *tls_conf(s)]


def tls_conf(s: Setup) -> list[tuple[str, str]]:
    return [(key, TLS_OPTION) for key in JAVA_OPTIONS] if s.tls_workaround else []


def added_conf(conn: Connection, s: Setup) -> list[tuple[str, str]]:
    """--add without --apply: the composite's keys and ours as one of its sub-transports (the cluster's own
    transport is moved under a name by hand: it cannot be read from here)."""
    ours = OURS_PREFIX + sub_name(conn.url)
    sub = http_conf(conn, s.target, f"{SUBS_PREFIX}{ours}.", conn.api_key if s.secret_ref is None else s.secret_ref)
    return [(TYPE_KEY, "composite"), (CONTINUE_KEY, "true"), *sub, *tls_conf(s)]


def box_lines(pairs: list[tuple[str, str]]) -> str:
    """`key value` lines for the Spark config box (templates/databricks/spark-conf-line.tmpl), each ended."""
    return "".join(
        templates.render("databricks/spark-conf-line.tmpl", key=k, value=box_value(v)) + "\n" for k, v in pairs
    )


def spark_conf_block(conn: Connection, s: Setup) -> str:
    """templates/databricks/spark-conf[-legacy].tmpl, and spark-conf-tls.tmpl with the TLS workaround."""

    def more(pairs: list[tuple[str, str]]) -> str:
        return "".join("\n" + line for line in box_lines(pairs).splitlines())

    values = template_values(transport_conf(conn, s.target, api_key=s.secret_ref), s.target, box_value, more)
    era = "-legacy" if s.target.legacy_keys else ""
    text = templates.render(f"databricks/spark-conf{era}.tmpl", **values)
    if s.tls_workaround:
        text += templates.render("databricks/spark-conf-tls.tmpl", java_option=box_value(TLS_OPTION))
    return text


def box_value(value: str) -> str:
    """A value in Databricks' Spark config box: the rest of its `key value` line, as it is (the box has no
    escapes), so one line of printable text."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise UsageError("a value with a newline or a control character cannot be written in Databricks' Spark config")
    return value


def init_script(s: Setup) -> str:
    return init_script_text(s.stage_dir, s.jar_pattern)


def init_script_text(stage_dir: str, jar_pattern: str) -> str:
    """templates/databricks/init-script.sh.tmpl for a jar staged at <stage_dir>/<jar_pattern>."""
    return templates.render(
        "databricks/init-script.sh.tmpl",
        stage_dir=quoting.shell(stage_dir),
        jar_pattern=quoting.shell(jar_pattern),
        listeners=json.dumps(LISTENERS),  # a HOCON quoted string is a JSON string
    )


def cluster_json(conn: Connection, s: Setup) -> str:
    """templates/databricks/cluster.json.tmpl, each value a JSON text indented where it goes."""
    conf = json.dumps(dict(spark_conf(conn, s)), indent=2).replace("\n", "\n  ")
    entry = json.dumps(s.init_script_entry, indent=2).replace("\n", "\n    ")
    return templates.render("databricks/cluster.json.tmpl", spark_conf=conf, init_script=entry)


def rendered(conn: Connection, s: Setup, fmt: str) -> Rendered:
    """--print --format FMT (spark-conf, init-script or cluster-json)."""
    if fmt == "init-script":
        return Rendered(
            init_script(s),
            (f"save as {SCRIPT}, store it at {s.workspace_path} and add it to the cluster's init scripts",),
        )
    if fmt == "cluster-json":
        return Rendered(
            cluster_json(conn, s),
            (
                "fragment for the Clusters API: merge it into your cluster spec, keeping the spark_conf keys "
                "and init_scripts already there (or let --apply merge it)",
                *_tls_hint(s),
                *_key_hints(conn, s),
            ),
        )
    return Rendered(
        spark_conf_block(conn, s),
        (
            "paste into the cluster's Advanced options > Spark config (one `key value` per line; no comments)",
            *_tls_hint(s),
            *_key_hints(conn, s),
        ),
    )


def secret_steps(s: Setup) -> str:
    scope, key = s.secret or ("", "")
    return (
        f"create the secret before the cluster starts: databricks secrets create-scope {quoting.shell(scope)}, "
        f"then databricks secrets put-secret {quoting.shell(scope)} {quoting.shell(key)} and paste the API key"
    )


def _key_hints(conn: Connection, s: Setup) -> tuple[str, ...]:
    if conn.keyless:
        return ()
    if s.secret:
        return (f"the key is the secret reference {s.secret_ref}; {secret_steps(s)}",)
    return (
        "the API key is in these lines: anyone who can view the cluster can read it; store it as a Databricks "
        "secret instead with --secret-scope S --secret-key K",
    )


def _tls_hint(s: Setup) -> tuple[str, ...]:
    if not s.tls_workaround:
        return ()
    return (
        f"the two {TLS_OPTION} lines are a TLS workaround (some clusters disable TLS algorithms the endpoint "
        f"needs) for clusters in {MODES_FOR_TLS}: Standard (shared) access mode does not support "
        "spark.executor.extraJavaOptions, so leave them out there (run this again with --no-tls-workaround); "
        "if you already set extraJavaOptions, add the option to your value instead",
    )


# --- the steps after the plan ----------------------------------------------------------------------


def download(s: Setup) -> str:
    _, name, version = s.target.artifact.split(":")
    return f"curl -fLO {MAVEN}/io/openlineage/{name}/{version}/{s.target.jar_name}"


def stage_hint(s: Setup) -> str:
    jar = s.target.jar_name
    if s.stage_dir.startswith("/dbfs/"):
        return f"databricks fs cp {jar} dbfs:{s.stage_dir.removeprefix('/dbfs')}/"
    if (s.stage_dir + "/").startswith(VOLUMES):
        return f"databricks fs cp {jar} dbfs:{s.stage_dir}/"
    return f"copy it to {s.stage_dir} on the cluster"


def manual_steps(conn: Connection, s: Setup, script: str, *, add: bool = False) -> list[str]:
    """Without --apply: stage the jar, store the script, paste the Spark config, restart."""
    pasted = box_lines(added_conf(conn, s)) if add else spark_conf_block(conn, s)
    block = "".join(f"\n       {line}" for line in pasted.splitlines())
    shown = (
        ""
        if s.secret or conn.keyless
        else " (the key shows as ****: print it by running this command again with --print --format spark-conf)"
    )
    return [
        f"download the listener jar: {download(s)}",
        f"stage it where the init script looks ({s.stage_dir}): {stage_hint(s)}",
        _store_step(s, script),
        *([_move_step(conn)] if add else []),
        f"{'then add' if add else 'paste'} into the cluster's Advanced options > Spark config{shown}:{block}",
        *_tls_hint(s),
        *([secret_steps(s)] if s.secret else []),
        "restart the cluster, then look for OpenLineageSparkListener in the driver log",
        *_apply_hint(s),
    ]


def _move_step(conn: Connection) -> str:
    """--add by hand: the cluster's transport becomes one sub-transport of the composite."""
    return (
        f"keep the destination the cluster sends to now: in its Spark config rename each {TRANSPORT_PREFIX}<key> "
        f"line (type, url, endpoint, auth.type, auth.apiKey, ...) to {SUBS_PREFIX}existing.<key> (any name without "
        f"'.'); its spark.openlineage.namespace is the one namespace of every destination (set it to "
        f"{conn.namespace} if it sets none)"
    )


def _store_step(s: Setup, script: str) -> str:
    then = "then add it under the cluster's Advanced options > Init scripts"
    if s.workspace_path.startswith(VOLUMES):
        return f"upload {script} to the volume: databricks fs cp {script} dbfs:{s.workspace_path}; {then} (Volumes)"
    return (
        f"store {script} at {s.workspace_path} (Workspace > Import; DBFS init scripts are no longer "
        f"supported), {then} (Workspace)"
    )


def _apply_hint(s: Setup) -> tuple[str, ...]:
    if s.workspace_path.startswith(VOLUMES):
        return ()  # --apply uploads workspace files only
    return (
        "or let lineage-setup upload and configure it: run this command again with "
        "--apply --host https://<workspace> --cluster-id <id>",
    )


def remote_steps(s: Setup) -> list[str]:
    """With --apply: what the REST calls cannot do (the secret, the jar) and what happens next."""
    return [
        *([secret_steps(s)] if s.secret else []),
        f"stage the listener jar where the init script looks ({s.stage_dir}): {download(s)}, then {stage_hint(s)}",
        "a running cluster restarts when the change is applied (a terminated one uses it at its next start); "
        "then look for OpenLineageSparkListener in the driver log",
    ]
