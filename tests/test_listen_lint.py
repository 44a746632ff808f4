"""listen --lint: findings printed under each event's line, through the real server, and the summary at stop."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from lineage_setup import backends, lint
from lineage_setup.listen import Listener, make_server
from lineage_setup.listen_events import served_paths

from .helpers import CANARY, cli
from .test_lint import GOOD, OTHER_RUN, _with

WAIT = 10  # seconds any step of a test may take
DATADOG = lint.Context(backends.get("datadog"), "prod")


class Said:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self._lock:
            self.texts.append(text)


@contextmanager
def serving(listener: Listener) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


def _findings(text: str) -> list[str]:
    """The '[kind]' of each finding line under an event's line."""
    return [line.split("[", 1)[1].split("]", 1)[0] for line in text.split("\n")[1:]]


# --- through the real server ----------------------------------------------------------------------

SENT = [
    # (event, the kinds found under its line), in order: the run tracker sees them as they come
    (_with("eventType", "START"), []),
    (GOOD, []),
    (_with("job.facets", {}, _with("run.runId", OTHER_RUN)), ["job-facet", "no-start"]),
    (_with("job.namespace", "dev", _with("eventType", "START")), ["namespace"]),
    (_with("run.runId", "x", _with("eventType", "OTHER")), ["schema"]),
    (_with("inputs.0.namespace", "warehouse", _with("eventType", "START")), ["dataset-namespace"]),
    (_with("inputs", [], _with("outputs", [])), ["empty-io"]),
]


def test_findings_come_under_each_event_through_the_server() -> None:
    said = Said()
    listener = Listener(say=said, tracker=lint.Tracker(DATADOG))
    with serving(listener) as url:
        for event, _ in SENT:
            assert httpx.post(f"{url}/api/v1/lineage", json=event, timeout=WAIT).status_code == 201
    assert [_findings(text) for text in said.texts] == [kinds for _, kinds in SENT]
    assert all(line.startswith("    ") for text in said.texts for line in text.split("\n")[1:])
    assert "no job facet jobType" in said.texts[2]
    assert listener.tracker is not None and listener.tracker.events == len(SENT)


def test_an_event_larger_than_dataplex_takes_is_flagged() -> None:
    said = Said()
    big = _with("job.facets.big", {"_producer": "https://p", "_schemaURL": "https://s", "x": "a" * (6 * 1024 * 1024)})
    with serving(Listener(say=said, tracker=lint.Tracker())) as url:
        assert httpx.post(f"{url}/api/v1/lineage", json=big, timeout=WAIT).status_code == 201
    assert _findings(said.texts[0]) == ["size", "no-start"]
    assert "more than Google Dataplex takes (5 MB)" in said.texts[0]


def test_without_lint_one_line_per_event() -> None:
    status, text = Listener().handle("/api/v1/lineage", None, json.dumps(_with("job.facets", {})).encode())
    assert status == 201 and "\n" not in text


def test_finding_lines_are_printable_too() -> None:
    event = _with("job.namespace", "dev\x1b[31m\nfake line")
    text = Listener(tracker=lint.Tracker(DATADOG)).handle("/api/v1/lineage", None, json.dumps(event).encode())[1]
    assert "\x1b" not in text
    expected = lint.Tracker(DATADOG).see(event)
    assert [line.strip() for line in text.split("\n")[1:]] == [f.line().strip() for f in expected]  # \n escaped


