"""What is wrong with an Airflow project's lineage setup (`status`), each with its fix: switched off or sending
nowhere, Astro's own transport replaced, quotes kept inside a value, keys and packages of another Airflow
version, the API key in a file git tracks, others can read, or the image carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lineage_setup import quoting
from lineage_setup.integrations.airflow import notes, versions
from lineage_setup.integrations.airflow.effective import Resolved
from lineage_setup.integrations.airflow.envfiles import Variables
from lineage_setup.integrations.airflow.project import DOCKERFILE, ENV_FILE, REQUIREMENTS
from lineage_setup.integrations.airflow.versions import BACKEND, BACKEND_CLASS, PROVIDER

if TYPE_CHECKING:
    from packaging.version import Version

    from lineage_setup.integrations.airflow.state import Found
    from lineage_setup.workspace import Workspace

QUOTES = "\"'"


def setup_command(ws: Workspace, found: Found) -> str:
    """The command that sets this project up (plain Airflow: with the version its files pin)."""
    words = ["lineage-setup", "airflow", "--dir", str(ws.root)]
    words += ["--airflow-version", found.airflow_version] if found.airflow_version and not found.astro else []
    return " ".join(quoting.shell(word) for word in words)


def find(ws: Workspace, found: Found, variables: Variables, resolved: Resolved) -> list[str]:
    return [
        *([found.unknown] if found.unknown else []),
        *resolved.problems,
        *_sends_nothing(ws, found, resolved),
        *_overrides(ws, resolved),
        *_quotes(variables, found.astro),
        *_legacy_keys(found, variables, resolved),
        *_packages(found, ws.inspect(REQUIREMENTS) or "", bool(resolved.destinations)),
        *_key_files(ws, variables, resolved),
    ]


def _sends_nothing(ws: Workspace, found: Found, resolved: Resolved) -> list[str]:
    if resolved.disabled:
        return [f"{resolved.disabled}: Airflow sends no lineage while it is set; remove it"]
    if resolved.console:
        return [
            f"the transport is `console`: events are printed in the task logs, not sent; {setup_command(ws, found)}"
        ]
    if resolved.destinations or resolved.astro_own or resolved.unreadable or resolved.problems or found.target is None:
        return []
    legacy = found.target.era != "provider"
    what = "openlineage-airflow prints events instead of sending them" if legacy else "the provider sends nothing"
    return [f"no transport is configured: {what}; run {setup_command(ws, found)}"]


def _overrides(ws: Workspace, resolved: Resolved) -> list[str]:
    again = " ".join(quoting.shell(word) for word in ("lineage-setup", "airflow", "--dir", str(ws.root)))
    return [
        f"{value.source} sets {notes.overrides_astro(key)}. Remove it; `{again}` adds another endpoint next to Astro's"
        for key, value in resolved.overrides
    ]


def _quotes(variables: Variables, astro: bool) -> list[str]:
    found = []
    for key, value in variables.items():
        inner = value.value.strip()
        if len(inner) > 1 and inner[0] in QUOTES and inner[-1] == inner[0]:
            found.append(
                f"{key} ({value.source}) keeps quotes inside its value: Airflow reads them as part of it; "
                f"remove the inner pair of quotes"
            )
        elif astro and value.raw and value.raw[0] in QUOTES and _astro_load(value.raw) != value.value:
            found.append(
                f"{key} ({value.source}): `astro deployment variable create --load` keeps its quotes (or the comment "
                f"after them) in the value; write it without quotes and comment, or set it with "
                f"`astro deployment variable create {key}=...`"
            )
    return found


def _astro_load(raw: str) -> str:
    """The value `astro deployment variable create --load` reads: Trim `"`, then `'`, then spaces
    (astronomer/astro-cli `cloud/deployment/deployment_variable.go`, `addVariablesFromFile`)."""
    return raw.strip('"').strip("'").strip()


def _legacy_keys(found: Found, variables: Variables, resolved: Resolved) -> list[str]:
    target = found.target
    backend = variables.get(BACKEND)
    if target is None:
        return []
    if target.era != "backend" and backend is not None and backend.value:
        return [
            f"{BACKEND} ({backend.source}) is read by Airflow 2.1/2.2 only (openlineage-airflow's lineage backend, "
            f"gone from openlineage-airflow 1.15.0); Airflow {target.airflow} does not need it: remove it"
        ]
    if target.era == "backend" and resolved.destinations and (backend is None or backend.value != BACKEND_CLASS):
        return [f"Airflow {target.airflow} sends lineage only with {BACKEND}={BACKEND_CLASS}: set it"]
    return []


def _packages(found: Found, requirements_txt: str, configured: bool) -> list[str]:
    from lineage_setup.edits import requirements

    target = found.target
    if target is None:
        return []
    legacy = requirements.find(requirements_txt, "openlineage-airflow")
    provider = requirements.find(requirements_txt, PROVIDER)
    found_problems = []
    if target.era == "provider" and legacy is not None:
        found_problems.append(
            f"{REQUIREMENTS} lists `{legacy}`: from Airflow 2.7 the provider replaces it (and it must not be used "
            f"with Airflow 2.8+): remove it"
        )
    if provider is not None and target.airflow < versions.version("2.7"):
        found_problems.append(
            f"{REQUIREMENTS} lists `{provider}`, which needs Airflow 2.7 or newer: pip would upgrade Airflow "
            f"{target.airflow} (or fail); remove it"
        )
    if legacy is not None and target.era != "provider":
        found_problems += _too_new(legacy, target.airflow, target.era)
    if configured and not target.automatic and _missing(requirements_txt, target.era, found.astro):
        pin = versions.requirement(target.airflow, target.era)
        found_problems.append(f"{REQUIREMENTS} does not list {pin.name}: nothing emits the events; add `{pin.spec}`")
    return found_problems


def _too_new(listed: str, airflow: Version, era: versions.Era) -> list[str]:
    """openlineage-airflow allowed past the last release this Airflow can use."""
    from packaging.requirements import InvalidRequirement, Requirement

    pin = versions.requirement(airflow, era)
    if pin is versions.OPENLINEAGE_AIRFLOW_PINS[-1]:
        return []  # its bound is the last release there is
    ceiling = versions.version(pin.spec.rsplit("<=", 1)[1])
    beyond = f"{ceiling.major}.{ceiling.minor + 1}.0"
    try:
        allows = Requirement(listed.split(" --", 1)[0]).specifier.contains(beyond, prereleases=True)
    except InvalidRequirement:
        return []
    return [f"{REQUIREMENTS} lists `{listed}`, which allows {beyond} ({pin.why}): pin `{pin.spec}`"] if allows else []


def _missing(requirements_txt: str, era: versions.Era, astro: bool) -> bool:
    """The package that emits lineage is not listed where it should be (an Astro project, or a requirements
    file that installs Airflow itself)."""
    from lineage_setup.edits import requirements

    airflow = requirements.find(requirements_txt, "apache-airflow")
    if not astro and airflow is None:
        return False  # Airflow is installed some other way: so may the package be
    if era == "provider":
        extras = airflow.split("]", 1)[0] if airflow and "[" in airflow else ""
        return requirements.find(requirements_txt, PROVIDER) is None and "openlineage" not in extras
    return requirements.find(requirements_txt, "openlineage-airflow") is None


def _holds_key(name: str, value: str, keys: set[str]) -> bool:
    """A key variable (...API_KEY, ...APIKEY), a JSON transport or auth with one, or a value holding a key in use."""
    if not value:
        return False
    return name.endswith(("API_KEY", "APIKEY")) or '"apiKey"' in value or any(key in value for key in keys)


def _key_files(ws: Workspace, variables: Variables, resolved: Resolved) -> list[str]:
    keys = {d.key for d, _ in resolved.destinations if d.key}
    holding = {v.file: v for name, v in variables.items() if v.file and _holds_key(name, v.value, keys)}
    found = []
    for rel, value in sorted(holding.items()):
        if rel == DOCKERFILE:
            found.append(
                f"{value.source} sets the API key: the Dockerfile is committed and the image carries it; move it to "
                f"{ENV_FILE} (local runs) or a secret Deployment variable, and revoke the key"
            )
            continue
        found += _file_problems(ws, rel)
    return found


def _file_problems(ws: Workspace, rel: str) -> list[str]:
    found = []
    if ws.git_status(rel) == "tracked":
        found.append(f"{rel} holds the API key and git tracks it: git rm --cached {rel}, and revoke the key")
    stat = ws.stat(rel)
    if stat is not None and stat.st_mode & 0o077:
        found.append(f"{rel} holds the API key and others can read it: chmod 600 {rel}")
    return found
