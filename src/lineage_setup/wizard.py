"""`lineage-setup init`: find the projects under a folder, pick, answer once, one plan, apply it as one unit.

The per-tool commands do the planning: each chosen project is planned by its integration on its own
view of one shared Workspace, so two projects editing one file give one diff, and the writer applies
every file or none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lineage_setup import answers, finder, runner, ui
from lineage_setup.errors import ExitCode, LineageSetupError, UsageError
from lineage_setup.integrations import find
from lineage_setup.integrations.base import Integration, Project, Request

if TYPE_CHECKING:
    from lineage_setup.plan import Plan
    from lineage_setup.workspace import Workspace


@dataclass(frozen=True)
class InitArgs:
    root: Path
    mode: runner.Mode
    flags: answers.Flags
    only: tuple[str, ...] = ()  # integration names or project paths
    exclude: tuple[str, ...] = ()
    max_depth: int = finder.DEFAULT_DEPTH


@dataclass(frozen=True)
class Found:
    integration: Integration
    project: Project
    label: str  # the project's folder, relative to the scanned root

    @property
    def key(self) -> str:
        return f"{self.project.kind}:{self.label}"


def find_projects(
    root: Path, max_depth: int, env: Mapping[str, str], endpoint: str | None = None
) -> tuple[list[Found], list[tuple[Path, str]]]:
    """Every project under root, and the folders skipped (unreadable), with why; with the answers' endpoint,
    each state compared with it ("configured" or "configured elsewhere")."""
    from lineage_setup.workspace import Workspace

    scan = finder.scan(root, max_depth, env)
    found: list[Found] = []
    skipped = list(scan.skipped)
    for candidate in scan.candidates:
        integration = candidate.entry.load()
        try:
            projects = integration.detect(Workspace(candidate.folder))
        except LineageSetupError as exc:
            skipped.append((candidate.folder, str(exc)))
            continue
        found.extend(Found(integration, project, _label(project.path, root)) for project in projects)
    found = _automatic_through_airflow(found)
    return (against(found, endpoint) if endpoint else found), skipped


def against(found: Sequence[Found], endpoint: str) -> list[Found]:
    """Each state compared with the endpoint (base.Project.against)."""
    return [dataclasses.replace(f, project=f.project.against(endpoint)) for f in found]


def expected_endpoint(flags: answers.Flags, env: Mapping[str, str]) -> str | None:
    """The lineage URL the answers will give, when no question decides it: a flag or variable, else the saved
    settings (without a terminal the answer, with one the prompt's default; the wizard compares again once it
    is answered). None when it is still to be asked. Nothing is asked, read from a key file, or said here."""
    from lineage_setup import settings

    given = flags.url or flags.domain or env.get(answers.ENV_URL) or env.get(answers.ENV_DOMAIN)
    try:
        saved = {} if given else settings.load(env)  # as runner.connection reads it
    except LineageSetupError:  # said once, when the answers are resolved
        saved = {}
    return answers.given_lineage_url(flags, env, saved)


def _label(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def _automatic_through_airflow(found: list[Found]) -> list[Found]:
    """A dbt project inside an Airflow project that runs Cosmos reports its lineage through Airflow."""
    cosmos = [f.project.path for f in found if dict(f.project.facts).get("runs dbt with") == "Cosmos"]
    out = []
    for item in found:
        inside = any(item.project.path.is_relative_to(path) for path in cosmos)
        if item.project.kind == "dbt" and inside and item.project.state == "not configured":
            item = dataclasses.replace(item, project=item.project._replace(state="automatic"))
        out.append(item)
    return out


def choose(
    found: Sequence[Found], args: InitArgs, prompter: answers.Prompter | None, compared: bool = True
) -> list[Found]:
    """--only/--exclude (names or paths), then a checkbox list where there is a terminal; `compared`: the states
    were compared with the answers' endpoint."""
    wanted = [f for f in found if _matches(f, args.only, _plannable(f)) and not _matches(f, args.exclude, False)]
    unknown = [name for name in (*args.only, *args.exclude) if not any(_matches(f, (name,), False) for f in found)]
    if unknown and not any(find(name) for name in unknown):
        raise UsageError(f"--only/--exclude: nothing found matches {', '.join(unknown)}")
    if prompter is None or args.only or not wanted:
        return wanted
    choices = [(f.key, title(f), _preselected(f, compared)) for f in wanted]
    picked = set(prompter.choose_many("Set up which projects? (space toggles, enter confirms)", choices))
    return [f for f in wanted if f.key in picked]


def _preselected(f: Found, compared: bool) -> bool:
    """Ticked at first: not set up, or sending elsewhere; also a project that sends somewhere while the endpoint
    is still to be asked (once it is, one sending elsewhere gets the add-or-replace question)."""
    state = f.project.state
    uncompared = state == "configured" and not compared and bool(f.project.destinations)
    return state in ("not configured", "configured elsewhere") or uncompared


