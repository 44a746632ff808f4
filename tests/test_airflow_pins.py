"""The Airflow -> apache-airflow-providers-openlineage table, held against the floors read from the index.

tests/data/provider-airflow-floors.json holds, for the releases where the floors change, the
`Requires-Dist: apache-airflow>=...` line of each wheel's METADATA (obtained with `pip download --no-deps`
from PyPI; how and when is in the file), and the list of releases on the index. A cap is right when every
release it allows asks for an Airflow no newer than the row's, and the first release it refuses asks for a
newer one (so the cap is not tighter than it needs to be either).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from lineage_setup.integrations.airflow import versions

DATA = json.loads((Path(__file__).parent / "data" / "provider-airflow-floors.json").read_text())
INDEX = [Version(v) for v in DATA["index_versions"]]
FLOORS = {Version(row["version"]): Version(row["airflow_floor"]) for row in DATA["releases"]}
PINS = [*versions.PROVIDER_PINS, versions.PROVIDER_ANY]


def test_the_data_file_is_consistent() -> None:
    assert DATA["package"] == versions.PROVIDER
    assert sorted(INDEX) == INDEX and len(set(INDEX)) == len(INDEX)
    for row in DATA["releases"]:
        requirement = Requirement(row["requires"])  # as pip reads the Requires-Dist line
        assert requirement.name == "apache-airflow"
        assert [(s.operator, s.version) for s in requirement.specifier] == [(">=", row["airflow_floor"])]
        assert Version(row["version"]) in INDEX
        assert len(row["wheel_sha256"]) == 64
    floors = [FLOORS[v] for v in sorted(FLOORS)]
    assert floors == sorted(floors)  # floors only go up: the releases between two read ones share them


def _floor(release: Version) -> Version:
    """The Airflow floor of any release: the one read for it, else (floors only go up, and each floor's first
    and last release are read) the floor of the read releases on both sides, which must agree."""
    if release in FLOORS:
        return FLOORS[release]
    below = max(v for v in FLOORS if v < release)
    above = min(v for v in FLOORS if v > release)
    assert FLOORS[below] == FLOORS[above], f"{release} lies between floors: read it too"
    return FLOORS[below]


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: pin.low)
def test_each_cap_allows_exactly_the_releases_this_airflow_can_install(pin: versions.Pin) -> None:
    airflow = Version(pin.low)
    specifier = Requirement(pin.spec).specifier
    allowed = [release for release in INDEX if specifier.contains(release)]
    refused_after = [release for release in INDEX if release > max(allowed)]
    assert allowed and all(_floor(release) <= airflow for release in allowed)
    if refused_after:  # the first release the cap refuses needs a newer Airflow: the cap is not too tight
        floor = _floor(refused_after[0])
        assert floor > airflow, (pin.spec, refused_after[0])
        assert pin.why == f"{refused_after[0]}+ need Airflow {floor.major}.{floor.minor}"


def test_the_rows_cover_every_airflow_the_provider_supports() -> None:
    lows = [Version(pin.low) for pin in PINS]
    assert lows == [Version(v) for v in ("2.7", "2.8", "2.9", "2.10", "2.11")]
    assert all(Version(pin.low) == Version(pin.high) for pin in versions.PROVIDER_PINS)
    assert min(FLOORS.values()) == Version("2.7.0")  # 1.0.0, the first release: nothing below Airflow 2.7


@pytest.mark.parametrize(
    ("airflow", "release", "allowed"),
    [
        ("2.7", "1.10.0", True),
        ("2.7", "1.11.0", False),  # apache-airflow>=2.8.0
        ("2.10", "2.8.0", True),
        ("2.10", "2.9.0", False),  # apache-airflow>=2.11.0
        ("2.10", "2.9.1", False),
    ],
)
def test_the_steps_the_issue_names(airflow: str, release: str, allowed: bool) -> None:
    pin = versions.requirement(Version(airflow), "provider")
    assert Requirement(pin.spec).specifier.contains(release) is allowed
