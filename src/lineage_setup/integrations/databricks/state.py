"""What a folder says about Databricks lineage: a Databricks asset bundle (databricks.yml) and our init script.

The cluster's own Spark config (where events go, the key, the namespace) lives in the workspace, not in these
files: what can be known here is our init script (which jar it copies from where, the listeners it registers)
and whether it is still as lineage-setup writes it. Nothing here asks the workspace.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup.integrations.base import Description, Project, Setting, State
from lineage_setup.integrations.databricks.config import SCRIPT, STAGE_DIR
from lineage_setup.integrations.databricks.render import DBC_LISTENER, init_script_text
from lineage_setup.openlineage_spark import LISTENER

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

BUNDLE = "databricks.yml"
HEADER = "# OpenLineage for Databricks: a cluster-scoped init script written by lineage-setup."
ROUTE = "print or --apply"  # the cluster lives in the workspace: its config is printed, or applied through the API
_ASSIGNED = re.compile(r"^(STAGE_DIR|JAR_PATTERN)=(.*)$", re.MULTILINE)
_LISTENERS = re.compile(r'^\s*"spark\.extraListeners" = (".*")$', re.MULTILINE)


@dataclass(frozen=True)
class Script:
    """Our init script, as read back from its text."""

    stage_dir: str
    jar_pattern: str
    listeners: tuple[str, ...]
    unchanged: bool  # byte for byte what this lineage-setup writes for these values

    @property
    def jar_path(self) -> str:
        return f"{self.stage_dir}/{self.jar_pattern}"

    @property
    def releases(self) -> str:
        """Which openlineage-spark releases the jar name fits (1.9.1 added the Scala suffix)."""
        if self.jar_pattern.startswith("openlineage-spark_"):
            return "1.9.1 or newer (openlineage-spark_<scala>-<version>.jar; any version staged there)"
        return "before 1.9.1 (openlineage-spark-<version>.jar)" if "openlineage-spark-" in self.jar_pattern else "?"


def read_script(text: str) -> Script | None:
    """Our script's values, or None when the text is not a script lineage-setup wrote."""
    lines = text.split("\n")
    if len(lines) < 2 or lines[1] != HEADER:
        return None
    values: dict[str, str] = {}
    for name, raw in _ASSIGNED.findall(text):
        try:
            words = shlex.split(raw)
        except ValueError:
            return None
        values[name] = words[0] if len(words) == 1 else ""
    match = _LISTENERS.search(text)
    try:
        listeners = tuple(json.loads(match.group(1)).split(",")) if match else ()
    except (ValueError, AttributeError):
        listeners = ()
    stage, pattern = values.get("STAGE_DIR", ""), values.get("JAR_PATTERN", "")
    rendered = init_script_text(stage, pattern) if stage and pattern else None
    return Script(stage, pattern, listeners, rendered == text)


def detect(ws: Workspace) -> tuple[Project, ...]:
    bundle = ws.inspect(BUNDLE)
    text = ws.inspect(SCRIPT)
    script = read_script(text) if text is not None else None
    if bundle is None and script is None:
        return ()  # an openlineage-init.sh that is not ours, and no bundle: not a project of ours
    facts = [("init script", SCRIPT if script else "none yet")]
    if script:
        facts.append(("jar", script.jar_path))
    facts.append(("cluster config", "in the workspace (not in these files)"))
    state: State = "configured" if script else "not configured"
    return (Project("databricks", ws.root, _bundle_name(bundle), state, tuple(facts), route=ROUTE),)


def _bundle_name(text: str | None) -> str | None:
    if text is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    bundle = data.get("bundle") if isinstance(data, dict) else None
    name = bundle.get("name") if isinstance(bundle, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    """Our init script, read back; where events go is the cluster's Spark config, in the workspace."""
    text = ws.inspect(SCRIPT)
    script = read_script(text) if text is not None else None
    rerun = f"lineage-setup databricks --dir {ws.root}"
    remote = Setting("sends to", "what the cluster's Spark config says (in the workspace)", "not in these files")
    if text is None:
        return Description((remote,), (f"no init script here ({SCRIPT}): run {rerun}",))
    if script is None:
        why = "not written by lineage-setup; nothing read from it"
        return Description((Setting("init script", f"{SCRIPT} ({why})", "this folder"), remote))
    form = "as lineage-setup writes it" if script.unchanged else "edited since, or written by another lineage-setup"
    if script.stage_dir != STAGE_DIR or not script.jar_pattern.startswith("openlineage-spark_"):
        rerun += f" --jar-path {shlex.quote(script.jar_path)}"
    settings = (
        Setting("init script", f"{SCRIPT} ({form})", "this folder"),
        Setting("jar", script.jar_path, f"{SCRIPT} (STAGE_DIR, JAR_PATTERN)"),
        Setting("openlineage-spark", script.releases, "the jar name"),
        Setting("listeners", ",".join(script.listeners) or "none", f"{SCRIPT} (the driver conf it writes)"),
        remote,
    )
    problems = []
    if DBC_LISTENER not in script.listeners:
        problems.append(
            f"{SCRIPT} does not keep {DBC_LISTENER} first: the Spark UI of a terminated cluster is lost; "
            f"run {rerun}, then upload the script again"
        )
    if LISTENER not in script.listeners:
        problems.append(f"{SCRIPT} does not register the OpenLineage listener: nothing sends lineage; run {rerun}")
    return Description(settings, tuple(problems))
