"""Real GX 1.x runs a checkpoint that `lineage-setup great-expectations` set up, and the events arrive.

GX 1.x lives in its own interpreter (as GE 0.15 does in .venv-ge): the one LINEAGE_SETUP_GX1_PYTHON
names, else .venv-gx1/bin/python in the repository, which the test command creates:

    python3 -m venv .venv-gx1 && .venv-gx1/bin/pip install -r tests/gx1-requirements.txt

Without either these tests are skipped with this reason, except in CI (CI set), where that is a failure.
Each project is made with GX's own API (a pandas file data source, a suite, a validation definition and
checkpoints), set up by the CLI, then run with GX's own API: a loopback receiver must get START and
COMPLETE/FAIL for each validation, with the key as a bearer token, and each event valid against the
vendored OpenLineage schema (jsonschema, draft 2020-12).
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .helpers import CANARY, cli, tree
from .receiver import receiver

REPO = Path(__file__).resolve().parents[1]
# read at import: conftest clears LINEAGE_SETUP_*
GX1_PYTHON = os.environ.get("LINEAGE_SETUP_GX1_PYTHON", "") or (
    str(REPO / ".venv-gx1" / "bin" / "python") if (REPO / ".venv-gx1" / "bin" / "python").exists() else ""
)
SCHEMA = REPO / "src" / "lineage_setup" / "spec" / "OpenLineage.json"
PROBE = "import great_expectations as gx, openlineage.client; print(gx.__version__)"


@cache
def _gx_version() -> str:
    if not GX1_PYTHON:
        return ""
    done = subprocess.run([GX1_PYTHON, "-c", PROBE], capture_output=True, text=True, timeout=300, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


pytestmark = pytest.mark.skipif(
    not _gx_version().startswith("1.") and not os.environ.get("CI"),
    reason="needs .venv-gx1 (or LINEAGE_SETUP_GX1_PYTHON): a Python with great_expectations 1.x and "
    "openlineage-python (pip install -r tests/gx1-requirements.txt; see this file's docstring)",
)


def test_gx1_interpreter_is_there() -> None:
    """In CI the real-GX tests must run, not skip: the test command builds .venv-gx1."""
    assert _gx_version().startswith("1."), f"no GX 1.x at {GX1_PYTHON or REPO / '.venv-gx1'}"


MAKE = """
import logging, sys
import great_expectations as gx
import great_expectations.expectations as gxe
logging.disable(logging.WARNING)
root = sys.argv[1]
ctx = gx.get_context(mode="file", project_root_dir=root)
asset = ctx.data_sources.add_pandas_filesystem("files", base_directory=root).add_csv_asset("orders")
batch = asset.add_batch_definition_path("orders_csv", path="orders.csv")
def suite(name, *expectations):
    made = ctx.suites.add(gx.ExpectationSuite(name=name))
    for each in expectations:
        made.add_expectation(each)
    return made
mixed = suite("orders_suite", gxe.ExpectColumnValuesToNotBeNull(column="id"),
              gxe.ExpectColumnValuesToNotBeNull(column="name"))
clean = suite("clean_suite", gxe.ExpectColumnValuesToNotBeNull(column="id"),
              gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=10))
for name, which in (("orders_vd", mixed), ("clean_vd", clean)):
    ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=which))
docs = gx.checkpoint.UpdateDataDocsAction(name="docs")
ctx.checkpoints.add(gx.Checkpoint(name="daily", validation_definitions=[ctx.validation_definitions.get("orders_vd")],
                                  actions=[docs]))
ctx.checkpoints.add(gx.Checkpoint(name="clean", validation_definitions=[ctx.validation_definitions.get("clean_vd")]))
"""

RUN = """
import json, logging, os, sys
import great_expectations as gx
logging.disable(logging.WARNING)
os.chdir(sys.argv[1])  # where GX users run from; the data source's folder is absolute anyway
ctx = gx.get_context(mode="file", project_root_dir=sys.argv[1])
out = {}
for name in sys.argv[2:]:
    out[name] = {"success": bool(ctx.checkpoints.get(name).run().success)}
print(json.dumps(out))
"""

RESAVE = """
import logging, sys
import great_expectations as gx
logging.disable(logging.WARNING)
ctx = gx.get_context(mode="file", project_root_dir=sys.argv[1])
for name in sys.argv[2:]:
    ctx.checkpoints.get(name).save()
