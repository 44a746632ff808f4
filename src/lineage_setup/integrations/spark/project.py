"""Which spark-defaults.conf Spark reads, and what its text says about lineage (no edits here)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from lineage_setup import paths
from lineage_setup.edits import properties
from lineage_setup.errors import UsageError
from lineage_setup.openlineage_spark import LEGACY_KEYS, TRANSPORT_PREFIX, Target

# where spark-submit looks when no file is named: $SPARK_CONF_DIR first, then $SPARK_HOME/conf
_HOMES = (("SPARK_CONF_DIR", ""), ("SPARK_HOME", "conf"))


def conf_path(raw: str | None, env: Mapping[str, str]) -> Path:
    """The spark-defaults.conf to patch: --spark-conf, else the one Spark itself finds."""
    if raw:
        return Path(os.path.abspath(paths.expand(raw, "--spark-conf")))
    var, sub = _home(env)
    return Path(os.path.abspath(paths.expand(env[var], var) / sub / "spark-defaults.conf"))


def _home(env: Mapping[str, str]) -> tuple[str, str]:
    for var, sub in _HOMES:
        if env.get(var):
            return var, sub
    raise UsageError(
        "no spark-defaults.conf to patch: pass --spark-conf PATH (or set SPARK_HOME), "
        "or use --print to get the config to paste"
    )


def check_conf_path(raw: str | None, env: Mapping[str, str]) -> None:
    """Before any question: the folder that --spark-conf (or the environment) names exists."""
    path = conf_path(raw, env)
    if not raw:
        var, _ = _home(env)
        if not paths.is_dir(paths.expand(env[var], var), var):
            raise UsageError(f"{var}={env[var]} is not a directory; fix it, or pass --spark-conf PATH")
    elif paths.is_dir(path, "--spark-conf"):
        raise UsageError(f"--spark-conf: {raw} is a directory; name the file, e.g. {path / 'spark-defaults.conf'}")
    elif not paths.is_dir(path.parent, "--spark-conf"):
        raise UsageError(f"--spark-conf: the folder {path.parent} does not exist")


def notes(path: Path, text: str, tgt: Target) -> list[str]:
    """What else the file sets that stops or confuses the listener."""
    found = []
    stale = stale_keys(text, tgt)
    if stale:
        them = "it" if len(stale) == 1 else "them"
        if tgt.maps_legacy_keys:  # 0.19.2-0.21.1 read them only where a transport key is missing
            ignored = f"which the transport.* keys override in openlineage-spark {tgt.version} (0.22.0 ignores them)"
        else:
            ignored = f"which openlineage-spark {tgt.version} ignores"
        found.append(f"{path} also sets {', '.join(stale)}, {ignored}; remove {them}")
    if "openlineage-spark" in (properties.get(text, "spark.jars") or ""):
        found.append(
            "spark.jars also loads an openlineage-spark jar; with spark.jars.packages that is two "
            "listener versions on one classpath: keep one"
        )
    if (properties.get(text, "spark.openlineage.disabled") or "").lower() == "true":
        found.append("spark.openlineage.disabled is true: the listener sends nothing until it is removed")
    return found


def stale_keys(text: str, tgt: Target) -> list[str]:
    """Keys of the other era: transport.* for a legacy release, the legacy keys for a current one."""
    keys = [entry.key for entry in properties.entries(text)]
    if tgt.legacy_keys:
        return sorted({key for key in keys if key.startswith(TRANSPORT_PREFIX)})
    return sorted({key for key in keys if key in LEGACY_KEYS})
