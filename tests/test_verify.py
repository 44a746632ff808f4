"""`lineage-setup verify`: valid events, one plain line per outcome, and the key in none of them."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from lineage_setup import verify
from lineage_setup.answers import Connection

from .helpers import CANARY, cli
from .receiver import receiver

CONN = Connection("https://lineage.example.com", "api/v1/lineage", "dev", CANARY)
URL = "https://lineage.example.com/api/v1/lineage"
ARGS = ["verify", "--url", "https://lineage.example.com", "--namespace", "dev", "--api-key", CANARY]


def _no_sleep(seconds: float) -> None:
    pass


# --- the events ---------------------------------------------------------------------------------


def _client_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event rebuilt with the OpenLineage Python client's own model (its validators run), as it sends it."""
    from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
    from openlineage.client.serde import Serde

    rebuilt = RunEvent(
        eventType=RunState(event["eventType"]),
        eventTime=event["eventTime"],
        run=Run(runId=event["run"]["runId"]),
        job=Job(namespace=event["job"]["namespace"], name=event["job"]["name"]),
        producer=event["producer"],
        inputs=[],
        outputs=[],
    )
    sent: dict[str, Any] = Serde.to_dict(rebuilt)
    for part in ("run", "job"):
        if sent[part].get("facets") == {}:
            del sent[part]["facets"]
    return sent


def test_events_are_valid_against_the_openlineage_schema() -> None:
    """The spec's own JSON Schema (2-0-2, vendored in the package: this test always runs)."""
    import json
    from importlib import resources

    import jsonschema

    schema = json.loads((resources.files("lineage_setup") / "spec" / "OpenLineage.json").read_text("utf-8"))
    assert schema["$id"] == "https://openlineage.io/spec/2-0-2/OpenLineage.json"
    run_event = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/RunEvent", "$defs": schema["$defs"]}, format_checker=jsonschema.FormatChecker()
    )
    start, complete = verify.events("dev")
    for event in (start, complete):
        run_event.validate(event)
    assert not run_event.is_valid({**start, "run": {}})  # the schema does catch a broken event
    assert not run_event.is_valid({**start, "run": {"runId": "not-a-uuid"}})


def test_events_are_what_the_openlineage_client_sends() -> None:
    """The OpenLineage client's models (validators and serialisation) agree with what we send."""
    start, complete = verify.events("dev")
    for event in (start, complete):
        assert _client_event(event) == event
    broken = {**start, "run": {"runId": "not-a-uuid"}}
    with pytest.raises(ValueError):
        _client_event(broken)  # the models do reject a bad event
    with pytest.raises(ValueError):
        _client_event({**start, "eventTime": "3"})


def test_events_describe_one_run() -> None:
    start, complete = verify.events("analytics")
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert start["run"] == complete["run"]
    assert start["job"] == {"namespace": "analytics", "name": "lineage-setup.verify"}
    assert start["producer"].startswith("https://") and "0." in start["producer"]
    assert start["schemaURL"] == "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    assert start["eventTime"].endswith("+00:00")