ctx.data_sources.add_pandas("in_memory")  # GX rewrites great_expectations.yml
"""


def _gx(script: str, *args: str) -> str:
    done = subprocess.run(
        [GX1_PYTHON, "-c", script, *args], capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "OPENLINEAGE_DISABLED": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "orders.csv").write_text("id,name,amount\n1,a,10\n2,b,20\n3,,30\n")
    _gx(MAKE, str(root))
    return root


def _setup(root: Path, url: str, *extra: str):  # type: ignore[no-untyped-def]
    """Set up (the module's project is shared: a test's receiver replaces the one before)."""
    conn = ["--url", url, "--namespace", "gx-team", "--api-key", CANARY]
    return cli(["great-expectations", "--dir", str(root), *conn, *extra, "--replace", "--yes"])


def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _gx_version():
        pytest.skip("no GX 1.x interpreter")
    return _project(tmp_path_factory.mktemp("gx1") / "p")


def test_checkpoint_runs_send_start_and_complete_or_fail(project: Path, tmp_path: Path) -> None:
    with receiver() as got:
        result = _setup(project, got.url)
        assert result.exit_code == 0, result.output
        assert CANARY not in result.output
        ran = json.loads(_gx(RUN, str(project), "daily", "clean"))
    assert ran["daily"]["success"] is False and ran["clean"]["success"] is True
    assert all(request.path == "/api/v1/lineage" for request in got.requests)
    assert {request.headers.get("Authorization") for request in got.requests} == {f"Bearer {CANARY}"}
    events = got.events()
    validator = _validator()
    for event in events:
        problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(event)]
        assert not problems, problems
    by_job: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        assert event["job"]["namespace"] == "gx-team"
        by_job.setdefault(event["job"]["name"], []).append(event)
    assert sorted(by_job) == ["clean.clean_vd", "daily.orders_vd"]
    for name, final in (("daily.orders_vd", "FAIL"), ("clean.clean_vd", "COMPLETE")):
        start, end = by_job[name]
        assert (start["eventType"], end["eventType"]) == ("START", final)
        assert start["run"]["runId"] == end["run"]["runId"]
        dataset = end["inputs"][0]
        assert (dataset["namespace"], dataset["name"]) == ("file", str(project / "orders.csv"))
        assert end["job"]["facets"]["jobType"]["jobType"] == "VALIDATION"
    daily = by_job["daily.orders_vd"][1]["inputs"][0]["inputFacets"]
    assertions = [(a["assertion"], a["success"], a.get("column")) for a in daily["dataQualityAssertions"]["assertions"]]
    assert assertions == [
        ("expect_column_values_to_not_be_null", True, "id"),
        ("expect_column_values_to_not_be_null", False, "name"),
    ]
    metrics = daily["dataQualityMetrics"]
    assert metrics["rowCount"] == 3
    assert {column: m["nullCount"] for column, m in metrics["columnMetrics"].items()} == {"id": 0, "name": 1}
    clean = by_job["clean.clean_vd"][1]["inputs"][0]["inputFacets"]
    assert [a["success"] for a in clean["dataQualityAssertions"]["assertions"]] == [True, True]
    assert clean["dataQualityMetrics"]["rowCount"] == 3


def test_the_key_is_only_in_the_config_variables_file(project: Path) -> None:
    with receiver() as got:
        assert _setup(project, got.url).exit_code == 0
    holders = sorted(
        str(p.relative_to(project)) for p in project.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()
    )
    assert holders == ["gx/uncommitted/config_variables.yml"]
    checkpoint = json.loads((project / "gx" / "checkpoints" / "daily.json").read_text())
    ours = [a for a in checkpoint["actions"] if a["type"] == "openlineage_gx"]
    assert ours and ours[0]["api_key"] == "${OPENLINEAGE_API_KEY}"


def test_gx_saving_the_checkpoint_changes_nothing_and_a_rerun_is_a_no_op(project: Path) -> None:
    with receiver() as got:
        assert _setup(project, got.url).exit_code == 0
        checkpoints = {p.name: p.read_bytes() for p in (project / "gx" / "checkpoints").glob("*.json")}
        _gx(RESAVE, str(project), "daily", "clean")
        assert {p.name: p.read_bytes() for p in (project / "gx" / "checkpoints").glob("*.json")} == checkpoints
        settled = tree(project)
        again = _setup(project, got.url)
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(project) == settled


def test_lineage_never_fails_a_validation(project: Path) -> None:
    """A receiver that is not there: the checkpoint still runs and reports its own result (the client
    retries first, as it is configured to)."""
    assert _setup(project, "http://127.0.0.1:9").exit_code == 0
    ran = json.loads(_gx(RUN, str(project), "clean"))
    assert ran["clean"]["success"] is True
