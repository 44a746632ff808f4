"""A cluster's access mode (its `data_security_mode`), as far as the TLS workaround lines are concerned.

Databricks does not support the Spark property `spark.executor.extraJavaOptions` on compute in Standard
(formerly "shared") access mode ("Standard compute requirements and limitations",
https://docs.databricks.com/aws/en/compute/standard-limitations), so the TLS workaround lines
(`-Djava.security.properties=` in spark.driver/executor.extraJavaOptions) are left out there.

The values are those of `DataSecurityMode` in databricks/databricks-sdk-py v0.162.0
`databricks/sdk/service/compute.py`: DATA_SECURITY_MODE_STANDARD and its legacy alias USER_ISOLATION are
Standard; LEGACY_TABLE_ACL and LEGACY_PASSTHROUGH are the older shared (high-concurrency) modes;
DATA_SECURITY_MODE_DEDICATED, SINGLE_USER and LEGACY_SINGLE_USER are dedicated to one user; NONE and
LEGACY_SINGLE_USER_STANDARD have no isolation; with DATA_SECURITY_MODE_AUTO Databricks chooses.
"""

from __future__ import annotations

from typing import Any

SHARED = frozenset({"DATA_SECURITY_MODE_STANDARD", "USER_ISOLATION", "LEGACY_TABLE_ACL", "LEGACY_PASSTHROUGH"})
AUTO = "DATA_SECURITY_MODE_AUTO"
DOCS = "https://docs.databricks.com/aws/en/compute/standard-limitations"
# for the hints of file and print modes, which cannot read the cluster
MODES_FOR_TLS = "Dedicated (single user) or No isolation shared access mode"


def mode_of(cluster: dict[str, Any]) -> str:
    """The cluster's data_security_mode as clusters/get returns it ("" when it has none: no isolation)."""
    return str(cluster.get("data_security_mode") or "")


def tls_refused_because(mode: str) -> str | None:
    """Why the TLS workaround lines are left out on a cluster in `mode`; None when they may go in."""
    unsupported = "which does not support spark.executor.extraJavaOptions"
    if mode in SHARED:
        return f"the cluster is in Standard (shared) access mode ({mode}), {unsupported} ({DOCS})"
    if mode == AUTO:
        return f"Databricks chooses the cluster's access mode ({AUTO}) and may choose Standard, {unsupported} ({DOCS})"
    return None


def stage_note(mode: str, stage_dir: str) -> str | None:
    """Standard access mode has no DBFS FUSE (same page), so a script there cannot read a jar under /dbfs/."""
    if mode not in SHARED or not stage_dir.startswith("/dbfs/"):
        return None
    return (
        f"the cluster is in Standard (shared) access mode ({mode}), where DBFS has no FUSE mount ({DOCS}), so "
        f"the init script cannot read the jar from {stage_dir}: stage the jar in a Unity Catalog volume and store "
        "the script in a volume too (--jar-path /Volumes/..., --workspace-path /Volumes/..., without --apply); "
        "Standard access mode also runs only init scripts on the metastore's allowlist"
    )
