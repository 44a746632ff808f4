"""verify on a 404 (or 405): the known paths tried on the same scheme, host and port only, once each, within
--timeout, and the flag to use named."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest

from lineage_setup import backends, path_search, verify
from lineage_setup.answers import Connection
from lineage_setup.http_exchange import Deadline, Exchange

from .helpers import CANARY, cli

HOLD = 10.0  # seconds a slow path holds a request at most, so a broken deadline fails instead of hanging
WRONG = "api/v2/lineage"  # DataHub's documented path that answers 404 (datahub#11271)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("http", "https", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)


@dataclass
class Server:
    url: str
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # path, Host header, Authorization

    def paths(self) -> Counter[str]:
        return Counter(path for path, _, _ in self.seen)


@contextmanager
def serving(accept: str | None, status: int = 404, slow: bool = False) -> Iterator[Server]:
    """Answers 201 at `accept` (a path without its /), `status` at the first path asked, and `status` (or,
    with `slow`, nothing until the test ends) everywhere else."""
    done = threading.Event()
    state = Server("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            first = not state.seen
            state.seen.append((self.path, self.headers.get("Host", ""), self.headers.get("Authorization", "")))
            if self.path == f"/{accept}":
                code = 201
            elif slow and not first:
                done.wait(HOLD)
                return
            else:
                code = status
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        done.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def requests_made(monkeypatch: pytest.MonkeyPatch) -> list[httpx.URL]:
    """Every URL any httpx client sends to, whatever the destination."""
    sent: list[httpx.URL] = []
    real = httpx.HTTPTransport.handle_request

    def spy(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return real(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", spy)
    return sent


def _conn(url: str, endpoint: str = WRONG) -> Connection:
    return Connection(url, endpoint, "dev", CANARY)


def _same_place(sent: list[httpx.URL], url: str) -> None:
    origin = urlsplit(url)
    assert sent, "nothing was sent"
    assert {(u.scheme, u.host, u.port) for u in sent} == {(origin.scheme, origin.hostname, origin.port)}


def _flag(preset: backends.Preset) -> str:
    owners = [p for p in backends.PRESETS.values() if p.endpoint == preset.endpoint]
    return f"--backend {preset.name}" if len(owners) == 1 else f"--endpoint {preset.endpoint}"


@pytest.mark.parametrize("preset", list(backends.PRESETS.values()), ids=list(backends.PRESETS))
def test_the_path_that_accepts_is_named_with_its_flag(preset: backends.Preset, requests_made: list[httpx.URL]) -> None:
    with serving(preset.endpoint) as server:
        result = verify.check(_conn(server.url), timeout=10)
    assert not result.ok  # the configured path is still wrong
    assert f"nothing at {server.url}/{WRONG} (404)" in result.message
    assert f"{server.url}/{preset.endpoint} accepted the test event (201): use {_flag(preset)}" in result.message
    assert max(server.paths().values()) == 1  # one request per path at most
    assert set(server.paths()) <= {f"/{WRONG}", *(f"/{p}" for p in backends.known_paths())}
    assert {auth for _, _, auth in server.seen} == {f"Bearer {CANARY}"}
    _same_place(requests_made, server.url)
    assert CANARY not in result.message


def test_a_known_path_that_404s_is_not_tried_twice(requests_made: list[httpx.URL]) -> None:
    with serving("openapi/openlineage/api/v1/lineage") as server:
        result = verify.check(_conn(server.url, "api/v1/lineage"), timeout=10)
    assert "use --backend datahub (or --endpoint openapi/openlineage/api/v1/lineage)" in result.message
    assert server.paths()["/api/v1/lineage"] == 1
    _same_place(requests_made, server.url)


def test_a_405_searches_too() -> None:
    with serving("api/v1/openlineage/lineage", status=405) as server:
        result = verify.check(_conn(server.url), timeout=10)
    assert f"{server.url}/{WRONG} does not accept POST (405)" in result.message
    assert "use --backend openmetadata" in result.message


def test_404_everywhere_lists_what_each_path_answered(requests_made: list[httpx.URL]) -> None:
    with serving(None) as server:
        result = verify.check(_conn(server.url), timeout=10)
    others = backends.known_paths()
    tried = ", ".join(f"{path} 404" for path in others)
    assert f"none of the {len(others)} other known paths on {server.url} accepted it ({tried})" in result.message
    assert server.paths() == Counter({f"/{WRONG}": 1, **{f"/{path}": 1 for path in others}})
    _same_place(requests_made, server.url)


def test_a_slow_path_is_bounded_by_the_one_timeout() -> None:
    with serving(None, slow=True) as server:
        began = time.monotonic()
        result = verify.check(_conn(server.url), timeout=1)
        waited = time.monotonic() - began
    assert waited < 3
    assert "trying the other known paths stopped after 0 of" in result.message
    assert "within 1 s" in result.message
    assert len(server.seen) == 2  # the configured path, then the first known one, which never answered


@pytest.mark.parametrize("status", [401, 403, 400, 500])
def test_other_failures_do_not_search(status: int) -> None:
    with serving("api/v1/lineage", status=status) as server:
        result = verify.check(_conn(server.url), timeout=10, sleep=lambda seconds: None)
    assert not result.ok
    assert "known paths" not in result.message
    assert set(server.paths()) == {f"/{WRONG}"}


def test_no_search_once_start_was_accepted() -> None:
    """A 404 for COMPLETE after START went through says so, and sends nothing more."""
    with serving(None) as server:
        calls = {"n": 0}
        real = httpx.HTTPTransport.handle_request

        def first_ok(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            calls["n"] += 1
            return httpx.Response(201) if calls["n"] == 1 else real(self, request)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(httpx.HTTPTransport, "handle_request", first_ok)
            result = verify.check(_conn(server.url), timeout=10)
    assert "(404)" in result.message and "known paths" not in result.message
    assert len(server.seen) == 1


def test_cli_names_the_flag_and_keeps_the_key_home() -> None:
    with serving("openapi/openlineage/api/v1/lineage") as server:
        result = cli(["verify", "--url", f"{server.url}/{WRONG}", "--namespace", "dev", "--api-key", CANARY])
    assert result.exit_code == 1
    assert "use --backend datahub" in result.stderr
    assert CANARY not in result.output
    assert {host for _, host, _ in server.seen} == {server.url.removeprefix("http://")}


# --- the URLs, without a server -------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["https://lineage.example.com", "http://127.0.0.1:5000", "https://[::1]:8443"])
def test_candidates_stay_on_the_origin_and_skip_the_failed_url(origin: str) -> None:
    failed = f"{origin}/api/v1/lineage"
    urls = path_search.candidates(Exchange(origin, failed, {}, Deadline(1)))
    assert failed not in urls
    assert len(urls) == len(backends.known_paths()) - 1
    assert all(path_search.same_origin(url, origin) for url in urls)


@pytest.mark.parametrize(
    ("url", "origin", "same"),
    [
        ("https://a.example/x", "https://a.example", True),
        ("http://a.example/x", "https://a.example", False),
        ("https://a.example:8443/x", "https://a.example", False),
        ("https://a.example.evil/x", "https://a.example", False),
        ("https://a.example@evil/x", "https://a.example", False),
        ("http://127.0.0.1:80/x", "http://127.0.0.1:8080", False),
    ],
)
def test_same_origin_means_scheme_host_and_port(url: str, origin: str, same: bool) -> None:
    assert path_search.same_origin(url, origin) == same


def test_flag_for_each_known_path() -> None:
    assert path_search.flag_for("api/v1/openlineage/lineage").startswith("--backend openmetadata")
    assert path_search.flag_for("api/v1/lineage").startswith("--endpoint api/v1/lineage (the path of astro, marquez")
    assert path_search.flag_for("custom/path") == "--endpoint custom/path"