def test_uuid7_is_version_7_and_time_ordered() -> None:
    ids = [verify.uuid7() for _ in range(50)]
    assert {u.version for u in ids} == {7}
    assert {u.variant for u in ids} == {uuid.RFC_4122}
    stamp = ids[0].int >> 80
    assert abs(stamp - time.time_ns() // 1_000_000) < 5_000
    earlier = ids[0]
    time.sleep(0.002)
    assert verify.uuid7().int >> 80 > earlier.int >> 80


# --- outcomes through a mocked transport ----------------------------------------------------------


@respx.mock(assert_all_called=False)
def test_success_posts_both_events_with_bearer_and_says_so(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post(URL).respond(201)
    result = verify.check(CONN, sleep=_no_sleep)
    assert result.ok
    assert "START 201 in" in result.message and "COMPLETE 201 in" in result.message
    assert route.call_count == 2
    sent = [json.loads(call.request.content) for call in route.calls]
    assert [e["eventType"] for e in sent] == ["START", "COMPLETE"]
    assert {call.request.headers["Authorization"] for call in route.calls} == {f"Bearer {CANARY}"}
    assert CANARY not in result.message


@pytest.mark.parametrize(
    ("response", "calls", "expected"),
    [
        (
            httpx.Response(301, headers={"Location": "https://other.example/x"}),
            1,
            "redirected (301) to https://other.example/x",
        ),
        (httpx.Response(308), 1, "redirected (308) to (no Location header)"),
        (
            httpx.Response(400, text='{"error": "eventTime missing"}'),
            1,
            'invalid (400): {"error": "eventTime missing"}',
        ),
        (httpx.Response(401), 1, "the API key was rejected (401)"),
        (httpx.Response(403), 1, "valid but not allowed to send here (403)"),
        (httpx.Response(404), 1, f"nothing at {URL} (404): wrong domain or endpoint?"),
        (httpx.Response(405), 1, f"{URL} does not accept POST (405)"),
        (httpx.Response(413), 1, "bytes) was too large"),
        (httpx.Response(429), 4, "answered 429 Too Many Requests after 4 attempts"),
        (httpx.Response(500), 4, "answered 500 Internal Server Error after 4 attempts"),
        (httpx.Response(503), 4, "after 4 attempts: the server is busy or down"),
        (httpx.Response(418, text="teapot"), 1, "answered 418 I'm a teapot: teapot"),
    ],
)
def test_status_outcomes(response: httpx.Response, calls: int, expected: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(URL).mock(return_value=response)
        mock.post(host="lineage.example.com").respond(404)  # after a 404/405 verify tries the other known paths
        result = verify.check(CONN, sleep=_no_sleep)
    assert not result.ok
    assert expected in result.message
    assert route.call_count == calls
    assert CANARY not in result.message


def test_retry_recovers_and_honours_retry_after() -> None:
    slept: list[float] = []
    with respx.mock() as mock:
        mock.post(URL).mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "60"}),
                httpx.Response(502),
                httpx.Response(201),
                httpx.Response(201),
            ]
        )
        result = verify.check(CONN, sleep=slept.append)
    assert result.ok
    assert slept == [verify.RETRY_AFTER_CAP, verify.BACKOFF * 2]  # capped Retry-After, then backoff


