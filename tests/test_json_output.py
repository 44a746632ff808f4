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
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from .helpers import CANARY, CONN, cli, copy_golden, files
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


def _free_port() -> int:
    with socket.socket() as probe:  # with --json nothing says which port --port 0 took: pick one first
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int, event: dict[str, Any]) -> subprocess.Popen[str] | None:
    """listen --json on the port, once it took the event (201); None when it exited first (another test took
    the port between the pick and the bind)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lineage_setup", "listen", "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))},
    )
    deadline = time.monotonic() + 10
    while process.poll() is None:
        try:
            answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/lineage", json=event, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
            continue
        assert answer.status_code == 201
        return process
    process.communicate(timeout=10)
    return None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_listen_prints_its_document_when_stopped() -> None:
    event = {
        "eventType": "START",
        "eventTime": "2026-01-01T00:00:00Z",
        "run": {"runId": "01890000-0000-7000-8000-000000000001"},
        "job": {"namespace": "n", "name": "j"},
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    }
    for _ in range(3):  # a port picked free can be taken by another test before listen binds it
        process = _listening(_free_port(), event)
        if process is not None:
            break
    assert process is not None
    try:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    document = json.loads(stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["command"] == "listen" and document["exit_code"] == 0, stderr
    assert len(document["events"]) == 1 and "START" in document["events"][0]


# --- each integration's --json in every mode --------------------------------------------------------------
# One project per integration, run with --dry-run, --check and --yes: the document validates, the key is in
# no part of it (a change that holds it shows ****), --check exits 1 while something would change, and only
# --yes writes (then a second --check finds nothing to change).

GOLDEN = Path(__file__).parent / "golden"


def _dbt(root: Path) -> list[str]:
    root.mkdir()
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    return []


def _airflow(root: Path) -> list[str]:
    root.mkdir()
    (root / "requirements.txt").write_text("pandas==2.2.3\n")  # plain Airflow: no Dockerfile, the version given
    return ["--airflow-version", "2.9"]


def _spark(root: Path) -> list[str]:
    root.mkdir()
    return ["--spark-conf", str(root / "spark-defaults.conf")]  # in the project, created by the run


def _databricks(root: Path) -> list[str]:
    copy_golden(GOLDEN / "databricks" / "fresh" / "before", root)  # file mode: the init script is written
    return []


def _great_expectations(root: Path) -> list[str]:
    copy_golden(GOLDEN / "great_expectations" / "fresh" / "before", root)  # GE 0.x, its root as --dir
    return []


# command -> (what makes its project (in a folder not there yet) and returns its arguments, the paths it
# changes, those of them that hold the key)
INTEGRATIONS: dict[str, tuple[Callable[[Path], list[str]], set[str], set[str]]] = {
    "dbt": (_dbt, {"openlineage.yml", ".gitignore"}, {"openlineage.yml"}),
    "airflow": (_airflow, {"requirements.txt", ".gitignore", ".env"}, {".env"}),
    "spark": (_spark, {"spark-defaults.conf"}, {"spark-defaults.conf"}),
    "databricks": (_databricks, {"openlineage-init.sh"}, set()),  # the key goes in the Spark config to paste
    "great-expectations": (
        _great_expectations,
        {"great_expectations.yml", ".gitignore", "uncommitted/config_variables.yml"},
        {"uncommitted/config_variables.yml"},
    ),
}


@pytest.mark.parametrize("mode", ["--dry-run", "--check", "--yes"])
@pytest.mark.parametrize("command", sorted(INTEGRATIONS))
def test_each_integration_in_every_mode(command: str, mode: str, tmp_path: Path) -> None:
    build, changed, with_key = INTEGRATIONS[command]
    root = tmp_path / "project"
    args = [command, "--dir", str(root), *CONN, *build(root)]  # build makes the project folder
    before = files(root)

    document = _document([*args, mode])
    assert CANARY not in json.dumps(document)
    assert document["command"] == command
    assert document["exit_code"] == (1 if mode == "--check" else 0)
    assert document["connection"]["api_key"] == "****"
    assert {change["path"] for change in document["changes"]} == changed
    assert {change["path"] for change in document["changes"] if change["holds_key"]} == with_key
    for change in document["changes"]:
        assert change["diff"], change["path"]
        assert ("****" in "\n".join(change["diff"])) == (change["path"] in with_key), change["path"]
    if mode != "--yes":
        assert files(root) == before
        return
    after = files(root)
    assert {path for path in after if after[path] != before.get(path)} == changed
    assert {path for path, data in after.items() if CANARY.encode() in data} == with_key
    again = _document([*args, "--check"])
    assert again["exit_code"] == 0 and "changes" not in again
    assert CANARY not in json.dumps(again)
