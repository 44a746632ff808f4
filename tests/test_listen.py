"""`lineage-setup listen`: a local endpoint that prints what arrives, fed by verify and by a real dbt-ol run."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lineage_setup.listen import Listener, describe

from .helpers import CANARY, cli
from .test_dbt_e2e import BIN, _dbt_ol, _env, _project

EVENT = {
    "eventType": "COMPLETE",
    "eventTime": "2026-11-25T10:00:00+00:00",
    "run": {"runId": "0193a5c2-7f00-7000-8000-000000000001"},
    "job": {"namespace": "dbt-prod", "name": "jaffle.people"},
    "inputs": [{"namespace": "duckdb://x", "name": "main.raw"}],
    "outputs": [{"namespace": "duckdb://x", "name": "main.people"}],
    "producer": "https://example.com",
}
STOP_WAIT = 10  # seconds for the child to stop, and for each escalation after it


# --- the handler, without a socket ----------------------------------------------------------------


def test_describe_one_line() -> None:
    line = describe(EVENT)
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d COMPLETE dbt-prod/jaffle.people  duckdb://x/main.raw -> duckdb://x/main.people  run 00000001",
        line,
    )
    assert describe({"eventType": "START"}).endswith("START    ?/?  run ?")


@pytest.mark.parametrize(
    ("path", "auth", "body", "status", "line"),
    [
        ("/api/v1/lineage", None, json.dumps(EVENT).encode(), 201, "COMPLETE dbt-prod/jaffle.people"),
        ("/api/v1/lineage/", None, json.dumps(EVENT).encode(), 201, "COMPLETE"),
        ("/api/v1/lineage", None, b"{not json", 400, "400 malformed event: not JSON"),
        ("/api/v1/lineage", None, b"[1, 2]", 400, "400 malformed event: not a JSON object"),
        ("/api/v1/lineage", None, b"\xff\xfe", 400, "400 malformed event: not JSON"),
        ("/elsewhere", None, json.dumps(EVENT).encode(), 404, "404 /elsewhere: not an OpenLineage endpoint"),
    ],
)
def test_handler(path: str, auth: str | None, body: bytes, status: int, line: str) -> None:
    got_status, got_line = Listener().handle(path, auth, body)
    assert got_status == status
    assert line in got_line


def test_handler_requires_the_key_when_asked(tmp_path: Path) -> None:
    listener = Listener(output=tmp_path / "events.jsonl", require_key=CANARY)
    body = json.dumps(EVENT).encode()
    assert listener.handle("/api/v1/lineage", None, body) == (401, "401 rejected: no Authorization header")
    assert listener.handle("/api/v1/lineage", "Bearer nope", body) == (401, "401 rejected: wrong API key")
    assert listener.handle("/api/v1/lineage", f"Bearer {CANARY}", body)[0] == 201
    assert (listener.received, listener.rejected) == (1, 2)
    assert [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()] == [EVENT]


# --- the real command in its own process ----------------------------------------------------------


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str
    out: queue.Queue[str]
    err: queue.Queue[str]

    def next_line(self, stream: queue.Queue[str], timeout: float = 30) -> str:
        return stream.get(timeout=timeout)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        """Ctrl-C (or `sig`), then stderr up to the summary line (the reader thread may still be catching up).

        Every wait is bounded: a child that ignores `sig` gets SIGTERM, then SIGKILL, and the test fails on
        the exit code instead of hanging."""
        self.process.send_signal(sig)
        code = _wait(self.process, STOP_WAIT)
        rest = []
        try:
            while not rest or "Stopped:" not in rest[-1]:
                rest.append(self.err.get(timeout=STOP_WAIT))
        except queue.Empty:
            pass
        return code, "".join(rest)


def _wait(process: subprocess.Popen[str], seconds: float) -> int:
    """The exit code within `seconds`; else SIGTERM, then SIGKILL (each bounded too)."""
    for escalate in (process.terminate, process.kill):
        try:
            return process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            escalate()
    return process.wait(timeout=seconds)


def _default_sigint() -> None:
    """In the child before exec: Ctrl-C as in a terminal, even when this suite runs as a background job
    (the shell then ignores SIGINT, and an ignored signal stays ignored across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _pump(stream: object, sink: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.put(line)


@contextmanager
def listening(*args: str) -> Iterator[Running]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENLINEAGE", "LINEAGE_SETUP"))}
    process = subprocess.Popen(
        [str(BIN / "lineage-setup"), "listen", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_default_sigint,
    )
    out: queue.Queue[str] = queue.Queue()
    err: queue.Queue[str] = queue.Queue()
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, out), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, err), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        first = err.get(timeout=30)
        match = re.search(r"--url (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        yield Running(process, match.group(1), out, err)
    finally:
        if process.poll() is None:
            process.kill()
        _wait(process, STOP_WAIT)
        for pump in pumps:
            pump.join(timeout=10)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def test_listen_shows_verify_events_and_malformed_input_then_stops_cleanly(tmp_path: Path) -> None:
    saved = tmp_path / "events.jsonl"
    with listening("--output", str(saved)) as server:
        result = cli(["verify", "--url", server.url, "--namespace", "dev", "--api-key", CANARY])
        assert result.exit_code == 0, result.output
        lines = [server.next_line(server.out) for _ in range(2)]
        assert "START    dev/lineage-setup.verify" in lines[0]
        assert "COMPLETE dev/lineage-setup.verify" in lines[1]
        bad = httpx.post(f"{server.url}/api/v1/lineage", content=b"{oops", timeout=10)
        assert bad.status_code == 400
        assert "400 malformed event" in server.next_line(server.out)
        ok = httpx.post(f"{server.url}/api/v1/lineage/", json=EVENT, timeout=10)  # still serving
        assert ok.status_code == 201
        server.next_line(server.out)
        code, rest = server.stop()
    assert code == 0
    assert "Stopped: 3 events received, 1 rejected." in rest
    events = [json.loads(line) for line in saved.read_text().splitlines()]
    assert [e["eventType"] for e in events] == ["START", "COMPLETE", "COMPLETE"]


def test_listen_rehearses_auth() -> None:
    with listening("--require-key", CANARY) as server:
        wrong = cli(["verify", "--url", server.url, "--namespace", "dev", "--api-key", "some-other-key-1"])
        right = cli(["verify", "--url", server.url, "--namespace", "dev", "--api-key", CANARY])
        assert "401 rejected: wrong API key" in server.next_line(server.out)
        code, rest = server.stop(signal.SIGTERM)  # as `kill` sends it
    assert (wrong.exit_code, right.exit_code) == (1, 0)
    assert "the API key was rejected (401)" in wrong.stderr
    assert code == 0
    assert CANARY not in rest


@pytest.mark.skipif(not (BIN / "dbt-ol").exists(), reason="dbt-ol is not installed here (pip install -e '.[test]')")
def test_listen_shows_a_real_dbt_ol_run(tmp_path: Path) -> None:
    project = _project(tmp_path / "jaffle")
    with listening() as server:
        setup = cli(
            ["dbt", "--dir", str(project), "--url", server.url, "--namespace", "e2e", "--api-key", CANARY, "--yes"]
        )
        assert setup.exit_code == 0, setup.output
        _dbt_ol(project, _env())
        lines = [server.next_line(server.out) for _ in range(4)]
        server.stop()
    assert any("START    e2e/dbt-run-jaffle" in line for line in lines), lines
    assert any("e2e/" in line and "main.people" in line for line in lines), lines


def test_port_in_use_is_exit_2() -> None:
    with listening() as server:
        port = server.url.rsplit(":", 1)[1]
        result = cli(["listen", "--port", port])
        server.stop()
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_missing_output_folder_is_exit_2(tmp_path: Path) -> None:
    result = cli(["listen", "--output", str(tmp_path / "no" / "such.jsonl")])
    assert result.exit_code == 2
    assert "--output: the folder" in result.stderr


def test_python_module_runs_listen_help() -> None:
    done = subprocess.run([sys.executable, "-m", "lineage_setup", "listen", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "--require-key" in done.stdout


def test_control_characters_are_shown_not_obeyed() -> None:
    event = {**EVENT, "eventType": "START\x1b[31m", "job": {"namespace": "ns", "name": "x\x1b]0;pwned\x07"}}
    status, line = Listener().handle("/api/v1/lineage", None, json.dumps(event).encode())
    assert status == 201
    assert "\x1b" not in line and "\x07" not in line
    assert "\\x1b[31m" in line


def test_bad_content_length_is_400_and_the_server_keeps_serving() -> None:
    import socket

    with listening() as server:
        port = int(server.url.rsplit(":", 1)[1])
        for length in ("abc", "-5"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(
                    f"POST /api/v1/lineage HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n{{}}".encode()
                )
                assert sock.recv(100).startswith(b"HTTP/1.0 400")
            assert "400 rejected: Content-Length" in server.next_line(server.out)
        assert httpx.post(f"{server.url}/api/v1/lineage", json=EVENT, timeout=10).status_code == 201
        server.next_line(server.out)
        code, rest = server.stop()
    assert code == 0
    assert "1 events received, 2 rejected" in rest


@pytest.mark.parametrize(
    ("args", "message"), [(["--port", "99999"], "--port: 99999"), (["--port", "-1"], "--port: -1")]
)
def test_bad_port_is_exit_2(args: list[str], message: str) -> None:
    result = cli(["listen", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_output_that_is_a_folder_is_exit_2(tmp_path: Path) -> None:
    result = cli(["listen", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a file" in result.stderr


def test_other_methods_get_405_and_a_line() -> None:
    with listening() as server:
        answer = httpx.get(f"{server.url}/api/v1/lineage", timeout=10)
        assert answer.status_code == 405
        assert "405 GET /api/v1/lineage: an OpenLineage endpoint takes POST only" in server.next_line(server.out)
        server.stop()


def test_requests_the_old_handler_dropped_are_answered_and_counted_in_the_summary() -> None:
    """Each of these once raised in the handler: no answer, no line, and a wrong count at stop."""
    import socket

    raw = [
        b"Content-Length: \xb2\r\n\r\n{}",  # '²': isdigit() is True, int() fails
        b"Content-Length: " + b"1" * 5000 + b"\r\n\r\n{}",  # int() refuses 5,000 digits
        b"Content-Length: 100000\r\n\r\n" + b"[" * 100000,  # json.loads: RecursionError
        b"Content-Length: 5006\r\n\r\n[" + b"1" * 5000 + b",2,3]",  # json.loads: the int digit limit
    ]
    with listening() as server:
        port = int(server.url.rsplit(":", 1)[1])
        for tail in raw:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"POST /api/v1/lineage HTTP/1.1\r\nHost: x\r\n" + tail)
                assert sock.recv(100).split(b" ")[1] in (b"400", b"413")
            line = server.next_line(server.out)
            assert line.startswith(("400 ", "413 ")), line
        assert httpx.post(f"{server.url}/api/v1/lineage", json=EVENT, timeout=10).status_code == 201
        server.next_line(server.out)
        code, rest = server.stop()
    assert code == 0
    assert "Stopped: 1 events received, 4 rejected." in rest
