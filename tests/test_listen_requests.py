"""listen answers every request: each gets a status and one printed line, and is counted (received or rejected).

The server runs in-process on a loopback port; the requests are raw bytes, so headers can be as broken as a
client can make them.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage_setup import verify
from lineage_setup.listen import MAX_BODY, Listener, Refused, bind_problem, body_size, describe, make_server

from .helpers import CANARY, cli

RUN_EVENT = {
    "eventType": "START",
    "eventTime": "2026-11-25T10:00:00+00:00",
    "run": {"runId": "0193a5c2-7f00-7000-8000-000000000001"},
    "job": {"namespace": "dbt-prod", "name": "jaffle.people"},
    "producer": "https://example.com",
}
DATASET_EVENT = {
    "eventTime": "2026-11-25T10:00:00+00:00",
    "dataset": {"namespace": "duckdb://x", "name": "main.people"},
    "producer": "https://example.com",
}
JOB_EVENT = {
    "eventTime": "2026-11-25T10:00:00+00:00",
    "job": {"namespace": "dbt-prod", "name": "jaffle.people"},
    "inputs": [{"namespace": "duckdb://x", "name": "main.raw"}],
    "outputs": [],
    "producer": "https://example.com",
}
WAIT = 10  # seconds any socket operation of a test may take


class Said:
    """The lines the listener printed, thread-safe."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)


@contextmanager
def serving(listener: Listener, host: str = "127.0.0.1", body_wait: float = 1.0) -> Iterator[int]:
    server = make_server(host, 0, listener, body_wait=body_wait)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=WAIT)


def _exchange(port: int, request: bytes, *, end: bool = True, host: str = "127.0.0.1") -> bytes:
    """Send raw bytes (then end the sending side, unless `end` is False) and return the status line."""
    with socket.create_connection((host, port), timeout=WAIT) as sock:
        sock.sendall(request)
        if end:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def _post(body: bytes, *headers: bytes) -> bytes:
    head = b"POST /api/v1/lineage HTTP/1.1\r\nHost: x\r\n" + b"".join(h + b"\r\n" for h in headers)
    return head + b"\r\n" + body


def _sized(body: bytes) -> bytes:
    return _post(body, b"Content-Length: %d" % len(body))


CASES = [
    # (id, request, end the sending side, status, the printed line holds)
    ("superscript-two", _post(b"{}", b"Content-Length: \xb2"), True, 400, "Content-Length '²' is not a size"),
    ("arabic-digit", _post(b"{}", "Content-Length: ٣".encode()), True, 400, "is not a size"),
    ("negative", _post(b"{}", b"Content-Length: -1"), True, 400, "Content-Length '-1' is not a size"),
    ("huge", _post(b"{}", b"Content-Length: 99999999999999999999"), True, 413, "413 rejected: 99999999999999999999"),
    ("5000-digits", _post(b"{}", b"Content-Length: " + b"1" * 5000), True, 413, "more than this receiver takes"),
    ("two-lengths", _post(b"{}", b"Content-Length: 2", b"Content-Length: 3"), True, 400, "2 different Content-Length"),
    (
        "chunked",
        _post(b"2\r\n{}\r\n0\r\n\r\n", b"Transfer-Encoding: chunked"),
        True,
        411,
        "Transfer-Encoding 'chunked'",
    ),
    ("no-length", _post(b"{}"), True, 411, "no Content-Length header"),
    ("short-body", _post(b"{}", b"Content-Length: 100"), True, 400, "the body ended after 2 of 100 bytes"),
    ("stalled-body", _post(b"{}", b"Content-Length: 100"), False, 408, "100-byte body did not come within 1 s"),
    ("deep-json", _sized(b"[" * 100_000), True, 400, "JSON nested too deeply"),
    ("huge-number", _sized(b'{"n": ' + b"1" * 5000 + b"}"), True, 400, "a number in it is too long"),
    ("not-utf8", _sized(b'{"job": "\xff"}'), True, 400, "not JSON (not UTF-8"),
    ("utf16-bom", _sized(b"\xff\xfe{"), True, 400, "400 malformed event: not JSON"),
    ("json-not-event", _sized(b'{"hello": 1}'), True, 400, "JSON but not an OpenLineage event (keys: hello"),
    ("empty-object", _sized(b"{}"), True, 400, "JSON but not an OpenLineage event (an empty object"),
    ("bad-request-line", b"POST / HTTP/1.1 x\r\n\r\n", True, 400, "400 rejected: Bad request version ('x')"),
    ("unknown-method", b"BREW /api/v1/lineage HTTP/1.1\r\nHost: x\r\n\r\n", True, 501, "501 rejected: Unsupported"),
    ("options", b"OPTIONS /api/v1/lineage HTTP/1.1\r\nHost: x\r\n\r\n", True, 405, "405 OPTIONS /api/v1/lineage"),
    ("dataset-event", _sized(json.dumps(DATASET_EVENT).encode()), True, 201, "DatasetEvent duckdb://x/main.people"),
    ("job-event", _sized(json.dumps(JOB_EVENT).encode()), True, 201, "JobEvent dbt-prod/jaffle.people  duckdb://x"),
    ("run-event", _sized(json.dumps(RUN_EVENT).encode()), True, 201, "START    dbt-prod/jaffle.people  run 00000001"),
]


