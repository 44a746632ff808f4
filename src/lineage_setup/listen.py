"""A local OpenLineage endpoint that prints one line per event it receives."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lineage_setup.errors import ExitCode, UsageError

PATHS = ("/api/v1/lineage", "/api/v1/lineage/")
MAX_BODY = 16 * 1024 * 1024


@dataclass
class Listener:
    output: Path | None = None
    require_key: str | None = None
    say: Callable[[str], None] = print
    received: int = 0
    rejected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, path: str, authorization: str | None, body: bytes) -> tuple[int, str]:
        """The status to answer and the line to print for one request."""
        with self._lock:
            status, line = self._judge(path, authorization, body)
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
        try:
            event = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return 400, f"400 malformed event: not JSON ({exc})"
        if not isinstance(event, dict):
            return 400, "400 malformed event: not a JSON object"
        if self.output is not None:
            try:
                with self.output.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(event, separators=(",", ":")) + "\n")
            except OSError as exc:
                return 201, f"{describe(event)}  (not saved to {self.output}: {exc.strerror or exc})"
        return 201, describe(event)


def _names(datasets: Any) -> str:
    if not isinstance(datasets, list):
        return ""
    return ", ".join(
        f"{d.get('namespace', '?')}/{d.get('name', '?')}" if isinstance(d, dict) else "?" for d in datasets
    )


def describe(event: dict[str, Any]) -> str:
    """time, eventType, job namespace/name, inputs -> outputs, short run id."""
    job, run = event.get("job"), event.get("run")
    job = job if isinstance(job, dict) else {}
    run = run if isinstance(run, dict) else {}
    flow = ""
    inputs, outputs = _names(event.get("inputs")), _names(event.get("outputs"))
    if inputs or outputs:
        flow = f"  {inputs or '-'} -> {outputs or '-'}"
    run_id = str(run.get("runId", "?"))[:8]
    kind = str(event.get("eventType", "?"))
    return (
        f"{datetime.now().strftime('%H:%M:%S')} {kind:<8} "
        f"{job.get('namespace', '?')}/{job.get('name', '?')}{flow}  run {run_id}"
    )


def printable(text: str) -> str:
    """Control characters (a terminal escape sequence in a posted job name) shown, not obeyed."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def make_server(host: str, port: int, listener: Listener) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name for it
            raw = (self.headers.get("Content-Length") or "0").strip()
            if not raw.isdigit():
                self._answer(*listener.reject(400, f"400 rejected: Content-Length {raw!r} is not a size"))
                return
            if int(raw) > MAX_BODY:
                self._answer(*listener.reject(413, f"413 rejected: {raw} bytes is more than this receiver takes"))
                return
            body = self.rfile.read(int(raw))
            self._answer(*listener.handle(self.path, self.headers.get("Authorization"), body))

        def _not_post(self) -> None:
            line = f"405 {self.command} {self.path}: an OpenLineage endpoint takes POST only"
            self._answer(*listener.reject(405, line))

        do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_post

        def _answer(self, status: int, line: str) -> None:
            listener.say(line)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:  # one line per event is ours to print
            pass

    return ThreadingHTTPServer((host, port), Handler)


def run(host: str, port: int, output: Path | None, require_key: str | None) -> ExitCode:
    """Serve until Ctrl-C or kill, then say how many events came."""
    from lineage_setup import redact, ui

    redact.register(require_key)
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: {port} is not a port number (0 to 65535; 0 picks a free one)")
    if output is not None and not output.parent.is_dir():
        raise UsageError(f"--output: the folder {output.parent} does not exist")
    if output is not None and output.exists() and not output.is_file():
        raise UsageError(f"--output: {output} is not a file")
    listener = Listener(output=output, require_key=require_key, say=ui.event)
    try:
        server = make_server(host, port, listener)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; pass another --port") from None
    url = f"http://{_url_host(host)}:{server.server_address[1]}"
    if host not in ("127.0.0.1", "::1", "localhost"):
        ui.warn(f"listening on {host}: anyone who can reach this machine can send events")
    ui.info(f"Listening for OpenLineage events at {url}{PATHS[0]}; point an integration at it with --url {url}")
    ui.info("Ctrl-C stops.")
    signal.signal(signal.SIGTERM, _stop)  # `kill` stops it as cleanly as Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    ui.info(f"Stopped: {listener.received} events received, {listener.rejected} rejected.")
    return ExitCode.OK


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
