"""listen --forward: each event received sent on to a backend with the key from OPENLINEAGE_API_KEY, bounded
per event; a failing forward is one line and a count, never the end of listen."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from lineage_setup import forward, lint, redact
from lineage_setup.errors import UsageError
from lineage_setup.listen import Listener

from .helpers import CANARY, cli
from .receiver import receiver
from .test_lint import GOOD
from .test_listen_lint import WAIT, Said, listening, serving

BODY = json.dumps(GOOD).encode()


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("http", "https", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@contextmanager
def _silent() -> Iterator[str]:
    """A loopback port that accepts connections and never answers (until the test ends)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


# --- the forwarder --------------------------------------------------------------------------------


def test_an_event_is_sent_on_as_it_came_with_the_key() -> None:
    with receiver() as rx:
        forwarder = forward.make(rx.url, "api/v1/lineage", {"OPENLINEAGE_API_KEY": CANARY})
        assert forwarder(BODY) is None
    (got,) = rx.requests
    assert (got.path, got.body) == ("/api/v1/lineage", GOOD)
    assert got.headers["Authorization"] == f"Bearer {CANARY}"
    assert got.headers[forward.FORWARDED_HEADER] == "1"
    assert (forwarder.sent, forwarder.failed) == (1, 0)


def test_no_key_sends_no_authorization() -> None:
    with receiver() as rx:
        assert forward.make(rx.url + "/custom/path", "api/v1/lineage", {})(BODY) is None
    assert rx.requests[0].path == "/custom/path"  # the URL's own path wins over the backend's
    assert "Authorization" not in rx.requests[0].headers


def test_failures_are_one_line_each_and_counted() -> None:
    forwarder = forward.make(f"http://127.0.0.1:{_closed_port()}", "api/v1/lineage", {"OPENLINEAGE_API_KEY": CANARY})
    line = forwarder(BODY)
    assert line is not None and line.startswith("    forward failed: connection refused by 127.0.0.1:")
    assert "\n" not in line and CANARY not in line
    assert (forwarder.sent, forwarder.failed) == (0, 1)
    assert forwarder.summary() == f"Forwarded 0 of 1 events to {forwarder.url} (1 failed)."


def test_a_backend_that_never_answers_is_bounded_per_event() -> None:
    with _silent() as url:
        forwarder = forward.Forwarder(url, f"{url}/api/v1/lineage", timeout=0.5)
        began = time.monotonic()
        line = forwarder(BODY)
        waited = time.monotonic() - began
    assert waited < 2
    assert line == f"    forward failed: no answer from {url.removeprefix('http://')} within 0.5 s"


@pytest.mark.parametrize(
    ("status", "said"), [(401, "answered 401 Unauthorized: (empty body)"), (302, "redirected (302) to (no Location")]
)
def test_a_refusal_is_said_with_its_status(status: int, said: str) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        line = forward.make(url, "api/v1/lineage", {})(BODY)
    finally:
        server.shutdown()
        server.server_close()
    assert line is not None and said in line


def test_a_bad_key_in_the_environment_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="OPENLINEAGE_API_KEY"):
        forward.make("https://lineage.example.com", "api/v1/lineage", {"OPENLINEAGE_API_KEY": "Bearer abc"})


def test_the_key_is_masked_in_everything_printed() -> None:
    forward.make("https://lineage.example.com", "api/v1/lineage", {"OPENLINEAGE_API_KEY": CANARY})
    assert CANARY not in redact.redact(f"echo {CANARY}")


# --- inside listen --------------------------------------------------------------------------------


def test_a_failing_forward_never_stops_listen() -> None:
    said = Said()
    sender = forward.Sender(forward.make(f"http://127.0.0.1:{_closed_port()}", "api/v1/lineage", {}), said)
    listener = Listener(say=said, tracker=lint.Tracker(), forward=sender)
    with serving(listener) as url:
        for _ in range(2):
            assert httpx.post(f"{url}/api/v1/lineage", content=BODY, timeout=WAIT).status_code == 201
    sender.close()
    assert (listener.received, sender.forwarder.failed, sender.unsent) == (2, 2, 0)
    failures = [text for text in said.texts if text.startswith("    forward failed")]
    assert failures == [failures[0]] * 2
    assert failures[0].startswith("    forward failed (COMPLETE run 00000001): connection refused by 127.0.0.1:")
    assert sender.summary().endswith("(2 failed).")


