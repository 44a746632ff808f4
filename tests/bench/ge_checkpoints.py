"""`lineage-setup great-expectations` on a project with many checkpoint files: full patch, then a no-op re-run.

    python tests/bench/ge_checkpoints.py [--checkpoints 2000] [--runs 3]

Generates a GE 0.15-style project (a commented great_expectations.yml, N checkpoint YAML files:
two thirds V3 Checkpoints with their own action_list, one third LegacyCheckpoints), then times,
each in its own process as a user runs it: the first `--yes` run that patches every file, and a
second run that finds nothing to change. Prints the median of each next to its target and the
bare start-up of `lineage-setup --version`, and the ratio of each to that start-up. Not a test:
timings depend on the machine (pytest does not collect this folder's files: they are not test_*.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
KEY = "olk_bench_0123456789"
CONN = ["--url", "https://lineage.example.com", "--namespace", "bench", "--api-key", KEY]
TARGETS = {"patch": 5.0, "no-op re-run": 1.0}  # seconds, from the issue

CONFIG = """\
# Welcome to Great Expectations! (a generated config, trimmed)
config_version: 3

datasources:
  warehouse:
    class_name: Datasource
    execution_engine:
      class_name: SqlAlchemyExecutionEngine
      connection_string: ${WAREHOUSE_URL}

config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/

stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: expectations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/

expectations_store_name: expectations_store
checkpoint_store_name: checkpoint_store

anonymous_usage_statistics:
  enabled: False
"""

V3 = """\
name: check_{n}
config_version: 1.0
class_name: Checkpoint
run_name_template: "%Y%m%d-%H%M%S-check_{n}"
validations:
  - batch_request:
      datasource_name: warehouse
      data_connector_name: default_inferred_data_connector_name
      data_asset_name: public.table_{n}
    expectation_suite_name: table_{n}.warning
action_list:
  # keep the results
  - name: store_validation_result
    action:
      class_name: StoreValidationResultAction
  - name: update_data_docs
    action:
      class_name: UpdateDataDocsAction
"""

LEGACY = """\
name: legacy_{n}
config_version:
module_name: great_expectations.checkpoint
class_name: LegacyCheckpoint
validation_operator_name:
batches:
  - batch_kwargs:
      datasource: warehouse
      table: table_{n}
      data_asset_name: table_{n}
    expectation_suite_names:
      - table_{n}.warning
"""


def make_project(root: Path, count: int) -> None:
    ge = root / "great_expectations"
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "uncommitted").mkdir()
    (ge / "great_expectations.yml").write_text(CONFIG)
    (ge / ".gitignore").write_text("uncommitted/\n")
    (ge / "uncommitted" / "config_variables.yml").write_text("instance_id: 0c2a\n")
    for n in range(count):
        template = LEGACY if n % 3 == 2 else V3
        (ge / "checkpoints" / f"check_{n:05d}.yml").write_text(template.format(n=n))


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def _patched(text: str) -> bool:
    return "name: openlineage" in text or "validation_operator_name: action_list_operator" in text


def measure(count: int, runs: int) -> dict[str, float]:
    cli = str(BIN / "lineage-setup")
    patch, noop, startup = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            project = Path(tmp) / f"p{run}"
            make_project(project, count)
            command = [cli, "great-expectations", "--dir", str(project), *CONN, "--yes"]
            patch.append(timed(command, project))
            noop.append(timed(command, project))
            startup.append(timed([cli, "--version"], project))
            changed = sum(_patched(path.read_text()) for path in (project / "great_expectations/checkpoints").iterdir())
            if changed < count:
                raise SystemExit(f"only {changed} of {count} checkpoints were patched")
            shutil.rmtree(project)
    return {
        "patch": statistics.median(patch),
        "no-op re-run": statistics.median(noop),
        "start-up": statistics.median(startup),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoints", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.checkpoints, args.runs)
    base = figures["start-up"]
    print(f"{args.checkpoints} checkpoint files, median of {args.runs} runs each")
    print(f"{'run':<14}{'seconds':>9}{'target':>9}{'x start-up':>12}  verdict")
    failed = False
    for name, seconds in figures.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("ok" if seconds <= target else "OVER TARGET")
        failed = failed or verdict == "OVER TARGET"
        shown = f"{target:.1f}" if target is not None else "-"
        print(f"{name:<14}{seconds:>9.2f}{shown:>9}{seconds / base:>12.1f}  {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
