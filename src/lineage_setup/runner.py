"""answers -> plan -> show -> apply, for any integration; returns the exit code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from lineage_setup import answers, ui
from lineage_setup.errors import ExitCode, LineageSetupError, UsageError, UserAbort, VerificationError, interrupt_code
from lineage_setup.integrations.base import Integration, Rendered, Request

if TYPE_CHECKING:  # the workspace, the plan and the writer load when a plan is made, not for --print
    from lineage_setup.plan import Plan
    from lineage_setup.workspace import Workspace

Action = Literal["apply", "dry-run", "check", "print"]


class Mode(NamedTuple):
    action: Action = "apply"
    yes: bool = False
    fmt: str | None = None
    verify: bool = False  # send a test event with the same answers afterwards
    show_all: bool = False  # every diff, however many files change
    destination: Literal["add", "replace"] | None = None  # --add / --replace; None: asked when it matters


def run(
    integration: Integration,
    *,
    root: Path,
    flags: answers.Flags,
    mode: Mode,
    options: Any,
    env: Mapping[str, str],
    prompter: answers.Prompter | None,
) -> ExitCode:
    integration.check_options(options, env, printing=mode.action == "print")
    if mode.action == "print":
        default_ns = integration.namespace_default(_workspace(root)) if prompter else None
        conn = connection(flags, env, prompter, default_ns)
        _print(integration.render(Request(conn, options, env, root=root), mode.fmt or integration.PRINT_FORMATS[0]))
        code, settled = ExitCode.OK, False
    else:
        ws = _workspace(root)
        nothing_to_do = _preflight(integration, ws, options)
        if nothing_to_do is not None and not mode.verify:
            return nothing_to_do
        default_ns = integration.namespace_default(ws) if prompter else None
        conn = connection(flags, env, prompter, default_ns)
        add = adding(integration, ws, conn, mode, prompter)
        integration.plan(Request(conn, options, env, add, root), ws)
        the_plan = ws.plan()
        ui.debug_each(ws.looked_at())
        code, settled = _show_and_apply(the_plan, conn, root, mode, prompter)
    return finish(code, settled, conn, mode, prompter, env)


def adding(
    integration: Integration, ws: Workspace, conn: answers.Connection, mode: Mode, prompter: answers.Prompter | None
) -> bool:
    """Add ours beside the destinations the project already sends to, or replace them? --add/--replace say;
    else asked when it sends elsewhere now; without a terminal that is refused: a backend is never dropped
    silently."""
    if mode.destination is not None:
        return mode.destination == "add"
    from lineage_setup.integrations.base import same_endpoint

    sends_to = {v for p in integration.detect(ws) for k, v in p.facts if k == "sends to"}
    elsewhere = sorted(url for url in sends_to if not same_endpoint(url, conn.lineage_url))
    if not elsewhere:
        return False
    where = ", ".join(elsewhere)
    if prompter is None:
        raise UsageError(
            f"{ws.root} already sends lineage to {where}: pass --add to send to it and to {conn.lineage_url}, "
            "or --replace to send to the new endpoint only (no terminal to ask in)"
        )
    choices = [
        ("add", f"Add {conn.lineage_url}: send to both"),
        ("replace", f"Replace: send to {conn.lineage_url} only"),
    ]
    return prompter.choose(f"This project already sends lineage to {where}.", choices, default="add") == "add"


def finish(
    code: ExitCode,
    settled: bool,
    conn: answers.Connection,
    mode: Mode,
    prompter: answers.Prompter | None,
    env: Mapping[str, str],
) -> ExitCode:
    """After the plan: the test event (asked for, or offered once the config is in place), and the endpoint
    remembered when it proved right."""
    try:
        if mode.verify or (settled and mode.action == "apply" and _offer_verify(conn, prompter)):
            code = max(code, _verify(conn))
    except (UserAbort, KeyboardInterrupt) as exc:
        if not settled:
            raise
        code = exc.exit_code if isinstance(exc, UserAbort) else interrupt_code(exc)
        raise UserAbort("interrupted: the project is set up, but no test event was confirmed", code) from None
    if settled:
        _remember(conn, env)
    return code


def _workspace(root: Path) -> Workspace:
    from lineage_setup.workspace import Workspace

    return Workspace(root)


def _preflight(integration: Integration, ws: Workspace, options: Any) -> ExitCode | None:
    """An integration may know before any question that there is nothing to do; then none is asked."""
    message = integration.preflight(ws, options)
    if message is None:
        return None
    ui.show_infos((message,))
    ui.success("\nNothing to change.")
    return ExitCode.OK


def _print(rendered: Rendered) -> None:
    for text in rendered.hints:
        ui.hint(text)
    ui.print_config(rendered.text)
    for section in rendered.sections:
        _print(section)


def connection(
    flags: answers.Flags,
    env: Mapping[str, str],
    prompter: answers.Prompter | None,
    default_ns: str | None = None,
    *,
    namespace_required: bool = True,
) -> answers.Connection:
    """The answers, resolved once (saved settings read only when needed), with a warning for http://."""
    saved = _saved(flags, env)
    conn = answers.resolve(flags, env, prompter, default_ns, saved, namespace_required=namespace_required)
    if conn.insecure:
        ui.warn("http:// sends the API key unencrypted; use https:// unless this is a local test receiver")
    return conn


