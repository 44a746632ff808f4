"""string.Template files from templates/, read from the wheel or from a source checkout.

importlib.resources and string are imported when a template is first read (with what they pull in, ~5 ms
of a run that renders nothing: a re-run that changes nothing)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lineage_setup.errors import ExitCode, LineageSetupError

if TYPE_CHECKING:
    from string import Template

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable


class TemplateError(LineageSetupError):
    exit_code = ExitCode.FAILED  # a packaging bug, not the user's input


@functools.cache
def root() -> Traversable:
    from importlib import resources

    packaged = resources.files("lineage_setup") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"  # checkout / editable install


def load(name: str) -> Template:
    from string import Template

    try:
        return Template((root() / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"template {name} is missing from this installation") from None


def render(name: str, /, **values: str) -> str:
    """Substitute every placeholder; values must already be quoted for the target format."""
    try:
        return load(name).substitute(values)
    except KeyError as exc:
        raise TemplateError(f"template {name} needs a value for ${exc.args[0]}") from None
