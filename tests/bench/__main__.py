"""Run every benchmark in tests/bench/, one after another: python -m tests.bench (from the repository root).

Each prints its own ratios and targets and exits 1 when one is missed; this exits 1 if any did.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("*.py")):
        if script.name.startswith("_"):
            continue
        print(f"=== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.name)
    print(f"=== missed a target: {', '.join(failed)}" if failed else "=== every target held")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