def test_a_bug_in_a_check_costs_a_line_never_the_event(monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = lint.Tracker()

    def broken(event: dict[str, Any], size: int | None = None) -> list[lint.Finding]:
        raise TypeError("bug")

    monkeypatch.setattr(tracker, "see", broken)
    listener = Listener(tracker=tracker)
    status, text = listener.handle("/api/v1/lineage", None, json.dumps(GOOD).encode())
    assert status == 201 and listener.received == 1
    assert text.split("\n")[1] == "    lint failed on this event (TypeError); please report it"


def test_a_backend_is_served_at_its_own_path() -> None:
    listener = Listener(paths=served_paths(backends.get("datahub").endpoint))
    body = json.dumps(GOOD).encode()
    assert listener.handle("/openapi/openlineage/api/v1/lineage", None, body)[0] == 201
    assert listener.handle("/openapi/openlineage/api/v1/lineage/", None, body)[0] == 201
    status, line = listener.handle("/api/v1/lineage", None, body)
    assert (status, line) == (
        404,
        "404 /api/v1/lineage: not an OpenLineage endpoint (POST to /openapi/openlineage/api/v1/lineage)",
    )


# --- the command ----------------------------------------------------------------------------------


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str
    out: queue.Queue[str]
    err: queue.Queue[str]

    def stop(self) -> str:
        """Ctrl-C, then everything it printed to stderr until it exited (bounded)."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        rest = []
        while True:
            try:
                line = self.err.get(timeout=WAIT)
            except queue.Empty:
                break
            rest.append(line)
            if line.startswith("Stopped:"):
                break
        return "".join(rest)


def _pump(stream: Any, sink: queue.Queue[str]) -> None:
    for line in stream:
        sink.put(line)


@contextmanager
def listening(*args: str, env: dict[str, str] | None = None) -> Iterator[Running]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "lineage_setup", "listen", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, **(env or {})},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    pumps = [
        threading.Thread(target=_pump, args=(pipe, sink), daemon=True)
        for pipe, sink in ((process.stdout, out), (process.stderr, err))
    ]
    for pump in pumps:
        pump.start()
    try:
        first = err.get(timeout=30)
        url = first.split("--url ", 1)[1].split()[0] if "--url " in first else ""
        assert url.startswith("http://127.0.0.1:"), first
        yield Running(process, url, out, err)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT)
        for pump in pumps:
            pump.join(timeout=WAIT)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_listen_lint_prints_findings_and_a_summary_at_stop() -> None:
    with listening("--lint", "--backend", "datadog", "--namespace", "prod") as server:
        sent = cli(["verify", "--url", server.url, "--namespace", "dev", "--api-key", CANARY, "--backend", "datadog"])
        assert sent.exit_code == 0, sent.output
        bad = _with("job.facets", {}, _with("run.runId", OTHER_RUN))
        assert httpx.post(f"{server.url}/api/v1/lineage", json=bad, timeout=WAIT).status_code == 201
        lines = [server.out.get(timeout=WAIT) for _ in range(2 + 3 + 3)]  # each event, then its findings
        rest = server.stop()
    assert "START    dev/lineage-setup.verify" in lines[0]
    assert lines[1].startswith("    warning [namespace] job namespace 'dev' is not 'prod'")
    assert "[empty-io]" in lines[4]
    assert "[job-facet]" in lines[-2] and "[no-start]" in lines[-1]
    assert "Lint: 3 events, 2 runs, 5 findings" in rest
    rows = {
        line.split()[0]: line.split()[1]
        for line in rest.splitlines()
        if line.startswith("  ") and "meaning" not in line
    }
    assert rows == {kind: "0" for kind in lint.KINDS} | {
        "namespace": "2",
        "empty-io": "1",
        "no-start": "1",
        "job-facet": "1",
    }
    assert rest.rstrip().endswith("Stopped: 3 events received, 0 rejected.")
    assert CANARY not in rest


def test_listen_lint_serves_the_backend_path_and_says_so() -> None:
    with listening("--backend", "openmetadata") as server:
        ok = httpx.post(f"{server.url}/api/v1/openlineage/lineage", json=GOOD, timeout=WAIT)
        wrong = httpx.post(f"{server.url}/api/v1/lineage", json=GOOD, timeout=WAIT)
        [server.out.get(timeout=WAIT) for _ in range(2)]
        rest = server.stop()
    assert (ok.status_code, wrong.status_code) == (201, 404)
    assert "Lint:" not in rest  # no --lint, no table
    assert "Stopped: 1 events received, 1 rejected." in rest


def test_namespace_without_lint_is_exit_2() -> None:
    result = cli(["listen", "--port", "0", "--namespace", "prod"])
    assert result.exit_code == 2
    assert "--namespace applies only with --lint" in result.stderr
