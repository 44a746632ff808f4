"""The built wheel carries the templates: install it into a fresh venv and run it outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .helpers import CANARY

REPO = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    # --no-isolation: hatchling comes from the test extra, so no network is needed
    built = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist"), str(REPO)], work
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (work / "dist").glob("lineage_setup-*.whl")
    venv = work / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work).returncode == 0
    python = venv / "bin" / "python"
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], work
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # dependencies from this environment, as a plain path: its .pth files (our editable install) are not read
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work).stdout.strip()
    Path(site, "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_templates_load_from_the_installed_package(fresh_venv: Path, tmp_path: Path) -> None:
    code = (
        "import lineage_setup, lineage_setup.templates as t; "
        "print(lineage_setup.__file__); print(t.root()); "
        "print(t.render('dbt/openlineage.yml.tmpl', transport='transport: {}'))"
    )
    done = _run([str(fresh_venv / "bin" / "python"), "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    module, root, *rendered = done.stdout.splitlines()
    assert module.startswith(str(fresh_venv)) and root.startswith(str(fresh_venv))
    assert not root.startswith(str(REPO))
    assert rendered[0].startswith("# OpenLineage client config for dbt-ol")
    assert "transport: {}" in rendered


def test_console_script_from_the_wheel_prints_config(fresh_venv: Path, tmp_path: Path) -> None:
    args = ["dbt", "--print", "--url", "https://h.example", "--namespace", "dev", "--api-key", CANARY]
    done = _run([str(fresh_venv / "bin" / "lineage-setup"), *args], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "JobNamespaceReplaceTransformer" in done.stdout
    assert f'apiKey: "{CANARY}"' in done.stdout
