"""Backends, a second destination and removal with the real consumers: GE 0.15.34 with OpenLineage's action
(.venv-ge) and GX 1.x with our module (.venv-gx1), each sending to loopback receivers.

- A backend without a key: no Authorization header. DataHub's and Atlan's paths reached by GE 0.x through the
  action's host; OpenMetadata's by GX 1.x through the entry's endpoint; gzip from GX 1.x (Datadog).
- The alternative --add names: the action without a host (GX 1.x: without a url), and an openlineage.yml with a
  composite transport where GE runs: both receivers get every event.
- After `remove`, GE and GX still load and run the checkpoints, and nothing is sent.
Skipped without those interpreters (see test_great_expectations_real.py and test_gx1_real.py), except in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from . import test_great_expectations_real as ge0
from . import test_gx1_real as gx1
from .helpers import CANARY, cli
from .receiver import Receiver, receiver

NEEDS_GE = pytest.mark.skipif(not ge0._ge_version().startswith("0.15.") and not os.environ.get("CI"),
                              reason="needs .venv-ge (see test_great_expectations_real.py)")  # fmt: skip
NEEDS_GX = pytest.mark.skipif(not gx1._gx_version().startswith("1.") and not os.environ.get("CI"),
                              reason="needs .venv-gx1 (see test_gx1_real.py)")  # fmt: skip
COMPOSITE = """\
transport:
  type: composite
  continue_on_failure: true
  transports:
    first:
      type: http
      url: {first}
    second:
      type: http
      url: {second}
      auth:
        type: api_key
        apiKey: {key}
