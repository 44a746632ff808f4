"""The add-or-replace question in a real pseudo-terminal: a dbt project that already sends lineage elsewhere,
`lineage-setup dbt` without --add/--replace. "Add" (the default) keeps the first destination beside ours in a
composite transport; "Replace" leaves ours alone. Each outcome is proven by the real openlineage-python
client reading the written openlineage.yml (as dbt-ol does) and emitting to two loopback receivers.
(Without a terminal the run refuses naming both flags: test_dbt_lifecycle.py.)"""

from __future__ import annotations

import datetime
import os
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from .helpers import CANARY, files
from .receiver import receiver

pexpect = pytest.importorskip("pexpect")
openlineage_client = pytest.importorskip("openlineage.client")
BIN = Path(sys.executable).parent
DOWN = "\x1b[B"
FIRST = '# mine\ntransport:\n  # to the first backend\n  type: http\n  url: "{url}"\n'


def _project(tmp_path: Path, first_url: str) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "dbt_project.yml").write_text("name: jaffle\nprofile: jaffle\n")
    (root / "openlineage.yml").write_text(FIRST.format(url=first_url))
    return root


def _spawn(root: Path, url: str):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP", "CI"))}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="200", LINES="50")
    args = ["dbt", "--dir", str(root), "--url", url, "--namespace", "ours", "--api-key", CANARY]
    child = pexpect.spawn(str(BIN / "lineage-setup"), args, env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))
    transcript: list[str] = []
    child.logfile_read = type("T", (), {"write": transcript.append, "flush": lambda self: None})()
    return child, transcript


def _emit(root: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """One event through the client dbt-ol builds: OpenLineageClient() from openlineage.yml, nothing else."""
    from openlineage.client.event_v2 import Job, Run, RunEvent, RunState

    monkeypatch.setenv("OPENLINEAGE_CONFIG", str(root / "openlineage.yml"))
    client = openlineage_client.OpenLineageClient()
    client.emit(
        RunEvent(
            eventType=RunState.START,
            eventTime=datetime.datetime.now(datetime.timezone.utc).isoformat(),
            run=Run(runId=str(uuid.uuid4())),
            job=Job(namespace="from-the-run", name="j"),
            producer="https://example.com/test",
        )
    )
    return type(client.transport).__name__


@pytest.mark.parametrize(("answer", "keys"), [("add", "\r"), ("replace", DOWN + "\r")])
def test_the_question_adds_or_replaces_as_answered(
    answer: str, keys: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as first, receiver() as ours:
        root = _project(tmp_path, first.url)
        child, transcript = _spawn(root, ours.url)
        child.expect(f"already sends lineage to {first.url}/api/v1/lineage")
        child.expect(f"Add {ours.url}/api/v1/lineage: send to both")  # listed first, the default
        child.expect(f"Replace: send to {ours.url}/api/v1/lineage only")
        child.send(keys)
        child.expect(r"Apply \d+ files")
        child.send("y")
        child.expect("Send a test event")
        child.send("n")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, "".join(transcript)
        assert CANARY not in "".join(transcript)
        assert first.requests == [] and ours.requests == []  # nothing sent yet: the test event was declined
        written = (root / "openlineage.yml").read_text()
        transport = yaml.safe_load(written)["transport"]
        kind = _emit(root, monkeypatch)
    assert [r.headers["Authorization"] for r in ours.requests] == [f"Bearer {CANARY}"]
    assert ours.events()[0]["job"]["namespace"] == "ours"
    if answer == "add":
        assert (kind, transport["type"], transport["continue_on_failure"]) == ("CompositeTransport", "composite", True)
        assert "# to the first backend" in written  # the user's lines stay with their transport
        assert len(first.requests) == 1 and "Authorization" not in first.requests[0].headers  # as it was
        assert first.events()[0]["job"]["namespace"] == "from-the-run"  # ours renames only its own events
    else:
        assert (kind, transport["type"]) == ("TransformTransport", "transform")
        assert transport["transport"]["url"] == ours.url
        assert first.requests == []


def test_ctrl_c_at_the_question_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, "http://first.example:5000")
    before = files(root)
    child, transcript = _spawn(root, "http://127.0.0.1:9")
    child.expect("already sends lineage to http://first.example:5000/api/v1/lineage")
    child.expect("Replace: send to")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, "".join(transcript)
    assert "nothing was written" in "".join(transcript)
    assert files(root) == before