@pytest.mark.parametrize(("request_", "end", "status", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_request_gets_a_status_a_line_and_a_count(request_: bytes, end: bool, status: int, line: str) -> None:
    said = Said()
    listener = Listener(say=said)
    with serving(listener) as port:
        answer = _exchange(port, request_, end=end)
        assert answer.split(b" ")[1] == str(status).encode(), answer  # HTTP/1.0 <status> ...
        ok = httpx.post(f"http://127.0.0.1:{port}/api/v1/lineage", json=RUN_EVENT, timeout=WAIT)  # still serving
    assert ok.status_code == 201
    assert len(said.lines) == 2, said.lines
    assert line in said.lines[0], said.lines[0]
    assert all(ch.isprintable() for ch in said.lines[0])
    assert (listener.received, listener.rejected) == ((2, 0) if status == 201 else (1, 1))


# --- the same, without sockets, for any input -----------------------------------------------------


def _deep(depth: int) -> bytes:
    return b'{"run": ' * depth + b"{}" + b"}" * depth


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "eventType": st.text(max_size=12),
        "run": st.dictionaries(st.sampled_from(["runId", "facets"]), json_values, max_size=2) | json_values,
        "job": st.dictionaries(st.sampled_from(["namespace", "name"]), json_values, max_size=2) | json_values,
        "dataset": st.dictionaries(st.sampled_from(["namespace", "name"]), json_values, max_size=2),
        "inputs": st.lists(json_values, max_size=3),
        "outputs": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    event_like.map(lambda value: json.dumps(value).encode()),
    st.integers(5_000, 20_000).map(_deep),  # RecursionError in json.loads
    st.integers(4_301, 6_000).map(lambda digits: b'{"n": ' + b"7" * digits + b"}"),  # int() digit limit
    st.binary(min_size=1, max_size=20).map(lambda junk: b'{"job": "' + junk + b'"}'),  # not UTF-8, often
)
Call = tuple[str, "str | None", bytes]
requests = st.tuples(
    st.sampled_from(["/api/v1/lineage", "/api/v1/lineage/", "/api/v1/lineage?x=1"]) | st.text(max_size=30),
    st.none() | st.sampled_from([f"Bearer {CANARY}", "Bearer nope"]) | st.text(max_size=30),
    bodies,
)


@settings(max_examples=200, deadline=None)
@given(calls=st.lists(requests, min_size=1, max_size=5), require_key=st.none() | st.just(CANARY))
def test_handle_answers_and_counts_every_call(
    calls: list[tuple[str, str | None, bytes]], require_key: str | None
) -> None:
    listener = Listener(require_key=require_key)
    for path, authorization, body in calls:
        status, line = listener.handle(path, authorization, body)
        assert status in (201, 400, 401, 404)  # never a 500: no input is a bug
        assert line and all(ch.isprintable() for ch in line)  # one line, nothing a terminal obeys
    assert listener.received + listener.rejected == len(calls)


headers = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.integers(-5, MAX_BODY * 2).map(str),
        st.sampled_from(["²", "٣", "1" * 5000, " 12 ", "0x10", "1e3", "+5", ""]),
    ),
    max_size=3,
)