"""


def _setup(root: Path, url: str, *args: str):  # type: ignore[no-untyped-def]
    result = cli(["great-expectations", "--dir", str(root), "--url", url, "--namespace", "n", *args, "--yes"])
    assert result.exit_code == 0, result.output
    return result


# --- GE 0.15 ----------------------------------------------------------------------------------------------------


def _ge_project(tmp_path: Path) -> Path:
    root = ge0._project(tmp_path / "p")
    (root / "great_expectations" / "checkpoints" / "users_legacy.yml").unlink()
    return root


@NEEDS_GE
def test_ge0_without_a_key_sends_no_authorization(tmp_path: Path) -> None:
    root = _ge_project(tmp_path)
    with receiver() as got:
        _setup(root, got.url, "--backend", "marquez")
        ge0._ge(ge0.RUN, root, "users_v3")
    assert len(got.requests) == 1 and "Authorization" not in got.requests[0].headers


@NEEDS_GE
@pytest.mark.parametrize("backend", ["datahub", "atlan"])
def test_ge0_reaches_the_backend_s_path_through_its_host(tmp_path: Path, backend: str) -> None:
    from lineage_setup import backends

    root = _ge_project(tmp_path)
    with receiver() as got:
        _setup(root, got.url, "--backend", backend, "--api-key", CANARY)
        ge0._ge(ge0.RUN, root, "users_v3")
    assert [r.path for r in got.requests] == ["/" + backends.get(backend).endpoint]
    assert got.requests[0].headers["Authorization"] == f"Bearer {CANARY}"


@NEEDS_GE
def test_ge0_the_add_alternative_sends_to_both(tmp_path: Path) -> None:
    """What --add's refusal says to do: the action without openlineage_host and openlineage_apiKey, and a
    composite transport in openlineage.yml where GE runs."""
    root = _ge_project(tmp_path)
    with receiver() as first, receiver() as second:
        _setup(root, first.url, "--api-key", CANARY)
        checkpoint = root / "great_expectations" / "checkpoints" / "users_v3.yml"
        checkpoint.write_text(re.sub(r"(?m)^ *openlineage_(host|apiKey):.*\n", "", checkpoint.read_text()))
        (root / "openlineage.yml").write_text(COMPOSITE.format(first=first.url, second=second.url, key=CANARY))
        ge0._ge(ge0.RUN, root, "users_v3")
    assert len(first.requests) == 1 and len(second.requests) == 1
    assert "Authorization" not in first.requests[0].headers
    assert second.requests[0].headers["Authorization"] == f"Bearer {CANARY}"
    assert first.events()[0]["job"]["namespace"] == "n"


@NEEDS_GE
def test_ge0_after_remove_runs_and_sends_nothing(tmp_path: Path) -> None:
    root = ge0._project(tmp_path / "p")
    with receiver() as got:
        _setup(root, got.url, "--api-key", CANARY)
        removed = cli(["remove", "great-expectations", "--dir", str(root), "--yes"])
        assert removed.exit_code == 0, removed.output
        results = ge0._ge(ge0.RUN, root, "users_v3", "users_legacy")
    assert results == {"users_v3": True, "users_legacy": True}
    assert got.requests == []


# --- GX 1.x -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not gx1._gx_version():
        pytest.skip("no GX 1.x interpreter")
    return gx1._project(tmp_path_factory.mktemp("gx1") / "p")


@pytest.fixture
def project(made: Path, tmp_path: Path) -> Path:
    """A fresh copy of the GX project for each test (its data source's folder stays the original's)."""
    return Path(shutil.copytree(made, tmp_path / "p"))


def _run_gx(root: Path) -> dict[str, Any]:
    ran: dict[str, Any] = json.loads(gx1._gx(gx1.RUN, str(root), "clean"))
    return ran


@NEEDS_GX
def test_gx1_gzip_for_datadog(project: Path) -> None:
    with receiver() as got:
        _setup(project, got.url, "--backend", "datadog", "--api-key", CANARY)
        assert _run_gx(project)["clean"]["success"] is True
    assert [r.headers.get("Content-Encoding") for r in got.requests] == ["gzip", "gzip"]
    assert all(r.raw[:2] == b"\x1f\x8b" for r in got.requests)  # compressed on the wire, not only labelled
    assert [r.body["eventType"] for r in got.requests] == ["START", "COMPLETE"]
    assert got.requests[0].body["job"]["facets"]["jobType"]["jobType"] == "VALIDATION"  # Datadog needs it


@NEEDS_GX
def test_gx1_openmetadata_endpoint_and_no_key(project: Path) -> None:
    with receiver() as got:
        _setup(project, got.url, "--backend", "openmetadata", "--api-key", CANARY)
        _run_gx(project)
    assert {r.path for r in got.requests} == {"/api/v1/openlineage/lineage"}
    with receiver() as keyless:
        _setup(project, keyless.url, "--backend", "marquez", "--replace")
        _run_gx(project)
    assert len(keyless.requests) == 2 and all("Authorization" not in r.headers for r in keyless.requests)


@NEEDS_GX
def test_gx1_the_add_alternative_sends_to_both(project: Path) -> None:
    with receiver() as first, receiver() as second:
        _setup(project, first.url, "--api-key", CANARY)
        path = project / "gx" / "checkpoints" / "clean.json"
        data = json.loads(path.read_text())
        for action in data["actions"]:
            if action["type"] == "openlineage_gx":
                del action["url"], action["api_key"]
        path.write_text(json.dumps(data, indent=2, sort_keys=True))
        (project / "openlineage.yml").write_text(COMPOSITE.format(first=first.url, second=second.url, key=CANARY))
        assert _run_gx(project)["clean"]["success"] is True
    _both(first, second)


def _both(first: Receiver, second: Receiver) -> None:
    assert [e["eventType"] for e in first.events()] == ["START", "COMPLETE"]
    assert [e["eventType"] for e in second.events()] == ["START", "COMPLETE"]
    assert all("Authorization" not in r.headers for r in first.requests)
    assert {r.headers["Authorization"] for r in second.requests} == {f"Bearer {CANARY}"}


@NEEDS_GX
def test_gx1_after_remove_runs_and_sends_nothing(project: Path) -> None:
    with receiver() as got:
        _setup(project, got.url, "--api-key", CANARY)
        removed = cli(["remove", "great-expectations", "--dir", str(project), "--yes"])
        assert removed.exit_code == 0, removed.output
        assert _run_gx(project)["clean"]["success"] is True
    assert got.requests == []
    assert not (project / "gx" / "plugins" / "openlineage_gx.py").exists()
