"""--backend presets: each knows its endpoint path, how a domain becomes its URL, and what it needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lineage_setup import answers, backends
from lineage_setup.answers import Flags
from lineage_setup.errors import UsageError

from .helpers import CANARY, cli

BASE = Flags(api_key=CANARY, namespace="n")


@pytest.mark.parametrize(
    ("backend", "url", "endpoint"),
    [
        ("astro", "https://lineage.astro.example", "api/v1/lineage"),
        ("marquez", "http://marquez.example:5000", "api/v1/lineage"),
        ("datahub", "https://datahub.example.com", "openapi/openlineage/api/v1/lineage"),
        ("openmetadata", "https://om.example.com", "api/v1/openlineage/lineage"),
        ("datadog", "https://data-obs-intake.datadoghq.com", "api/v1/lineage"),
        ("atlan", "https://acme.atlan.com", "events/openlineage/generic-openlineage/api/v1/lineage"),
        ("custom", "https://h.example", "api/v1/lineage"),
    ],
)
def test_each_preset_gives_its_endpoint(backend: str, url: str, endpoint: str) -> None:
    conn = answers.resolve(Flags(url=url, backend=backend, api_key=CANARY, namespace="n"), {}, None)
    assert (conn.backend, conn.url, conn.endpoint) == (backend, url, endpoint)
    assert conn.lineage_url == f"{url}/{endpoint}"


@pytest.mark.parametrize(
    ("backend", "domain", "url"),
    [
        ("astro", "astronomer.io", "https://api.astronomer.io"),
        ("datadog", "datadoghq.eu", "https://data-obs-intake.datadoghq.eu"),
        ("atlan", "acme.atlan.com", "https://acme.atlan.com"),
    ],
)
def test_a_domain_becomes_the_presets_url(backend: str, domain: str, url: str) -> None:
    conn = answers.resolve(Flags(domain=domain, backend=backend, api_key=CANARY, namespace="n"), {}, None)
    assert conn.url == url


@pytest.mark.parametrize("backend", ["marquez", "datahub", "openmetadata", "custom"])
def test_a_domain_is_refused_where_the_url_is_the_users_own(backend: str) -> None:
    with pytest.raises(UsageError, match="pass the full URL"):
        answers.resolve(Flags(domain="example.com", backend=backend, api_key=CANARY, namespace="n"), {}, None)


def test_backend_implied_by_the_endpoint_and_from_the_environment() -> None:
    assert answers.resolve(Flags(domain="astronomer.io", api_key=CANARY, namespace="n"), {}, None).backend == "astro"
    assert answers.resolve(Flags(url="https://h.example", api_key=CANARY, namespace="n"), {}, None).backend == "custom"
    env = {"LINEAGE_SETUP_BACKEND": "datahub", "OPENLINEAGE_URL": "https://d.example"}
    conn = answers.resolve(BASE, env, None)
    expected = ("datahub", backends.get("datahub").endpoint, "LINEAGE_SETUP_BACKEND")
    assert (conn.backend, conn.endpoint, conn.origin["backend"]) == expected


def test_an_explicit_endpoint_wins_over_the_preset() -> None:
    flags = Flags(url="https://d.example", endpoint="custom/path", backend="datahub", api_key=CANARY, namespace="n")
    assert answers.resolve(flags, {}, None).endpoint == "custom/path"


def test_an_unknown_backend_names_the_choices() -> None:
    with pytest.raises(UsageError, match="LINEAGE_SETUP_BACKEND: 'nope' is not one of astro, marquez"):
        answers.resolve(BASE, {"LINEAGE_SETUP_BACKEND": "nope", "OPENLINEAGE_URL": "https://h.example"}, None)


def test_every_preset_cites_its_source_and_a_known_path_per_backend() -> None:
    for preset in backends.PRESETS.values():
        assert preset.docs.startswith("https://"), preset.name
        assert not preset.endpoint.startswith("/")
    assert "openapi/openlineage/api/v1/lineage" in backends.known_paths()
    assert backends.backend_of("api/v1/openlineage/lineage") == backends.get("openmetadata")


def test_dbt_writes_the_presets_endpoint(dbt_project: Path) -> None:
    args = ["dbt", "--dir", str(dbt_project), "--backend", "datahub", "--url", "https://datahub.example.com"]
    result = cli([*args, "--namespace", "n", "--api-key", CANARY, "--yes"])
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((dbt_project / "openlineage.yml").read_text())
    http = config["transport"]["transport"]
    assert (http["url"], http["endpoint"]) == ("https://datahub.example.com", "openapi/openlineage/api/v1/lineage")