@settings(max_examples=500, deadline=None)
@given(lengths=headers, transfer_encoding=st.none() | st.text(max_size=10))
def test_body_size_is_a_size_or_a_4xx_refusal(lengths: list[str], transfer_encoding: str | None) -> None:
    try:
        size = body_size(lengths, transfer_encoding)
    except Refused as refused:
        assert 400 <= refused.status < 500
        assert refused.line.startswith(str(refused.status))
        return
    assert 0 <= size <= MAX_BODY
    assert transfer_encoding is None and lengths


# --- what a line says -----------------------------------------------------------------------------


def test_runs_started_in_the_same_millisecond_are_told_apart() -> None:
    first, second = verify.uuid7(), verify.uuid7()
    assert str(first)[:8] == str(second)[:8]  # what the old line showed: the same for both
    lines = [describe({**RUN_EVENT, "run": {"runId": str(run)}}) for run in (first, second)]
    assert lines[0] != lines[1]
    assert lines[0].endswith(f"run {str(first)[-8:]}")


def test_events_that_are_not_run_events_are_named() -> None:
    assert Listener().handle("/api/v1/lineage", None, json.dumps(DATASET_EVENT).encode())[0] == 201
    assert describe(DATASET_EVENT).endswith(" DatasetEvent duckdb://x/main.people")
    assert describe(JOB_EVENT).endswith(" JobEvent dbt-prod/jaffle.people  duckdb://x/main.raw -> -")
    status, line = Listener().handle("/api/v1/lineage", None, b'{"run": {"runId": "x"}, "eventType": "START"}')
    assert (status, line) == (
        400,
        "400 malformed event: JSON but not an OpenLineage event (keys: run, eventType; a RunEvent has run and job)",
    )


def test_a_huge_or_nested_name_is_shown_short() -> None:
    event = {**RUN_EVENT, "job": {"namespace": "n" * 1_000_000, "name": [[[["deep"]]]]}, "eventType": ["x"] * 9}
    status, line = Listener().handle("/api/v1/lineage", None, json.dumps(event).encode())
    assert status == 201
    assert "<list>" in line and len(line) < 500
    many = {**RUN_EVENT, "inputs": [{"namespace": "n", "name": str(i)} for i in range(5000)]}
    line = Listener().handle("/api/v1/lineage", None, json.dumps(many).encode())[1]
    assert line.endswith("n/9 and 4990 more -> -  run 00000001")


# --- where it listens -----------------------------------------------------------------------------


def _ipv6_loopback() -> str | None:
    """Why IPv6 loopback cannot be used here, or None when it can."""
    if not socket.has_ipv6:
        return "this Python has no IPv6 support"
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError as exc:
        return f"cannot bind ::1 on this machine ({exc})"
    return None


@pytest.mark.skipif(_ipv6_loopback() is not None, reason=str(_ipv6_loopback()))
@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_ipv6_hosts_are_bound(host: str) -> None:
    said = Said()
    with serving(Listener(say=said), host=host) as port:
        answer = httpx.post(f"http://[::1]:{port}/api/v1/lineage", json=RUN_EVENT, timeout=WAIT)
    assert answer.status_code == 201
    assert "START    dbt-prod/jaffle.people" in said.lines[0]


@pytest.mark.skipif(_ipv6_loopback() is not None, reason=str(_ipv6_loopback()))
def test_ipv6_port_in_use_names_the_address() -> None:
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(["listen", "--host", "::1", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on [::1]:{port}: the port is already in use" in result.stderr


def test_port_in_use_says_so_and_how_to_pick_another() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(["listen", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use by another program" in result.stderr
    assert "--port 0 to pick a free one" in result.stderr
    assert "AirPlay" not in result.stderr


@pytest.mark.parametrize(
    ("host", "port", "code", "expected"),
    [
        ("127.0.0.1", 5000, errno.EADDRINUSE, "on macOS, port 5000 is the AirPlay Receiver's"),
        ("::1", 5000, errno.EADDRINUSE, "cannot listen on [::1]:5000: the port is already in use"),
        ("127.0.0.1", 80, errno.EACCES, "permission denied (ports below 1024 need root); pass --port 0"),
        ("10.9.9.9", 8080, errno.EADDRNOTAVAIL, "10.9.9.9 is not an address of this machine"),
    ],
)
def test_bind_problems_say_what_to_do(host: str, port: int, code: int, expected: str) -> None:
    assert expected in bind_problem(host, port, OSError(code, "x"))
