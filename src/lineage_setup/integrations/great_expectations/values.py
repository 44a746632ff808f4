"""Config variables as Great Expectations fills them in.

`${NAME}` and `$NAME` (not `\\$`) in a value take NAME from the environment, else from the config variables
file: GE registers the file's provider first and the environment's after it, and a later provider wins
(great_expectations 0.15.34 data_context/data_context/abstract_data_context.py `_register_providers`,
core/config_provider.py `_ConfigurationProvider.get_values`; the same in 1.24.1). A name found in neither
stops GE when it loads the checkpoint (core/config_substitutor.py: MissingConfigVariableError). The file's
own values are filled in from the environment the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from lineage_setup.edits import EditError, yaml_read
from lineage_setup.errors import LineageSetupError
from lineage_setup.integrations.great_expectations import project

if TYPE_CHECKING:
    from lineage_setup.workspace import Workspace

GE_VARIABLE = re.compile(r"(?<!\\)\$\{(.*?)\}|(?<!\\)\$([_a-zA-Z][_a-zA-Z0-9]*)")  # config_substitutor's


class Resolved(NamedTuple):
    value: str | None  # None: a variable it names is set nowhere (GE stops)
    source: str  # "as written", or where each variable came from
    missing: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # the variables it names


class Variables(NamedTuple):
    """The project's config variables file and the environment GE would run with."""

    rel: str | None  # the file, relative to the workspace (None: great_expectations.yml names one outside it)
    values: Mapping[str, Any]
    env: Mapping[str, str]
    exists: bool = True

    def resolve(self, written: str | None) -> Resolved:
        if written is None:
            return Resolved(None, "not set")
        names = tuple(m.group(1) or m.group(2) for m in GE_VARIABLE.finditer(written))
        if not names:
            return Resolved(written, "as written")
        value, sources, missing = written, [], []
        for match in GE_VARIABLE.finditer(written):
            name = match.group(1) or match.group(2)
            found, source = self.lookup(name)
            if found is None:
                missing.append(name)
                continue
            value = value.replace(match.group(), found)
            sources.append(source)
        if missing:
            return Resolved(None, "", tuple(missing), names)
        return Resolved(value.replace("\\$", "$"), ", ".join(dict.fromkeys(sources)), (), names)

    def lookup(self, name: str) -> tuple[str | None, str]:
        """A variable's value and where it came from: the environment wins over the file."""
        if name in self.env:
            shadowed = f"; wins over {self.rel}" if self.rel and name in self.values else ""
            return self.env[name], f"{name} (environment{shadowed})"
        if name in self.values and self.values[name] is not None:
            raw = str(self.values[name])
            inner = Variables(None, {}, self.env).resolve(raw)  # the file's values are filled in from the env
            return (inner.value if inner.value is not None else raw), f"{self.rel} ({name})"
        return None, ""


def read(ws: Workspace, root: str, config: Mapping[str, Any], env: Mapping[str, str]) -> Variables:
    """The variables file great_expectations.yml names (GE's default when it names none) and what it holds."""
    try:
        rel, _ = project.variables_file(root, config, ws.path(project.rel(root, project.CONFIG)))
    except LineageSetupError:
        rel = None
    text = ws.inspect(rel) if rel is not None else None
    try:
        data = yaml_read.load(text) if text else {}
    except EditError:
        data = {}
    return Variables(rel, data if isinstance(data, dict) else {}, env, text is not None)


def last4(key: str) -> str:
    return f"...{key[-4:]}"
