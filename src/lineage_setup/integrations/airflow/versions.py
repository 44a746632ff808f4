"""Data for `lineage-setup airflow`: Astro Runtime -> Airflow, and which OpenLineage package each Airflow needs.

Sources, public:
- Runtime -> Airflow: the table in astronomer/docs `astro/runtime-version-lifecycle-policy.mdx`, and the
  Astro Runtime release notes (astronomer/docs `astro/runtime-release-notes.md`); the machine-readable map is
  https://updates.astronomer.io/astronomer-runtime (read by astronomer/astro-cli `airflow_versions/`).
- openlineage-airflow: the OpenLineage/OpenLineage repository at each release tag (`integration/airflow/`).
- apache-airflow-providers-openlineage: each release's PyPI metadata (its `Requires-Dist: apache-airflow>=`);
  the floors read are checked in as tests/data/provider-airflow-floors.json, and a test holds PROVIDER_PINS to them.
A row no Astro source confirms says so (`confirmed=False`); the command then says the mapping is assumed,
and `--airflow-version` overrides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # packaging is imported when a version is parsed, not at start-up
    from packaging.version import Version

Era = Literal["backend", "plugin", "provider"]
ERA_WORDS: dict[Era, str] = {
    "backend": "openlineage-airflow as Airflow's lineage backend",
    "plugin": "the openlineage-airflow plugin",
    "provider": "the apache-airflow-providers-openlineage provider",
}

# The variables each era reads (openlineage-airflow's README; the provider's `[openlineage]` section).
BACKEND, BACKEND_CLASS = "AIRFLOW__LINEAGE__BACKEND", "openlineage.lineage_backend.OpenLineageBackend"
TRANSPORT, AF_NAMESPACE = "AIRFLOW__OPENLINEAGE__TRANSPORT", "AIRFLOW__OPENLINEAGE__NAMESPACE"

# Astro configures lineage for every Deployment from this Runtime on: "Lineage is configured automatically
# for all Deployments on Astro Runtime 4.2.0+" (astronomer/docs `astro/set-up-data-lineage.md`, 2022-05).
AUTOMATIC_FROM = "4.2.0"
# Runtimes before this one ship openlineage-airflow, from it on the provider: 9.0.0/9.1.0 are Airflow 2.7 but
# still ship openlineage-airflow 1.0/1.1 and no provider (astronomer/docs `astro/runtime-release-notes.md`,
# `astro/runtime-provider-reference.md`).
PROVIDER_SHIPPED_FROM = "9.2.0"


@dataclass(frozen=True)
class RuntimeRow:
    runtime_major: int
    airflow: str  # major.minor
    confirmed: bool  # False: not in the lifecycle policy's table


# Airflow-2 runtimes (quay.io/astronomer/astro-runtime:<major>.<minor>.<patch>), from the table in
# astronomer/docs `astro/runtime-version-lifecycle-policy.mdx`. Airflow-3 runtimes name their Airflow in the
# tag (3.1-12; astronomer/astro-cli `airflow_versions/runtime_versions.go`).
RUNTIME_AIRFLOW: tuple[RuntimeRow, ...] = (
    RuntimeRow(3, "2.1", True),
    RuntimeRow(4, "2.2", True),
    RuntimeRow(5, "2.3", True),
    RuntimeRow(6, "2.4", True),
    RuntimeRow(7, "2.5", True),
    RuntimeRow(8, "2.6", True),
    RuntimeRow(9, "2.7", True),
    RuntimeRow(10, "2.8", True),
    RuntimeRow(11, "2.9", True),
    # not in the lifecycle table, but confirmed by the release notes ("Astro Runtime 12.0.0 ... Airflow version:
    # 2.10.0", astronomer/docs `astro/runtime-release-notes.md`)
    RuntimeRow(12, "2.10", True),
    RuntimeRow(13, "2.11", False),  # an assumption: in no Astro source read (consistent with the provider pins)
)


@dataclass(frozen=True)
class Pin:
    """A requirement for an Airflow minor-version range [low, high], and why it is pinned so."""

    low: str  # Airflow major.minor
    high: str
    spec: str
    why: str

    @property
    def name(self) -> str:
        return re.split(r"[<>=!~;\[\s]", self.spec, maxsplit=1)[0]


# openlineage-airflow (OpenLineage/OpenLineage tags): `integration/airflow/openlineage/lineage_backend/`
# is there up to tag 1.14.0 and gone from 1.15.0 (PR #2710, "remove Airflow < 2.3.0 support"); from 1.34.0
# `openlineage/airflow/plugin.py` registers no listener below Airflow 2.5; 1.41.0 is the last release on PyPI.
OPENLINEAGE_AIRFLOW_PINS: tuple[Pin, ...] = (
    Pin("2.1", "2.2", "openlineage-airflow<=1.14.0", "1.15.0 removed openlineage.lineage_backend"),
    Pin("2.3", "2.4", "openlineage-airflow<=1.33.0", "1.34.0+ do not listen below Airflow 2.5"),
    Pin("2.5", "2.6", "openlineage-airflow<=1.41.0", "1.41.0 is the last release"),
)

# apache-airflow-providers-openlineage: `[openlineage] transport` exists from 1.0.0 (apache/airflow
# `providers/openlineage/.../conf.py`); later releases raise their Airflow floor, and pip would upgrade Airflow
# itself to install them. Floors from each release's PyPI metadata (`Requires-Dist: apache-airflow>=`):
# 1.0.0-1.10.0 >=2.7.0; 1.11.0-1.14.0 >=2.8.0; 2.0.0-2.2.0 >=2.9.0; 2.3.0-2.8.0 >=2.10.0; 2.9.0 onwards >=2.11.0.
PROVIDER = "apache-airflow-providers-openlineage"
PROVIDER_PINS: tuple[Pin, ...] = (
    Pin("2.7", "2.7", f"{PROVIDER}>=1.0.0,<1.11.0", "1.11.0+ need Airflow 2.8"),
    Pin("2.8", "2.8", f"{PROVIDER}>=1.0.0,<2.0.0", "2.0.0+ need Airflow 2.9"),
    Pin("2.9", "2.9", f"{PROVIDER}>=1.0.0,<2.3.0", "2.3.0+ need Airflow 2.10"),
    Pin("2.10", "2.10", f"{PROVIDER}>=1.0.0,<2.9.0", "2.9.0+ need Airflow 2.11"),
)
PROVIDER_ANY = Pin("2.11", "3.999", f"{PROVIDER}>=1.0.0", "reads [openlineage] transport")

# Astro adds destinations to its own composite transport (astronomer.io/docs/astro/observe-openlineage):
# openlineage-python reads `OPENLINEAGE__...` variables, and so a composite's sub-transports, from 1.23.0
# (OpenLineage/OpenLineage `client/python/.../client.py`, `_load_config_from_env_variables`, tag 1.23.0);
# Astro recommends 1.38 or newer for its composite's fallback behaviour. The `transform` transport (a
# namespace per destination) is a different thing: it exists from 1.33.0 (CHANGELOG 1.33.0, #3697, #3706).
CLIENT = "openlineage-python"
CLIENT_FOR_ASTRO = Pin("2.7", "3.999", f"{CLIENT}>=1.38", "Astro recommends 1.38+ for its composite transport")
CLIENT_READS_ENV, TRANSFORM_SINCE = "1.23.0", "1.33.0"

# --add outside Astro: a composite transport with named transports, and OPENLINEAGE_URL joining a composite as
# its `default_http` sub-transport, are read by openlineage-python from 1.23.0 (`transport/composite.py`,
# client.py `_alias_env_vars`, tag 1.23.0); openlineage-airflow X requires openlineage-python==X (its setup.py),
# so Airflow 2.3-2.6 need openlineage-airflow 1.23.0+, within the caps above.
CLIENT_COMPOSITE = Pin(
    "2.7", "3.999", f"{CLIENT}>=1.23.0", "reads a composite transport's named transports from 1.23.0"
)
CLIENT_TRANSFORM = Pin(
    "2.7", "3.999", f"{CLIENT}>=1.33.0", "reads a composite transport, and a transform transport from 1.33.0"
)
OPENLINEAGE_AIRFLOW_ADD_PINS: tuple[Pin, ...] = (
    Pin(
        "2.3",
        "2.4",
        "openlineage-airflow>=1.23.0,<=1.33.0",
        "1.23.0+ read a composite transport; 1.34.0+ do not listen below Airflow 2.5",
    ),
    Pin("2.5", "2.6", "openlineage-airflow>=1.23.0,<=1.41.0", "1.23.0+ read a composite transport"),
)

# Astro Runtime 4.0.9 to 4.1.x ship openlineage-airflow 0.4-0.5 (Astro Runtime release notes), whose client
# ignores OPENLINEAGE_ENDPOINT (openlineage-python reads it from 1.4.0, PR #2151), and `<=1.14.0` keeps it.
# openlineage-airflow 1.14.0 requires openlineage-python==1.14.0 and Python >=3.8, not Airflow (its METADATA).
OLD_SHIPPED = ("4.0.9", "4.2.0")  # [from, to)
ENDPOINT_READ_FROM = "1.4.0"
ENDPOINT_PIN = Pin(
    "2.1", "2.2", "openlineage-airflow>=1.4.0,<=1.14.0", "1.4.0+ read OPENLINEAGE_ENDPOINT; 1.15.0 removed the backend"
)

OLDEST, NEWEST_MAJOR = "2.1", 3  # OpenLineage's Airflow integrations start at Airflow 2.1


def version(text: str) -> Version:
    """Parse a version (packaging.version.InvalidVersion when it is not one)."""
    from packaging.version import Version

    return Version(text)


def minor(airflow: Version) -> Version:
    return version(f"{airflow.major}.{airflow.minor}")


def airflow_for_runtime(runtime: Version) -> RuntimeRow | None:
    return next((row for row in RUNTIME_AIRFLOW if row.runtime_major == runtime.major), None)


def era(airflow: Version, runtime: Version | None = None) -> Era:
    """How this Airflow emits lineage; an Astro Runtime before 9.2.0 ships openlineage-airflow, not the provider."""
    airflow = minor(airflow)
    if airflow < version("2.3"):
        return "backend"
    if airflow < version("2.7") or (runtime is not None and runtime < version(PROVIDER_SHIPPED_FROM)):
        return "plugin"
    return "provider"


def requirement(airflow: Version, the_era: Era, *, composite: bool = False) -> Pin:
    """The package line for this Airflow (plain Airflow, or an Astro Runtime that does not configure lineage);
    composite: one whose client reads a composite transport (--add)."""
    airflow = minor(airflow)
    pins = PROVIDER_PINS if the_era == "provider" else OPENLINEAGE_AIRFLOW_PINS
    if composite and the_era == "plugin":
        pins = OPENLINEAGE_AIRFLOW_ADD_PINS
    found = next((pin for pin in pins if version(pin.low) <= airflow <= version(pin.high)), None)
    if found is not None:
        return found
    if the_era == "provider":
        return PROVIDER_ANY
    return OPENLINEAGE_AIRFLOW_PINS[-1]  # Airflow 2.7 on a runtime that ships openlineage-airflow


def ours() -> tuple[Pin, ...]:
    """Every requirement line lineage-setup writes (remove takes out the lines exactly as written)."""
    return (
        *OPENLINEAGE_AIRFLOW_PINS,
        *PROVIDER_PINS,
        PROVIDER_ANY,
        CLIENT_FOR_ASTRO,
        ENDPOINT_PIN,
        CLIENT_COMPOSITE,
        CLIENT_TRANSFORM,
        *OPENLINEAGE_AIRFLOW_ADD_PINS,
    )
