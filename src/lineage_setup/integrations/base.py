"""What an integration module provides, and the values it is handed.

An integration is a module with these names at top level (checked by the Integration
protocol): it turns a Request into proposals on a Workspace, or renders config for --print.
It never prompts, prints, or touches the disk itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from lineage_setup.errors import UnsafeTargetError

if TYPE_CHECKING:
    from lineage_setup.answers import Connection
    from lineage_setup.plan import Workspace


@dataclass(frozen=True)
class Option:
    """An integration-specific command-line option (the CLI turns these into flags)."""

    name: str  # keyword the integration reads from Request.options
    flag: str
    help: str
    default: Any = None
    choices: tuple[str, ...] = ()
    is_flag: bool = False
    multiple: bool = False


@dataclass(frozen=True)
class Request:
    conn: Connection
    options: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """--print output: `hints` go to stderr, then `text` to stdout, then each of `sections` the same way.

    Sections let one --print show several formats in turn, each under its own heading on stderr.
    """

    text: str
    hints: tuple[str, ...] = ()
    sections: tuple[Rendered, ...] = ()


class Integration(Protocol):
    # read-only properties, so a module's `OPTIONS = (Option(...),)` matches tuple[Option, ...]
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

    def check_options(self, options: Mapping[str, Any], env: Mapping[str, str], *, printing: bool) -> None:
        """Raise UsageError for bad values of this integration's own options (before any prompt)."""

    def check_project(self, ws: Workspace) -> None:
        """Raise UsageError when --dir is not a project of this kind (before any prompt; not with --print)."""

    def preflight(self, ws: Workspace, options: Mapping[str, Any]) -> str | None:
        """After check_project (not with --print): a message when there is nothing to do here, so no
        question is asked at all; UsageError for a project this integration cannot handle."""

    def namespace_default(self, ws: Workspace) -> str | None: ...

    def plan(self, req: Request, ws: Workspace) -> None: ...

    def render(self, req: Request, fmt: str) -> Rendered: ...


def unsafe_edit(path: Path | str, reason: object, what_to_do: str) -> UnsafeTargetError:
    """The refusal for a file an edit cannot change safely (exit 3): why, and what to paste instead."""
    return UnsafeTargetError(f"{path}: cannot edit it safely: {reason}. Nothing was written; {what_to_do}")


# Defaults a module binds when it has nothing to add (`check_project = base.no_project_check`).


def no_option_check(options: Mapping[str, Any], env: Mapping[str, str], *, printing: bool) -> None:
    """For integrations whose options need no check beyond their declared choices."""


def no_project_check(ws: Workspace) -> None:
    """For integrations that can run anywhere."""


def no_preflight(ws: Workspace, options: Mapping[str, Any]) -> str | None:
    """For integrations that always have something to plan."""
    return None


def no_namespace_default(ws: Workspace) -> str | None:
    return None
