"""A large .env with a quote that never closes (a typo users make), as a ratio to `lineage-setup --version`.

    python tests/bench/dotenv.py [--pairs 7] [--lines 10000]

Makes a plain Airflow project whose only file is a .env of --lines lines with an unclosed quote on
line 1, then times `lineage-setup airflow --dir PROJECT --airflow-version 2.7 ... --yes` in its own
process against `lineage-setup --version`, in alternating pairs (version, run, version, run ...): the
ratio is taken per pair and the median of those ratios reported, as tests/bench/startup.py does.
The run may patch the file (exit 0) or refuse it naming line 1 (exit 3); it is timed either way, and
the project is made again (untimed) before every run. The same file with the quote closed, which is
patched, is timed too (reported, no target). Not a test: the figures depend on the machine.

Measured as installed code runs: with byte-code caches, so PYTHONDONTWRITEBYTECODE is dropped for the
measured processes and each command runs once first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CONN = ["--url", "https://h.example", "--namespace", "n", "--api-key", "olk_bench_0123456789"]
TARGET = 5.0  # 10,000 lines with an unclosed quote on line 1 may take this many `--version` start-ups


def env_text(lines: int, closed: bool) -> str:
    first = 'NOTE="a note that is closed"' if closed else 'NOTE="a note that is never closed'
    body = [f"# group {i}" if i % 10 == 0 else f"SETTING_{i}=value-{i}" for i in range(1, lines)]
    return "\n".join([first, *body]) + "\n"


def _env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONDONTWRITEBYTECODE", "CI")}


def _once(args: list[str], cwd: Path, allowed: tuple[int, ...] = (0,)) -> tuple[float, int, str]:
    """Seconds, exit code and stderr of one run, in its own process."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    stderr = done.stderr.decode(errors="replace")
    if done.returncode not in allowed:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {stderr[-2000:]}")
    return seconds, done.returncode, stderr


def _project(work: Path, text: str) -> Path:
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    (project / ".env").write_text(text)
    return project


def _ratio(text: str, work: Path, pairs: int) -> tuple[float, float, set[int]]:
    """Median of per-pair ratios run/--version, the median run seconds, and the exit codes seen."""
    version = [str(BIN / "lineage-setup"), "--version"]
    ratios, times, codes = [], [], set()
    for _ in range(pairs):
        reference, _, _ = _once(version, work)
        project = _project(work, text)  # untimed: every run starts from the same project
        run = [str(BIN / "lineage-setup"), "airflow", "--dir", str(project), "--airflow-version", "2.7", *CONN, "--yes"]
        seconds, code, stderr = _once(run, work, allowed=(0, 3))
        if code == 3 and "line 1 " not in stderr:
            raise SystemExit(f"refused without naming line 1: {stderr[-2000:]}")
        ratios.append(seconds / reference)
        times.append(seconds)
        codes.add(code)
    return statistics.median(ratios), statistics.median(times), codes


def _report(name: str, text: str, work: Path, pairs: int, target: float | None) -> bool:
    ratio, seconds, codes = _ratio(text, work, pairs)
    ok = target is None or ratio <= target
    goal = f"target <= {target}: {'ok' if ok else 'MISSED'}" if target is not None else "no target"
    exits = "/".join(str(code) for code in sorted(codes))
    print(f"{name:<34} exit {exits:<4} ratio {ratio:>7.2f}  median {seconds:>7.3f} s  {goal}", flush=True)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _once([str(BIN / "lineage-setup"), "--version"], work)  # warm-up: writes .pyc files
        name = f"{args.lines:,} lines, quote open on line 1"
        ok = _report(name, env_text(args.lines, False), work, args.pairs, TARGET)
        _report(f"{args.lines:,} lines, quote closed", env_text(args.lines, True), work, args.pairs, None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
