"""A local OpenLineage endpoint that prints one line per request it receives.

Every request is answered and counted: an event (201, received) or a refusal (4xx, rejected), each with one
printed line; nothing a client sends is dropped without a word.
"""

from __future__ import annotations

import contextlib
import errno
import json
import re
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lineage_setup.errors import ExitCode, UsageError

PATHS = ("/api/v1/lineage", "/api/v1/lineage/")
MAX_BODY = 16 * 1024 * 1024
FIELD = 200  # characters of a name shown
DATASETS = 10  # inputs (and outputs) named on a line
BODY_WAIT = 30.0  # seconds a client gets to send the body it announced
DRAIN, DRAIN_WAIT = 64 * 1024, 0.2  # bytes and seconds of a refused body read before closing
AIRPLAY_PORT = 5000  # macOS's AirPlay Receiver holds it
_SIZE = re.compile(r"[0-9]+")  # ASCII digits only: '²'.isdigit() is True, and int('²') fails
_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # SIGHUP: the terminal closed; absent on Windows


class Refused(Exception):
    """A request refused before its body was judged: the status to answer and the line to print."""

    def __init__(self, status: int, line: str) -> None:
        super().__init__(line)
        self.status, self.line = status, line


@dataclass
class Listener:
    output: Path | None = None
    require_key: str | None = None
    say: Callable[[str], None] = print
    received: int = 0
    rejected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, authorization: str | None, body: bytes) -> tuple[int, str]:
        """The status to answer and the line to print for one request; every call is counted."""
        with self._lock:
            try:
                status, line = self._judge(path, authorization, body)
            except Refused as refused:
                status, line = refused.status, refused.line
            except Exception as exc:  # a bug must not drop the request: answer, count and say it
                status, line = 500, f"500 internal error on this request ({type(exc).__name__}); please report it"
            if status == 201:
                self.received += 1
            else:
                self.rejected += 1
            return status, printable(line)

    def reject(self, status: int, line: str) -> tuple[int, str]:
        """A request refused before its body was read."""
        with self._lock:
            self.rejected += 1
        return status, printable(line)

    def _judge(self, path: str, authorization: str | None, body: bytes) -> tuple[int, str]:
        if path.split("?", 1)[0] not in PATHS:
            return 404, f"404 {path}: not an OpenLineage endpoint (POST to {PATHS[0]})"
        if self.require_key is not None and authorization != f"Bearer {self.require_key}":
            return 401, "401 rejected: " + ("no Authorization header" if not authorization else "wrong API key")
        event = parse(body)
        kind = kind_of(event)
        if not kind:
            return 400, f"400 malformed event: JSON but not an OpenLineage event ({_keys(event)})"
        return 201, describe(event) + self._save(event)

    def _save(self, event: dict[str, Any]) -> str:
        """Append the event to --output; a note when that failed (the event was still received)."""
        if self.output is None:
            return ""
        try:
            line = json.dumps(event, separators=(",", ":")) + "\n"
            with self.output.open("a", encoding="utf-8") as handle:
                handle.write(line)
        except (OSError, ValueError, RecursionError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            return f"  (not saved to {self.output}: {reason})"
        return ""


def parse(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a Refused(400) that says what is wrong with it."""
    try:
        event = json.loads(body)
    except UnicodeDecodeError as exc:
        raise Refused(400, f"400 malformed event: not JSON (not UTF-8: {exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise Refused(400, f"400 malformed event: not JSON ({exc})") from None
    except RecursionError:
        raise Refused(400, "400 malformed event: JSON nested too deeply to read") from None
    except ValueError as exc:  # Python's limit on digits in an integer (4,300 by default)
        raise Refused(400, f"400 malformed event: a number in it is too long to read ({str(exc)[:60]}...)") from None
    if not isinstance(event, dict):
        raise Refused(400, "400 malformed event: not a JSON object")
    return event


def kind_of(event: dict[str, Any]) -> str:
    """RunEvent (run and job), DatasetEvent (dataset), JobEvent (job, no run), or "" for none of them."""
    has = {key for key in ("run", "job", "dataset") if isinstance(event.get(key), dict)}
    if {"run", "job"} <= has:
        return "RunEvent"
    if "dataset" in has:
        return "DatasetEvent"
    if has == {"job"}:
        return "JobEvent"
    return ""


def _keys(event: dict[str, Any]) -> str:
    if not event:
        return "an empty object"
    names = [str(key)[:40] for key in list(event)[:6]]
    more = ", ..." if len(event) > 6 else ""
    return "keys: " + ", ".join(names) + more + "; a RunEvent has run and job"


def _names(datasets: Any) -> str:
    if not isinstance(datasets, list):
        return ""
    shown = ", ".join(_name(d) if isinstance(d, dict) else "?" for d in datasets[:DATASETS])
    return shown + (f" and {len(datasets) - DATASETS} more" if len(datasets) > DATASETS else "")


def _name(thing: dict[str, Any]) -> str:
    return f"{_field(thing.get('namespace', '?'))}/{_field(thing.get('name', '?'))}"


def _field(value: Any) -> str:
    """A value as shown: text cut to FIELD characters; a list or an object only named (it may be huge, or nested
    too deeply to print)."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else None
    if text is None:
        return f"<{type(value).__name__}>"
    return text if len(text) <= FIELD else text[:FIELD] + "..."


def describe(event: dict[str, Any]) -> str:
    """time, eventType (or the kind of event), namespace/name, inputs -> outputs, and the run id's end."""
    kind = kind_of(event)
    now = datetime.now().strftime("%H:%M:%S")
    if kind == "DatasetEvent":
        return f"{now} DatasetEvent {_name(event['dataset'])}"
    job, run = event.get("job"), event.get("run")
    job = job if isinstance(job, dict) else {}
    run = run if isinstance(run, dict) else {}
    flow = ""
    inputs, outputs = _names(event.get("inputs")), _names(event.get("outputs"))
    if inputs or outputs:
        flow = f"  {inputs or '-'} -> {outputs or '-'}"
    if kind == "JobEvent":
        return f"{now} JobEvent {_name(job)}{flow}"
    run_id = _tail(run.get("runId", "?"))
    event_type = _field(event.get("eventType", "?"))
    return f"{now} {event_type:<8} {_name(job)}{flow}  run {run_id}"


def _tail(run_id: Any) -> str:
    """The last 8 characters of a run id: UUIDv7 ids of runs started within a minute share their first 8."""
    return run_id[-8:] if isinstance(run_id, str) else _field(run_id)[-8:]


def printable(text: str) -> str:
    """Control characters (a terminal escape sequence in a posted job name) shown, not obeyed; one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def body_size(lengths: Sequence[str], transfer_encoding: str | None) -> int:
    """The body size the headers announce, or Refused: no body of unknown or unreasonable length is read."""
    if transfer_encoding is not None:
        raise Refused(
            411, f"411 rejected: a body sent with Transfer-Encoding {transfer_encoding!r}; send Content-Length"
        )
    if not lengths:
        raise Refused(411, "411 rejected: no Content-Length header; send the event as a body with its length")
    values = {value.strip() for value in lengths}
    if len(values) > 1:
        raise Refused(400, f"400 rejected: {len(lengths)} different Content-Length headers")
    raw = values.pop()
    if not _SIZE.fullmatch(raw):
        raise Refused(400, f"400 rejected: Content-Length {raw[:40]!r} is not a size")
    if len(raw) > len(str(MAX_BODY)) or int(raw) > MAX_BODY:  # the length first: int() of 5,000 digits fails
        shown = raw if len(raw) <= 20 else raw[:20] + "..."
        raise Refused(413, f"413 rejected: {shown} bytes is more than this receiver takes")
    return int(raw)


# --- the server -----------------------------------------------------------------------------------


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
        self._answer(*self.listener.handle(self.path, self.headers.get("Authorization"), body))

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
    return Server((_bare(host), port), Handler)


def address_family(host: str) -> socket.AddressFamily:
    """IPv6 for an IPv6 address (ThreadingHTTPServer binds IPv4 only), IPv4 for an IPv4 one; a name: IPv4
    when it has an IPv4 address, else what it resolves to."""
    import ipaddress

    try:
        return socket.AF_INET6 if ipaddress.ip_address(_bare(host)).version == 6 else socket.AF_INET
    except ValueError:
        pass
    try:
        families = [info[0] for info in socket.getaddrinfo(_bare(host), None, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError):
        return socket.AF_INET  # binding says what is wrong
    return socket.AF_INET if socket.AF_INET in families or not families else families[0]


def _bare(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _url_host(host: str) -> str:
    host = _bare(host)
    return f"[{host}]" if ":" in host else host


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return _bare(host) == "localhost" or ipaddress.ip_address(_bare(host)).is_loopback
    except ValueError:
        return False


def bind_problem(host: str, port: int, exc: OSError) -> str:
    """Why the port cannot be had, and what to do."""
    where = f"{_url_host(host)}:{port}"
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
        return f"cannot listen on {where}: {_bare(host)} is not an address of this machine (--host)"
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


def run(host: str, port: int, output: Path | None, require_key: str | None) -> ExitCode:
    """Serve until Ctrl-C, kill or hang-up, then say how many requests came and how many were refused."""
    from lineage_setup import redact, ui

    redact.register(require_key)
    _check_options(port, output)
    listener = Listener(output=output, require_key=require_key, say=ui.event)
    try:
        server = make_server(host, port, listener)
    except OSError as exc:
        raise UsageError(bind_problem(host, port, exc)) from None
    url = f"http://{_url_host(host)}:{server.server_address[1]}"
    if not _is_loopback(host):
        ui.warn(f"listening on {host}: anyone who can reach this machine can send events")
    ui.info(f"Listening for OpenLineage events at {url}{PATHS[0]}; point an integration at it with --url {url}")
    ui.info("Ctrl-C stops.")
    try:
        with stop_signals():
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    ui.info(f"Stopped: {listener.received} events received, {listener.rejected} rejected.")
    return ExitCode.OK


def _check_options(port: int, output: Path | None) -> None:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: {port} is not a port number (0 to 65535; 0 picks a free one)")
    if output is not None and not output.parent.is_dir():
        raise UsageError(f"--output: the folder {output.parent} does not exist")
    if output is not None and output.exists() and not output.is_file():
        raise UsageError(f"--output: {output} is not a file")
