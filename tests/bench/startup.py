"""Start-up time and memory of the CLI, measured side by side with a bare Typer app in one run.

    python tests/bench/startup.py [--runs 15]

Prints the median wall time and peak RSS of each command and its ratio to a bare Typer app
(the floor for any Typer CLI on this machine), then whether each target holds. Not a test:
timings depend on the machine; ratios measured in one run do much less.

Measured as installed code runs: with byte-code caches (pip compiles them when it installs a
wheel), so PYTHONDONTWRITEBYTECODE is dropped for the measured processes and each command runs
once unmeasured first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
KEY = "olk_bench_0123456789"
CONN = ["--url", "https://h.example", "--namespace", "dev", "--api-key", KEY]
BARE_TYPER = """
import typer
app = typer.Typer()
@app.command()
def main(name: str = typer.Option("x", "--name")) -> None:
    print(name)
app()
"""
# time ratio to the bare Typer app that each command must stay under; memory: RSS_TARGET for all
TARGETS = {"--version": 1.75, "dbt --print": 2.25, "dbt --dry-run": 2.75}
RSS_TARGET = 1.5


def _measure(args: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median seconds and peak RSS (MiB) of a command, each run its own process."""
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONDONTWRITEBYTECODE", "CI")}
    subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False)  # warm-up: writes .pyc files
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
        times.append(time.perf_counter() - start)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args)} exited {child.returncode}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), statistics.median(peaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "dbt_project.yml").write_text("name: bench\nprofile: bench\n")
        (work / "bare.py").write_text(BARE_TYPER)
        cli = str(BIN / "lineage-setup")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "bare Typer app": [sys.executable, str(work / "bare.py"), "--name", "y"],
            "--version": [cli, "--version"],
            "dbt --print": [cli, "dbt", "--print", "--format", "shell", *CONN],
            "dbt --dry-run": [cli, "dbt", "--dry-run", "--dir", str(work), *CONN],
        }
        results = {name: _measure(args, work, runs) for name, args in commands.items()}
    floor_s, floor_mib = results["bare Typer app"]
    print(f"{'command':<16} {'median s':>9} {'time x':>7} {'RSS MiB':>8} {'RSS x':>6}  targets (x bare Typer)")
    failed = False
    for name, (seconds, mib) in results.items():
        time_x, rss_x = seconds / floor_s, mib / floor_mib
        verdict = ""
        if name in TARGETS:
            ok = time_x <= TARGETS[name] and rss_x <= RSS_TARGET
            failed |= not ok
            verdict = f"time <= {TARGETS[name]}, RSS <= {RSS_TARGET}: {'ok' if ok else 'MISSED'}"
        print(f"{name:<16} {seconds:>9.3f} {time_x:>7.2f} {mib:>8.1f} {rss_x:>6.2f}  {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
