"""Send a real START and COMPLETE RunEvent through the configured path and say plainly what happened.

One deadline (--timeout) bounds the whole exchange: both events, every retry and every backoff sleep. Each
request gets the time left, and at the deadline a watchdog shuts the connection down, so a server trickling
a byte a second cannot keep it alive; a failure body is read up to BODY_CAP bytes, never whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from lineage_setup import PROJECT_URL, __version__, validate
from lineage_setup.errors import UsageError

if TYPE_CHECKING:
    import httpx

    from lineage_setup.answers import Connection

JOB_NAME = "lineage-setup.verify"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
PRODUCER = f"{PROJECT_URL}/tree/v{__version__}"
RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRIES = 3  # after the first attempt
BACKOFF = 0.5  # seconds, doubled each retry
RETRY_AFTER_CAP = 5.0
BODY_CAP = 64 * 1024  # bytes of a failure body read at most (a 3 GB body once took 8.8 GB to show 200 characters)
EXCERPT = 200  # characters of it shown
AIRPLAY_PORT = 5000  # macOS's AirPlay Receiver listens here and answers 403
_SHORTEST_WAIT = 0.001  # a socket timeout of 0 would mean non-blocking, not "time is up"
_DELAY_SECONDS = re.compile(r"[0-9]{1,10}")  # ASCII digits only: '²'.isdigit() and '٣'.isdigit() are True


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48-bit Unix milliseconds, then random bits."""
    value = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    return uuid.UUID(int=value)


