"""--json: every command prints one document that validates against the schema kept in the package
(spec/output.schema.json), asks nothing, and never holds the key except in --print's config."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from .helpers import CANARY, CONN, cli
from .receiver import receiver

SCHEMA = json.loads((resources.files("lineage_setup") / "spec" / "output.schema.json").read_text("utf-8"))


def _document(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    result = cli([*args, "--json"], env=env)
    document = json.loads(result.stdout)  # the whole of stdout is the one document
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == result.exit_code
    assert CANARY not in result.stderr
    return document


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "analytics").mkdir(parents=True)
    (root / "analytics" / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    return root


@pytest.mark.parametrize("mode", ["--dry-run", "--check", "--yes"])
def test_an_integration_in_every_mode(repo: Path, mode: str) -> None:
    document = _document(["dbt", "--dir", str(repo / "analytics"), *CONN, mode])
    assert CANARY not in json.dumps(document)
    assert {change["path"] for change in document["changes"]} == {"openlineage.yml", ".gitignore"}
    assert document["connection"]["api_key"] == "****"


@pytest.mark.parametrize(
    "args",
    [
        ["dbt", "--print"],
        ["airflow", "--print", "--format", "astro"],
        ["spark", "--print", "--format", "conf"],
        ["databricks", "--print"],
        ["great-expectations", "--print"],
    ],
    ids=lambda a: a[0],
)
def test_print_holds_the_config_and_the_key_only_there(args: list[str]) -> None:
    document = _document([*args, *CONN])
    assert document["exit_code"] == 0 and document["config"]
    without_config = {key: value for key, value in document.items() if key != "config"}
    assert CANARY not in json.dumps(without_config)


def test_init_status_remove_settings(repo: Path, tmp_path: Path) -> None:
    init = _document(["init", "--dir", str(repo), *CONN, "--namespace", "n", "--yes"])
    assert [f["path"] for f in init["found"]] == ["analytics"] and init["exit_code"] == 0
    status = _document(["status", "--dir", str(repo)])
    assert status["status"][0]["problems"] == [] and status["exit_code"] == 0
    removed = _document(["remove", "--dir", str(repo), "--yes"])
    assert {c["action"] for c in removed["changes"]} == {"delete"}
    settings = _document(["settings"], env={"LINEAGE_SETUP_CONFIG": str(tmp_path / "s.toml")})
    assert settings["exit_code"] == 0


def test_verify_and_errors(repo: Path) -> None:
    with receiver() as rx:
        document = _document(["verify", "--url", rx.url, "--namespace", "n", "--api-key", CANARY])
    assert document["exit_code"] == 0 and len(rx.requests) == 2
    failed = _document(["dbt", "--dir", str(repo / "analytics"), "--url", "nope", "--api-key", CANARY])
    assert failed["exit_code"] == 2 and failed["errors"]


def test_json_asks_nothing_even_in_a_terminal(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lineage_setup import prompts

    monkeypatch.setattr(prompts, "interactive", lambda no_input, env: not no_input)  # as in a terminal
    document = _document(["dbt", "--dir", str(repo / "analytics"), "--yes"])
    assert document["exit_code"] == 2  # missing answers, not a prompt
    assert "missing" in document["errors"][0]


def test_demo_lists_the_events_the_receiver_got() -> None:
    document = _document(["demo"])
    assert document["exit_code"] == 0
    assert len(document["events"]) == 2 and {"START", "COMPLETE"} <= set(" ".join(document["events"]).split())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_listen_prints_its_document_when_stopped() -> None:
    with socket.socket() as probe:  # a free port: with --json nothing says which one --port 0 took
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "lineage_setup", "listen", "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))},
    )
    try:
        event = {
            "eventType": "START",
            "eventTime": "2026-01-01T00:00:00Z",
            "run": {"runId": "01890000-0000-7000-8000-000000000001"},
            "job": {"namespace": "n", "name": "j"},
            "producer": "https://example.com/p",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        }
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/lineage", json=event, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert answer.status_code == 201
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    document = json.loads(stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["command"] == "listen" and document["exit_code"] == 0, stderr
    assert len(document["events"]) == 1 and "START" in document["events"][0]