def test_events_are_sent_on_in_the_order_they_came() -> None:
    events = [json.dumps({**GOOD, "eventType": "OTHER", "n": n}).encode() for n in range(20)]
    with receiver() as rx:
        sender = forward.Sender(forward.make(rx.url, "api/v1/lineage", {}), Said())
        with serving(Listener(forward=sender)) as url:
            for body in events:
                assert httpx.post(f"{url}/api/v1/lineage", content=body, timeout=WAIT).status_code == 201
        sender.close()
    assert [r.body["n"] for r in rx.requests] == list(range(20))
    assert sender.summary() == f"Forwarded 20 of 20 events to {rx.url}/api/v1/lineage (0 failed)."


def test_a_full_queue_and_a_stop_are_counted_not_waited_for() -> None:
    said = Said()
    with _silent() as url:
        forwarder = forward.Forwarder(url, f"{url}/api/v1/lineage", timeout=0.5)
        sender = forward.Sender(forwarder, said, size=2)
        lines = [sender(BODY) for _ in range(4)]  # one goes out (and hangs), two wait, the rest do not fit
        began = time.monotonic()
        sender.close(wait=0)
        waited = time.monotonic() - began
    assert waited < 3
    assert (
        lines.count(None) >= 2 and lines[-1] == "    not forwarded: 2 events are waiting already (the backend is slow)"
    )
    assert forwarder.sent == 0 and forwarder.failed + sender.unsent == 4
    assert sender.unsent >= 1 and "not sent: listen stopped first" in sender.summary()


def test_a_forwarded_event_is_not_forwarded_again() -> None:
    said = Said()
    calls: list[bytes] = []
    listener = Listener(say=said, forward=lambda body: calls.append(body) or None)
    with serving(listener) as url:
        headers = {forward.FORWARDED_HEADER: "1"}
        assert httpx.post(f"{url}/api/v1/lineage", content=BODY, headers=headers, timeout=WAIT).status_code == 201
        assert httpx.post(f"{url}/api/v1/lineage", content=BODY, timeout=WAIT).status_code == 201
    assert calls == [BODY]
    assert "    not forwarded: it came from a listen --forward (a loop)" in said.texts


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_listen_forward_sends_every_event_on_with_the_key_and_never_prints_it() -> None:
    with receiver() as rx, listening("--lint", "--forward", rx.url, env={"OPENLINEAGE_API_KEY": CANARY}) as server:
        sent = cli(["verify", "--url", server.url, "--namespace", "dev", "--api-key", "local-key-123"])
        assert sent.exit_code == 0, sent.output
        deadline = time.monotonic() + WAIT
        while len(rx.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        printed = [server.out.get(timeout=WAIT) for _ in range(3)]  # START, COMPLETE, its empty-io notice
        rest = server.stop()
    assert [r.body["eventType"] for r in rx.requests] == ["START", "COMPLETE"]
    assert {r.headers["Authorization"] for r in rx.requests} == {f"Bearer {CANARY}"}
    assert f"Forwarded 2 of 2 events to {rx.url}/api/v1/lineage (0 failed)." in rest
    assert CANARY not in rest + "".join(printed)


def test_forward_to_itself_is_refused() -> None:
    port = _closed_port()
    done = subprocess.run(
        [sys.executable, "-m", "lineage_setup", "listen", "--port", str(port), "--forward", f"http://localhost:{port}"],
        capture_output=True,
        text=True,
        timeout=30,  # a listen that did not refuse would serve until killed here
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert done.returncode == 2
    assert "is this listener itself" in done.stderr


@pytest.mark.parametrize(
    ("url", "warned"),
    [("http://lineage.example.com", True), ("https://lineage.example.com", False), ("http://127.0.0.1:9", False)],
)
def test_a_key_forwarded_over_plain_http_is_warned_of(
    url: str, warned: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    from lineage_setup import listen

    listen._listener(None, None, listen.Checks(forward=url), {"OPENLINEAGE_API_KEY": CANARY})
    assert ("http:// sends the API key unencrypted" in capsys.readouterr().err) == warned
