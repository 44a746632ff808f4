"""Great Expectations: GE 0.13.26-0.15.34 gets OpenLineage's validation action in the project and its
checkpoints (below); GX 1.x (config_version 4, JSON checkpoints) gets a plugin module instead (gx1.py).

great_expectations.yml gets the action in a validation operator (for LegacyCheckpoints, which name
one), Checkpoint/SimpleCheckpoint YAML files get it in their own action_list (V3 checkpoints do not
use operators), and the key goes to uncommitted/config_variables.yml: the YAML files only say
`${OPENLINEAGE_API_KEY}`, which GE fills in when it loads them. Every edit is a text splice
(edits/yaml_write.py) that keeps the rest of each file byte for byte.

The wizard's detection and `status`: state.py, report.py (scan.py reads the project); `remove`: removal.py,
gx1_removal.py, leftovers.py (unsplice.py takes our lines out exactly). --add is refused: the action sends to
one host (render.add_refusal names the alternative, a composite transport for the OpenLineage client).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup.edits import EditError
from lineage_setup.integrations.base import Description, Option, Rendered, Request, same_endpoint
from lineage_setup.integrations.great_expectations import checkpoints, edits, files, gx1_project, project, state
from lineage_setup.integrations.great_expectations import render as rendering
from lineage_setup.integrations.great_expectations.checkpoints import Checkpoint
from lineage_setup.integrations.great_expectations.proposals import propose, say

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

NAME = "great-expectations"
TITLE = "Great Expectations"
ALIASES: tuple[str, ...] = ("gx",)
HELP = (
    "Add an OpenLineage validation action to a Great Expectations project and point its checkpoints at it: "
    "OpenLineage's own action for GE 0.13.26-0.15.34, a plugin module for GX 1.x."
)
PRINT_FORMATS = ("yaml", "checkpoint", "variables", "gx1")
OPTIONS = (
    Option(
        "checkpoints",
        "--checkpoint",
        "Patch only this checkpoint (its name as GE lists it: checkpoints/team/daily.yml is team.daily; "
        "GX 1.x: checkpoints/daily.json is daily); repeat for more. Default: all.",
        multiple=True,
    ),
    Option(
        "job_name",
        "--job-name",
        "Job name for the validations' events (default: GE 0.x: suite name + batch id; GX 1.x: "
        "<checkpoint>.<validation definition>).",
    ),
)


@dataclass(frozen=True)
class Options:
    checkpoints: tuple[str, ...] = ()
    job_name: str | None = None


def check_options(options: Options, env: Mapping[str, str], *, printing: bool) -> None:
    rendering.check_job_name(options.job_name)


def preflight(ws: Workspace, options: Options) -> str | None:
    """Not a GE project: exit 2, before any question."""
    project.find_root(ws)
    return None


namespace_default = state.namespace_default
detect = state.detect


def describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    """What `status` says (report.py: imported only by `status` and the wizard)."""
    from lineage_setup.integrations.great_expectations import report

    return report.describe(ws, env)


def plan_removal(ws: Workspace, options: Options) -> None:
    """Take out what `plan` put in (removal.py, gx1_removal.py say how it is recognised)."""
    from lineage_setup.edits import yaml_read
    from lineage_setup.integrations.great_expectations import gx1_removal, removal

    root = project.find_root(ws)
    try:
        data = yaml_read.load(project.config_text(ws, root))
    except EditError as exc:
        ws.info(f"{project.rel(root, project.CONFIG)}: {exc}; nothing was taken out")
        return
    config = data if isinstance(data, dict) else {}
    kind = gx1_project.classify(ws, root, config)
    if kind.generation == "1.x":
        gx1_removal.plan(ws, root, config)
    elif kind.generation == "0.x":
        removal.plan(ws, root, config)
    else:
        ws.info(f"{project.rel(root, project.CONFIG)}: {kind.why}; nothing was taken out")


def plan(req: Request[Options], ws: Workspace) -> None:
    root = project.find_root(ws)
    if req.add:
        _refuse_add(req, ws)
    kind = _kind(ws, root)
    if kind.generation != "0.x":
        from lineage_setup.integrations.great_expectations import gx1

        gx1.plan(req, ws, root, project.config_text(ws, root), kind)
        return
    params = rendering.params(req.conn, req.options.job_name)
    text, config = files.read_config(ws, root, params)
    found = checkpoints.plan_checkpoints(ws, root, config, params, req.options.checkpoints)
    edit = files.project_config(project.rel(root, project.CONFIG), text, config, found.checkpoints, params)
    say(ws, found.notes, found.infos)
    edited: list[Checkpoint | files.ConfigEdit] = [*found.checkpoints, edit]
    propose(ws, edited)
    if not req.conn.keyless:
        variables = {name for each in edited for name in each.variables} or {edits.KEY_VARIABLE}
        shared = [each.rel for each in found.checkpoints]
        rel, keyed = files.variables_edit(ws, req.conn, root, config, variables, shared)
        ws.keep_out_of_git(rel, "holds the OpenLineage API key", ignore_in=root)
        ws.write(rel, keyed, reason=_key_reason(root, edited), secret=True)
    _requirement(ws)
    simple = [each.name for each in found.checkpoints if each.kind == "SimpleCheckpoint"]
    say(ws, project.warnings(ws, root, simple, req.env, req.conn.api_key), ())
    if req.conn.preset.gzip:
        ws.note(rendering.gzip_note(req.conn))
    ws.step(f"check great_expectations --version: OpenLineage's action runs on {project.SUPPORTED} only")
    example = found.checkpoints[0].name if found.checkpoints else "NAME"
    ws.step(f"cd {ws.root} && great_expectations checkpoint run {example}   (each validation sends one event)")
    ws.step(f"docs: {rendering.DOCS}")


def _key_reason(root: str, edited: list[Checkpoint | files.ConfigEdit], shown: int = 3) -> str:
    """Why the variables file changes: each `${VAR}` and the files that say it, relative to the project's
    folder (the first `shown` of them), or none yet."""
    holders: dict[str, list[str]] = {}
    for each in edited:
        for name in dict.fromkeys(each.variables):
            holders.setdefault(name, []).append(each.rel)
    if not holders:
        key = f"${{{edits.KEY_VARIABLE}}}"
        return (
            f"the API key, for {key}, which no file says yet (a new checkpoint's action: --print --format checkpoint)"
        )
    said = []
    for name, rels in holders.items():
        more = f" and {len(rels) - shown} more" if len(rels) > shown else ""
        named = ", ".join(posixpath.relpath(rel, root or ".") for rel in rels[:shown])  # not all 2,000 of them
        said.append(f"${{{name}}} in {named}{more}")
    return "the API key, for " + "; ".join(said)


def _refuse_add(req: Request[Options], ws: Workspace) -> None:
    """--add: the action takes one host. Refused when the project sends elsewhere now (with the alternative);
    with nothing to add beside, --add sets up as usual."""
    sends_to = {value for found in state.detect(ws) for name, value in found.facts if name == "sends to"}
    elsewhere = {url for url in sends_to if not same_endpoint(url, req.conn.lineage_url)}
    if elsewhere:
        raise rendering.add_refusal(req.conn, sorted(elsewhere))


def _kind(ws: Workspace, root: str) -> gx1_project.Kind:
    """GE 0.x, GX 1.x or neither, by great_expectations.yml; a file that does not parse goes the 0.x way,
    whose refusal shows the YAML to paste."""
    from lineage_setup.edits import yaml_read

    try:
        data = yaml_read.load(project.config_text(ws, root))
    except EditError:
        return gx1_project.Kind("0.x")
    return gx1_project.classify(ws, root, data)


def _requirement(ws: Workspace) -> None:
    pinned = files.requirement_edit(ws)
    if pinned is None:
        ws.step(f"pip install '{project.PIN}'")
        return
    ws.write(project.REQUIREMENTS, pinned.text, reason=files.PIN_REASON)
    say(ws, pinned.notes, ())
    ws.step(f"pip install -r {project.REQUIREMENTS}")


def render(req: Request[Options], fmt: str) -> Rendered:
    if fmt == "gx1":
        from lineage_setup.integrations.great_expectations import gx1_render

        return gx1_render.render(req.conn, req.options.job_name)
    return rendering.render(req.conn, req.options.job_name, fmt)