def _saved(flags: answers.Flags, env: Mapping[str, str]) -> Mapping[str, str]:
    """Saved settings, read only when no flag or variable gives the endpoint; a broken file is skipped."""
    if flags.url or flags.domain or env.get(answers.ENV_URL) or env.get(answers.ENV_DOMAIN):
        return {}  # the file is not even read then (nor its module imported: start-up)
    from lineage_setup import settings

    try:
        return settings.load(env)
    except LineageSetupError as exc:
        ui.warn(f"ignoring the saved settings: {exc}")
        return {}


def _offer_verify(conn: answers.Connection, prompter: answers.Prompter | None) -> bool:
    return prompter is not None and prompter.confirm(f"Send a test event to {conn.lineage_url}?", default=True)


def _verify(conn: answers.Connection, timeout: float = 10.0, lint: bool = False) -> ExitCode:
    """Send the test run; with `lint`, also check the test events for the backend (an error finding: exit 1)."""
    from lineage_setup import lint as checks
    from lineage_setup import verify

    ui.info(f"Sending a test run (START, COMPLETE) to {conn.lineage_url} ...")
    result = verify.check(conn, timeout, lint=lint)
    for line in checks.report(result.findings, conn.backend) if lint else ():
        ui.info(line)
    if not result.ok:
        raise VerificationError(result.message)
    ui.success(result.message)
    if checks.has_errors(result.findings):
        raise VerificationError(f"--lint: the test events are not what {conn.backend} needs (see above)")
    return ExitCode.OK


def verify_only(
    flags: answers.Flags,
    env: Mapping[str, str],
    prompter: answers.Prompter | None,
    timeout: float,
    lint: bool = False,
) -> ExitCode:
    if not 0 < timeout <= 300:
        raise UsageError("--timeout: give a number of seconds from 0 to 300")
    conn = connection(flags, env, prompter)
    code = _verify(conn, timeout, lint)
    _remember(conn, env)
    return code


def _remember(conn: answers.Connection, env: Mapping[str, str]) -> None:
    """Keep an endpoint typed at a prompt once it proved right (written, or accepted a test event)."""
    from lineage_setup import settings

    if conn.origin.get("url") != "prompt":
        return
    try:
        saved = settings.save(env, {"url": conn.url, "endpoint": conn.endpoint, "backend": conn.backend})
    except (OSError, LineageSetupError) as exc:  # a convenience: never the reason a run fails
        ui.warn(f"could not save the endpoint for next time: {getattr(exc, 'strerror', None) or exc}")
        return
    if saved is not None:
        ui.info(f"Saved the endpoint in {saved} for next time (flags and environment variables still win).")


def _show_and_apply(
    the_plan: Plan,
    conn: answers.Connection,
    root: Path,
    mode: Mode,
    prompter: answers.Prompter | None,
) -> tuple[ExitCode, bool]:
    """The exit code, and whether the project now holds the config (applied, or nothing to do)."""
    ui.show_connection(conn)
    ui.show_notes(the_plan.notes)
    ui.show_infos(the_plan.infos)
    return settle(the_plan, root, mode, prompter, lambda: ui.show_steps(the_plan.steps))


def settle(
    the_plan: Plan, root: Path, mode: Mode, prompter: answers.Prompter | None, show_steps: Callable[[], None]
) -> tuple[ExitCode, bool]:
    """Show the changes and do what the mode says: check, preview, or confirm and apply them as one unit.
    The exit code, and whether the project now holds the config (applied, or nothing to do)."""
    if not the_plan.pending:
        ui.success("\nNothing to change.")
        if mode.action != "check":
            show_steps()
        return ExitCode.OK, True
    ui.show_changes(the_plan, root, show_all=mode.show_all)
    count = _count(the_plan)
    if mode.action in ("check", "dry-run"):
        ui.info(f"\n{count} would change (--{mode.action}: nothing written)")
        if mode.action == "check":
            return ExitCode.PENDING, False
        show_steps()
        return ExitCode.OK, False
    if not mode.yes:
        if prompter is None:
            raise UsageError(
                "not applied: there is no terminal to confirm in; pass --yes to apply (or --dry-run to preview)"
            )
        if not prompter.confirm(f"Apply {count}?", default=True):
            ui.info("Not applied; nothing was written.")
            return ExitCode.OK, False
    from lineage_setup import writer

    writer.apply(the_plan)
    ui.success(f"\nDone: {count}.")
    show_steps()
    return ExitCode.OK, True


def _count(the_plan: Plan) -> str:
    parts = []
    if the_plan.changes:
        parts.append(f"{len(the_plan.changes)} file{'s' if len(the_plan.changes) > 1 else ''}")
    if the_plan.remote:
        parts.append(f"{len(the_plan.remote)} remote change{'s' if len(the_plan.remote) > 1 else ''}")
    return " and ".join(parts)
