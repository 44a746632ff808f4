"""`lineage-setup great-expectations` on a project with many checkpoint files, as ratios to `--version`.

    python tests/bench/ge_checkpoints.py [--checkpoints 2000] [--pairs 5] [--profile]

Generates a GE 0.15-style project (a commented great_expectations.yml, N checkpoint YAML files: two thirds
V3 Checkpoints with their own action_list, one third LegacyCheckpoints). Each round copies it afresh
(untimed), then times, each in its own process as a user runs it, in alternating pairs: `lineage-setup
--version`, the first `--yes` run that patches every file; `--version` again, a second run that finds
nothing to change. Each pair gives a ratio (run / its --version); the median of those ratios is reported
against its target (issue 11, item 16: patch within 15x, no-op re-run within 3x), with the median
seconds. Beside them, the disk floor: a fresh copy of the same files replaced by the writer's steps alone
(temp-file writes, a sync, renames, a sync), and the patch less that floor, so a ratio over target can be
told apart from a disk where creating and replacing files is slow. Every timed run starts on a settled
disk (see `settle`), each round's projects in a quiet part of it (see `spread`), and the rounds start once
creating a file is quick again (see `quiet`: its line says what it saw). TMPDIR chooses where the projects
are made (/dev/shm: no disk at all). The timed processes run with byte-code caches, as installed code
does: PYTHONDONTWRITEBYTECODE is dropped from their environment, and each command runs once first to
write them.

--profile also runs both in this process under cProfile and prints where the time goes, step by step
(the GE integration, the YAML engine and its ruamel.yaml cross-check, the Workspace, the ui, the writer).
Not a test: the figures depend on the machine (pytest does not collect this folder: no test_*.py here).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
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
TARGETS = {"patch": 15.0, "no-op re-run": 3.0}  # x `lineage-setup --version`, from the issue

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
template_name:
module_name: great_expectations.checkpoint
class_name: Checkpoint
run_name_template: '%Y%m%d-%H%M%S-check_{n}'
expectation_suite_name:
batch_request: {{}}
action_list:
  # keep the results
  - name: store_validation_result
    action:
      class_name: StoreValidationResultAction
  - name: update_data_docs
    action:
      class_name: UpdateDataDocsAction
evaluation_parameters: {{}}
runtime_configuration: {{}}
validations:
  - batch_request:
      datasource_name: warehouse
      data_connector_name: default_inferred_data_connector_name
      data_asset_name: public.table_{n}
    expectation_suite_name: table_{n}.warning
profilers: []
ge_cloud_id:
expectation_suite_ge_cloud_id:
"""  # as great_expectations 0.15.34 writes one (DataContext.add_checkpoint), plus a comment

VARIABLES = """
# This config file supports variable substitution which enables: 1) keeping
# secrets out of source control & 2) environment-based configuration changes
# such as staging vs prod.
instance_id: 0c2a9f4e-5b1d-4e8a-9c3f-7d2e1a0b6c5d
"""  # as GE 0.15 writes it, trimmed (great_expectations/data_context/templates.py, tag 0.15.34: a uuid4)

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
STEPS = (  # (what, file, function): where a run's time goes, cumulative (a step includes what it calls)
    ("plan the checkpoints (GE integration)", "great_expectations/checkpoints.py", "plan_checkpoints"),
    ("  read each file (Workspace.read)", "lineage_setup/workspace.py", "read"),
    ("  first look at each file (settled)", "great_expectations/settled.py", "read"),
    ("  PyYAML reads (yaml_read.load)", "edits/yaml_read.py", "load"),
    ("  splice and prove (yaml_write.apply)", "edits/yaml_write.py", "apply"),
    ("    proof (yaml_proof.verify)", "edits/yaml_proof.py", "verify"),
    ("      ruamel.yaml cross-check", "edits/yaml_proof.py", "_same_for_ruamel"),
    ("      comments and $ kept", "edits/yaml_proof.py", "_kept"),
    ("    node marks (yaml_nodes.Doc)", "edits/yaml_nodes.py", "__init__"),
    ("list the checkpoint files", "great_expectations/project.py", "checkpoint_files"),
    ("compare with the disk (Workspace.plan)", "lineage_setup/workspace.py", "plan"),
    ("show the changes (ui.show_changes)", "lineage_setup/ui.py", "show_changes"),
    ("  secret values of shown files", "lineage_setup/ui.py", "_secrets_of"),
    ("write (writer.apply)", "lineage_setup/writer.py", "apply"),
    ("  fsync, one per file", "~", "<built-in method posix.fsync>"),
    ("import lineage_setup.integrations.great_expectations", "great_expectations/__init__.py", "<module>"),
)