def _plannable(f: Found) -> bool:
    """Set up unless named otherwise: not a project whose integration cannot tell how it runs (an Airflow
    project with no version to read); --only names it to try anyway."""
    return f.project.state != "unknown"


def left_out(found: Sequence[Found], chosen: Sequence[Found], args: InitArgs) -> list[Found]:
    """Projects left out because they cannot be planned as found (not those --exclude names)."""
    return [f for f in found if not _plannable(f) and f not in chosen and not _matches(f, args.exclude, False)]


def _matches(f: Found, names: Sequence[str], default: bool) -> bool:
    if not names:
        return default
    entry = find(f.project.kind)
    kinds = {f.project.kind, *(entry.aliases if entry else ())}
    return any(name in kinds or name.rstrip("/") in (f.label, str(f.project.path)) for name in names)


def title(f: Found) -> str:
    name = f" {f.project.name}" if f.project.name else ""
    sending = f.project.state in ("configured", "configured elsewhere") and f.project.destinations
    where = f": sends to {', '.join(f.project.destinations)}" if sending else ""
    return f"{f.integration.TITLE}{name}  ({f.label}, {f.project.state}{where})"


# --- answers, the plan, and applying it --------------------------------------------------------------


def namespaces(chosen: Sequence[Found], conn: answers.Connection, prompter: answers.Prompter | None) -> list[str]:
    """One namespace for all (--namespace or its variable), else one per project: its own name by default."""
    if conn.namespace:
        return [conn.namespace] * len(chosen)
    if prompter is None:
        nameless = [f.label for f in chosen if not f.project.name]
        if nameless:
            raise UsageError(
                f"missing the namespace for {', '.join(nameless)}: pass --namespace or set OPENLINEAGE_NAMESPACE "
                "(projects with a name of their own use it)"
            )
        return [str(f.project.name) for f in chosen]
    from lineage_setup import validate

    check = validate.as_prompt_check(validate.namespace, "answer")
    return [prompter.text(f"Namespace for {title(f)}", default=f.project.name or "", validate=check) for f in chosen]


@dataclass
class Section:
    found: Found
    ws: Workspace
    skipped: str = ""  # why nothing was planned here (lineage already automatic, say)


def plan_all(
    chosen: Sequence[Found],
    conn: answers.Connection,
    names: Sequence[str],
    args: InitArgs,
    env: Mapping[str, str],
    prompter: answers.Prompter | None,
) -> tuple[Plan, list[Section]]:
    from lineage_setup.workspace import Workspace

    files = Workspace(args.root)
    sections = []
    for found, namespace in zip(chosen, names, strict=True):
        ws = files.sibling(found.project.path)
        options = _options(found)
        found.integration.check_options(options, env, printing=False)
        nothing = found.integration.preflight(ws, options)
        section = Section(found, ws, nothing or "")
        if not nothing:
            own = dataclasses.replace(conn, namespace=namespace)
            add = runner.adding(found.integration, ws, own, args.mode, prompter)
            found.integration.plan(Request(own, options, env, add), ws)
        sections.append(section)
    the_plan = files.plan()
    ui.debug_each(files.looked_at())
    return the_plan, sections


def _options(found: Found) -> Any:
    return found.integration.Options(**dict(found.project.options))


def run(args: InitArgs, env: Mapping[str, str], prompter: answers.Prompter | None) -> ExitCode:
    endpoint = expected_endpoint(args.flags, env)
    found, skipped = find_projects(args.root, args.max_depth, env, endpoint)
    ui.show_found(found, skipped, args.root)
    chosen = choose(found, args, prompter, compared=endpoint is not None)
    for f in left_out(found, chosen, args):
        ui.warn(f"left out {title(f)}: {f.project.route or 'it cannot be set up as found'}")
    if not chosen:
        ui.info("Nothing to set up here." if not found else "No project chosen; nothing was written.")
        return ExitCode.OK
    conn = runner.connection(args.flags, env, prompter, None, namespace_required=False)
    chosen = against(chosen, conn.lineage_url)  # the endpoint answered may not be the one expected
    names = namespaces(chosen, conn, prompter)
    plan, sections = plan_all(chosen, conn, names, args, env, prompter)
    ui.show_connection(conn)
    for section in sections:
        ui.show_section(title(section.found), section.ws.messages(), section.skipped)
    ui.show_notes(plan.notes)  # about files, once the plan is made (e.g. a key file others can read)
    combined = plan.with_remote(tuple(r for s in sections for r in s.ws.messages().remote))
    code, settled = runner.settle(combined, args.root, args.mode, prompter, lambda: _what_now(sections))
    return runner.finish(code, settled, conn, args.mode, prompter, env)


def _what_now(sections: Sequence[Section]) -> None:
    for section in sections:
        steps = section.ws.messages().steps
        if steps:
            ui.show_steps(steps, heading=f"\nWhat now for {title(section.found)}:")
