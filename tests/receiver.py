"""A loopback OpenLineage receiver for tests: records every POST (its bytes as they came, and the JSON they
hold, gzip-compressed or not), answers 201."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""  # the body as it came over the wire (compressed, when it was)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests]


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
            state.requests.append(Received(self.path, dict(self.headers.items()), json.loads(body or b"null"), raw))
            self.send_response(201)
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
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
