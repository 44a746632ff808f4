"""One POST under a deadline, for verify (its test events and the path search) and listen --forward.

The deadline bounds everything: each request gets the time left, and when it passes a watchdog shuts the
connection down, so a server trickling a byte a second cannot keep it alive. Redirects are never followed
(the key would go with them), and a failure body is read up to BODY_CAP bytes, never whole.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

BODY_CAP = 64 * 1024  # bytes of a failure body read at most (a 3 GB body once took 8.8 GB to show 200 characters)
_SHORTEST_WAIT = 0.001  # a socket timeout of 0 would mean non-blocking, not "time is up"


class Failed(Exception):
    """Ends an exchange with a message for the user."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()


class Trace:
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
class Answer:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes  # at most BODY_CAP bytes, read for a failure status only
    charset: str | None


@dataclass
class Exchange:
    """Where the requests go and the deadline they share; `origin` is scheme://host[:port] of `url`."""

    origin: str
    url: str
    headers: dict[str, str]
    deadline: Deadline
    sleep: Callable[[float], None] = time.sleep
    trace: Trace = field(default_factory=Trace)
    timeout_hint: str = " (raise it with --timeout)"  # said after "no answer within N s"


@contextlib.contextmanager
def session(exchange: Exchange) -> Iterator[httpx.Client]:
    """A client that never follows a redirect, and the watchdog that cuts its connection at the deadline."""
    import httpx

    watchdog = threading.Timer(max(exchange.deadline.remaining(), 0.0), exchange.trace.cut)
    watchdog.daemon = True
    try:
        with httpx.Client(follow_redirects=False, event_hooks={"response": [_stop_at_redirect]}) as client:
            watchdog.start()
            yield client
    finally:
        watchdog.cancel()


def send(client: httpx.Client, exchange: Exchange, body: bytes, url: str | None = None) -> tuple[Answer, float]:
    """One POST of `body` to `url` (default: the exchange's) within the time left; the answer and its seconds."""
    import httpx

    from lineage_setup import http_problems

    if exchange.deadline.remaining() <= 0:
        raise Failed(http_problems.timed_out(exchange))
    began = time.perf_counter()
    timeout = max(exchange.deadline.remaining(), _SHORTEST_WAIT)  # for each phase; the watchdog cuts the rest
    trace = {"trace": exchange.trace}
    try:
        with client.stream(
            "POST", url or exchange.url, content=body, headers=exchange.headers, timeout=timeout, extensions=trace
        ) as response:
            elapsed = time.perf_counter() - began
            data = _read_capped(response, exchange.deadline) if response.status_code >= 400 else b""
            return _answer(response, data), elapsed
    except _Redirected as redirected:
        return redirected.answer, time.perf_counter() - began
    except (httpx.InvalidURL, UnicodeError) as exc:  # UnicodeError: a host the socket layer cannot encode (idna)
        raise Failed(f"{url or exchange.url} cannot be used as a URL ({exc})") from None
    except httpx.HTTPError as exc:
        raise Failed(http_problems.network_problem(exc, exchange)) from None


def _answer(response: httpx.Response, body: bytes) -> Answer:
    return Answer(response.status_code, response.reason_phrase, response.headers, body, response.charset_encoding)


class _Redirected(Exception):
    """A redirect, taken as it came: httpx would parse its Location first, and fail on a bad one."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _stop_at_redirect(response: httpx.Response) -> None:
    """A response hook (it runs before httpx looks at the Location)."""
    if 300 <= response.status_code < 400:
        raise _Redirected(_answer(response, b""))


def _read_capped(response: httpx.Response, deadline: Deadline) -> bytes:
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
