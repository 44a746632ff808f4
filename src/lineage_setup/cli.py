"""The command line: a lazy group whose commands are built from data, and the one place exit codes are set.

`lineage-setup --version` imports no integration; `lineage-setup spark ...` imports only Spark's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from lineage_setup import __version__, args, integrations, params
from lineage_setup.errors import ExitCode, LineageSetupError, Signalled, interrupt_code

if TYPE_CHECKING:
    from typer import _click as click

    from lineage_setup import answers
    from lineage_setup.integrations.base import Integration

Body = Callable[[Mapping[str, Any]], ExitCode]


def _finish(action: Callable[[], ExitCode]) -> NoReturn:
    """The one place an outcome becomes an exit code."""
    from lineage_setup import ui

    try:
        code = action()
        _flush()
    except LineageSetupError as exc:
        ui.error(str(exc))
        code = exc.exit_code
    except KeyboardInterrupt as exc:
        ui.error(f"{_stopped_by(exc)}; nothing was written")
        code = interrupt_code(exc)
    except BrokenPipeError:  # the reader went away (`| head`): end quietly, as head expects
        _quiet_stdout()
        code = ExitCode.OK
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EIO) and exc.filename is None:  # writing our own output failed
            ui.error(f"could not write the output: {exc.strerror}")
            code = ExitCode.FAILED
        else:
            code = _internal_error()
    except Exception:
        code = _internal_error()
    from lineage_setup import output

    output.finish(code)
    raise typer.Exit(int(code))


def _internal_error() -> ExitCode:
    """A bug: show a redacted traceback, never a secret."""
    import traceback

    from lineage_setup import ui

    ui.error("internal error (please report it):\n" + traceback.format_exc())
    return ExitCode.FAILED


def _stopped_by(exc: KeyboardInterrupt) -> str:
    return {ExitCode.TERMINATED: "terminated (SIGTERM)", ExitCode.HANGUP: "hung up (SIGHUP)"}.get(
        interrupt_code(exc), "interrupted"
    )


def _flush() -> None:
    """Write what is buffered now, so a closed pipe or a full disk is reported here, not at exit."""
    sys.stdout.flush()
    sys.stderr.flush()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: Python would complain about the closed pipe again when it exits."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _on_signal(signum: int, frame: object) -> None:
    raise Signalled(signum)


@contextlib.contextmanager
def _signals_end_the_run() -> Iterator[None]:
    """SIGTERM and SIGHUP end a run as Ctrl-C does: what was written is undone, and it says so."""
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread
            previous[signum] = signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _command(name: str, help: str, table: Sequence[params.Param], body: Body) -> TyperCommand:
    def callback(**values: Any) -> None:
        from lineage_setup import output, redact

        redact.clear()
        output.begin(name, as_json=values.pop("json"))

        def run() -> ExitCode:
            output.begin(name, as_json=output.json_mode(), verbosity=params.verbosity(values))
            return body(values)

        with _signals_end_the_run():
            _finish(run)

    table = [*table, *params.OUTPUT_PARAMS]
    return TyperCommand(name, params=[param.option() for param in table], callback=callback, help=help)


# --- the commands ----------------------------------------------------------------------------------


def _integration(integration: Integration, name: str) -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        return _run_integration(integration, args.integration_args(integration, values))

    aliases = f" (alias: {', '.join(integration.ALIASES)})" if integration.ALIASES else ""
    help = (
        integration.HELP + aliases if name == integration.NAME else f"Alias of {integration.NAME}. {integration.HELP}"
    )
    return _command(name, help, params.integration_params(integration), body)


def _run_integration(integration: Integration, given: args.IntegrationArgs) -> ExitCode:
    from lineage_setup import runner

    env, prompter = _inputs(no_input=given.connection.no_input)
    flags = given.connection.flags
    return runner.run(
        integration, root=given.root, flags=flags, mode=given.mode, options=given.options, env=env, prompter=prompter
    )


def _inputs(*, no_input: bool) -> tuple[dict[str, str], answers.Prompter | None]:
    """The environment, and a prompter when questions may be asked."""
    from lineage_setup import output, prompts

    env = dict(os.environ)
    quiet = no_input or output.json_mode()  # --json asks nothing, as --no-input
    return env, prompts.make_prompter() if prompts.interactive(quiet, env) else None


VERIFY_HELP = "Send a test START and COMPLETE event to the endpoint and say what happened."
LISTEN_HELP = "Run a local OpenLineage endpoint that prints each event it receives (Ctrl-C stops it)."


def _verify() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import runner

        verify = args.verify_args(values)
        env, prompter = _inputs(no_input=verify.connection.no_input)
        return runner.verify_only(verify.connection.flags, env, prompter, timeout=verify.timeout, lint=verify.lint)

    return _command("verify", VERIFY_HELP, [*params.CONNECTION_PARAMS, *params.VERIFY_PARAMS], body)


def _listen() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import listen

        given = args.listen_args(values)
        return listen.run(given.host, given.port, given.output, given.require_key, given.checks, os.environ)

    return _command("listen", LISTEN_HELP, params.LISTEN_PARAMS, body)


INIT_HELP = (
    "Set up a whole repository: find its dbt, Airflow, Spark, Databricks and Great Expectations projects, "
    "pick them, answer once, review one plan, apply it as one unit."
)


def _init() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import wizard

        init = args.init_args(values)
        env, prompter = _inputs(no_input=args.connection(values).no_input)
        return wizard.run(init, env, prompter)

    return _command("init", INIT_HELP, params.INIT_PARAMS, body)


SETTINGS_HELP = "Show the saved settings (the endpoint last answered at a prompt) and where they live."


def _settings() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import settings

        return settings.show(dict(os.environ), forget=bool(values["forget"]))

    return _command("settings", SETTINGS_HELP, params.SETTINGS_PARAMS, body)


DEMO_HELP = (
    "See it work without an account: a local receiver, a sample dbt and Great Expectations repository in a "
    "temporary folder, the wizard run on it, a test event, and what arrived."
)


def _demo() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import demo

        return demo.run(keep=bool(values["keep"]))

    return _command("demo", DEMO_HELP, params.DEMO_PARAMS, body)


STATUS_HELP = (
    "Where each project's events actually go (resolved as its tool resolves it, each value with its source) "
    "and what is wrong, each with its fix. Exit 1 when anything is."
)
REMOVE_HELP = "Take out what lineage-setup put in: the same plan, diff and confirmation, applied as one unit."


def _status() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import status

        given = args.status_args(values)
        return status.run(given.root, dict(os.environ), online=given.online, max_depth=given.max_depth)

    return _command("status", STATUS_HELP, params.STATUS_PARAMS, body)


def _remove() -> TyperCommand:
    def body(values: Mapping[str, Any]) -> ExitCode:
        from lineage_setup import removal

        remove = args.remove_args(values)
        env, prompter = _inputs(no_input=False)
        return removal.run(remove, env, prompter)

    return _command("remove", REMOVE_HELP, params.REMOVE_PARAMS, body)


OTHERS: dict[str, Callable[[], TyperCommand]] = {
    "init": _init,
    "status": _status,
    "remove": _remove,
    "verify": _verify,
    "listen": _listen,
    "settings": _settings,
    "demo": _demo,
}


class LazyGroup(TyperGroup):
    """Lists every command from the registry; builds (and imports) only the one that is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*integrations.REGISTRY, *OTHERS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> TyperCommand | None:
        entry = integrations.find(cmd_name)
        if entry is not None:
            return _integration(entry.load(), cmd_name)
        make = OTHERS.get(cmd_name)
        return make() if make else None


app = typer.Typer(
    cls=LazyGroup,
    help="Wire data tools to an OpenLineage backend (Astro, or any OpenLineage HTTP endpoint).",
    invoke_without_command=True,  # bare `lineage-setup`: the wizard in a terminal, else the help
    pretty_exceptions_enable=False,  # our handler redacts; tracebacks never show locals
    add_completion=True,  # --install-completion and --show-completion, for bash, zsh, fish (Typer's)
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lineage-setup {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = None,
) -> None:
    """Wire data tools to an OpenLineage backend. Without a command: the wizard (init) in a terminal."""
    if ctx.invoked_subcommand is not None:
        return
    from lineage_setup import prompts

    if not prompts.interactive(False, os.environ):
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    command = _init()
    assert command.callback is not None
    ctx.invoke(command.callback, **{param.name: param.default for param in command.params if param.name})


def main() -> None:
    app(prog_name="lineage-setup")