def make_project(root: Path, count: int) -> None:
    ge = root / "great_expectations"
    (ge / "checkpoints").mkdir(parents=True)
    (ge / "uncommitted").mkdir()
    (ge / "great_expectations.yml").write_text(CONFIG)
    (ge / ".gitignore").write_text("uncommitted/\n")
    (ge / "uncommitted" / "config_variables.yml").write_text(VARIABLES)
    for n in range(count):
        template = LEGACY if n % 3 == 2 else V3
        (ge / "checkpoints" / f"check_{n:05d}.yml").write_text(template.format(n=n))


def _env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONDONTWRITEBYTECODE", "CI")}


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def _patched(text: str) -> bool:
    return "name: openlineage" in text or "validation_operator_name: action_list_operator" in text


def disk_floor(project: Path) -> float:
    """What the disk alone costs the patch: the writer's own steps for many files without any of its checks
    (each checkpoint written to a temporary file beside it, one sync, each renamed over its file, one sync).
    A reference, not a target: on a disk mounted with `discard` a rename over a file already on disk frees
    its blocks at once and costs more than the Python work around it."""
    start = time.perf_counter()
    renames = []
    for path in sorted((project / "great_expectations" / "checkpoints").iterdir()):
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(path.read_bytes() + b"# x\n")
        renames.append((temp, path))
    os.sync()
    for temp, path in renames:
        os.replace(temp, path)
    os.sync()
    return time.perf_counter() - start


def settle() -> None:
    """Before a timed run: what the benchmark itself wrote is on disk (a user's project has been at rest for
    a while), so no run pays for the copy before it. Two syncs: the first can leave work (freed blocks to
    discard) that the second waits for."""
    os.sync()
    os.sync()


FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_TOPDIR_FL = 0x80086601, 0x40086602, 0x00020000  # linux/fs.h


def spread(folder: Path) -> None:
    """Folders made in `folder` are each placed in a quiet part of the disk (ext4's "top directory" flag,
    as `chattr +T` sets: the Orlov allocator spreads them as it spreads top-level folders).

    Why: on ext4 without a journal (this machine's disk), a new file's inode is found by stepping past
    every inode of its block group freed in the last 60-300 s (fs/ext4/ialloc.c in torvalds/linux:
    find_inode_bit skips what recently_deleted reports while s_journal is NULL; this machine runs 6.18). Creating 2,000
    files beside 2,000 just deleted took 1.2-1.7 s of kernel time here, and 0.03 s in a quiet group. The
    benchmark's own copies, patches and clean-ups of earlier rounds deleted thousands of files in the
    same group, so every later round paid for them: a cost no user's project at rest has. Elsewhere (a
    journal, tmpfs, another file system) the flag is refused or changes nothing, and that is fine."""
    with contextlib.suppress(OSError, ImportError):
        import array
        import fcntl

        fd = os.open(folder, os.O_RDONLY)
        try:
            flags = array.array("i", [0])
            fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags, True)
            flags[0] |= FS_TOPDIR_FL
            fcntl.ioctl(fd, FS_IOC_SETFLAGS, flags)
        finally:
            os.close(fd)


def fresh(tmp: Path, name: str) -> Path:
    """A new folder for one round: a random name, as Orlov picks a top folder's group by its name's hash
    (the same name in a run minutes later would land where that run deleted its files)."""
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp)) / "project"


PROBE_FILES = 500
QUIET_US = 60  # creating a file takes 10-30 us here on a quiet disk, 600-800 us among recent deletions
QUIET_WAIT = 15, 8  # seconds between probes, probes at most (past ext4's 60 s once its buffers are written)


