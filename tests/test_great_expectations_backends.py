"""Backend presets on Great Expectations projects, through the CLI: a backend without a key gets no key at all
(no openlineage_apiKey / api_key, no config variables line or file, no .gitignore line), gzip goes into the
GX 1.x entry and is said to be impossible on GE 0.x, and endpoints: DataHub's and Atlan's paths end in
api/v1/lineage, which GE 0.x's action reaches through its host; OpenMetadata's does not (exit 2, the
alternative named); GX 1.x takes any. test_great_expectations_backends_real.py runs them in GE and GX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .golden_cases import Case
from .helpers import CANARY, cli, files

MARQUEZ = ["--backend", "marquez", "--url", "http://marquez.example:5000", "--namespace", "dev"]
V3 = ("great_expectations", "v3-checkpoints")


def _run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return cli(["great-expectations", "--dir", str(root), *args])


def _tree_text(root: Path) -> str:
    return "\n".join(data.decode("utf-8", "replace") for data in files(root).values())


def _actions(root: Path) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for path in sorted((root / "gx").glob("*checkpoints/*.json")):
        found += [a for a in json.loads(path.read_text())["actions"] if a["type"] == "openlineage_gx"]
    return found


# --- no key -------------------------------------------------------------------------------------------------


def test_ge0_without_a_key_has_no_key_anywhere(tmp_path: Path) -> None:
    root = Case("great_expectations", "fresh").copy_before(tmp_path / "p")
    result = _run(root, *MARQUEZ, "--yes")
    assert result.exit_code == 0, result.output
    assert sorted(files(root)) == ["great_expectations.yml"]  # no variables file, no .gitignore
    text = (root / "great_expectations.yml").read_text()
    assert "openlineage_apiKey" not in text and "config_variables_file_path" not in text.split("plugins/")[-1]
    operator = yaml.safe_load(text)["validation_operators"]["action_list_operator"]["action_list"][-1]["action"]
    assert operator["openlineage_host"] == "http://marquez.example:5000"
    again = _run(root, *MARQUEZ, "--yes")
    assert "Nothing to change" in again.stdout


def test_ge0_switching_to_a_backend_without_a_key_takes_the_key_line_out(tmp_path: Path) -> None:
    case = Case(*V3)
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    result = _run(root, *MARQUEZ, "--replace", "--yes")
    assert result.exit_code == 0, result.output
    for path in (root / "great_expectations" / "checkpoints").rglob("*.yml"):
        assert "openlineage_apiKey" not in path.read_text(), path
    with_actions = yaml.safe_load((root / "great_expectations/checkpoints/with_actions.yml").read_text())
    assert with_actions["action_list"][-1]["action"]["openlineage_host"] == "http://marquez.example:5000"
    assert "Nothing to change" in _run(root, *MARQUEZ, "--yes").stdout  # settled: the fast path agrees


def test_ge0_same_endpoint_without_a_key_is_not_taken_for_settled(tmp_path: Path) -> None:
    """Only the key changes: the quick re-run check (settled.py) must not take the files for done."""
    case = Case(*V3)
    root = case.copy_before(tmp_path / "p")
    assert case.run(root, "--yes").exit_code == 0
    same = ["--backend", "marquez", "--url", "https://lineage.example.com", "--namespace", "dev"]
    result = _run(root, *same, "--yes")
    assert result.exit_code == 0, result.output
    assert "openlineage_apiKey" not in _tree_text(root).replace("OPENLINEAGE_API_KEY:", "")


def test_gx1_without_a_key_has_no_key_anywhere(tmp_path: Path) -> None:
    root = Case("gx1", "minimal-config").copy_before(tmp_path / "p")
    result = _run(root, *MARQUEZ, "--yes")
    assert result.exit_code == 0, result.output
    (entry,) = _actions(root)
    assert "api_key" not in entry and entry["url"] == "http://marquez.example:5000"
    assert not (root / "gx" / "uncommitted").exists()
    assert "config_variables_file_path" not in (root / "gx" / "great_expectations.yml").read_text()
    keyed = _run(root, "--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CANARY,
                 "--replace", "--yes")  # fmt: skip
    assert keyed.exit_code == 0, keyed.output
    assert _actions(root)[0]["api_key"] == "${OPENLINEAGE_API_KEY}"
    assert _run(root, *MARQUEZ, "--replace", "--yes").exit_code == 0
    assert "api_key" not in _actions(root)[0]


def test_print_without_a_key(empty_dir: Path) -> None:
    printed = cli(["gx", "--dir", str(empty_dir), *MARQUEZ, "--print", "--format", "checkpoint"])
    assert printed.exit_code == 0 and "openlineage_apiKey" not in printed.stdout
    assert yaml.safe_load(printed.stdout)["action_list"][0]["action"]["openlineage_host"] == MARQUEZ[3]
    gx1 = cli(["gx", "--dir", str(empty_dir), *MARQUEZ, "--print", "--format", "gx1"])
    assert gx1.exit_code == 0 and '"api_key":' not in gx1.stdout
    variables = cli(["gx", "--dir", str(empty_dir), *MARQUEZ, "--print", "--format", "variables"])
    assert variables.exit_code == 2 and "no key to print" in variables.stderr


# --- gzip -----------------------------------------------------------------------------------------------------

DATADOG = ["--backend", "datadog", "--domain", "datadoghq.eu", "--namespace", "dev", "--api-key", CANARY]


def test_gzip_on_ge0_is_said_to_be_impossible(tmp_path: Path) -> None:
    case = Case(*V3)
    root = case.copy_before(tmp_path / "p")
    result = _run(root, *DATADOG, "--yes")
    assert result.exit_code == 0, result.output
    assert "OpenLineage's GE 0.x action has no compression setting" in result.stderr
    assert "compression" not in _tree_text(root)


def test_gzip_on_gx1_goes_into_the_entry_and_out_again(tmp_path: Path) -> None:
    root = Case("gx1", "gx-written").copy_before(tmp_path / "p")
    assert _run(root, *DATADOG, "--yes").exit_code == 0
    entries = _actions(root)
    assert {(e["compression"], e["url"]) for e in entries} == {("gzip", "https://data-obs-intake.datadoghq.eu")}
    assert list(entries[0]) == sorted(entries[0])  # as GX writes it
    custom = ["--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CANARY]
    assert _run(root, *custom, "--replace", "--yes").exit_code == 0
    assert all("compression" not in e for e in _actions(root))


# --- endpoints -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "host"),
    [
        ("datahub", "https://h.example/openapi/openlineage/"),
        ("atlan", "https://h.example/events/openlineage/generic-openlineage/"),
        ("marquez", "https://h.example"),
    ],
)
def test_ge0_reaches_a_backend_whose_path_ends_in_api_v1_lineage(tmp_path: Path, backend: str, host: str) -> None:
    case = Case(*V3)
    root = case.copy_before(tmp_path / "p")
    result = _run(root, "--backend", backend, "--url", "https://h.example", "--namespace", "dev",
                  "--api-key", CANARY, "--yes")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "great_expectations/checkpoints/with_actions.yml").read_text())
    assert data["action_list"][-1]["action"]["openlineage_host"] == host


def test_ge0_refuses_openmetadata_naming_the_alternatives(tmp_path: Path) -> None:
    case = Case(*V3)
    root = case.copy_before(tmp_path / "p")
    before = files(root)
    result = _run(root, "--backend", "openmetadata", "--url", "https://om.example", "--namespace", "dev",
                  "--api-key", CANARY, "--yes")  # fmt: skip
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "OpenMetadata's endpoint api/v1/openlineage/lineage cannot be used with GE 0.x" in message
    assert "GX 1.x projects can" in message
    assert "OPENLINEAGE_URL=https://om.example and OPENLINEAGE_ENDPOINT=api/v1/openlineage/lineage" in message
    assert "lineage-setup dbt --print --format yaml --url https://om.example" in message
    assert "--backend openmetadata" in message
    assert files(root) == before


@pytest.mark.parametrize("backend", ["openmetadata", "datahub", "atlan"])
def test_gx1_takes_any_endpoint(tmp_path: Path, backend: str) -> None:
    from lineage_setup import backends

    root = Case("gx1", "gx-written").copy_before(tmp_path / "p")
    result = _run(root, "--backend", backend, "--url", "https://h.example", "--namespace", "dev",
                  "--api-key", CANARY, "--yes")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {e["endpoint"] for e in _actions(root)} == {backends.get(backend).endpoint}
