"""listen's HTTP side: a threading server whose handler answers every request and tells the Listener, the
address family for a host, why a port cannot be had, and the signals that stop it."""

from __future__ import annotations

import contextlib
import errno
import signal
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lineage_setup.forward import FORWARDED_HEADER
from lineage_setup.listen_events import Listener, Refused, body_size

BODY_WAIT = 30.0  # seconds a client gets to send the body it announced
DRAIN, DRAIN_WAIT = 64 * 1024, 0.2  # bytes and seconds of a refused body read before closing
AIRPLAY_PORT = 5000  # macOS's AirPlay Receiver holds it
_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # SIGHUP: the terminal closed; absent on Windows


class _Handler(BaseHTTPRequestHandler):
    """Answers every request and tells the listener; make_server sets `listener` and `timeout` on a subclass."""

    listener: Listener
    timeout = BODY_WAIT  # a client that stops sending is answered 408, not waited for forever

    def do_POST(self) -> None:  # http.server's name for it
        try:
            size = body_size(self.headers.get_all("Content-Length") or [], self.headers.get("Transfer-Encoding"))
            body = self._body(size)
        except Refused as refused:
            self.close_connection = True
            self._answer(*self.listener.reject(refused.status, refused.line))
            self._drain()
            return
        outcome = self.listener.receive(self.path, self.headers.get("Authorization"), body)
        self.listener.say(outcome.text)
        note = self._forward(body) if outcome.accepted else None  # queued before the answer: order kept
        self._respond(outcome.status)
        if note is not None:
            self.listener.say(note)

    def _forward(self, body: bytes) -> str | None:
        """--forward: queue the event to be sent on (the producer never waits on the backend)."""
        forward = self.listener.forward
        if forward is None:
            return None
        if self.headers.get(FORWARDED_HEADER):
            return "    not forwarded: it came from a listen --forward (a loop)"
        return forward(body)

    def _body(self, size: int) -> bytes:
        try:
            body = self.rfile.read(size)
        except TimeoutError:
            raise Refused(408, f"408 rejected: the {size}-byte body did not come within {self.timeout:g} s") from None
        except OSError as exc:
            raise Refused(400, f"400 rejected: the connection broke while reading the body ({exc})") from None
        if len(body) < size:
            raise Refused(400, f"400 rejected: the body ended after {len(body)} of {size} bytes")
        return body

    def _drain(self) -> None:
        """Read a little of what the client still sends, briefly: closing with it unread would reset the
        connection, and some clients then lose the answer before reading it."""
        with contextlib.suppress(OSError, ValueError):
            self.connection.settimeout(DRAIN_WAIT)
            self.rfile.read1(DRAIN)

    def _not_post(self) -> None:
        line = f"405 {self.command} {self.path}: an OpenLineage endpoint takes POST only"
        self._answer(*self.listener.reject(405, line))

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _not_post

    def _answer(self, status: int, line: str) -> None:
        self.listener.say(line)
        self._respond(status)

    def _respond(self, status: int) -> None:
        with contextlib.suppress(OSError):  # the client may be gone; its request was still counted
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a bad request line, too many headers, an unknown method): said and
        counted too."""
        what = message or self.responses.get(code, ("",))[0]
        self.listener.say(self.listener.reject(code, f"{code} rejected: {what}")[1])
        if self.request_version == "HTTP/0.9":  # what a request line it could not parse is taken for: no status
            self.request_version = "HTTP/1.0"
        with contextlib.suppress(OSError):
            super().send_error(code, message, explain)

    def log_message(self, format: str, *args: Any) -> None:  # one line per request is ours to print
        pass


def make_server(host: str, port: int, listener: Listener, body_wait: float = BODY_WAIT) -> ThreadingHTTPServer:
    """A server on host (an IPv4 or IPv6 address, or a name) that answers every request and tells `listener`."""
    family = address_family(host)

    class Handler(_Handler):
        pass

    class Server(ThreadingHTTPServer):
        address_family = family

    Handler.listener, Handler.timeout = listener, body_wait
    return Server((bare(host), port), Handler)


def address_family(host: str) -> socket.AddressFamily:
    """IPv6 for an IPv6 address (ThreadingHTTPServer binds IPv4 only), IPv4 for an IPv4 one; a name: IPv4
    when it has an IPv4 address, else what it resolves to."""
    import ipaddress

    try:
        return socket.AF_INET6 if ipaddress.ip_address(bare(host)).version == 6 else socket.AF_INET
    except ValueError:
        pass
    try:
        families = [info[0] for info in socket.getaddrinfo(bare(host), None, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError):
        return socket.AF_INET  # binding says what is wrong
    return socket.AF_INET if socket.AF_INET in families or not families else families[0]


def bare(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def url_host(host: str) -> str:
    host = bare(host)
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return bare(host) == "localhost" or ipaddress.ip_address(bare(host)).is_loopback
    except ValueError:
        return False


def bind_problem(host: str, port: int, exc: OSError) -> str:
    """Why the port cannot be had, and what to do."""
    where = f"{url_host(host)}:{port}"
    if exc.errno == errno.EADDRINUSE:
        airplay = (
            f" (on macOS, port {AIRPLAY_PORT} is the AirPlay Receiver's: turn it off in System Settings, or "
            "use another port)"
            if port == AIRPLAY_PORT
            else ""
        )
        return (
            f"cannot listen on {where}: the port is already in use by another program{airplay}; "
            "pass another --port, or --port 0 to pick a free one"
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need root); pass --port 0"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {bare(host)} is not an address of this machine (--host)"
    return f"cannot listen on {where}: {exc.strerror or exc}; pass another --port or --host"


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Ctrl-C, `kill` and a closed terminal each stop the server (raise KeyboardInterrupt), whatever the
    process inherited: a shell starts a background job with SIGINT ignored, and Python then installs no
    handler of its own. The previous handlers come back afterwards."""
    previous: dict[signal.Signals, Any] = {}
    try:
        if threading.current_thread() is threading.main_thread():  # handlers can be set there only
            for name in _SIGNALS:
                number = getattr(signal, name, None)
                if number is not None:
                    previous[number] = signal.signal(number, _stop)
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
