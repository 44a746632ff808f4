"""What the options decide: the Setup every other module reads, and the cluster --apply changes.

Both are checked before any question (check_options), so a bad value never costs a request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lineage_setup import redact, validate
from lineage_setup.errors import UsageError
from lineage_setup.openlineage_spark import Target, target_for

if TYPE_CHECKING:
    from lineage_setup.integrations.databricks import Options
    from lineage_setup.integrations.databricks.api import InitScript

SCRIPT = "openlineage-init.sh"
WORKSPACE_PATH = "/Shared/openlineage/openlineage-init.sh"
# where OpenLineage's init script looks for the jar (OpenLineage/OpenLineage
# integration/spark/databricks/open-lineage-init-script.sh, STAGE_DIR)
STAGE_DIR = "/dbfs/databricks/openlineage"
TOKEN_ENV = "DATABRICKS_TOKEN"
VOLUMES = "/Volumes/"  # Unity Catalog volumes, as a cluster sees them
_SECRET_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,128}")  # Databricks' rule for scope and key names
_CLUSTER_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_WORKSPACE_PATH_RE = re.compile(r"/[A-Za-z0-9._~@+=,/-]+")


@dataclass(frozen=True)
class Setup:
    """Everything the options decide."""

    target: Target
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
    def init_script_entry(self) -> InitScript:
        kind = "volumes" if self.workspace_path.startswith(VOLUMES) else "workspace"
        return {kind: {"destination": self.workspace_path}}


def setup(options: Options) -> Setup:
    tgt = target_for(options.openlineage_version, options.scala)
    stage_dir, pattern = _jar_path(options.jar_path, tgt)
    workspace_path = _workspace_path(options.workspace_path or WORKSPACE_PATH)
    _refuse_volume_jar_for_workspace_script(stage_dir, workspace_path, apply=options.apply)
    return Setup(
        tgt,
        stage_dir,
        pattern,
        workspace_path,
        _secret(options.secret_scope, options.secret_key),
        not options.no_tls_workaround,
    )


def _refuse_volume_jar_for_workspace_script(stage_dir: str, workspace_path: str, *, apply: bool) -> None:
    """Only init scripts stored in a Unity Catalog volume get the credentials to read files in volumes
    (https://docs.databricks.com/en/init-scripts/referencing-files.html): a workspace-file script could
    never copy a jar staged in one, and the cluster would start without the listener."""
    if not (stage_dir + "/").startswith(VOLUMES) or workspace_path.startswith(VOLUMES):
        return
    why = (
        f"--jar-path: the jar is in a Unity Catalog volume ({stage_dir}), but the init script would be the "
        f"workspace file {workspace_path}, and Databricks lets only init scripts stored in volumes read files in "
        "volumes (docs.databricks.com, init-scripts/referencing-files)"
    )
    outside = f"stage the jar outside volumes (e.g. --jar-path {STAGE_DIR}/openlineage-spark_*.jar)"
    if apply:
        raise UsageError(
            f"{why}. --apply uploads the script as a workspace file, so {outside}; or run without --apply "
            f"and store the script in the volume yourself (--workspace-path {stage_dir}/{SCRIPT})"
        )
    raise UsageError(f"{why}. Store the script in the volume too (--workspace-path {stage_dir}/{SCRIPT}), or {outside}")


def _jar_path(raw: str | None, tgt: Target) -> tuple[str, str]:
    if not raw:
        name = "openlineage-spark-*.jar" if tgt.artifact_name == "openlineage-spark" else "openlineage-spark_*.jar"
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


@dataclass(frozen=True)
class RemoteTarget:
    """The cluster --apply changes, and how to reach its workspace."""

    host: str
    cluster_id: str
    token: str = field(repr=False)


def remote_target(options: Options, env: Mapping[str, str]) -> RemoteTarget:
    token = (env.get(TOKEN_ENV) or "").strip()
    redact.register(token)
    if not options.host or not options.cluster_id:
        raise UsageError("--apply needs --host https://<workspace> and --cluster-id")
    url = validate.url(options.host, "--host")
    if url.insecure or url.path:
        raise UsageError("--host: give the workspace URL, https://<workspace>, without a path")
    if not _CLUSTER_ID_RE.fullmatch(options.cluster_id):
        raise UsageError(f"--cluster-id: {options.cluster_id!r} is not a cluster ID such as 0123-456789-abcdefgh")
    if not token:
        raise UsageError(f"--apply needs a Databricks token in {TOKEN_ENV} (never a flag: others can read argv)")
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise UsageError(f"{TOKEN_ENV}: the token contains whitespace or a control character")
    if setup(options).workspace_path.startswith(VOLUMES):
        raise UsageError("--apply uploads the init script as a workspace file; --workspace-path must not be /Volumes/")
    return RemoteTarget(url.base, options.cluster_id, token)
