"""What an Airflow project runs (from its Dockerfile, or --airflow-version), and what its files already set.

Nothing here edits. Image names and tag forms: astronomer/astro-cli `airflow/docker.go` (`astro dev upgrade`
rewrites FROM lines of these two images) and `airflow_versions/runtime_versions.go` (X.Y-Z tags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lineage_setup import textdoc
from lineage_setup.errors import UsageError
from lineage_setup.integrations.airflow import versions

if TYPE_CHECKING:  # packaging loads when a version is parsed, not at start-up
    from packaging.version import Version

    from lineage_setup.integrations.airflow import Options
    from lineage_setup.workspace import Workspace

DOCKERFILE, ENV_FILE, REQUIREMENTS = "Dockerfile", ".env", "requirements.txt"
ASTRO_CONFIG = ".astro/config.yaml"
RUNTIME2, RUNTIME3 = "quay.io/astronomer/astro-runtime", "astrocrpublic.azurecr.io/runtime"

_FROM = re.compile(r"\s*FROM\s+(?:--\S+\s+)*(?P<ref>\S+)(?:\s+AS\s+(?P<stage>\S+))?\s*", re.IGNORECASE)
_TAG2 = re.compile(r"(?P<version>\d+\.\d+\.\d+)(?:-[A-Za-z0-9.-]+)?")  # 9.2.0, 9.2.0-base, 7.3.0-python-3.9
_TAG3 = re.compile(r"(?P<airflow>\d+\.\d+)-\d+(?:-[A-Za-z0-9.-]+)?")  # 3.1-12, 3.1-12-python-3.12


@dataclass(frozen=True)
class Target:
    """What the project runs, and so what lineage setup it needs."""

    astro: bool
    airflow: Version  # major.minor
    era: versions.Era
    automatic: bool  # Astro configures lineage itself
    label: str  # "Astro Runtime 4.1.0", "Plain Airflow"
    origin: str  # where the Airflow version came from
    runtime: Version | None = None  # an Airflow-2 Astro Runtime's version, when the Dockerfile names it

    @property
    def composite(self) -> bool:
        """Astro sends lineage through the provider's composite transport: a destination is added to it."""
        return self.automatic and self.era == "provider"


@dataclass(frozen=True)
class FromLine:
    number: int  # 1-based line number
    text: str
    image: str
    tag: str


def airflow_version(raw: str) -> Version:
    """--airflow-version as major.minor (UsageError when it is not a version OpenLineage supports)."""
    from packaging.version import InvalidVersion

    try:
        version = versions.minor(versions.version(raw.strip()))
    except InvalidVersion:
        raise UsageError(f"--airflow-version: {raw!r} is not a version such as 2.7 or 3.1") from None
    if version < versions.version(versions.OLDEST) or version.major > versions.NEWEST_MAJOR:
        raise UsageError(
            f"--airflow-version: Airflow {version} is not supported; OpenLineage works with Airflow 2.1 to 3.x"
        )
    return version


def target(ws: Workspace, options: Options) -> Target:
    """The Astro Runtime in the Dockerfile's last stage, or the Airflow --airflow-version names."""
    raw = options.airflow_version
    override = airflow_version(raw) if raw else None
    text = ws.inspect(DOCKERFILE)  # only read, so a link is followed
    if text is None:
        if override is None:
            raise UsageError(_no_dockerfile(ws))
        return _plain(override, options)
    lines = from_lines(text)
    runtime = [line for line in lines if line.image in (RUNTIME2, RUNTIME3)]
    if runtime:
        return _astro(ws, runtime[-1], override)  # the last stage is the image that runs
    if override is None:
        found = "; ".join(f"line {line.number}: {line.text}" for line in lines) or "no FROM line"
        raise UsageError(
            f"{ws.path(DOCKERFILE)} does not start from an Astro Runtime image (found {found}); expected "
            f"FROM {RUNTIME2}:<version> or FROM {RUNTIME3}:<X.Y-Z>. For plain Airflow pass --airflow-version"
        )
    return _plain(override, options)


def _no_dockerfile(ws: Workspace) -> str:
    if ws.exists(DOCKERFILE):
        return f"{ws.path(DOCKERFILE)}: cannot read it as UTF-8 text; pass --airflow-version for plain Airflow"
    return (
        f"no {DOCKERFILE} in {ws.root}: run this in an Astro project (astro dev init), "
        f"or pass --airflow-version (e.g. 2.7) for plain Airflow"
    )


def from_lines(text: str) -> list[FromLine]:
    found = []
    for number, line in enumerate(textdoc.lines(text), 1):
        match = _FROM.fullmatch(textdoc.strip_eol(line))
        if match is None:
            continue
        ref = match.group("ref").split("@", 1)[0]  # a digest pins the image, the tag still names it
        image, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
        found.append(FromLine(number, textdoc.strip_eol(line).strip(), image.lower(), tag))
    return found


