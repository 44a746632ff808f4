"""listen --forward: each event received (and linted) sent on to a real backend, as it came.

One POST per event, never retried, bounded by FORWARD_TIMEOUT (a watchdog cuts a trickling server). A Sender
sends them from one thread, in the order they came, so a producer never waits on the backend; at stop what
is still queued gets DRAIN_WAIT seconds. The key comes from OPENLINEAGE_API_KEY and is never printed. A
failure is one printed line and a count; it never stops listen.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lineage_setup import __version__
from lineage_setup.http_exchange import Deadline, Exchange, Failed, send, session
from lineage_setup.http_problems import excerpt, shown

FORWARD_TIMEOUT = 10.0  # seconds per event, connection to answer
DRAIN_WAIT = 10.0  # seconds at stop for what is still queued (plus the one in flight)
QUEUE_SIZE = 1000  # events waiting at most; more are not forwarded (and counted)
_POLL = 0.1  # seconds the sender waits for an event before looking whether listen stops
FORWARDED_HEADER = "X-Lineage-Setup-Forwarded"  # listen does not forward an event that carries it (a loop)
ENV_KEY = "OPENLINEAGE_API_KEY"


@dataclass
class Forwarder:
    origin: str  # scheme://host[:port]
    url: str  # origin/endpoint
    api_key: str | None = field(default=None, repr=False)
    timeout: float = FORWARD_TIMEOUT
    sent: int = 0
    failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, body: bytes, label: str = "") -> str | None:
        """Send one event on; None when the backend took it, else the line to print."""
        try:
            problem = self._send(body)
        except Exception as exc:  # a bug must not stop listen: count it and say it
            problem = f"internal error ({type(exc).__name__}); please report it"
        self.count(problem is None)
        return None if problem is None else shown(f"    forward failed{f' ({label})' if label else ''}: {problem}")

    def count(self, sent: bool) -> None:
        with self._lock:
            if sent:
                self.sent += 1
            else:
                self.failed += 1

    def _send(self, body: bytes) -> str | None:
        exchange = Exchange(self.origin, self.url, self._headers(), Deadline(self.timeout), timeout_hint="")
        try:
            with session(exchange) as client:
                answer, _ = send(client, exchange, body)
        except Failed as failed:
            return str(failed)
        if 200 <= answer.status < 300:
            return None
        if 300 <= answer.status < 400:
            where = answer.headers.get("Location", "(no Location header)")
            return f"{self.url} redirected ({answer.status}) to {where}; not followed (the key would go along)"
        return f"{self.url} answered {answer.status} {answer.reason}: {excerpt(answer)}"

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"lineage-setup/{__version__} (listen --forward)",
            "Accept-Encoding": "identity",
            FORWARDED_HEADER: "1",
        }
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def summary(self, unsent: int = 0) -> str:
        total = self.sent + self.failed + unsent
        left = f", {unsent} not sent: listen stopped first" if unsent else ""
        return f"Forwarded {self.sent} of {total} events to {self.url} ({self.failed} failed{left})."


class Sender:
    """Sends events on from one thread, in the order they were queued; listen's handler queues and goes on."""

    def __init__(self, forwarder: Forwarder, say: Callable[[str], None], size: int = QUEUE_SIZE) -> None:
        self.forwarder, self.say, self.unsent = forwarder, say, 0
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=size)
        self._closing = threading.Event()
        self._until = float("inf")
        self._thread = threading.Thread(target=self._run, name="listen-forward", daemon=True)
        self._thread.start()

    def __call__(self, body: bytes) -> str | None:
        """Queue one event; a line when it cannot be (the backend is slower than the producer)."""
        try:
            self._queue.put_nowait(body)
        except queue.Full:
            self.forwarder.count(False)
            return f"    not forwarded: {self._queue.maxsize} events are waiting already (the backend is slow)"
        return None

    def _run(self) -> None:
        while not (self._closing.is_set() and (self._queue.empty() or time.monotonic() > self._until)):
            try:
                body = self._queue.get(timeout=_POLL)
            except queue.Empty:
                continue
            line = self.forwarder(body, _label(body))
            if line is not None:
                self.say(line)

    def close(self, wait: float = DRAIN_WAIT) -> None:
        """Let what is queued go out for at most `wait` seconds (and the one in flight finish); count the rest."""
        self._until = time.monotonic() + wait
        self._closing.set()
        self._thread.join(wait + self.forwarder.timeout + 1)
        self.unsent = self._queue.qsize()

    def summary(self) -> str:
        return self.forwarder.summary(self.unsent)


def _label(body: bytes) -> str:
    """eventType and run id's end, to tell which event a late failure line is about."""
    try:
        event = json.loads(body)
        run_id = str(event["run"]["runId"])
        return f"{str(event.get('eventType', '?'))[:20]} run {run_id[-8:]}"
    except (ValueError, TypeError, KeyError, RecursionError):
        return ""


def make(raw: str, endpoint: str, env: Mapping[str, str]) -> Forwarder:
    """The forwarder for --forward URL: its path, else `endpoint` (the backend's); the key from the environment."""
    from lineage_setup import redact, validate

    parsed = validate.url(raw, "--forward")
    path = parsed.path or endpoint.strip("/")
    key = env.get(ENV_KEY) or None
    redact.register(key)
    if key is not None:
        key = validate.api_key(key, ENV_KEY)
        redact.register(key)
    return Forwarder(parsed.base, f"{parsed.base}/{path}", key)
