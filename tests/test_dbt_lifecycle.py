"""dbt from setup to removal: a second destination added beside the first (read back by the real
openlineage-python client, both receivers getting the event with their own key), backends without a key,
status, and remove restoring every file's original bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .golden_cases import GOLDEN, copy_golden
from .helpers import CANARY, CONN, cli, files
from .receiver import receiver

MARQUEZ_FIRST = '# mine\ntransport:\n  # to marquez\n  type: http\n  url: "{url}"\n'
OTHER_KEY = "olk_OTHER_0123456789"


def _project(tmp_path: Path, config: str | None = None) -> Path:
    root = tmp_path / "p"
    root.mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    if config is not None:
        (root / "openlineage.yml").write_text(config)
    return root


def _emit_from(root: Path) -> subprocess.CompletedProcess[str]:
    """One event through the real client, configured only by the project's openlineage.yml (as dbt-ol is)."""
    code = (
        "import datetime, uuid\n"
        "from openlineage.client import OpenLineageClient\n"
        "from openlineage.client.event_v2 import Job, Run, RunEvent, RunState\n"
        "client = OpenLineageClient()\n"
        "print(type(client.transport).__name__)\n"
        "client.emit(RunEvent(eventType=RunState.START, eventTime=datetime.datetime.now().isoformat(),\n"
        "    run=Run(runId=str(uuid.uuid4())), job=Job(namespace='from-test', name='j'), producer='https://x'))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENLINEAGE")}
    env["HOME"] = str(root)
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)


def test_add_keeps_the_first_destination_and_both_receive(tmp_path: Path) -> None:
    with receiver() as first, receiver() as second:
        first_url = first.url
        root = _project(tmp_path, MARQUEZ_FIRST.format(url=first_url))
        args = ["dbt", "--dir", str(root), "--url", second.url, "--namespace", "n", "--api-key", CANARY]
        refused = cli([*args, "--yes"])
        assert refused.exit_code == 2 and "--add" in refused.stderr and "--replace" in refused.stderr
        added = cli(args)
        assert added.exit_code == 2  # no terminal to confirm in: nothing written
        result = cli([*args, "--add", "--yes"])
        assert result.exit_code == 0, result.output
        config = yaml.safe_load((root / "openlineage.yml").read_text())
        assert config["transport"]["type"] == "composite" and config["transport"]["continue_on_failure"] is True
        assert "# to marquez" in (root / "openlineage.yml").read_text()  # the user's comment stays
        again = cli([*args, "--add", "--yes"])
        assert "Nothing to change" in again.stdout
        done = _emit_from(root)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "CompositeTransport"
        assert len(first.requests) == 1 and len(second.requests) == 1
        assert "Authorization" not in first.requests[0].headers  # the first one had no key, and still has none
        assert second.requests[0].headers["Authorization"] == f"Bearer {CANARY}"
        assert second.events()[0]["job"]["namespace"] == "n"  # ours renames its namespace, the other does not
        assert first.events()[0]["job"]["namespace"] == "from-test"


def test_replace_sends_to_the_new_endpoint_only(tmp_path: Path) -> None:
    root = _project(tmp_path, MARQUEZ_FIRST.format(url="http://marquez.example:5000"))
    result = cli(["dbt", "--dir", str(root), *CONN, "--replace", "--yes"])
    assert result.exit_code == 0, result.output
    transport = yaml.safe_load((root / "openlineage.yml").read_text())["transport"]
    assert transport["type"] == "transform" and transport["transport"]["url"] == "https://lineage.example.com"


def test_a_backend_without_auth_gets_no_key(tmp_path: Path) -> None:
    root = _project(tmp_path)
    args = ["dbt", "--dir", str(root), "--backend", "marquez", "--url", "http://marquez.example:5000"]
    result = cli([*args, "--namespace", "n", "--yes"])  # no key given, none asked for
    assert result.exit_code == 0, result.output
    http = yaml.safe_load((root / "openlineage.yml").read_text())["transport"]["transport"]
    assert "auth" not in http and http["url"] == "http://marquez.example:5000"


def test_datadog_gets_gzip_and_its_intake_host(tmp_path: Path) -> None:
    root = _project(tmp_path)
    args = ["dbt", "--dir", str(root), "--backend", "datadog", "--domain", "datadoghq.eu"]
    assert cli([*args, "--namespace", "n", "--api-key", CANARY, "--yes"]).exit_code == 0
    http = yaml.safe_load((root / "openlineage.yml").read_text())["transport"]["transport"]
    assert (http["url"], http["compression"]) == ("https://data-obs-intake.datadoghq.eu", "gzip")


@pytest.mark.parametrize("case", sorted(p.name for p in (GOLDEN / "dbt").iterdir()))
def test_setup_then_remove_restores_every_byte(case: str, tmp_path: Path) -> None:
    root = tmp_path / "p"
    copy_golden(GOLDEN / "dbt" / case / "before", root)
    original = files(root)
    setup = cli(["dbt", "--dir", str(root), *CONN, "--add", "--yes"])  # what it sent to before, it still does
    assert setup.exit_code == 0, setup.output
    removed = cli(["remove", "dbt", "--dir", str(root), "--yes"])
    assert removed.exit_code == 0, removed.output
    after = files(root)
    if case == "already-configured":  # ours before the setup too: our transport goes, the user's lines stay
        assert after["openlineage.yml"] == b"# mine\n# end\n" and after[".gitignore"] == original[".gitignore"]
        return
    if b"type: console" in original.get("openlineage.yml", b""):  # a console transport is no destination: ours
        assert b"transport" not in after["openlineage.yml"]  # replaced it, and remove takes ours out again
        return
    assert after == original


def test_add_then_remove_restores_the_first_destination(tmp_path: Path) -> None:
    root = _project(tmp_path, MARQUEZ_FIRST.format(url="http://marquez.example:5000"))
    original = files(root)
    assert cli(["dbt", "--dir", str(root), *CONN, "--add", "--yes"]).exit_code == 0
    assert cli(["remove", "--dir", str(root), "--yes"]).exit_code == 0
    assert files(root) == original


def test_status_of_a_configured_a_half_configured_and_a_broken_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("good", "half", "broken"):
        _project(repo / name)
    assert cli(["dbt", "--dir", str(repo / "good" / "p"), *CONN, "--yes"]).exit_code == 0
    assert cli(["dbt", "--dir", str(repo / "broken" / "p"), *CONN, "--yes"]).exit_code == 0
    (repo / "broken" / "p" / "openlineage.yml").chmod(0o644)  # the key readable by others
    text = cli(["status", "--dir", str(repo)])
    assert text.exit_code == 1, text.output
    assert "events will be printed, not sent" in text.stdout or "prints events instead of sending them" in text.stdout
    assert "others can read it: chmod 600 openlineage.yml" in text.stdout
    assert CANARY not in text.output and CANARY[-4:] in text.stdout
    report = json.loads(cli(["status", "--dir", str(repo), "--json"]).stdout)
    by_path = {entry["path"]: entry for entry in report["status"]}
    assert by_path["good/p"]["problems"] == []
    assert len(by_path["half/p"]["problems"]) == 1 and len(by_path["broken/p"]["problems"]) == 1
    assert report["exit_code"] == 1
