"""Great Expectations 0.13.26-0.15.34: OpenLineage's validation action in the project and its checkpoints.

great_expectations.yml gets the action in a validation operator (for LegacyCheckpoints, which name
one), Checkpoint/SimpleCheckpoint YAML files get it in their own action_list (V3 checkpoints do not
use operators), and the key goes to uncommitted/config_variables.yml: the YAML files only say
`${OPENLINEAGE_API_KEY}`, which GE fills in when it loads them. Every edit is a text splice
(edits/yaml_write.py) that keeps the rest of each file byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup.edits import EditError
from lineage_setup.integrations import base
from lineage_setup.integrations.base import Option, Rendered, Request
from lineage_setup.integrations.great_expectations import checkpoints, edits, files, project
from lineage_setup.integrations.great_expectations import render as rendering
from lineage_setup.integrations.great_expectations.checkpoints import Checkpoint

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

NAME = "great-expectations"
TITLE = "Great Expectations"
ALIASES: tuple[str, ...] = ("gx",)
HELP = (
    "Add OpenLineage's validation action to a Great Expectations (0.13.26-0.15.34) project "
    "and point its checkpoints at it."
)
PRINT_FORMATS = ("yaml", "checkpoint", "variables")
OPTIONS = (
    Option(
        "checkpoints",
        "--checkpoint",
        "Patch only this checkpoint (its name as GE lists it: checkpoints/team/daily.yml is team.daily); "
        "repeat for more. Default: all.",
        multiple=True,
    ),
    Option("job_name", "--job-name", "Job name for the validations' events (default: GE's suite name + batch id)."),
)


@dataclass(frozen=True)
class Options:
    checkpoints: tuple[str, ...] = ()
    job_name: str | None = None


def check_options(options: Options, env: Mapping[str, str], *, printing: bool) -> None:
    rendering.check_job_name(options.job_name)


def preflight(ws: Workspace, options: Options) -> str | None:
    """Not a GE project: exit 2. A GX 1.x one: refused (exit 3), before any question."""
    from lineage_setup.edits import yaml_read

    root = project.find_root(ws)
    try:
        data = yaml_read.load(project.config_text(ws, root))
    except EditError:
        return None  # plan() refuses it with the snippet to paste
    project.refuse_gx1(ws, root, data)
    return None


namespace_default = base.no_namespace_default
detect = base.no_detect
describe = base.no_describe
plan_removal = base.no_removal


def plan(req: Request[Options], ws: Workspace) -> None:
    root = project.find_root(ws)
    params = rendering.params(req.conn, req.options.job_name)
    text, config = files.read_config(ws, root, params)
    found = checkpoints.plan_checkpoints(ws, root, config, params, req.options.checkpoints)
    edit = files.project_config(project.rel(root, project.CONFIG), text, config, found.checkpoints, params)
    _say(ws, found.notes, found.infos)
    edited = _propose(ws, [*found.checkpoints, edit])
    variables = {name for each in edited for name in each.variables} or {edits.KEY_VARIABLE}
    rel, keyed = files.variables_edit(ws, req.conn, root, config, variables)
    ws.keep_out_of_git(rel, "holds the OpenLineage API key", ignore_in=root)
    ws.write(rel, keyed, reason=f"the API key, for ${{{edits.KEY_VARIABLE}}} in {project.CONFIG}", secret=True)
    _requirement(ws)
    simple = [each.name for each in found.checkpoints if each.kind == "SimpleCheckpoint"]
    _say(ws, project.warnings(ws, root, simple, req.env, req.conn.api_key), ())
    ws.step(f"check great_expectations --version: OpenLineage's action runs on {project.SUPPORTED} only")
    example = found.checkpoints[0].name if found.checkpoints else "NAME"
    ws.step(f"cd {ws.root} && great_expectations checkpoint run {example}   (each validation sends one event)")


def _propose(ws: Workspace, edited: list[Checkpoint | files.ConfigEdit]) -> list[Checkpoint | files.ConfigEdit]:
    """Each file's notes and new text; then, if any file cannot be edited, all of them are refused."""
    for each in edited:
        _say(ws, each.notes, each.infos)
        if each.text is not None:
            ws.write(each.rel, each.text, reason=each.reason)
    refused = [(ws.path(each.rel), each.refused) for each in edited if each.refused]
    if refused:
        raise rendering.refusal(refused)
    return edited


def _requirement(ws: Workspace) -> None:
    pinned = files.requirement_edit(ws)
    if pinned is None:
        ws.step(f"pip install '{project.PIN}'")
        return
    ws.write(project.REQUIREMENTS, pinned.text, reason=files.PIN_REASON)
    _say(ws, pinned.notes, ())
    ws.step(f"pip install -r {project.REQUIREMENTS}")


def _say(ws: Workspace, notes: Iterable[str], infos: Iterable[str]) -> None:
    for note in notes:
        ws.note(note)
    for info in infos:
        ws.info(info)


def render(req: Request[Options], fmt: str) -> Rendered:
    return rendering.render(req.conn, req.options.job_name, fmt)
