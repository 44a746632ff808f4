"""The Great Expectations release a project runs, from its own files: a virtual environment in the project
folder (its great_expectations-X.dist-info: what `import great_expectations` there gets), else what
requirements.txt asks for; and whether OpenLineage's action (GE 0.x) or ours (GX 1.x) runs on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from lineage_setup.integrations.great_expectations import gx1_project, project

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from lineage_setup.workspace import Workspace

VENVS = (".venv", "venv", "env")  # virtual environments kept in the project folder
DIST = "great_expectations-"
COMMON = "openlineage-integration-common"
LAST_COMMON = "1.39.0"  # the last openlineage-integration-common with the GE 0.x action (1.40.0 removed it)
GENERATIONS = {"0.x": "GE 0.x", "1.x": "GX 1.x", "unknown": "unknown"}


class Version(NamedTuple):
    text: str  # "0.15.34", or what requirements.txt asks for (">=0.15,<0.16")
    source: str  # "installed in .venv", "requirements.txt"
    release: str | None  # the release, when one is known


def installed(ws: Workspace) -> Version | None:
    for venv in VENVS:
        found = ws.glob(f"lib/python*/site-packages/{DIST}*.dist-info/METADATA", under=venv)
        if found:
            release = found[0].parent.name[len(DIST) : -len(".dist-info")]
            return Version(release, f"installed in {venv}", release)
    return None


def requested(ws: Workspace) -> Version | None:
    listed = _listed(ws, "great_expectations")
    if listed is None:
        return None
    spec = _specifier(listed)
    pins = [s.version for s in spec if s.operator in ("==", "===") and "*" not in s.version] if spec else []
    shown = str(spec) if spec is not None and str(spec) else listed
    return Version(pins[0] if pins else shown, project.REQUIREMENTS, pins[0] if pins else None)


def find(ws: Workspace) -> Version | None:
    return installed(ws) or requested(ws)


def facts(ws: Workspace, generation: str) -> tuple[tuple[str, str], ...]:
    found = [("generation", GENERATIONS.get(generation, generation))]
    version = find(ws)
    if version is not None:
        found.append(("great_expectations", f"{version.text} ({version.source})"))
    return tuple(found)


def problems(ws: Workspace, generation: str) -> list[str]:
    """A GE release the action does not run on, and a package pin that cannot hold the action."""
    found = []
    version = find(ws)
    if version is not None and version.release is not None and not supported(version.release, generation):
        where = project.SUPPORTED if generation == "0.x" else gx1_project.SUPPORTED
        found.append(
            f"great_expectations {version.release} ({version.source}): the action runs on {where} only; "
            "install a release there (GX 1.x projects: lineage-setup great-expectations sets up ours)"
        )
    common = _listed(ws, COMMON) if generation == "0.x" else None
    spec = _specifier(common) if common else None
    if spec is not None and _only_newer(spec):
        found.append(
            f"{project.REQUIREMENTS} asks for `{common}`: OpenLineage's GE action is gone from {COMMON} 1.40.0 "
            f"on; pin '{project.PIN}' (lineage-setup great-expectations does)"
        )
    return found


def supported(release: str, generation: str) -> bool:
    from packaging.version import InvalidVersion
    from packaging.version import Version as Parsed

    try:
        parsed = Parsed(release)
    except InvalidVersion:
        return True  # not a version we can judge: say nothing
    if generation == "0.x":
        return Parsed("0.13.26") <= parsed <= Parsed("0.15.34")
    return parsed >= Parsed("1.3.0") or parsed == Parsed("1.2.6")


def _listed(ws: Workspace, name: str) -> str | None:
    from lineage_setup.edits import requirements

    text = ws.inspect(project.REQUIREMENTS)
    return requirements.find(text, name) if text else None


def _specifier(listed: str) -> SpecifierSet | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(listed).specifier
    except InvalidRequirement:
        return None


def _only_newer(spec: SpecifierSet) -> bool:
    """Does the specifier allow only releases after the last one with the action?"""
    from packaging.version import InvalidVersion, Version

    last = Version(LAST_COMMON)
    for clause in spec:
        try:
            version = Version(clause.version.rstrip(".*"))
        except InvalidVersion:
            continue
        if (clause.operator in (">=", "==", "~=", "===") and version > last) or (
            clause.operator == ">" and version >= last
        ):
            return True
    return False
