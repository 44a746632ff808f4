"""Command-line options as data: the tables every command is built from (args.py: what they parse into).

Commands are built the way click documents for data-driven CLIs (a Command given a list of Option
objects, with choice and path types), from Typer's own classes: Typer 0.28 vendors a trimmed click whose
Choice and Path live in Typer (`TyperChoice`, `TyperPath`), and its Option and Command keep the help
panels. No function signatures are synthesised and no Enum classes are made (typer is pinned to 0.28.x).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer._types import TyperChoice
from typer.core import TyperArgument, TyperOption
from typer.models import TyperPath

from lineage_setup import backends
from lineage_setup.errors import UsageError

if TYPE_CHECKING:
    from lineage_setup.integrations.base import Integration, Option

CONNECTION = "Connection"
MODE = "What to do"


@dataclass(frozen=True)
class Param:
    name: str  # the keyword the command body reads
    decls: tuple[str, ...]
    help: str
    panel: str
    type: Any = str
    default: Any = None
    is_flag: bool = False
    multiple: bool = False
    show_default: bool = False
    metavar: str | None = None
    argument: bool = False  # a positional argument (zero or more values when multiple)

    @property
    def shown_metavar(self) -> str | None:
        """A short word for the value (a list of choices goes in the help, where it can wrap)."""
        if self.is_flag:
            return None
        if self.metavar:
            return self.metavar
        if isinstance(self.type, TyperPath):
            return "PATH"
        return {int: "N", float: "SECONDS"}.get(self.type, self.name.removesuffix("_").upper().replace("_", "-"))

    def option(self) -> TyperOption | TyperArgument:
        if self.argument:
            return TyperArgument(
                param_decls=[self.name],
                type=self.type,
                nargs=-1 if self.multiple else None,
                required=False,
                help=self.help,
                metavar=self.metavar,
                rich_help_panel=self.panel,
            )
        return TyperOption(
            param_decls=[self.name, *self.decls],
            type=None if self.is_flag else self.type,
            default=self.default,
            is_flag=self.is_flag or None,
            multiple=self.multiple,
            help=self.help,
            show_default=self.show_default,
            metavar=self.shown_metavar,
            rich_help_panel=self.panel,
        )


def _text(name: str, flag: str, help: str) -> Param:
    return Param(name, (flag,), help, CONNECTION)


def _switch(name: str, *decls: str, help: str) -> Param:
    return Param(name, decls, help, MODE, is_flag=True, default=False)


CONNECTION_PARAMS = (
    _text(
        "domain",
        "--domain",
        "Astro base domain, e.g. astronomer.io; the URL becomes https://api.<domain>, an unconfirmed form: "
        "Astro's Organization settings show the exact URL, for --url. (env: LINEAGE_SETUP_DOMAIN)",
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
    Param(
        "api_key_file",
        ("--api-key-file",),
        "Read the API key from this file; - reads stdin.",
        CONNECTION,
        metavar="PATH",
    ),
    _text("namespace", "--namespace", "Job namespace, e.g. prod. (env: OPENLINEAGE_NAMESPACE)"),
    Param(
        "backend",
        ("--backend",),
        f"Where lineage goes: {', '.join(backends.NAMES)}. Sets the endpoint path and what the backend needs "
        "(astro with --domain, custom with a bare --url; asked when neither). (env: LINEAGE_SETUP_BACKEND)",
        CONNECTION,
        type=TyperChoice(backends.NAMES),
        metavar="BACKEND",
    ),
    _switch("no_input", "--no-input", help="Never prompt; a missing answer is an error."),
)
MODE_PARAMS = (
    Param("dir", ("--dir",), "Project directory.", MODE, type=TyperPath(path_type=Path), default=Path(".")),
    _switch("yes", "--yes", "-y", help="Apply without asking."),
    _switch("dry_run", "--dry-run", help="Show the changes; write nothing."),
    _switch("check", "--check", help="Write nothing; exit 1 if anything would change."),
    _switch("print_", "--print", help="Print the config to stdout (with the real key); write nothing."),
    _switch("verify", "--verify", help="Then send a test event with these answers (see `lineage-setup verify`)."),
    _switch("show_all", "--show-all", help="Show every diff, even when more than 50 files change."),
    _switch("add", "--add", help="Keep the endpoints the project already sends to, and add this one."),
    _switch("replace", "--replace", help="Send to this endpoint only, instead of the ones configured."),
)
INIT_PARAMS = (
    *(param for param in MODE_PARAMS if param.name != "print_"),
    *CONNECTION_PARAMS,
    Param(
        "only",
        ("--only",),
        "Set up only these: integration names (dbt, airflow, spark, databricks, great-expectations) or project "
        "paths, comma-separated.",
        MODE,
    ),
    Param("exclude", ("--exclude",), "Leave these out: names or project paths, comma-separated.", MODE),
    Param("max_depth", ("--max-depth",), "How many folders down to look for projects.", MODE, type=int, default=4),
)
OUTPUT = "Output"
OUTPUT_PARAMS = (
    Param(
        "json",
        ("--json",),
        "Print one JSON document (schema 1) instead of text; asks nothing, as --no-input.",
        OUTPUT,
        is_flag=True,
        default=False,
    ),
    Param(
        "verbose",
        ("--verbose", "-v"),
        "Also say each decision (files read, answers' sources, requests).",
        OUTPUT,
        is_flag=True,
        default=False,
    ),
    Param("quiet", ("--quiet", "-q"), "Print errors only.", OUTPUT, is_flag=True, default=False),
)


def verbosity(values: dict[str, Any]) -> int:
    """-q and -v, taken out of the values (a command body never sees them)."""
    from lineage_setup import output

    verbose, quiet = values.pop("verbose"), values.pop("quiet")
    if verbose and quiet:
        raise UsageError("-q/--quiet and -v/--verbose cannot be combined")
    return output.VERBOSE if verbose else output.QUIET if quiet else output.NORMAL


_DIR = next(param for param in MODE_PARAMS if param.name == "dir")
_DEPTH = Param("max_depth", ("--max-depth",), "How many folders down to look for projects.", MODE, type=int, default=4)
STATUS_PARAMS = (
    _DIR,
    _DEPTH,
    _switch("online", "--online", help="Also send one test run to each distinct endpoint (through verify)."),
)


class _Named(TyperChoice[str]):
    """Choices shown in the help under one word (the list is in the help text, where it can wrap)."""

    def __init__(self, word: str, choices: tuple[str, ...]) -> None:
        super().__init__(choices)
        self.word = word

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        return self.word


REMOVE_PARAMS = (
    Param(
        "kinds",
        (),
        "Integrations to take out (dbt, airflow, spark, databricks, great-expectations); none: every kind found.",
        MODE,
        multiple=True,
        argument=True,
        metavar="[INTEGRATION]...",
        type=_Named("INTEGRATION", ("dbt", "airflow", "astronomer", "spark", "databricks", "great-expectations", "gx")),
    ),
    *(param for param in MODE_PARAMS if param.name in ("dir", "yes", "dry_run", "check", "show_all")),
    _DEPTH,
    Param(
        "apply",
        ("--apply",),
        "Databricks: also undo the cluster's changes through the REST API (token from DATABRICKS_TOKEN).",
        "Databricks",
        is_flag=True,
        default=False,
    ),
    Param("host", ("--host",), "Databricks workspace URL, with --apply.", "Databricks"),
    Param("cluster_id", ("--cluster-id",), "Databricks cluster to undo, with --apply.", "Databricks", metavar="ID"),
)


SETTINGS_PARAMS = (Param("forget", ("--forget",), "Delete the saved settings.", MODE, is_flag=True, default=False),)
DEMO_PARAMS = (
    Param("keep", ("--keep",), "Keep the sample repository and print where it is.", MODE, is_flag=True, default=False),
)
TIMEOUT = Param(
    "timeout", ("--timeout",), "Seconds the whole exchange may take.", MODE, type=float, default=10.0, show_default=True
)
LISTEN_PARAMS = (
    Param("host", ("--host",), "Address to bind (loopback by default).", MODE, default="127.0.0.1", show_default=True),
    Param(
        "port",
        ("--port",),
        "Port to listen on; 0 picks a free one (on macOS 5000 is AirPlay Receiver's).",
        MODE,
        type=int,
        default=5000,
        show_default=True,
    ),
    Param(
        "output",
        ("--output",),
        "Append each event to this file as a JSON line.",
        MODE,
        type=TyperPath(path_type=Path),
    ),
    Param("require_key", ("--require-key",), "Answer 401 to requests without this key.", MODE),
    Param(
        "backend",
        ("--backend",),
        "Take events at this backend's endpoint path; with --lint, check for what it needs.",
        MODE,
        type=TyperChoice(backends.NAMES),
    ),
    _switch("lint", "--lint", help="Check each event; print findings under it and a summary at stop."),
    Param("namespace", ("--namespace",), "With --lint: the job namespace every event should have.", MODE),
    Param(
        "forward",
        ("--forward",),
        "Also send each event on to this URL (key from OPENLINEAGE_API_KEY).",
        MODE,
        metavar="URL",
    ),
)
VERIFY_PARAMS = (
    TIMEOUT,
    _switch("lint", "--lint", help="Also check the test events for what the backend needs."),
)


def integration_params(integration: Integration) -> list[Param]:
    formats = integration.PRINT_FORMATS
    help = f"With --print: {', '.join(formats)} (default: {formats[0]})."
    fmt = Param("fmt", ("--format",), help, MODE, type=TyperChoice(formats), metavar="FORMAT")
    connection = [_for(param, integration.NAME) for param in CONNECTION_PARAMS]
    return [*MODE_PARAMS, *connection, fmt, *(_own(integration, option) for option in integration.OPTIONS)]


def _for(param: Param, command: str) -> Param:
    """A connection option whose example names this command (--namespace e.g. spark-prod)."""
    if param.name != "namespace":
        return param
    return dataclasses.replace(param, help=param.help.replace("e.g. prod", f"e.g. {command}-prod"))


def _own(integration: Integration, option: Option) -> Param:
    said = option.default in (None, False) or "efault" in option.help  # the help says it already
    shown = "" if said else f" (default: {option.default})"
    return Param(
        option.name,
        (option.flag,),
        option.help + shown,
        integration.TITLE,
        type=TyperChoice(option.choices) if option.choices else str,
        default=option.default,
        is_flag=option.is_flag,
        multiple=option.multiple,
        metavar=option.metavar
        or ("PATH" if option.path else None)
        or (option.flag.rsplit("-", 1)[-1].upper() if not option.choices else "|".join(option.choices)),
    )
