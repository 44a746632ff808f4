"""The command line: one command per registered integration, and the one place exit codes are set."""

from __future__ import annotations

import enum
import inspect
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from lineage_setup import __version__, redact, ui
from lineage_setup.errors import ExitCode, LineageSetupError, UsageError
from lineage_setup.integrations import REGISTRY
from lineage_setup.integrations.base import Integration, Option

if TYPE_CHECKING:
    from lineage_setup import answers, runner

app = typer.Typer(
    help="Wire data tools to an OpenLineage backend (Astro, or any OpenLineage HTTP endpoint).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # our handler redacts; tracebacks never show locals
    add_completion=False,
)

_CONNECTION = "Connection"
_MODE = "What to do"


Param = tuple[str, Any, Any]  # (keyword, Annotated type, default)


def _param(name: str, kind: Any, *decls: str, help: str, panel: str, default: Any = None) -> Param:
    option = typer.Option(*decls, help=help, rich_help_panel=panel, show_default=False)
    return (name, Annotated[kind, option], default)


def _text(name: str, flag: str, help: str) -> Param:
    return _param(name, Optional[str], flag, help=help, panel=_CONNECTION)


def _switch(name: str, *decls: str, help: str) -> Param:
    return _param(name, bool, *decls, help=help, panel=_MODE, default=False)


CONNECTION: list[Param] = [
    _text(
        "domain",
        "--domain",
        "Astro base domain, e.g. astronomer.io; the URL becomes https://api.<domain>. (env: LINEAGE_SETUP_DOMAIN)",
    ),
    _text(
        "url", "--url", "Full OpenLineage URL instead of --domain; a path becomes the endpoint. (env: OPENLINEAGE_URL)"
    ),
    _text("endpoint", "--endpoint", "Endpoint path (default: api/v1/lineage; env: OPENLINEAGE_ENDPOINT)."),
    _text(
        "api_key",
        "--api-key",
        "OpenLineage API key; prefer --api-key-file or the env var, as others can see argv. (env: OPENLINEAGE_API_KEY)",
    ),
    _text("api_key_file", "--api-key-file", "Read the API key from this file; - reads stdin."),
    _text("namespace", "--namespace", "Job namespace, e.g. dbt-prod. (env: OPENLINEAGE_NAMESPACE)"),
    _switch("no_input", "--no-input", help="Never prompt; a missing answer is an error."),
]
MODES: list[Param] = [
    _param("dir", Path, "--dir", help="Project directory.", panel=_MODE, default=Path(".")),
    _switch("yes", "--yes", "-y", help="Apply without asking."),
    _switch("dry_run", "--dry-run", help="Show the changes; write nothing."),
    _switch("check", "--check", help="Write nothing; exit 1 if anything would change."),
    _switch("print_", "--print", help="Print the config to stdout (with the real key); write nothing."),
    _switch("verify", "--verify", help="Then send a test event with these answers (see `lineage-setup verify`)."),
]
TIMEOUT = _param("timeout", float, "--timeout", help="Seconds to wait for an answer.", panel=_MODE, default=10.0)
LISTEN: list[Param] = [
    _param("host", str, "--host", help="Address to bind (loopback by default).", panel=_MODE, default="127.0.0.1"),
    _param("port", int, "--port", help="Port to listen on; 0 picks a free one.", panel=_MODE, default=5000),
    _param("output", Optional[Path], "--output", help="Append each event to this file as a JSON line.", panel=_MODE),
    _param("require_key", Optional[str], "--require-key", help="Answer 401 to requests without this key.", panel=_MODE),
]


def _choice_type(name: str, values: tuple[str, ...]) -> type[enum.Enum]:
    return enum.Enum(name, {value: value for value in values}, type=str)  # type: ignore[return-value]


def _integration_params(integration: Integration) -> list[Param]:
    fmt_type = _choice_type(f"{integration.NAME}_format", integration.PRINT_FORMATS)
    formats = ", ".join(integration.PRINT_FORMATS)
    fmt = _param("fmt", Optional[fmt_type], "--format", help=f"With --print: {formats}.", panel=_MODE)
    return [fmt, *(_integration_option(integration, option) for option in integration.OPTIONS)]


