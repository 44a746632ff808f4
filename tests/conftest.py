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


# --- in CI nothing skips silently --------------------------------------------------------------------
# A test that skips in CI proves nothing there: with CI set (as .ci/run's caller sets it), a skip fails the
# run, unless the machine itself cannot run it (these reasons: another OS, no /dev/full, not root, no IPv6).
_IN_CI = bool(os.environ.get("CI"))  # read before the fixture above clears it for each test
_MACHINE = ("POSIX signals", "/dev/full", "needs root", "IPv6", "::1")
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if not any(word in reason for word in _MACHINE):
            _skipped.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _IN_CI and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _IN_CI and _skipped:
        count = len(_skipped)
        terminalreporter.write_line(f"CI is set and {count} test(s) skipped; in CI every test must run:", red=True)
        for line in _skipped:
            terminalreporter.write_line(f"  {line}")
