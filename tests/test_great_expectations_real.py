"""Real Great Expectations 0.15.34 reads what `lineage-setup great-expectations` wrote, and sends events.

GE 0.15 and openlineage-integration-common<=1.39.0 cannot live in this test environment (GE pins
ruamel.yaml<0.17.18; we pin 0.19.1), so these tests run them in a separate interpreter: the one
LINEAGE_SETUP_GE_PYTHON names, else .venv-ge/bin/python in the repository, which the README's test
command creates:

    python3 -m venv .venv-ge && .venv-ge/bin/pip install -r tests/ge-requirements.txt

Without either they are skipped with this reason, except in CI (CI set), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .helpers import CANARY, cli, tree
from .receiver import receiver

REPO = Path(__file__).resolve().parents[1]
# read at import: conftest clears LINEAGE_SETUP_*
GE_PYTHON = os.environ.get("LINEAGE_SETUP_GE_PYTHON", "") or (
    str(REPO / ".venv-ge" / "bin" / "python") if (REPO / ".venv-ge" / "bin" / "python").exists() else ""
)
GOLDEN = Path(__file__).parent / "golden" / "great_expectations"
PROBE = "import great_expectations as ge, openlineage.common.provider.great_expectations as a; print(ge.__version__)"


@cache
def _ge_version() -> str:
    if not GE_PYTHON:
        return ""
    done = subprocess.run([GE_PYTHON, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


pytestmark = pytest.mark.skipif(
    not _ge_version().startswith("0.15.") and not os.environ.get("CI"),
    reason="needs .venv-ge (or LINEAGE_SETUP_GE_PYTHON): a Python with great_expectations==0.15.34 and "
    "openlineage-integration-common[great-expectations]==1.39.0 (see this file's docstring)",
)


def test_ge_interpreter_is_there() -> None:
    """In CI the real-GE tests must run, not skip: the README's test command builds .venv-ge."""
    assert _ge_version().startswith("0.15."), f"no GE 0.15 at {GE_PYTHON or REPO / '.venv-ge'}"


RUN = """
import json, sys, logging
import great_expectations as ge
logging.disable(logging.WARNING)
ctx = ge.data_context.DataContext(sys.argv[1])
results = {name: bool(ctx.get_checkpoint(name).run().success) for name in sys.argv[2:]}
print(json.dumps(results))
"""

INSPECT = """
import json, sys, logging
import great_expectations as ge
logging.disable(logging.WARNING)
ctx = ge.data_context.DataContext(sys.argv[1])
out = {"operators": {}, "checkpoints": {}}
for name, operator in ctx.validation_operators.items():
    action = operator.actions.get("openlineage")
    if action is not None:
        transport = action.openlineage_client.transport
        out["operators"][name] = {"class": type(action).__name__, "namespace": action.namespace,
                                  "url": transport.url, "key": transport.config.auth.api_key}
try:
    names = ctx.list_checkpoints()
except Exception:  # a config_version 2 project without a checkpoints folder
    names = []
for name in names:
    try:
        cp = ctx.get_checkpoint(name)
    except Exception as exc:
        out["checkpoints"][name] = {"error": type(exc).__name__}
        continue
    if type(cp).__name__ == "LegacyCheckpoint":
        out["checkpoints"][name] = {"kind": "legacy", "operator": cp.config.validation_operator_name}
        continue
    config = cp.get_substituted_config()
    listed = config.get("action_list") if isinstance(config, dict) else config.action_list
    entries = [dict(item["action"]) for item in listed or [] if item["name"] == "openlineage"]
    out["checkpoints"][name] = {"kind": type(cp).__name__, "entries": entries}
print(json.dumps(out))
"""

SUITE = {
    "expectation_suite_name": "users",
    "expectations": [
        {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}, "meta": {}}
    ],
    "meta": {"great_expectations_version": "0.15.34"},
}
CONFIG = """\
# A small GE 0.15 project, commented the way a data team keeps it.
config_version: 3.0

datasources:
  files:   # V3 API: checkpoints with batch requests
    class_name: Datasource
    execution_engine:
      class_name: PandasExecutionEngine
    data_connectors:
      default:
        class_name: InferredAssetFilesystemDataConnector
        base_directory: ${DATA_DIR}
        default_regex:
          pattern: (.*)\\.csv
          group_names:
            - data_asset_name
  legacy:   # V2 API: the LegacyCheckpoint below
    class_name: PandasDatasource
    module_name: great_expectations.datasource
    data_asset_type:
      class_name: PandasDataset
      module_name: great_expectations.dataset

config_variables_file_path: uncommitted/config_variables.yml

stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: expectations/
  validations_store:
    class_name: ValidationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/validations/
  evaluation_parameter_store:
    class_name: EvaluationParameterStore
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/

expectations_store_name: expectations_store
validations_store_name: validations_store
evaluation_parameter_store_name: evaluation_parameter_store
checkpoint_store_name: checkpoint_store

anonymous_usage_statistics:
  enabled: false
"""
V3 = """\
name: users_v3
config_version: 1.0
class_name: Checkpoint
run_name_template: "%Y%m%d-%H%M%S"
validations:
  - batch_request:
      datasource_name: files
      data_connector_name: default
      data_asset_name: users
    expectation_suite_name: users
action_list:
  # keep the results
  - name: store_validation_result
    action:
      class_name: StoreValidationResultAction
"""
LEGACY = """\
name: users_legacy
module_name: great_expectations.checkpoint
class_name: LegacyCheckpoint
batches:
  - batch_kwargs:
      datasource: legacy
      path: {csv}
      data_asset_name: users
    expectation_suite_names: [users]
"""