def running_lines(text: str) -> set[int]:
    """The lines (0-based) of the stages the image that runs is built from: the last stage, and each earlier
    stage it starts FROM by name (`FROM runtime AS base` ... `FROM base`), whose ENV it inherits."""
    lines = [textdoc.strip_eol(line) for line in textdoc.lines(text)]
    stages = []  # (first line, stage name, the image or stage it starts from)
    for index, line in enumerate(lines):
        match = _FROM.fullmatch(line)
        if match and not (index and lines[index - 1].rstrip().endswith("\\")):
            stages.append((index, (match.group("stage") or "").lower(), match.group("ref").lower()))
    if not stages:
        return set(range(len(lines)))
    ends = [start for start, _, _ in stages[1:]] + [len(lines)]
    running: set[int] = set()
    at: int | None = len(stages) - 1
    while at is not None and not running.issuperset(range(stages[at][0], ends[at])):
        running.update(range(stages[at][0], ends[at]))
        ref = stages[at][2]
        at = next((earlier for earlier in range(at - 1, -1, -1) if stages[earlier][1] == ref), None)
    return running


def _plain(airflow: Version, options: Options) -> Target:
    origin = f"from {options.airflow_version_from}" if options.airflow_version_from else "--airflow-version"
    return Target(False, airflow, versions.era(airflow), False, "Plain Airflow", origin)


def _astro(ws: Workspace, line: FromLine, override: Version | None) -> Target:
    where = f"{DOCKERFILE} line {line.number}"
    if line.image == RUNTIME3 and (match := _TAG3.fullmatch(line.tag)):
        airflow = override or versions.version(match.group("airflow"))
        origin = "--airflow-version" if override else where
        return Target(True, airflow, versions.era(airflow), True, f"Astro Runtime {line.tag}", origin)
    if line.image == RUNTIME2 and (match := _TAG2.fullmatch(line.tag)):
        return _astro2(versions.version(match.group("version")), override, where)
    if override is None:
        raise UsageError(
            f"{ws.path(DOCKERFILE)} line {line.number}: cannot read the Astro Runtime version in "
            f"{line.text!r}; pin one (e.g. FROM {RUNTIME2}:9.2.0 or FROM {RUNTIME3}:3.1-12), "
            f"or pass --airflow-version"
        )
    return _astro_unknown(override)


def _astro2(runtime: Version, override: Version | None, where: str) -> Target:
    row = versions.airflow_for_runtime(runtime)
    if override is not None:
        airflow, origin = override, "--airflow-version"
    elif row is not None:
        airflow = versions.version(row.airflow)
        assumed = "; an assumed row, no Astro source confirms it: pass --airflow-version if it is wrong"
        origin = f"{where}, via the Runtime table" + ("" if row.confirmed else assumed)
    else:
        known = f"{versions.RUNTIME_AIRFLOW[0].runtime_major} to {versions.RUNTIME_AIRFLOW[-1].runtime_major}"
        raise UsageError(
            f"Astro Runtime {runtime} ({where}) is not in this tool's Runtime -> Airflow table (Runtime {known}); "
            f"pass --airflow-version with its Airflow version"
        )
    automatic = runtime >= versions.version(versions.AUTOMATIC_FROM)
    era = versions.era(airflow, runtime)
    return Target(True, airflow, era, automatic, f"Astro Runtime {runtime}", origin, runtime)


def _astro_unknown(airflow: Version, label: str = "Astro Runtime (version not pinned)") -> Target:
    """An Astro image whose version cannot be read: runtimes for Airflow 2.3+ are all >= 4.2.0, 2.1 ones < 4.2.0."""
    if versions.minor(airflow) == versions.version("2.2"):
        raise UsageError(
            "Astro Runtimes for Airflow 2.2 differ (4.2.0+ configure lineage themselves): pin the Runtime "
            "version in the Dockerfile's FROM line, and pass --dir with the Astro project"
        )
    automatic = airflow >= versions.version("2.3")
    return Target(True, airflow, versions.era(airflow), automatic, label, "--airflow-version")


def deployment(raw: str | None) -> Target:
    """--print --format astro without a Dockerfile to read: an Astro Deployment running --airflow-version
    (default: a Runtime that ships the provider, 9.2.0 or newer)."""
    if raw is None:
        airflow = versions.version("2.7")
        return Target(True, airflow, "provider", True, "an Astro Deployment (Runtime 9.2.0+ assumed)", "default")
    return _astro_unknown(airflow_version(raw), "an Astro Deployment (no Dockerfile read)")


def summary(found: Target) -> str:
    """One line: what runs, where its Airflow version came from, and how it emits lineage."""
    how = f"lineage through {versions.ERA_WORDS[found.era]}"
    if found.astro:
        return f"{found.label} runs Airflow {found.airflow} ({found.origin}): {how}."
    return f"Plain Airflow {found.airflow} ({found.origin}): {how}."


def astro_name(ws: Workspace) -> str | None:
    """The Astro project's name (.astro/config.yaml `project: name:`), when it is a valid namespace."""
    import yaml

    from lineage_setup import validate

    try:
        data = yaml.safe_load(ws.inspect(ASTRO_CONFIG) or "")
        name = data["project"]["name"]
        return validate.namespace(name, ASTRO_CONFIG) if isinstance(name, str) else None
    except (yaml.YAMLError, TypeError, KeyError, UsageError):
        return None