def events(namespace: str, run_id: uuid.UUID | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The START and COMPLETE events of one test run."""
    run_id = run_id or uuid7()

    def event(kind: str) -> dict[str, Any]:
        return {
            "eventType": kind,
            "eventTime": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "run": {"runId": str(run_id)},
            "job": {"namespace": namespace, "name": JOB_NAME},
            "inputs": [],
            "outputs": [],
            "producer": PRODUCER,
            "schemaURL": SCHEMA_URL,
        }

    return event("START"), event("COMPLETE")


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str  # one line for the user; never holds the key, nor a control character from the network


class _Failed(Exception):
    """Ends the check with a message."""


# --- where to post --------------------------------------------------------------------------------


def target(conn: Connection) -> str:
    """The URL the OpenLineage client posts to, which must be conn.lineage_url; else a UsageError (exit 2)."""
    problem = validate.endpoint_problem(conn.endpoint)
    joined = urljoin(conn.url, conn.endpoint)
    if problem is None and joined != conn.lineage_url:  # a rule above missed a case: still refuse
        problem = f"the client would post to {joined} instead"
    if problem is None:
        return joined
    source = conn.origin.get("endpoint", "the endpoint")
    source = "--url" if source == "URL path" else source
    raise UsageError(
        f"{source}: the endpoint path {conn.endpoint!r} cannot be used: {problem} "
        f"(the OpenLineage Python client posts to urljoin(url, path), so it would not reach {conn.lineage_url})"
    )


# --- the exchange ---------------------------------------------------------------------------------


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()


class _Trace:
    """httpcore's `trace` request extension: where the last TCP connection went (a proxy, when one is used), and
    the stream on it, which the deadline cuts."""

    def __init__(self) -> None:
        self.connect_to: tuple[str, int] | None = None
        self.connected = False
        self._stream: Any = None

    def __call__(self, name: str, info: dict[str, Any]) -> None:
        if name == "connection.connect_tcp.started":
            self.connect_to, self.connected = (str(info.get("host")), int(info.get("port") or 0)), False
        elif name.endswith(("connect_tcp.complete", "start_tls.complete")):  # TLS, and a proxy's tunnel
            self.connected = True
            self._stream = info.get("return_value")

    def cut(self) -> None:
        """At the deadline: shut the connection down, so a read blocked on a trickling server returns now.

        A per-read timeout cannot bound a server that sends a byte a second; shutdown() wakes the read at once
        (unlike close(), and without freeing the descriptor under the reading thread)."""
        import socket

        sock = self._stream.get_extra_info("socket") if self._stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP stream, also under TLS


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes  # at most BODY_CAP bytes, read for a failure status only
    charset: str | None


@dataclass
class _Exchange:
    conn: Connection
    url: str
    headers: dict[str, str]
    deadline: _Deadline
    sleep: Callable[[float], None]
    trace: _Trace


def check(conn: Connection, timeout: float = 10.0, sleep: Callable[[float], None] = time.sleep) -> Result:
    """Post START then COMPLETE, all within `timeout` seconds; a path the client would not reach is a UsageError."""
    import httpx

    from lineage_setup import redact

    redact.register(conn.api_key)  # a server may echo it back in a body, a reason or a Location
    url = target(conn)
    start, complete = events(conn.namespace)
    exchange = _Exchange(conn, url, _headers(conn), _Deadline(timeout), sleep, _Trace())
    watchdog = threading.Timer(timeout, exchange.trace.cut)
    watchdog.daemon = True
    timings = []
    try:
        with httpx.Client(follow_redirects=False, event_hooks={"response": [_stop_at_redirect]}) as client:
            watchdog.start()
            for event in (start, complete):
                status, elapsed = _post(client, exchange, json.dumps(event).encode())
                timings.append(f"{event['eventType']} {status} in {elapsed * 1000:.0f} ms")
    except _Failed as failed:
        return Result(False, _shown(str(failed)))
    finally:
        watchdog.cancel()
    return Result(
        True,
        f"OpenLineage accepted the test run at {conn.lineage_url} ({'; '.join(timings)}): "
        f"job {conn.namespace}/{JOB_NAME}, run {start['run']['runId']}",
    )


def _headers(conn: Connection) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {conn.api_key}",
        "Content-Type": "application/json",
        "User-Agent": f"lineage-setup/{__version__}",
        "Accept-Encoding": "identity",  # a failure body is shown as it came, never inflated
    }


def _shown(text: str) -> str:
    """One line: the key masked, control characters (a terminal escape sent by a server) escaped."""
    from lineage_setup.redact import redact
    from lineage_setup.ui import printable

    return printable(redact(text)).replace("\n", "\\n").replace("\t", "\\t")


def _post(client: httpx.Client, exchange: _Exchange, body: bytes) -> tuple[int, float]:
    for attempt in range(RETRIES + 1):
        answer, elapsed = _send(client, exchange, body)
        if 200 <= answer.status < 300:
            return answer.status, elapsed
        if answer.status not in RETRY_STATUSES or attempt == RETRIES:
            raise _Failed(_status_problem(answer, exchange.conn, len(body), attempt + 1))
        delay = _delay(answer.headers.get("Retry-After", ""), attempt)
        if delay >= exchange.deadline.remaining():
            problem = _status_problem(answer, exchange.conn, len(body), attempt + 1)
            raise _Failed(f"{problem} (stopped when --timeout {exchange.deadline.seconds:g} s ran out)")
        exchange.sleep(delay)
    raise AssertionError("unreachable")


def _send(client: httpx.Client, exchange: _Exchange, body: bytes) -> tuple[_Answer, float]:
    import httpx

    if exchange.deadline.remaining() <= 0:
        raise _Failed(_timed_out(exchange))
    began = time.perf_counter()
    timeout = max(exchange.deadline.remaining(), _SHORTEST_WAIT)  # for each phase; the watchdog cuts the rest
    trace = {"trace": exchange.trace}
    try:
        with client.stream(
            "POST", exchange.url, content=body, headers=exchange.headers, timeout=timeout, extensions=trace
        ) as response:
            elapsed = time.perf_counter() - began
            data = _read_capped(response, exchange.deadline) if response.status_code >= 400 else b""
            return _answer(response, data), elapsed
    except _Redirected as redirected:
        return redirected.answer, time.perf_counter() - began
    except (httpx.InvalidURL, UnicodeError) as exc:  # UnicodeError: a host the socket layer cannot encode (idna)
        raise _Failed(f"{exchange.conn.lineage_url} cannot be used as a URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise _Failed(_network_problem(exc, exchange)) from None


def _answer(response: httpx.Response, body: bytes) -> _Answer:
    return _Answer(response.status_code, response.reason_phrase, response.headers, body, response.charset_encoding)


class _Redirected(Exception):
    """A redirect, taken as it came: httpx would parse its Location first, and fail on a bad one."""

    def __init__(self, answer: _Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _stop_at_redirect(response: httpx.Response) -> None:
    """A response hook (it runs before httpx looks at the Location)."""
    if 300 <= response.status_code < 400:
        raise _Redirected(_answer(response, b""))


def _read_capped(response: httpx.Response, deadline: _Deadline) -> bytes:
    """At most BODY_CAP bytes, and only until the deadline: what came by then is shown."""
    import httpx

    data = bytearray()
    try:
        for chunk in response.iter_raw():
            data += chunk[: BODY_CAP - len(data)]
            if len(data) >= BODY_CAP or deadline.remaining() <= 0:
                break
    except httpx.HTTPError:  # cut at the deadline, or the server went away: show what came
        pass
    return bytes(data)


def _delay(retry_after: str, attempt: int) -> float:
    """Retry-After as delay-seconds (ASCII digits) or an HTTP-date, capped; anything else: the backoff."""
    value = retry_after.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return min(float(value), RETRY_AFTER_CAP)
    when = _http_date(value)
    if when is not None:
        return min(max(when - time.time(), 0.0), RETRY_AFTER_CAP)
    return float(BACKOFF * 2**attempt)


def _http_date(value: str) -> float | None:
    from email.utils import parsedate_to_datetime

    if not value or not value.isascii():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.timestamp() if when.tzinfo is not None else None


# --- saying what went wrong -----------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _timed_out(exchange: _Exchange) -> str:
    where = urlsplit(exchange.conn.url).netloc
    return f"no answer from {where}{_via(exchange)} within {exchange.deadline.seconds:g} s (raise it with --timeout)"


def _network_problem(exc: Exception, exchange: _Exchange) -> str:
    import httpx

    proxy = _proxy_in_use(exchange)
    if proxy is not None and (isinstance(exc, httpx.ProxyError) or not exchange.trace.connected):
        return _proxy_problem(exc, exchange, proxy)
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed ({_proxy_variable(exchange.conn.url, None)}): {exc}"
    if isinstance(exc, httpx.TimeoutException) or exchange.deadline.remaining() <= 0:  # or cut by the watchdog
        return _timed_out(exchange)
    return _endpoint_problem(exc, exchange)


def _endpoint_problem(exc: Exception, exchange: _Exchange) -> str:
    import socket

    parts = urlsplit(exchange.conn.url)
    host, where, via = parts.hostname or exchange.conn.url, parts.netloc, _via(exchange)
    chain = list(_chain(exc))
    cert = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if cert is not None:
        return (
            f"the TLS certificate of {host} was not accepted ({cert.verify_message}){via}; behind a proxy that "
            "re-signs traffic, point SSL_CERT_FILE at its CA bundle"
        )
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return f"the TLS handshake with {where}{via} failed ({exc}); check the scheme and port"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"cannot resolve {host}: check the domain, and your VPN or proxy (NO_PROXY?)"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"connection refused by {where}: is the receiver running, and the port right?"
    return f"cannot reach {where}{via}: {exc or type(exc).__name__}"


def _proxy_in_use(exchange: _Exchange) -> tuple[str, int] | None:
    """The proxy the request went through: the TCP connection went elsewhere than the endpoint."""
    parts = urlsplit(exchange.conn.url)
    endpoint = (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    went = exchange.trace.connect_to
    return went if went is not None and went != endpoint else None


def _proxy_name(proxy: tuple[str, int]) -> str:
    host, port = proxy
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _via(exchange: _Exchange) -> str:
    proxy = _proxy_in_use(exchange)
    if proxy is None:
        return ""
    return f" through the proxy {_proxy_name(proxy)} ({_proxy_variable(exchange.conn.url, proxy)})"


def _proxy_problem(exc: Exception, exchange: _Exchange, proxy: tuple[str, int]) -> str:
    import socket

    import httpx

    name, variable = _proxy_name(proxy), _proxy_variable(exchange.conn.url, proxy)
    host = urlsplit(exchange.conn.url).hostname
    bypass = f"set NO_PROXY={host} if {host} should be reached directly"
    chain = list(_chain(exc))
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed ({variable}): the proxy {name} answered {exc}; check its credentials or rules"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"connection refused by the proxy {name} ({variable}): is the proxy running? ({bypass})"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"cannot resolve the proxy host {proxy[0]} ({variable}): check the variable ({bypass})"
    if isinstance(exc, httpx.TimeoutException):
        seconds = exchange.deadline.seconds
        return f"the proxy {name} ({variable}) did not accept a connection within {seconds:g} s ({bypass})"
    return f"cannot reach the proxy {name} ({variable}): {exc or type(exc).__name__} ({bypass})"


def _proxy_variable(url: str, proxy: tuple[str, int] | None) -> str:
    """Which variable names the proxy: lower case first, as urllib (and so httpx and requests) reads them."""
    scheme = urlsplit(url).scheme
    names = [f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"]
    set_ = [name for name in names if os.environ.get(name)]
    for name in set_:
        parts = urlsplit(os.environ[name] if "://" in os.environ[name] else f"http://{os.environ[name]}")
        try:
            if proxy is not None and (parts.hostname, parts.port) == proxy:
                return f"from {name}"
        except ValueError:  # a port that is not a number
            continue
    return f"from {set_[0]}" if set_ else "from the environment"


def _status_problem(answer: _Answer, conn: Connection, size: int, attempts: int) -> str:
    status, url = answer.status, conn.lineage_url
    if 300 <= status < 400:
        where = answer.headers.get("Location", "(no Location header)")
        return f"{url} redirected ({status}) to {where}: use that URL (is it https, the right domain?)"
    known = {
        400: f"the endpoint rejected the event as invalid (400): {_excerpt(answer)}",
        401: "the API key was rejected (401): check it, or get a new one",
        403: "the API key is valid but not allowed to send here (403): check its permissions" + _airplay(conn),
        404: f"nothing at {url} (404): wrong domain or endpoint? (--url, --endpoint)",
        405: f"{url} does not accept POST (405): wrong domain or endpoint? (--url, --endpoint)",
        413: f"the event ({size} bytes) was too large for {url} (413): a proxy in between may limit bodies",
    }
    if status in known:
        return known[status]
    if status in RETRY_STATUSES:
        busy = "the server is busy or down, try later"
        return f"{url} answered {status} {answer.reason} after {attempts} attempts: {busy}"
    return f"{url} answered {status} {answer.reason}: {_excerpt(answer)}"


def _airplay(conn: Connection) -> str:
    """macOS's AirPlay Receiver holds port 5000 on every address and answers 403 to a POST."""
    import ipaddress

    parts = urlsplit(conn.url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback or parts.port != AIRPLAY_PORT:
        return ""
    return (
        f"; this may not be `lineage-setup listen` answering: on macOS the AirPlay Receiver holds port "
        f"{AIRPLAY_PORT} and answers 403 (run listen with --port 0, or turn AirPlay Receiver off)"
    )


def _excerpt(answer: _Answer) -> str:
    from lineage_setup.redact import redact

    encoding = answer.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return f"(a {encoding}-encoded body, not shown)"
    text = redact(" ".join(_decode(answer.body, answer.charset).split()))  # redact before cutting
    cut = len(answer.body) >= BODY_CAP or len(text) > EXCERPT
    return (text[:EXCERPT] + "...") if cut else (text or "(empty body)")


def _decode(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", errors="replace")
