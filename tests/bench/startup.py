"""Start-up time and memory of the CLI, as ratios to two references measured in the same run.

    python tests/bench/startup.py [--pairs 9]

References: `python -c 'import typer'` (what any Typer CLI pays before its own code runs) and a bare
Typer app with one option. Each command is timed in alternating pairs with each reference
(R C R C ...), the ratio taken per pair and the median of those ratios reported: on a loaded machine
timings of one command after another swing by about 40% between runs, a ratio within a pair much less.
Not a test: the figures depend on the machine.

Measured as installed code runs: with byte-code caches (pip compiles them when it installs a wheel),
so PYTHONDONTWRITEBYTECODE is dropped for the measured processes and each command runs once first.
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
# (command, reference) -> the ratio it must stay under; RSS (to the bare Typer app) for all: RSS_TARGET
TARGETS = {
    ("--version", "import typer"): 1.5,
    ("spark --print", "import typer"): 2.0,
    ("--version", "bare Typer app"): 1.75,
    ("dbt --print", "bare Typer app"): 2.25,
    ("dbt --dry-run", "bare Typer app"): 2.75,
}
RSS_TARGET = 1.5


def _env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONDONTWRITEBYTECODE", "CI")}


def _once(args: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one run, in its own process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} exited {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024


def _pairs(command: list[str], reference: list[str], cwd: Path, pairs: int) -> tuple[float, float, float]:
    """Median time ratio command/reference over alternating pairs, and the command's median s and MiB."""
    ratios, times, peaks = [], [], []
    for _ in range(pairs):
        ref_s, _ = _once(reference, cwd)
        cmd_s, cmd_mib = _once(command, cwd)
        ratios.append(cmd_s / ref_s)
        times.append(cmd_s)
        peaks.append(cmd_mib)
    return statistics.median(ratios), statistics.median(times), statistics.median(peaks)


def commands(work: Path) -> dict[str, list[str]]:
    cli = str(BIN / "lineage-setup")
    return {
        "--version": [cli, "--version"],
        "spark --print": [cli, "spark", "--print", "--format", "conf", *CONN],
        "dbt --print": [cli, "dbt", "--print", "--format", "shell", *CONN],
        "dbt --dry-run": [cli, "dbt", "--dry-run", "--dir", str(work), *CONN],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=9)
    pairs = parser.parse_args().pairs
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "dbt_project.yml").write_text("name: bench\nprofile: bench\n")
        (work / "bare.py").write_text(BARE_TYPER)
        references = {
            "import typer": [sys.executable, "-c", "import typer"],
            "bare Typer app": [sys.executable, str(work / "bare.py"), "--name", "y"],
        }
        runs = commands(work)
        for args in [*references.values(), *runs.values()]:
            _once(args, work)  # warm-up: writes .pyc files
        _, _, bare_mib = _pairs(references["bare Typer app"], references["import typer"], work, 3)
        print(f"{'command':<15} {'reference':<15} {'ratio':>6} {'median s':>9} {'RSS x':>6}  target")
        for name, args in runs.items():
            for ref_name, ref_args in references.items():
                ratio, seconds, mib = _pairs(args, ref_args, work, pairs)
                target = TARGETS.get((name, ref_name))
                rss_x = mib / bare_mib
                verdict = ""
                if target is not None:
                    ok = ratio <= target and rss_x <= RSS_TARGET
                    failed |= not ok
                    verdict = f"time <= {target}, RSS <= {RSS_TARGET}: {'ok' if ok else 'MISSED'}"
                print(f"{name:<15} {ref_name:<15} {ratio:>6.2f} {seconds:>9.3f} {rss_x:>6.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