def _project(root: Path) -> Path:
    ge = root / "great_expectations"
    for folder in ("checkpoints", "expectations", "uncommitted"):
        (ge / folder).mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "users.csv").write_text("id,name\n1,a\n2,b\n")
    (ge / "great_expectations.yml").write_text(CONFIG)
    (ge / ".gitignore").write_text("uncommitted/\n")
    (ge / "uncommitted" / "config_variables.yml").write_text(f"DATA_DIR: {root / 'data'}\n")
    (ge / "expectations" / "users.json").write_text(json.dumps(SUITE))
    (ge / "checkpoints" / "users_v3.yml").write_text(V3)
    (ge / "checkpoints" / "users_legacy.yml").write_text(LEGACY.format(csv=root / "data" / "users.csv"))
    return root


def _ge(script: str, root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(root), **(env or {})}  # no OPENLINEAGE_* from us
    done = subprocess.run(
        [GE_PYTHON, "-c", script, str(root / "great_expectations"), *args],
        capture_output=True, text=True, timeout=300, env=clean, cwd=root, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_checkpoints_send_one_event_each_with_the_key_from_config_variables(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    with receiver() as rx:
        args = ["--url", rx.url, "--namespace", "ge-test", "--api-key", CANARY, "--job-name", "users_quality"]
        first = cli(["gx", "--dir", str(root), *args, "--yes"])
        assert first.exit_code == 0, first.output
        settled = tree(root)
        assert "Nothing to change" in cli(["gx", "--dir", str(root), *args, "--yes"]).stdout
        assert tree(root) == settled
        results = _ge(RUN, root, "users_v3", "users_legacy")
        assert results == {"users_v3": True, "users_legacy": True}
    assert len(rx.requests) == 2  # one per checkpoint: the action appears once
    for request in rx.requests:
        assert request.path == "/api/v1/lineage"
        assert request.headers["Authorization"] == f"Bearer {CANARY}"
        event = request.body
        assert event["eventType"] == "COMPLETE"
        assert event["job"] == {**event["job"], "namespace": "ge-test", "name": "users_quality"}
        assert "great_expectations_meta" in event["run"]["facets"]  # sent by OpenLineage's GE action
    texts = [p.read_text() for p in root.rglob("*.yml")]
    assert [CANARY in text for text in texts].count(True) == 1  # only config_variables.yml


def test_endpoint_under_a_prefix_reaches_it(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    (root / "great_expectations" / "checkpoints" / "users_legacy.yml").unlink()
    with receiver() as rx:
        url = rx.url + "/proxy/api/v1/lineage"
        result = cli(["gx", "--dir", str(root), "--url", url, "--namespace", "n", "--api-key", CANARY, "--yes"])
        assert result.exit_code == 0, result.output
        _ge(RUN, root, "users_v3")
    assert [request.path for request in rx.requests] == ["/proxy/api/v1/lineage"]


PLACEHOLDERS = {
    "PGHOST": "h",
    "PGPORT": "5432",
    "PGUSER": "u",
    "PGPASSWORD": "p",
    "PLUGINS": "plugins/",
    "SLACK_WEBHOOK": "https://hooks.slack.com/services/T/B/X",
    "OPENLINEAGE_URL": "https://lineage.example.com",
    "GE_NAMESPACE": "dev",
}


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if (p / "after").is_dir()))
def test_ge_loads_every_golden_result_and_sees_the_action(case: str, tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(GOLDEN / case / "after", root)
    if not (root / "great_expectations").is_dir():  # --dir was the GE folder itself
        root = tmp_path / "wrapped"
        shutil.copytree(GOLDEN / case / "after", root / "great_expectations")
    seen = _ge(INSPECT, root, env=PLACEHOLDERS)
    for name, operator in seen["operators"].items():
        assert operator == {**operator, "class": "OpenLineageValidationAction", "key": CANARY}, name
        assert operator["namespace"] == "dev" and operator["url"] == "https://lineage.example.com", name
    for name, found in seen["checkpoints"].items():
        if "error" in found:
            assert name == "custom", found  # its module does not exist: left alone on purpose
        elif found["kind"] == "legacy":
            assert found["operator"] in seen["operators"], name
        elif found["kind"] == "SimpleCheckpoint":
            assert found["entries"] == [], name  # GE 0.14+ ignores a SimpleCheckpoint's action_list (we warn)
        else:
            [entry] = found["entries"]  # exactly once, also after a template's actions are merged in
            assert entry["class_name"] == "OpenLineageValidationAction", name
            assert entry["openlineage_apiKey"] in (CANARY, "${OPENLINEAGE_API_KEY}"), name
    assert seen["operators"] or seen["checkpoints"]