def quiet(tmp: Path) -> str:
    """Wait (up to two minutes) until creating files in a fresh folder is quick: files deleted minutes ago by
    anything (another benchmark: detect.py deletes 70,000) slow every file creation near them (see
    `spread`), and would be timed as this program's work. Returns what the probes saw, to print."""
    seen = []
    for attempt in range(QUIET_WAIT[1]):
        folder = fresh(tmp, "probe")  # kept to the end: a probe deletes nothing
        folder.mkdir()
        settle()
        start = time.perf_counter()
        for n in range(PROBE_FILES):
            os.close(os.open(folder / f"f{n}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        each = (time.perf_counter() - start) / PROBE_FILES * 1e6
        seen.append(f"{each:.0f}")
        if each <= QUIET_US:
            break
        if attempt < QUIET_WAIT[1] - 1:
            time.sleep(QUIET_WAIT[0])
    verdict = "quiet" if float(seen[-1]) <= QUIET_US else "NOT QUIET: the figures include the disk's slowness"
    return f"creating a file: {' -> '.join(seen)} us ({verdict})"


def measure(count: int, pairs: int) -> dict[str, tuple[float, float, float]]:
    """Per run kind: (median ratio to --version, median seconds, median --version seconds)."""
    cli = str(BIN / "lineage-setup")
    version = [cli, "--version"]
    kinds = ("patch", "no-op re-run", "disk floor", "patch - floor")
    ratios: dict[str, list[float]] = {kind: [] for kind in kinds}
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    references: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        spread(Path(tmp))
        print(quiet(Path(tmp)), flush=True)
        original = fresh(Path(tmp), "original")
        make_project(original, count)
        warm = fresh(Path(tmp), "warm")
        shutil.copytree(original, warm)
        timed(version, warm)  # warm-up: the byte-code caches are written
        timed([cli, "great-expectations", "--dir", str(warm), *CONN, "--yes"], warm)
        for run in range(pairs):
            project, floor = fresh(Path(tmp), f"p{run}"), fresh(Path(tmp), f"floor{run}")
            shutil.copytree(original, project)  # untimed
            shutil.copytree(original, floor)
            command = [cli, "great-expectations", "--dir", str(project), *CONN, "--yes"]
            for kind in ("patch", "no-op re-run"):
                settle()
                reference = timed(version, project)
                took = timed(command, project)
                ratios[kind].append(took / reference)
                seconds[kind].append(took)
                references.append(reference)
            changed = sum(_patched(path.read_text()) for path in (project / "great_expectations/checkpoints").iterdir())
            if changed < count:
                raise SystemExit(f"only {changed} of {count} checkpoints were patched")
            settle()
            reference = timed(version, floor)
            took = disk_floor(floor)  # a fresh copy, as the patch had
            ratios["disk floor"].append(took / reference)
            seconds["disk floor"].append(took)
            beyond = seconds["patch"][-1] - took  # the patch's own work: what is left once the disk's is taken out
            ratios["patch - floor"].append(beyond / references[-2])
            seconds["patch - floor"].append(beyond)
            # nothing is deleted before the end: each round's files stay, so no later round creates its
            # files among inodes freed a moment ago (see `spread`)
    base = statistics.median(references)
    return {kind: (statistics.median(ratios[kind]), statistics.median(seconds[kind]), base) for kind in ratios}


def profile(count: int) -> None:
    """Both runs in this process under cProfile: seconds per part of the program (cumulative, so a part
    that calls another counts it too; `own` is the time spent in the part's own code)."""
    from lineage_setup.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        spread(Path(tmp))
        project = fresh(Path(tmp), "p")
        make_project(project, count)
        for kind in ("patch", "no-op re-run"):
            profiler = cProfile.Profile()
            sys.argv = ["lineage-setup", "great-expectations", "--dir", str(project), *CONN, "--yes"]
            streams = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
            try:
                profiler.runcall(_quietly, main)
            finally:
                sys.stdout.close()
                sys.stdout, sys.stderr = streams
            _report(kind, pstats.Stats(profiler))


def _quietly(main: object) -> None:
    with contextlib.suppress(SystemExit):
        main()  # type: ignore[operator]


def _report(kind: str, stats: pstats.Stats) -> None:
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(cumtime for (_, _, _, cumtime, _) in entries.values())
    print(f"\nprofile of the {kind}: {total:.2f} s under cProfile (which slows Python code more than C)")
    for what, filename, function in STEPS:
        spent = sum(
            cumtime
            for (file, _, name), (_, _, _, cumtime, _) in entries.items()
            if name == function and (file.endswith(filename) if filename != "~" else file == "~")
        )
        if spent:
            print(f"  {what:<54}{spent:>7.2f} s {100 * spent / total:>5.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoints", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="also profile both runs in-process")
    args = parser.parse_args()
    figures = measure(args.checkpoints, args.pairs)
    print(f"{args.checkpoints} checkpoint files; {args.pairs} alternating pairs each (run, then --version)")
    print(f"{'run':<14}{'ratio':>8}{'target':>8}{'seconds':>9}{'--version':>11}  verdict")
    failed = False
    for name, (ratio, seconds, base) in figures.items():
        if name not in TARGETS:  # a reference: what the disk alone costs, and the patch without it
            what = "renames alone" if name == "disk floor" else "the patch beyond the disk's part"
            print(f"{name:<14}{ratio:>8.1f}{'-':>8}{seconds:>9.2f}{base:>11.3f}  (reference: {what})")
            continue
        target = TARGETS[name]
        verdict = "ok" if ratio <= target else "OVER TARGET"
        failed = failed or ratio > target
        print(f"{name:<14}{ratio:>8.1f}{target:>8.1f}{seconds:>9.2f}{base:>11.3f}  {verdict}")
    if args.profile:
        profile(args.checkpoints)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
