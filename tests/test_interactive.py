"""The real prompts in a real pseudo-terminal: masked key, inline validation, confirm, Ctrl-C."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .helpers import CANARY, tree

pexpect = pytest.importorskip("pexpect")
BIN = Path(sys.executable).parent


def _spawn(project: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP", "CI"))}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="200", LINES="50")
    child = pexpect.spawn(
        str(BIN / "lineage-setup"),
        ["dbt", "--dir", str(project), *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
    )
    child.logfile_read = transcript = _Transcript()
    return child, transcript


class _Transcript:
    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        pass


def test_prompts_mask_the_key_validate_inline_and_apply(dbt_project: Path) -> None:
    child, transcript = _spawn(dbt_project)
    child.expect("Where should lineage go")
    child.expect("Astro")  # the list of backends, Astro first and chosen
    child.sendline("")
    child.expect("Astro base domain")
    child.sendline("https://astronomer.io/x")  # a URL is fine here: its path becomes the endpoint
    child.expect("API key")
    child.send(CANARY)
    child.sendline("")
    child.expect("Namespace")
    child.expect("jaffle")  # the dbt project name is offered as the default
    child.send("\x15")  # clear the default (Ctrl-U), type a bad value, see the inline error
    child.sendline("bad ns")
    child.expect("allowed in a namespace")  # the screen is redrawn piecewise: match a stable tail
    child.send("\x15")
    child.sendline("analytics")
    child.expect("Apply 2 files")
    child.send("y")  # a confirm takes one key; a newline would answer the next question
    child.expect("Next steps")
    child.expect("Send a test event")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, transcript.text
    assert CANARY not in transcript.text
    config = (dbt_project / "openlineage.yml").read_text()
    assert f'apiKey: "{CANARY}"' in config
    assert 'new_job_namespace: "analytics"' in config
    assert 'url: "https://astronomer.io"' in config and 'endpoint: "x"' in config


def test_ctrl_c_at_a_prompt_is_exit_130_and_writes_nothing(dbt_project: Path) -> None:
    before = tree(dbt_project)
    child, transcript = _spawn(dbt_project, "--namespace", "dev", "--backend", "astro")
    child.expect("Astro base domain")
    child.sendline("astronomer.io")
    child.expect("API key")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, transcript.text
    assert "interrupted; nothing was written" in transcript.text
    assert tree(dbt_project) == before


def test_declining_the_confirmation_writes_nothing(dbt_project: Path) -> None:
    before = tree(dbt_project)
    child, transcript = _spawn(dbt_project, "--domain", "astronomer.io", "--namespace", "dev", "--api-key", CANARY)
    child.expect("Apply 2 files")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, transcript.text
    assert "nothing was written" in transcript.text
    assert tree(dbt_project) == before


def test_prompts_go_to_stderr_so_print_output_pipes_clean(empty_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP", "CI"))}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    script = (
        f'out="$({BIN / "lineage-setup"} dbt --print --format shell --domain astronomer.io --namespace dev)"; '
        'echo "rc=$?"; eval "$out"; echo "KEY=[$OPENLINEAGE_API_KEY] URL=[$OPENLINEAGE_URL]"'
    )
    child = pexpect.spawn("bash", ["-c", script], env=env, cwd=str(empty_dir), encoding="utf-8", timeout=30)
    child.expect("API key")
    child.sendline(CANARY)
    child.expect(r"rc=0")
    child.expect(r"KEY=\[(\S*)\] URL=\[(\S*)\]")
    assert child.match.groups() == (CANARY, "https://api.astronomer.io")
    child.expect(pexpect.EOF)


def test_offered_test_event_reaches_the_endpoint(dbt_project: Path) -> None:
    from .receiver import receiver

    with receiver() as rx:
        child, transcript = _spawn(dbt_project, "--url", rx.url, "--namespace", "dev", "--api-key", CANARY, "--yes")
        child.expect("Send a test event")
        child.send("y")
        child.expect("OpenLineage accepted the test run")
        child.expect(pexpect.EOF)
        child.close()
    assert child.exitstatus == 0, transcript.text
    assert [e["eventType"] for e in rx.events()] == ["START", "COMPLETE"]
    assert CANARY not in transcript.text
