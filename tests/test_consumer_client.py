"""The config we write, read by the real openlineage-python client (what dbt-ol uses)."""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from .helpers import CANARY, cli
from .receiver import receiver

openlineage_client = pytest.importorskip("openlineage.client")


def _client(cwd: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Build the client as dbt-ol does: from ./openlineage.yml and the environment, nothing else."""
    monkeypatch.chdir(cwd)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    return openlineage_client.OpenLineageClient()


def _event(namespace: str = "dbt"):  # type: ignore[no-untyped-def]
    from openlineage.client.event_v2 import Job, Run, RunEvent, RunState

    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(timezone.utc).isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace=namespace, name="dbt-run-jaffle"),
        producer="https://example.com/test",
    )


def test_file_mode_transport(dbt_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--url", "https://lineage.example.com/", "--namespace", "dev", "--api-key", CANARY, "--yes"]
    assert cli(["dbt", "--dir", str(dbt_project), *args]).exit_code == 0
    transport = _client(dbt_project, monkeypatch).transport
    assert transport.kind == "transform"
    assert transport.transformer.new_job_namespace == "dev"
    assert transport.transformer.include_parent_facet is True
    inner = transport.transport
    assert (inner.kind, inner.url, inner.endpoint) == ("http", "https://lineage.example.com", "api/v1/lineage")
    assert inner.config.auth.get_bearer() == f"Bearer {CANARY}"


def test_env_mode_transport(dbt_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = [
        "--url",
        "https://h.example:8443/custom/ol",
        "--namespace",
        "dev",
        "--api-key",
        CANARY,
        "--namespace-from",
        "env",
        "--yes",
    ]
    assert cli(["dbt", "--dir", str(dbt_project), *args]).exit_code == 0
    transport = _client(dbt_project, monkeypatch).transport
    assert (transport.kind, transport.url, transport.endpoint) == ("http", "https://h.example:8443", "custom/ol")
    assert transport.config.auth.get_bearer() == f"Bearer {CANARY}"


def test_file_wins_over_stray_environment(dbt_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CANARY, "--yes"]
    assert cli(["dbt", "--dir", str(dbt_project), *args]).exit_code == 0
    stray = {"OPENLINEAGE_URL": "https://stray.example", "OPENLINEAGE__TRANSPORT__URL": "https://stray2.example"}
    inner = _client(dbt_project, monkeypatch, stray).transport.transport
    assert inner.url == "https://lineage.example.com"


def test_emitted_event_reaches_receiver_with_key_and_namespace(
    dbt_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as rx:
        args = ["--url", rx.url, "--namespace", "analytics-prod", "--api-key", CANARY, "--yes"]
        assert cli(["dbt", "--dir", str(dbt_project), *args]).exit_code == 0
        _client(dbt_project, monkeypatch).emit(_event())
    [request] = rx.requests
    assert request.path == "/api/v1/lineage"
    assert request.headers["Authorization"] == f"Bearer {CANARY}"
    assert request.body["job"]["namespace"] == "analytics-prod"


def test_print_shell_environment_builds_the_same_client(empty_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = [
        "--url",
        "https://h.example/v2/ol",
        "--namespace",
        "dev",
        "--api-key",
        CANARY,
        "--print",
        "--format",
        "shell",
    ]
    result = cli(["dbt", "--dir", str(empty_dir), *args])
    assert result.exit_code == 0
    dump = subprocess.run(
        ["bash", "-c", result.stdout + "env -0"], capture_output=True, check=True, env={"PATH": os.environ["PATH"]}
    ).stdout
    env = dict(item.split("=", 1) for item in dump.decode().split("\0") if item.startswith("OPENLINEAGE"))
    transport = _client(empty_dir, monkeypatch, env).transport
    assert (transport.kind, transport.url, transport.endpoint) == ("http", "https://h.example", "v2/ol")
    assert transport.config.auth.get_bearer() == f"Bearer {CANARY}"
    assert env["OPENLINEAGE_NAMESPACE"] == "dev"
