"""The wizard's scan on generated repositories: 20,000 files in 3,000 folders under 1 s, growing linearly.

    python tests/bench/detect.py

Generates repositories of 5,000, 10,000 and 20,000 files (the folders in proportion, a few projects among
them), then times `finder.scan` on each, as a plain tree and as a git repository (git ls-files), the
median of 5 runs. Prints the seconds per 1,000 files for each size: linear growth keeps that flat.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lineage_setup import finder

TARGET_SECONDS = 1.0  # for 20,000 files in 3,000 folders
SIZES = ((5_000, 750), (10_000, 1_500), (20_000, 3_000))


def generate(root: Path, files: int, folders: int) -> None:
    per_folder = files // folders
    for number in range(folders):
        folder = root / f"team{number % 20}" / f"pkg{number}"
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_folder):
            (folder / f"file{index}.py").write_text("x = 1\n")
        if number % 300 == 0:
            (folder / "dbt_project.yml").write_text(f"name: p{number}\nprofile: p\n")


def timed(root: Path) -> tuple[float, int]:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        found = finder.scan(root, max_depth=4)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), len(found.candidates)


def main() -> int:
    failed = False
    print(f"{'files':>7} {'folders':>8} {'walk':<14} {'seconds':>8} {'s/1000 files':>13} {'projects':>9}")
    for files, folders in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            generate(root, files, folders)
            for walk in ("the tree", "git ls-files"):
                if walk == "git ls-files":
                    subprocess.run(["git", "init", "-q", str(root)], check=True)
                seconds, projects = timed(root)
                per_thousand = seconds / files * 1000
                print(f"{files:>7} {folders:>8} {walk:<14} {seconds:>8.3f} {per_thousand:>13.4f} {projects:>9}")
                if files == 20_000 and seconds > TARGET_SECONDS:
                    failed = True
    print(f"target: 20,000 files under {TARGET_SECONDS} s: {'MISSED' if failed else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
