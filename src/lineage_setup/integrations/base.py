"""What an integration package provides, and the values it is handed.

An integration is a package whose `__init__` has these names at top level (checked by the
Integration protocol): it turns a Request into proposals on a Workspace, or renders config for
--print. It never prompts, prints, or touches the disk except through the Workspace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, Protocol, TypeVar

from lineage_setup.errors import UnsafeTargetError, UsageError

if TYPE_CHECKING:
    from lineage_setup.answers import Connection
    from lineage_setup.workspace import Workspace


class Option(NamedTuple):
    """An integration's own command-line option, described statically (the CLI builds its flag from this).

    `name` is the field of the integration's `Options` dataclass that receives the value.
    """

    name: str
    flag: str
    help: str
    default: Any = None
    choices: tuple[str, ...] = ()
    is_flag: bool = False
    multiple: bool = False
    metavar: str | None = None
    path: bool = False  # a file path: a relative one is taken relative to --dir (the CLI makes it absolute)


OptionsT = TypeVar("OptionsT")


@dataclass(frozen=True)
class Request(Generic[OptionsT]):
    conn: Connection
    options: OptionsT
    env: Mapping[str, str] = field(default_factory=dict)
    add: bool = False  # keep the destinations the project already sends to, and add ours (--add)
    root: Path | None = None  # --dir: --print reads the project there when it can (Airflow: its Dockerfile)


class Rendered(NamedTuple):
    """--print output: `hints` go to stderr, then `text` to stdout, then each of `sections` the same way.

    Sections let one --print show several formats in turn, each under its own heading on stderr.
    """

    text: str
    hints: tuple[str, ...] = ()
    sections: tuple[Rendered, ...] = ()


# "configured": the project's lineage config sends to the answers' endpoint; "configured elsewhere": it sends only
# to other places. An integration's detect() cannot know the answers: it says "configured" for a config that sends
# somewhere, with one DESTINATION_FACTS fact per place it can read, and Project.against() compares them once the
# endpoint is known (the wizard). A destination that cannot be read locally (Databricks, a host from a variable
# the files do not set) has no such fact, and its "configured" stays as it is.
State = Literal["configured", "configured elsewhere", "automatic", "not configured", "unknown"]
DESTINATION_FACTS = ("sends to", "also sends to")  # "also": beside Astro's own lineage (Airflow on Astro)


class Project(NamedTuple):
    """One project an integration found under a folder (the wizard and `status` list these)."""

    kind: str  # the integration's NAME
    path: Path  # the project's folder (the --dir of a run on it)
    name: str | None = None  # offered as its namespace
    state: State = "unknown"
    facts: tuple[tuple[str, str], ...] = ()  # ("Astro Runtime", "9.2.0"), ("sends to", "https://..."), ...
    options: tuple[tuple[str, Any], ...] = ()  # Options fields a run on it needs (spark: the conf file)
    route: str = ""  # how it is set up when files alone cannot do it ("print or --apply": Databricks)

    @property
    def destinations(self) -> tuple[str, ...]:
        """Where its config sends, as read from its files (lineage URLs)."""
        return tuple(value for name, value in self.facts if name in DESTINATION_FACTS)

    def against(self, lineage_url: str) -> Project:
        """Its state once the answers' endpoint is known: "configured" when its config sends there (beside
        others or not), "configured elsewhere" when it sends only to other places; any other state as it is."""
        if self.state not in ("configured", "configured elsewhere") or not self.destinations:
            return self
        current = any(same_endpoint(url, lineage_url) for url in self.destinations)
        return self._replace(state="configured" if current else "configured elsewhere")


def same_endpoint(a: str, b: str) -> bool:
    """Two lineage URLs that reach the same endpoint: the scheme and host in any case, a default port written
    out or not, a trailing slash or not."""
    return _endpoint_key(a) == _endpoint_key(b)


def _endpoint_key(url: str) -> tuple[str, str, str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # not a port number: compared as written
        return scheme, parts.netloc.lower(), parts.path.strip("/")
    default = {"http": 80, "https": 443}.get(scheme)
    host = (parts.hostname or "") + (f":{port}" if port is not None and port != default else "")
    return scheme, host, parts.path.strip("/")


class Setting(NamedTuple):
    """One value of the effective configuration, and where it came from."""

    name: str  # "url", "namespace", "api key", ...
    value: str  # a key shows only its last four characters
    source: str


@dataclass(frozen=True)
class Description:
    """What a project's consumer will do: its effective lineage configuration and the problems in it."""

    settings: tuple[Setting, ...] = ()
    problems: tuple[str, ...] = ()
    # where events go, as (url, endpoint, key): status --online sends its test run there (never shown)
    endpoints: tuple[tuple[str, str, str | None], ...] = field(default=(), repr=False)


class Integration(Protocol):
    # read-only properties, so a package's `OPTIONS = (Option(...),)` matches tuple[Option, ...]
    @property
    def NAME(self) -> str: ...
    @property
    def TITLE(self) -> str: ...
    @property
    def ALIASES(self) -> tuple[str, ...]: ...
    @property
    def HELP(self) -> str: ...
    @property
    def OPTIONS(self) -> tuple[Option, ...]: ...
    @property
    def PRINT_FORMATS(self) -> tuple[str, ...]: ...  # the first is the default
    @property
    def Options(self) -> type[Any]: ...  # a frozen dataclass with one field per Option, all defaulted

    def check_options(self, options: Any, env: Mapping[str, str], *, printing: bool) -> None:
        """Raise UsageError for bad values of this integration's own options (before any prompt)."""

    def preflight(self, ws: Workspace, options: Any) -> str | None:
        """Before any question (not with --print): UsageError when --dir is not a project of this kind or
        one this integration cannot handle; a message when there is nothing to do, so nothing is asked."""

    def namespace_default(self, ws: Workspace) -> str | None: ...

    def plan(self, req: Request[Any], ws: Workspace) -> None: ...

    def render(self, req: Request[Any], fmt: str) -> Rendered: ...

    def detect(self, ws: Workspace) -> tuple[Project, ...]:
        """The projects of this kind under the workspace's root (the wizard and `status`)."""

    def describe(self, ws: Workspace, env: Mapping[str, str]) -> Description:
        """The effective lineage configuration of the project at the workspace's root, as its consumer reads it."""

    def plan_removal(self, ws: Workspace, options: Any) -> None:
        """Propose taking out what lineage-setup put in (files found as we write them)."""


def unsafe_edit(path: Path | str, reason: object, what_to_do: str) -> UnsafeTargetError:
    """The refusal for a file an edit cannot change safely (exit 3): why, and what to paste instead."""
    return UnsafeTargetError(f"{path}: cannot edit it safely: {reason}. Nothing was written; {what_to_do}")


class NotSupported(UsageError):
    """An integration that does not do this (yet)."""


# Defaults a package binds when it has nothing to add (`preflight = base.no_preflight`).


def no_option_check(options: Any, env: Mapping[str, str], *, printing: bool) -> None:
    """For integrations whose options need no check beyond their declared choices."""


def no_preflight(ws: Workspace, options: Any) -> str | None:
    """For integrations that can run anywhere and always have something to plan."""
    return None


def no_namespace_default(ws: Workspace) -> str | None:
    return None


def no_detect(ws: Workspace) -> tuple[Project, ...]:
    return ()


def no_describe(ws: Workspace, env: Mapping[str, str]) -> Description:
    raise NotSupported("this integration cannot describe its configuration yet")


def no_removal(ws: Workspace, options: Any) -> None:
    raise NotSupported("this integration cannot remove its configuration yet")
