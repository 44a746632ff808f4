"""What an Airflow folder is (the wizard's detection): an Astro project, plain Airflow, or neither, with the
version facts that decide its setup and its lineage state, from the project's files only.

- Astro: a Dockerfile FROM an Astro Runtime image, or `.astro/config.yaml` (`astro dev init` writes both).
- Plain Airflow: `airflow.cfg`, a requirements file listing apache-airflow, or a Dockerfile FROM the
  apache/airflow image. Its version: the image tag, `apache-airflow==X.Y.Z` in requirements.txt, or the
  constraints file it names (`.../constraints-X.Y.Z/...`); else the project says it is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lineage_setup import quoting
from lineage_setup.errors import UsageError
from lineage_setup.integrations.airflow import effective, envfiles, project, versions
from lineage_setup.integrations.airflow.project import ASTRO_CONFIG, DOCKERFILE, REQUIREMENTS, RUNTIME2, RUNTIME3
from lineage_setup.integrations.base import Project, State

if TYPE_CHECKING:
    from lineage_setup.integrations.airflow.project import Target
    from lineage_setup.workspace import Workspace

PLAIN_IMAGE = "apache/airflow"
COSMOS = "astronomer-cosmos"
# a requirements file listing one of these is an Airflow project's (a pin of ours alone, too)
AIRFLOW_PACKAGES = ("apache-airflow", "openlineage-airflow", versions.PROVIDER)
_TAG = re.compile(r"(?:slim-)?(?P<version>\d+\.\d+(?:\.\d+)?)(?:-[A-Za-z0-9.-]+)?")
_CONSTRAINTS = re.compile(r"constraints-(?P<version>\d+\.\d+(?:\.\d+)?)/")


@dataclass(frozen=True)
class Found:
    """An Airflow project: Astro or plain, what it runs (None: not known), and why not."""

    astro: bool
    target: Target | None
    airflow_version: str | None = None  # plain Airflow: the version its files pin (the run's --airflow-version)
    unknown: str = ""  # why the target is not known, and what to do
    version_source: str = ""  # plain Airflow: where its version was read

    @property
    def options(self) -> tuple[tuple[str, Any], ...]:
        known = self.airflow_version and self.target is not None  # a version this tool cannot set up is no option
        if not known:
            return ()
        return (("airflow_version", self.airflow_version), ("airflow_version_from", self.version_source))


def find(ws: Workspace) -> Found | None:
    """The project at ws.root, or None when the folder is not an Airflow one."""
    from lineage_setup.integrations.airflow import Options

    froms = project.from_lines(ws.inspect(DOCKERFILE) or "")
    astro = any(line.image in (RUNTIME2, RUNTIME3) for line in froms) or ws.exists(ASTRO_CONFIG)
    if astro:
        return _found(ws, True, None, Options())
    requirements = ws.inspect(REQUIREMENTS) or ""
    image = [line for line in froms if line.image == PLAIN_IMAGE]
    if not (image or ws.exists(envfiles.AIRFLOW_CFG) or any(_lists(requirements, name) for name in AIRFLOW_PACKAGES)):
        return None
    version, source = _plain_version(image[-1] if image else None, requirements)
    if version is None:
        return Found(False, None, None, _unknown_version(ws))
    return _found(ws, False, version, Options(airflow_version=version), source)


def _found(ws: Workspace, astro: bool, version: str | None, options: Any, source: str = "") -> Found:
    try:
        return Found(astro, project.target(ws, options), version, version_source=source)
    except UsageError as exc:
        return Found(astro, None, version, str(exc), source)


def _lists(requirements: str, name: str) -> bool:
    from lineage_setup.edits import requirements as reqs

    return reqs.find(requirements, name) is not None


def _plain_version(image: project.FromLine | None, requirements: str) -> tuple[str | None, str]:
    """The Airflow version an image tag, a pinned requirement or a constraints URL names, and where."""
    from packaging.requirements import InvalidRequirement, Requirement

    from lineage_setup.edits import requirements as reqs

    if image is not None and (match := _TAG.fullmatch(image.tag)):
        return match.group("version"), f"{DOCKERFILE} line {image.number}"
    listed = reqs.find(requirements, "apache-airflow")
    try:
        specs = list(Requirement(listed.split(" --", 1)[0]).specifier) if listed else []
    except InvalidRequirement:
        specs = []
    exact = [spec.version for spec in specs if spec.operator in ("==", "===", "~=") and "*" not in spec.version]
    if exact:
        return exact[0], REQUIREMENTS
    match = _CONSTRAINTS.search(requirements)
    return (match.group("version"), f"the constraints file {REQUIREMENTS} names") if match else (None, "")


def _unknown_version(ws: Workspace) -> str:
    again = " ".join(quoting.shell(word) for word in ("lineage-setup", "airflow", "--dir", str(ws.root)))
    return (
        f"cannot tell which Airflow {ws.root} runs: pin it in {REQUIREMENTS} (apache-airflow==X.Y.Z), or set it "
        f"up on its own with `{again} --airflow-version X.Y`"
    )


def name(ws: Workspace) -> str | None:
    """The Astro project's name (.astro/config.yaml), else the folder's, when it is a valid namespace."""
    from lineage_setup import validate

    found = project.astro_name(ws)
    if found:
        return found
    try:
        return validate.namespace(ws.root.resolve().name, "the folder name")
    except UsageError:
        return None


def detect(ws: Workspace) -> tuple[Project, ...]:
    found = find(ws)
    if found is None:
        return ()
    variables = envfiles.project_variables(ws, None, astro=found.astro)
    resolved = effective.resolve(ws, found.target, variables, None)
    facts = [*_version_facts(found), *_destination_facts(found, resolved)]
    if _lists(ws.inspect(REQUIREMENTS) or "", COSMOS):
        facts.append(("runs dbt with", "Cosmos"))
    return (Project("airflow", ws.root, name(ws), _state(found, resolved), tuple(facts), found.options, found.unknown),)


def _version_facts(found: Found) -> list[tuple[str, str]]:
    target = found.target
    if target is None:
        return [("Airflow", found.airflow_version or "unknown")]
    airflow = ("Airflow", str(target.airflow))
    if target.astro:
        return [("Astro Runtime", target.label.removeprefix("Astro Runtime ")), airflow]
    return [airflow]


def _destination_facts(found: Found, resolved: effective.Resolved) -> list[tuple[str, str]]:
    """ "sends to": what a run would replace (the runner asks --add or --replace for these); on a Runtime where
    Astro's composite is added to, never replaced, what the project adds is "also sends to"."""
    composite = found.target is not None and found.target.composite
    facts = [("also sends to" if composite else "sends to", d.lineage_url) for d, _ in resolved.destinations]
    if composite and resolved.overrides:
        facts.append(("overrides Astro's lineage", ", ".join(f"{k} ({v.source})" for k, v in resolved.overrides)))
    return facts


def _state(found: Found, resolved: effective.Resolved) -> State:
    if found.target is None:
        return "unknown"
    if resolved.destinations:
        return "configured"
    return "automatic" if found.target.automatic else "not configured"
