"""End to end: lineage-setup writes the config, then real `dbt-ol run` (dbt-duckdb) emits to a loopback receiver."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import CANARY
from .receiver import Receiver, receiver

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    not (BIN / "dbt-ol").exists() and not os.environ.get("CI"),
    reason="dbt-ol is not installed here (pip install -e '.[test]'); CI always runs this",
)

PROJECT = {
    "dbt_project.yml": "name: jaffle\nversion: '1.0'\nprofile: jaffle\nmodel-paths: [models]\nseed-paths: [seeds]\n",
    # dbt-ol needs `path:` in a duckdb profile (it builds dataset namespaces from it)
    "profiles.yml": (
        "jaffle:\n  target: dev\n  outputs:\n    dev:\n"
        "      type: duckdb\n      path: jaffle.duckdb\n      threads: 1\n"
    ),
    "seeds/raw_people.csv": "id,name\n1,ada\n2,grace\n",
    "models/people.sql": "select id, upper(name) as name from {{ ref('raw_people') }}\n",
}


def _project(root: Path) -> Path:
    for rel, text in PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: no OPENLINEAGE_* at all, no telemetry, the test venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "DBT_", "LINEAGE_SETUP"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        **(extra or {}),
    )
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300, check=False)


def _dbt_ol(project: Path, env: dict[str, str]) -> None:
    seeded = _run(["dbt", "seed"], project, env)  # plain dbt: the seed is not part of what we check
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    done = _run(["dbt-ol", "run"], project, env)
    assert done.returncode == 0, done.stdout + done.stderr


def _assert_events(rx: Receiver, namespace: str) -> None:
    events = rx.events()
    assert len(events) >= 4, events  # wrapper START/COMPLETE + the model's START/COMPLETE
    assert {r.path for r in rx.requests} == {"/api/v1/lineage"}
    assert {r.headers["Authorization"] for r in rx.requests} == {f"Bearer {CANARY}"}
    assert {e["job"]["namespace"] for e in events} == {namespace}
    parents = [e["run"]["facets"]["parent"] for e in events if "parent" in e["run"].get("facets", {})]
    assert parents, "model runs point at the dbt-run parent"
    assert {p["job"]["namespace"] for p in parents} == {namespace}  # not left in the default `dbt`
    names = {e["job"]["name"] for e in events}
    assert "dbt-run-jaffle" in names
    assert any(name.endswith("people") for name in names), names
    outputs = [o["name"] for e in events for o in e.get("outputs", [])]
    assert any(name.endswith("main.people") for name in outputs), outputs


def test_written_config_alone_makes_dbt_ol_emit(tmp_path: Path) -> None:
    project = _project(tmp_path / "jaffle")
    with receiver() as rx:
        setup = _run(
            [
                "lineage-setup",
                "dbt",
                "--yes",
                "--no-input",
                "--url",
                rx.url,
                "--namespace",
                "e2e-file",
                "--api-key-file",
                "-",
            ],
            project,
            _env(),
            stdin=CANARY,
        )
        assert setup.returncode == 0, setup.stdout + setup.stderr
        assert CANARY not in setup.stdout + setup.stderr
        _dbt_ol(project, _env())
    _assert_events(rx, "e2e-file")


def test_printed_shell_environment_alone_makes_dbt_ol_emit(tmp_path: Path) -> None:
    project = _project(tmp_path / "jaffle")
    with receiver() as rx:
        printed = _run(
            [
                "lineage-setup",
                "dbt",
                "--print",
                "--format",
                "shell",
                "--url",
                rx.url,
                "--namespace",
                "e2e-env",
                "--api-key",
                CANARY,
            ],
            project,
            _env(),
        )
        assert printed.returncode == 0, printed.stderr
        script = f"eval \"$(cat <<'PRINTED'\n{printed.stdout}PRINTED\n)\"\ndbt seed >/dev/null && exec dbt-ol run"
        done = _run(["bash", "-c", script], project, _env())
        assert done.returncode == 0, done.stdout + done.stderr
    assert not (project / "openlineage.yml").exists()
    _assert_events(rx, "e2e-env")


def test_dbt_ol_is_the_one_from_this_environment() -> None:
    assert shutil.which("dbt-ol", path=_env()["PATH"]) == str(BIN / "dbt-ol")