def _chained(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


def _cert_error() -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "unable to get local issuer certificate"
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            _chained(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
            "cannot resolve lineage.example.com: check the domain",
        ),
        (
            _chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")),
            "connection refused by lineage.example.com",
        ),
        (
            _chained(httpx.ConnectError("x"), _cert_error()),
            "(unable to get local issuer certificate); behind a proxy that re-signs traffic, point SSL_CERT_FILE",
        ),
        (
            _chained(httpx.ConnectError("x"), ssl.SSLError(1, "wrong version number")),
            "TLS handshake with lineage.example.com failed",
        ),
        (httpx.ProxyError("407 Proxy Authentication Required"), "the proxy failed (from the environment)"),
        (httpx.ReadTimeout("timed out"), "no answer from lineage.example.com within 10 s (raise it with --timeout)"),
        (httpx.ConnectTimeout("timed out"), "within 10 s"),
        (httpx.RemoteProtocolError("Server disconnected"), "cannot reach lineage.example.com: Server disconnected"),
    ],
)
def test_network_outcomes(monkeypatch: pytest.MonkeyPatch, error: Exception, expected: str) -> None:
    calls: list[httpx.Request] = []

    def fail(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise error  # as httpx raises it: with its cause chain (respx would replace the cause)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", fail)
    result = verify.check(CONN, sleep=_no_sleep)
    assert not result.ok
    assert expected in result.message
    assert len(calls) == 1  # no retry for these
    assert "TLS" not in expected or "verify=False" not in result.message  # never suggests turning checks off


# --- real loopback servers ----------------------------------------------------------------------


def test_cli_success_against_a_loopback_receiver() -> None:
    with receiver() as rx:
        result = cli(["verify", "--url", rx.url, "--namespace", "dev", "--api-key", CANARY])
    assert result.exit_code == 0, result.output
    assert "OpenLineage accepted the test run" in result.stdout
    assert [r.headers["Authorization"] for r in rx.requests] == [f"Bearer {CANARY}"] * 2
    assert CANARY not in result.output


@contextmanager
def _server(status: int | None) -> Iterator[str]:
    """A loopback server answering `status`, or (None) accepting connections and never answering."""
    if status is None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            sock.close()
        return

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
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_cli_401_server_is_exit_1_one_line() -> None:
    with _server(401) as url:
        result = cli(["verify", "--url", url, "--namespace", "dev", "--api-key", CANARY])
    assert result.exit_code == 1
    assert (
        result.stderr.strip().splitlines()[-1]
        == "lineage-setup: the API key was rejected (401): check it, or get a new one"
    )
    assert CANARY not in result.output


def test_cli_server_that_never_answers_is_bounded_by_timeout() -> None:
    with _server(None) as url:
        began = time.monotonic()
        result = cli(["verify", "--url", url, "--namespace", "dev", "--api-key", CANARY, "--timeout", "1"])
        waited = time.monotonic() - began
    assert result.exit_code == 1
    assert "within 1 s" in result.stderr
    assert waited < 5


def test_cli_closed_port_is_connection_refused() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    result = cli(["verify", "--url", f"http://127.0.0.1:{port}", "--namespace", "dev", "--api-key", CANARY])
    assert result.exit_code == 1
    assert f"connection refused by 127.0.0.1:{port}" in result.stderr


def test_https_proxy_from_environment_is_used_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with _server(407) as proxy:  # a "proxy" that refuses every CONNECT
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = verify.check(CONN, timeout=5, sleep=_no_sleep)
    assert not result.ok
    assert "the proxy failed (from HTTPS_PROXY)" in result.message


def test_tls_untrusted_then_trusted_with_ssl_cert_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_cert = ca.issue_cert("localhost")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_cert.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn = Connection(f"https://localhost:{server.server_address[1]}", "api/v1/lineage", "dev", CANARY)
    try:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        untrusted = verify.check(conn, timeout=5, sleep=_no_sleep)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        trusted = verify.check(conn, timeout=5, sleep=_no_sleep)
    finally:
        server.shutdown()
        server.server_close()
    assert not untrusted.ok
    assert "TLS certificate of localhost was not accepted" in untrusted.message
    assert "SSL_CERT_FILE" in untrusted.message
    assert trusted.ok, trusted.message


# --- the CLI's input handling -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["verify", "--url", "h.example", "--namespace", "dev", "--api-key", CANARY],
            "--url: 'h.example' has no scheme",
        ),
        (["verify", "--url", "https://h.example", "--namespace", "dev"], "missing the API key"),
        ([*ARGS, "--timeout", "0"], "--timeout: give a number of seconds"),
    ],
)
def test_cli_bad_input_is_exit_2(args: list[str], message: str) -> None:
    result = cli(args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_integration_verify_flag_sends_after_apply(dbt_project: Path) -> None:
    with receiver() as rx:
        result = cli(
            [
                "dbt",
                "--dir",
                str(dbt_project),
                "--url",
                rx.url,
                "--namespace",
                "dev",
                "--api-key",
                CANARY,
                "--yes",
                "--verify",
            ]
        )
    assert result.exit_code == 0, result.output
    assert "OpenLineage accepted the test run" in result.stdout
    assert [e["job"]["name"] for e in rx.events()] == ["lineage-setup.verify"] * 2
    assert CANARY not in result.output


def test_integration_verify_failure_is_exit_1_after_writing(dbt_project: Path) -> None:
    with _server(403) as url:
        result = cli(
            [
                "dbt",
                "--dir",
                str(dbt_project),
                "--url",
                url,
                "--namespace",
                "dev",
                "--api-key",
                CANARY,
                "--yes",
                "--verify",
            ]
        )
    assert result.exit_code == 1
    assert "(403)" in result.stderr
    assert (dbt_project / "openlineage.yml").exists()


def test_url_the_client_cannot_use_is_a_plain_failure() -> None:
    conn = Connection("https://bad..host", "api/v1/lineage", "dev", CANARY)  # not through validate
    result = verify.check(conn, sleep=_no_sleep)
    assert not result.ok
    assert "cannot be used as a URL" in result.message
