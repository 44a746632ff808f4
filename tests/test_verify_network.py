"""verify against hostile or odd servers: one deadline for everything, capped bodies, strict Retry-After,
proxies named as proxies, and nothing from the network printed raw."""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
import respx
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup import verify
from lineage_setup.answers import Connection

from .helpers import CANARY

CONN = Connection("https://lineage.example.com", "api/v1/lineage", "dev", CANARY)
URL = "https://lineage.example.com/api/v1/lineage"
SERVER_LIMIT = 12.0  # seconds any test server keeps a connection going, so old code fails instead of hanging

Respond = Callable[[socket.socket, threading.Event], None]


def _no_sleep(seconds: float) -> None:
    pass


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("http", "https", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)


# --- a loopback server that answers with raw bytes ------------------------------------------------


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


@contextmanager
def raw_server(respond: Respond) -> Iterator[str]:
    """A loopback HTTP server: each connection's request is read, then `respond(conn, stop)` writes bytes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(SERVER_LIMIT)
            try:
                _read_request(conn)
                respond(conn, stop)
            except OSError:  # the client went away: what verify should do
                pass

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            worker = threading.Thread(target=handle, args=(conn,), daemon=True)
            workers.append(worker)
            worker.start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for worker in workers:
            worker.join(timeout=5)


def _conn(url: str) -> Connection:
    return Connection(url, "api/v1/lineage", "dev", CANARY)


def _trickle(head: bytes, seconds_per_byte: float = 0.2) -> Respond:
    """Send `head` a byte at a time, then a body that never ends, until SERVER_LIMIT or the test is over."""

    def respond(conn: socket.socket, stop: threading.Event) -> None:
        ends = time.monotonic() + SERVER_LIMIT
        data = iter(head + b"x" * 100_000)
        while time.monotonic() < ends and not stop.wait(seconds_per_byte):
            conn.sendall(bytes([next(data)]))

    return respond


def _silent(conn: socket.socket, stop: threading.Event) -> None:
    """Accept, read, and never answer."""
    stop.wait(SERVER_LIMIT)


def _answer(raw: bytes, delay: float = 0.0) -> Respond:
    def respond(conn: socket.socket, stop: threading.Event) -> None:
        if not stop.wait(delay):
            conn.sendall(raw)

    return respond


# --- 1. one deadline for the whole exchange -------------------------------------------------------


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(_trickle(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 100000\r\n\r\n", 0.05), id="body"),
        pytest.param(_trickle(b"HTTP/1.1 201 Created\r\nX-Slow: " + b"a" * 1000), id="headers"),
        pytest.param(_trickle(b"HTTP/1.1 201 Created\r\n"), id="status-line"),
    ],
)
def test_a_trickling_server_is_bounded_by_the_timeout(respond: Respond) -> None:
    with raw_server(respond) as url:
        began = time.monotonic()
        result = verify.check(_conn(url), timeout=1.5, sleep=_no_sleep)
        waited = time.monotonic() - began
    assert waited < 4, waited
    assert not result.ok
    assert "400" in result.message or "within 1.5 s" in result.message, result.message


def test_the_timeout_bounds_both_events_together() -> None:
    """Each answer comes in 0.7 s, inside a 1 s timeout; the two together do not."""
    with raw_server(_answer(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", delay=0.7)) as url:
        began = time.monotonic()
        result = verify.check(_conn(url), timeout=1.0, sleep=_no_sleep)
        waited = time.monotonic() - began
    assert not result.ok
    assert "within 1 s" in result.message
    assert waited < 2.5


def test_the_timeout_bounds_retries_and_their_sleeps() -> None:
    """503 with Retry-After: 5 would sleep 15 s over three retries; a 1 s timeout stops it."""
    busy = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n"
    with raw_server(_answer(busy)) as url:
        began = time.monotonic()
        result = verify.check(_conn(url), timeout=1.0)  # the real sleep
        waited = time.monotonic() - began
    assert waited < 2.5, waited
    assert not result.ok
    assert "answered 503 Service Unavailable after 1 attempts" in result.message
    assert "--timeout 1 s ran out" in result.message


# --- 2. a failure body is read up to a cap --------------------------------------------------------


def test_a_huge_failure_body_is_not_read_whole() -> None:
    sent = [0]

    def respond(conn: socket.socket, stop: threading.Event) -> None:
        total = 50 * 1024 * 1024
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % total)
        chunk = b'{"error": "bad"} ' + b"x" * 65519
        while sent[0] < total and not stop.is_set():
            conn.sendall(chunk)
            sent[0] += len(chunk)

    with raw_server(respond) as url:
        tracemalloc.start()
        try:
            result = verify.check(_conn(url), timeout=10, sleep=_no_sleep)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert not result.ok
    assert result.message.startswith('the endpoint rejected the event as invalid (400): {"error": "bad"} xxx')
    assert result.message.endswith("...")
    assert peak < 4 * 1024 * 1024, peak  # the old code held the whole 50 MB, twice
    assert sent[0] < 50 * 1024 * 1024  # the server was cut off


def test_a_compressed_failure_body_is_never_inflated() -> None:
    bomb = b"\x1f\x8b" + b"\x00" * 64
    raw = b"HTTP/1.1 400 Bad Request\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb) + bomb
    with raw_server(_answer(raw)) as url:
        result = verify.check(_conn(url), timeout=5, sleep=_no_sleep)
    assert result.message == "the endpoint rejected the event as invalid (400): (a gzip-encoded body, not shown)"


# --- 3. Retry-After: strict digits, or a date; anything else is the default backoff -----------------


@pytest.mark.parametrize(
    "value",
    ["soon", "-1", "1e9", "²", "٣", "1.5", "", "0x10", "+5", "5 s", "Mon, 99 Foo 2026 00:00:00 GMT", "12345678901"],
)
def test_malformed_retry_after_is_the_default_backoff(value: str) -> None:
    assert verify._delay(value, 1) == verify.BACKOFF * 2


@pytest.mark.parametrize(("value", "expected"), [("2", 2.0), (" 3 ", 3.0), ("60", verify.RETRY_AFTER_CAP)])
def test_retry_after_seconds_are_honoured_and_capped(value: str, expected: float) -> None:
    assert verify._delay(value, 0) == expected


def test_retry_after_http_date_is_honoured_and_capped() -> None:
    now = datetime.now(timezone.utc)
    soon = verify._delay(format_datetime(now + timedelta(seconds=3), usegmt=True), 0)
    assert 1.5 < soon <= 3
    assert verify._delay(format_datetime(now + timedelta(days=3), usegmt=True), 0) == verify.RETRY_AFTER_CAP
    assert verify._delay(format_datetime(now - timedelta(days=3), usegmt=True), 0) == 0


@settings(max_examples=300, deadline=None)
@given(value=st.text(), attempt=st.integers(0, verify.RETRIES))
def test_any_retry_after_gives_a_bounded_delay(value: str, attempt: int) -> None:
    delay = verify._delay(value, attempt)
    assert 0 <= delay <= max(verify.RETRY_AFTER_CAP, verify.BACKOFF * 2**verify.RETRIES)


@pytest.mark.parametrize("value", ["²", "٣", "soon", "1e9"])
def test_malformed_retry_after_end_to_end_is_a_retry_not_a_bad_url(value: str) -> None:
    slept: list[float] = []
    with respx.mock() as mock:
        mock.post(URL).mock(
            side_effect=[
                httpx.Response(503, headers=[(b"Retry-After", value.encode())]),
                httpx.Response(201),
                httpx.Response(201),
            ]
        )
        result = verify.check(CONN, sleep=slept.append)
    assert result.ok, result.message
    assert slept == [verify.BACKOFF]


# --- 4. proxies named as proxies; nothing from the network printed raw ------------------------------


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize(
    ("variables", "conn", "named"),
    [
        (("HTTPS_PROXY",), CONN, "HTTPS_PROXY"),
        (("ALL_PROXY",), CONN, "ALL_PROXY"),
        (("http_proxy", "HTTP_PROXY"), _conn("http://lineage.example.com"), "http_proxy"),  # lower case wins
    ],
)
def test_a_refused_proxy_is_named_not_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, variables: tuple[str, ...], conn: Connection, named: str
) -> None:
    ports = [_closed_port() for _ in variables]
    for name, port in zip(variables, ports, strict=True):
        monkeypatch.setenv(name, f"http://user:secret-pw@127.0.0.1:{port}")
    result = verify.check(conn, timeout=5, sleep=_no_sleep)
    assert not result.ok
    assert f"connection refused by the proxy 127.0.0.1:{ports[0]} (from {named})" in result.message
    assert "NO_PROXY=lineage.example.com" in result.message
    assert "connection refused by lineage.example.com" not in result.message
    assert "secret-pw" not in result.message


def test_a_silent_proxy_is_named_in_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    with raw_server(_silent) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        result = verify.check(CONN, timeout=1, sleep=_no_sleep)
    port = proxy.rsplit(":", 1)[1]
    assert not result.ok
    assert f"through the proxy 127.0.0.1:{port} (from HTTPS_PROXY) within 1 s" in result.message


def test_a_proxy_that_refuses_the_tunnel_is_named_with_its_address(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"
    with raw_server(_answer(raw)) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        result = verify.check(CONN, timeout=5, sleep=_no_sleep)
    assert "the proxy failed (from HTTPS_PROXY)" in result.message
    assert f"the proxy {proxy.removeprefix('http://')} answered 407" in result.message


ESC = "\x1b]0;pwned\x07\x1b[2J"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (  # an error body
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%b",
            "invalid (400): oops \\x1b]0;pwned\\x07\\x1b[2J key=****",
        ),
        (  # a reason phrase
            b"HTTP/1.1 418 Bad %b\r\nContent-Length: 0\r\n\r\n",
            "answered 418 Bad oops \\x1b]0;pwned\\x07\\x1b[2J key=****",
        ),
        (  # a Location header
            b"HTTP/1.1 302 Found\r\nLocation: https://x/%b\r\nContent-Length: 0\r\n\r\n",
            "redirected (302) to https://x/oops \\x1b]0;pwned\\x07\\x1b[2J key=****",
        ),
        (  # a C1 control in a reason phrase (httpx drops it); the echoed key
            b"HTTP/1.1 418 \xc2\x9b31m %b\r\nContent-Length: 0\r\n\r\n",
            "key=****",
        ),
    ],
)
def test_text_from_the_network_is_escaped_and_redacted(raw: bytes, expected: str) -> None:
    echoed = f"oops {ESC} key={CANARY}".encode()
    data = raw % ((len(echoed), echoed) if b"%d" in raw else (echoed,))
    with raw_server(_answer(data)) as url:
        result = verify.check(_conn(url), timeout=5, sleep=_no_sleep)
    assert not result.ok
    assert expected in result.message, result.message
    assert CANARY not in result.message
    assert all(ch.isprintable() for ch in result.message), repr(result.message)


def test_a_c1_control_in_a_location_header_is_escaped() -> None:
    raw = b"HTTP/1.1 301 Moved\r\nLocation: https://x/\x9b2J\r\nContent-Length: 0\r\n\r\n"  # latin-1 CSI
    with raw_server(_answer(raw)) as url:
        result = verify.check(_conn(url), timeout=5, sleep=_no_sleep)
    assert "redirected (301) to https://x/\\x9b2J" in result.message
    assert "\x9b" not in result.message


# --- 6. a 403 on loopback port 5000 may be AirPlay ------------------------------------------------


@pytest.mark.parametrize(
    ("base", "airplay"),
    [
        ("http://127.0.0.1:5000", True),
        ("http://localhost:5000", True),
        ("http://[::1]:5000", True),
        ("http://127.0.0.2:5000", True),
        ("http://127.0.0.1:5001", False),
        ("https://lineage.example.com:5000", False),
        ("http://10.0.0.1:5000", False),
    ],
)
def test_a_403_from_loopback_5000_may_be_airplay(base: str, airplay: bool) -> None:
    with respx.mock() as mock:
        mock.post(f"{base}/api/v1/lineage").respond(403)
        result = verify.check(_conn(base), sleep=_no_sleep)
    assert "valid but not allowed to send here (403)" in result.message
    assert ("AirPlay Receiver holds port 5000 and answers 403" in result.message) is airplay
    assert ("may not be `lineage-setup listen` answering" in result.message) is airplay
