from __future__ import annotations

import os
from pathlib import Path

import pytest

from lineage_setup import redact

from .helpers import CANARY

_CLEARED_PREFIXES = ("OPENLINEAGE", "LINEAGE_SETUP_", "DBT_")
_CLEARED = {"CI", "SPARK_HOME", "DATABRICKS_TOKEN", "XDG_CONFIG_HOME"}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No OPENLINEAGE_*/LINEAGE_SETUP_* from the developer's shell, a private HOME, no old secrets."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED:
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    redact.clear()


@pytest.fixture
def dbt_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    return root


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    root = tmp_path / "empty"
    root.mkdir()
    return root


@pytest.fixture
def key() -> str:
    return CANARY