def _integration_option(integration: Integration, option: Option) -> Param:
    kind: Any = bool if option.is_flag else str
    if option.choices:
        kind = _choice_type(f"{integration.NAME}_{option.name}", option.choices)
    if option.multiple:
        kind = list[kind]
    if option.default is None:
        kind = Optional[kind]
    shown = f" (default: {option.default})" if option.default not in (None, False) else ""
    return _param(
        option.name, kind, option.flag, help=option.help + shown, panel=integration.TITLE, default=option.default
    )


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _mode(values: dict[str, Any]) -> runner.Mode:
    from lineage_setup import runner

    exclusive = (("--print", "print_"), ("--check", "check"), ("--dry-run", "dry_run"))
    chosen = [flag for flag, key in exclusive if values[key]]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} cannot be combined")
    if values["fmt"] is not None and not values["print_"]:
        raise UsageError("--format applies only with --print")
    action = {"--print": "print", "--check": "check", "--dry-run": "dry-run"}.get(chosen[0] if chosen else "", "apply")
    return runner.Mode(action, yes=values["yes"], fmt=_plain(values["fmt"]), verify=values["verify"])  # type: ignore[arg-type]


def _root(value: Path) -> Path:
    root = value.expanduser()
    if not root.is_dir():
        raise UsageError(f"--dir: {value} is not a directory")
    return root.resolve()


def _connection_inputs(values: dict[str, Any]) -> tuple[answers.Flags, dict[str, str], answers.Prompter | None]:
    from lineage_setup import answers, prompts

    env = dict(os.environ)
    flags = answers.Flags(*(values[k] for k in ("domain", "url", "endpoint", "api_key", "api_key_file", "namespace")))
    prompter = prompts.make_prompter() if prompts.interactive(values["no_input"], env) else None
    return flags, env, prompter


def _run_integration(integration: Integration, values: dict[str, Any]) -> ExitCode:
    from lineage_setup import runner

    mode = _mode(values)
    flags, env, prompter = _connection_inputs(values)
    options = {option.name: _plain(values[option.name]) for option in integration.OPTIONS}
    return runner.run(
        integration, root=_root(values["dir"]), flags=flags, mode=mode, options=options, env=env, prompter=prompter
    )


def _run_verify(values: dict[str, Any]) -> ExitCode:
    from lineage_setup import runner

    flags, env, prompter = _connection_inputs(values)
    return runner.verify_only(flags, env, prompter, timeout=values["timeout"])


def _run_listen(values: dict[str, Any]) -> ExitCode:
    from lineage_setup import listen

    return listen.run(values["host"], values["port"], values["output"], values["require_key"])


def _finish(action: Callable[[], ExitCode]) -> NoReturn:
    """The one place an outcome becomes an exit code."""
    try:
        code = action()
    except LineageSetupError as exc:
        ui.error(str(exc))
        code = exc.exit_code
    except KeyboardInterrupt:
        ui.error("interrupted; nothing was written")
        code = ExitCode.INTERRUPTED
    except Exception:  # a bug: show a redacted traceback, never a secret
        ui.error("internal error (please report it):\n" + traceback.format_exc())
        code = ExitCode.FAILED
    raise typer.Exit(int(code))


def _make_command(params: list[Param], body: Callable[[dict[str, Any]], ExitCode], doc: str) -> Callable[..., None]:
    """A Typer command whose keyword parameters are `params` (Typer reads __signature__)."""

    def command(**values: Any) -> None:
        redact.clear()
        _finish(lambda: body(values))

    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a) for n, a, d in params]
    )
    command.__annotations__ = {n: a for n, a, _ in params}
    command.__doc__ = doc
    return command


def _integration_command(integration: Integration) -> Callable[..., None]:
    params = [*MODES, *CONNECTION, *_integration_params(integration)]
    return _make_command(params, lambda values: _run_integration(integration, values), integration.HELP)


for _integration in REGISTRY.values():
    _command = _integration_command(_integration)
    app.command(_integration.NAME, help=_integration.HELP)(_command)
    for _alias in _integration.ALIASES:
        app.command(_alias, help=f"Alias of {_integration.NAME}.", hidden=True)(_command)

VERIFY_HELP = "Send a test START and COMPLETE event to the endpoint and say what happened."
LISTEN_HELP = "Run a local OpenLineage endpoint that prints each event it receives (Ctrl-C stops it)."
app.command("verify", help=VERIFY_HELP)(_make_command([*CONNECTION, TIMEOUT], _run_verify, VERIFY_HELP))
app.command("listen", help=LISTEN_HELP)(_make_command(LISTEN, _run_listen, LISTEN_HELP))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lineage-setup {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = None,
) -> None:
    """Wire data tools to an OpenLineage backend."""


def main() -> None:
    app(prog_name="lineage-setup")
